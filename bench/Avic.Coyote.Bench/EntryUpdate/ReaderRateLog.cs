using System.Collections.Generic;
using System.Globalization;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>
/// The reader threads' rates, reported by the benchmark processes to the host (see <see cref="SideChannelCsv"/>).
/// </summary>
public static class ReaderRateLog
{
    private static readonly SideChannelCsv Csv = new("AVIC_BENCH_ENTRYUPDATE_READERS", "EntryUpdate-readers.csv",
        "Method,Scenario,Readers,Pinned,ReadsPerSecWriterAsleep,ReadsPerSecWriterOnPrivateLine,ReadsPerSecDuringBenchmark,WriterSeconds");

    /// <summary>Called by the host: sets the path and starts a fresh file.</summary>
    public static void Initialise(string resultsDirectory) => Csv.Initialise(resultsDirectory);

    /// <summary>Called by a benchmark process in GlobalCleanup.</summary>
    public static void Append(string method, string scenario, int readers, bool pinned,
        double asleepReadsPerSec, double controlReadsPerSec, double readsPerSecDuringWrites, double writerSeconds) =>
        Csv.Append(method, scenario, readers.ToString(CultureInfo.InvariantCulture), pinned ? "yes" : "no",
            asleepReadsPerSec.ToString("F0", CultureInfo.InvariantCulture),
            controlReadsPerSec.ToString("F0", CultureInfo.InvariantCulture),
            readsPerSecDuringWrites.ToString("F0", CultureInfo.InvariantCulture),
            writerSeconds.ToString("F3", CultureInfo.InvariantCulture));

    /// <summary>
    /// Per (method, scenario), the row with the most writer time (so a short extra job such as
    /// Dry does not override the real one): (control reads/s, reads/s during the benchmark).
    /// </summary>
    public static Dictionary<(string Method, string Scenario), (double Control, double Busy)> ReadAll()
    {
        var map = new Dictionary<(string, string), (double, double)>();
        var best = new Dictionary<(string, string), double>();
        foreach (string[] f in Csv.Rows())
        {
            if (f.Length < 8) continue;
            var key = (f[0], f[1]);
            double writerSeconds = double.Parse(f[7], CultureInfo.InvariantCulture);
            if (best.TryGetValue(key, out double seen) && seen >= writerSeconds) continue;
            best[key] = writerSeconds;
            map[key] = (double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture));
        }
        return map;
    }
}
