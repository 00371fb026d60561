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
    private const string Header = "Method,Scenario,Readers,Pinned,ReadsPerSecWriterAsleep,ReadsPerSecWriterOnPrivateLine,ReadsPerSecDuringBenchmark,WriterSeconds";

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
        double asleepReadsPerSec, double controlReadsPerSec, double readsPerSecDuringWrites, double writerSeconds)
    {
        string path = PathOrDefault;
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Header + Environment.NewLine);
        }

        File.AppendAllText(path, string.Join(",",
            method, scenario, readers.ToString(CultureInfo.InvariantCulture), pinned ? "yes" : "no",
            asleepReadsPerSec.ToString("F0", CultureInfo.InvariantCulture),
            controlReadsPerSec.ToString("F0", CultureInfo.InvariantCulture),
            readsPerSecDuringWrites.ToString("F0", CultureInfo.InvariantCulture),
            writerSeconds.ToString("F3", CultureInfo.InvariantCulture)) + Environment.NewLine);
    }

    /// <summary>
    /// Per (method, scenario), the row with the most writer time (so a short extra job such as
    /// Dry does not override the real one): (control reads/s, reads/s during the benchmark).
    /// </summary>
    public static Dictionary<(string Method, string Scenario), (double Control, double Busy)> ReadAll()
    {
        var map = new Dictionary<(string, string), (double, double)>();
        var best = new Dictionary<(string, string), double>();
        string path = PathOrDefault;
        if (!File.Exists(path))
        {
            return map;
        }

        foreach (string line in File.ReadAllLines(path))
        {
            string[] f = line.Split(',');
            if (f.Length < 8 || f[0] == "Method")
            {
                continue;
            }

            var key = (f[0], f[1]);
            double writerSeconds = double.Parse(f[7], CultureInfo.InvariantCulture);
            if (best.TryGetValue(key, out double seen) && seen >= writerSeconds)
            {
                continue;
            }

            best[key] = writerSeconds;
            map[key] = (double.Parse(f[5], CultureInfo.InvariantCulture),
                double.Parse(f[6], CultureInfo.InvariantCulture));
        }

        return map;
    }
}
