using System;
using System.Collections.Generic;
using System.Globalization;

namespace Avic.Coyote.Bench.Engine;

/// <summary>
/// A CSV file through which the benchmark processes report the steps per iteration they measured in
/// GlobalSetup to the host process, where <see cref="EngineStepsColumn"/> is computed (BenchmarkDotNet
/// runs each case in its own process). Path passed through an environment variable, as
/// <see cref="EntryUpdate.ReaderRateLog"/> does.
/// </summary>
public static class EngineStepsLog
{
    private static readonly SideChannelCsv Csv = new("AVIC_BENCH_ENGINE_STEPS", "Engine-steps.csv", "Test,Strategy,StepsPerIteration,Outcomes");

    /// <summary>Called by the host: sets the path and starts a fresh file.</summary>
    public static void Initialise(string resultsDirectory) => Csv.Initialise(resultsDirectory);

    /// <summary>Called by a benchmark process in GlobalSetup.</summary>
    public static void Append(string test, string strategy, double stepsPerIteration, string outcomes) =>
        Csv.Append(test, strategy, stepsPerIteration.ToString("R", CultureInfo.InvariantCulture), outcomes);

    /// <summary>Steps per iteration by (test, strategy); read once per host process (the file is complete when columns are computed).</summary>
    public static IReadOnlyDictionary<(string Test, string Strategy), double> ReadAll() => cache ??= Read();

    private static Dictionary<(string, string), double>? cache;

    private static Dictionary<(string, string), double> Read()
    {
        var map = new Dictionary<(string, string), double>();
        // The same seeds give the same steps in every process, so the last row is as good as any.
        foreach (string[] f in Csv.Rows())
            if (f.Length >= 3) map[(f[0], f[1])] = double.Parse(f[2], CultureInfo.InvariantCulture);
        return map;
    }
}
