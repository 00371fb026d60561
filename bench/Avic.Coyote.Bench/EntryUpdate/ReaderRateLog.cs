using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>
/// A CSV file through which the benchmark processes report the reader threads' rates to the
/// host process (BenchmarkDotNet runs each case in its own process; the columns are computed
/// in the host). Path passed through an environment variable.
/// </summary>
public static class ReaderRateLog
{
    public const string EnvironmentVariable = "AVIC_BENCH_ENTRYUPDATE_READERS";
    public const string FileName = "EntryUpdate-readers.csv";
    private const string Header = "Method,Scenario,Readers,Pinned,IdleReadsPerSec,ReadsPerSecDuringWrites,WriterSeconds";

    /// <summary>Called by the host: sets the path and starts a fresh file.</summary>
    public static void Initialise(string resultsDirectory)
    {
        Directory.CreateDirectory(resultsDirectory);
        string path = Path.Combine(resultsDirectory, FileName);
        File.WriteAllText(path, Header + Environment.NewLine);
        Environment.SetEnvironmentVariable(EnvironmentVariable, path);
    }

    private static string PathOrDefault
        => Environment.GetEnvironmentVariable(EnvironmentVariable)
           ?? Path.Combine(Path.GetTempPath(), FileName);

    /// <summary>Called by a benchmark process in GlobalCleanup.</summary>
    public static void Append(string method, string scenario, int readers, bool pinned,
        double idleReadsPerSec, double readsPerSecDuringWrites, double writerSeconds)
    {
        string path = PathOrDefault;
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Header + Environment.NewLine);
        }

        File.AppendAllText(path, string.Join(",",
            method, scenario, readers.ToString(CultureInfo.InvariantCulture), pinned ? "yes" : "no",
            idleReadsPerSec.ToString("F0", CultureInfo.InvariantCulture),
            readsPerSecDuringWrites.ToString("F0", CultureInfo.InvariantCulture),
            writerSeconds.ToString("F3", CultureInfo.InvariantCulture)) + Environment.NewLine);
    }

    /// <summary>Latest row per (method, scenario): (idle reads/s, reads/s during writes).</summary>
    public static Dictionary<(string Method, string Scenario), (double Idle, double Busy)> ReadAll()
    {
        var map = new Dictionary<(string, string), (double, double)>();
        string path = PathOrDefault;
        if (!File.Exists(path))
        {
            return map;
        }

        foreach (string line in File.ReadAllLines(path))
        {
            string[] f = line.Split(',');
            if (f.Length < 6 || f[0] == "Method")
            {
                continue;
            }

            map[(f[0], f[1])] = (double.Parse(f[4], CultureInfo.InvariantCulture),
                double.Parse(f[5], CultureInfo.InvariantCulture));
        }

        return map;
    }
}
