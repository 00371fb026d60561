using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Avic.Coyote.Bench.Engine;

/// <summary>
/// A CSV file through which the benchmark processes report the steps per iteration they measured in
/// GlobalSetup to the host process, where <see cref="EngineStepsColumn"/> is computed (BenchmarkDotNet
/// runs each case in its own process). Path passed through an environment variable, as
/// <see cref="EntryUpdate.ReaderRateLog"/> does.
/// </summary>
public static class EngineStepsLog
{
    public const string EnvironmentVariable = "AVIC_BENCH_ENGINE_STEPS";
    public const string FileName = "Engine-steps.csv";
    private const string Header = "Test,Strategy,StepsPerIteration,Outcomes";

    /// <summary>Called by the host: sets the path and starts a fresh file.</summary>
    public static void Initialise(string resultsDirectory)
    {
        Directory.CreateDirectory(resultsDirectory);
        string path = Path.Combine(resultsDirectory, FileName);
        File.WriteAllText(path, Header + Environment.NewLine);
        Environment.SetEnvironmentVariable(EnvironmentVariable, path);
    }

    private static string PathOrDefault
        => Environment.GetEnvironmentVariable(EnvironmentVariable) ?? Path.Combine(Path.GetTempPath(), FileName);

    /// <summary>Called by a benchmark process in GlobalSetup.</summary>
    public static void Append(string test, string strategy, double stepsPerIteration, string outcomes)
    {
        string path = PathOrDefault;
        if (!File.Exists(path)) File.WriteAllText(path, Header + Environment.NewLine);
        File.AppendAllText(path, string.Join(",", test, strategy,
            stepsPerIteration.ToString("R", CultureInfo.InvariantCulture), outcomes) + Environment.NewLine);
    }

    /// <summary>Steps per iteration by (test, strategy); read once per host process (the file is complete when columns are computed).</summary>
    public static IReadOnlyDictionary<(string Test, string Strategy), double> ReadAll() => cache ??= Read();

    private static Dictionary<(string, string), double>? cache;

    private static Dictionary<(string, string), double> Read()
    {
        var map = new Dictionary<(string, string), double>();
        string path = PathOrDefault;
        if (!File.Exists(path)) return map;
        foreach (string line in File.ReadAllLines(path))
        {
            string[] f = line.Split(',');
            if (f.Length < 3 || f[0] == "Test") continue;
            // The same seeds give the same steps in every process, so the last row is as good as any.
            map[(f[0], f[1])] = double.Parse(f[2], CultureInfo.InvariantCulture);
        }
        return map;
    }
}
