using System.Globalization;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Output;

/// <summary>What one seed of `coyote check --seeds A..B` gave for one test (the figures the aggregate needs).</summary>
/// <param name="IterationsToFirstBug">1-based iteration of the bug counted for this test (see <see cref="Of"/>); null: none.</param>
/// <param name="Found">the bug kind found, or "none ..." (<see cref="Progress.Found"/>).</param>
public sealed record SeedRun(ulong Seed, long? IterationsToFirstBug, double Seconds, int Iterations, string Found, bool Ok)
{
    /// <summary>
    /// A bug counts as found unless the test declares a bug of another kind or message: a wrong bug in a
    /// bug variant is not the variant's bug (the run is not ok), and counting it would flatter the table.
    /// </summary>
    public static SeedRun Of(TestReport r, ulong seed)
    {
        bool counts = r.Bug is not null && (r.MeetsExpectation || r.Test.Expect is Expectation.Pass or Expectation.Explore);
        return new SeedRun(seed, counts ? r.BugIteration + 1 : null, r.Elapsed.TotalSeconds, r.Iterations, Progress.Found(r), Progress.Verdict(r) == RunVerdict.Ok);
    }
}

/// <summary>
/// One test over a range of seeds: iterations and wall time to the first bug, median and worst, with the
/// seeds that found none. A seed that found no bug counts as "not found", larger than any budget: it is
/// kept in the median (dropping it would flatter the figure) and makes the worst "not found".
/// A test no seed found a bug in (a correct variant) has no time to a bug: its time columns are the
/// wall time of the runs, and the iterations it explored are the figure.
/// </summary>
public sealed class CheckAggregate
{
    public CheckAggregate(TestCase test, IReadOnlyList<SeedRun> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to aggregate", nameof(runs));
        Test = test;
        Runs = runs;
    }

    public TestCase Test { get; }

    public IReadOnlyList<SeedRun> Runs { get; }

    /// <summary>True when some seed found a bug, or the test declares one: the table then shows time to the first bug.</summary>
    public bool ShowsBugFinding => Test.Expect is not (Expectation.Pass or Expectation.Explore) || Runs.Any(r => r.IterationsToFirstBug is not null);

    public IReadOnlyList<ulong> NotFoundSeeds => Runs.Where(r => r.IterationsToFirstBug is null).Select(r => r.Seed).ToList();

    public int OkCount => Runs.Count(r => r.Ok);

    public long IterationsExplored => Runs.Sum(r => (long)r.Iterations);

    /// <summary>Median and worst iterations to the first bug; null: not found.</summary>
    public (double? Median, double? Worst) IterationsToFirstBug =>
        Stats(Runs.Select(r => (double?)r.IterationsToFirstBug));

    /// <summary>Median and worst seconds to the first bug; null: not found.</summary>
    public (double? Median, double? Worst) SecondsToFirstBug =>
        Stats(Runs.Select(r => r.IterationsToFirstBug is null ? null : (double?)r.Seconds));

    /// <summary>Median and worst wall time of the runs (to the first bug, or the whole budget).</summary>
    public (double Median, double Worst) RunSeconds
    {
        get
        {
            (double? median, double? worst) = Stats(Runs.Select(r => (double?)r.Seconds));
            return (median!.Value, worst!.Value);
        }
    }

    /// <summary>"AssertionFailure 10/10", or e.g. "Liveness 8/10, none 2/10", in order of first appearance.</summary>
    public string FoundText =>
        string.Join(", ", Runs.GroupBy(r => r.Found).Select(g => $"{g.Key} {g.Count()}/{Runs.Count}"));

    /// <summary>Median and worst (maximum) of <paramref name="values"/>, where null is "not found": larger than every number.</summary>
    public static (double? Median, double? Worst) Stats(IEnumerable<double?> values)
    {
        List<double?> sorted = values.OrderBy(v => v ?? double.PositiveInfinity).ToList();
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(values));
        int n = sorted.Count;
        // Even count: the mean of the two middle values, "not found" if either is.
        double? median = n % 2 == 1 ? sorted[n / 2] : sorted[n / 2 - 1] + sorted[n / 2];
        if (n % 2 == 0) median /= 2;
        return (median, sorted[^1]);
    }

    /// <summary>The aggregated table of `coyote check` over several seeds.</summary>
    public static TextTable Table(IEnumerable<CheckAggregate> aggregates)
    {
        var table = new TextTable("test", "expected", "found", "not found",
            "iterations to first bug: median", "worst", "time: median", "worst", "iterations explored", "ok");
        foreach (CheckAggregate a in aggregates)
        {
            IReadOnlyList<ulong> notFound = a.NotFoundSeeds;
            string iterMedian = "-", iterWorst = "-", timeMedian, timeWorst, notFoundText = "-";
            if (a.ShowsBugFinding)
            {
                (double? im, double? iw) = a.IterationsToFirstBug;
                (double? tm, double? tw) = a.SecondsToFirstBug;
                (iterMedian, iterWorst) = (Iterations(im), Iterations(iw));
                (timeMedian, timeWorst) = (Seconds(tm), Seconds(tw));
                notFoundText = notFound.Count == 0 ? "0" : $"{notFound.Count} (seed{(notFound.Count > 1 ? "s" : "")} {string.Join(", ", notFound)})";
            }
            else
            {
                (double tm, double tw) = a.RunSeconds;
                (timeMedian, timeWorst) = (Seconds(tm), Seconds(tw));
            }
            table.Add(a.Test.Name, a.Test.ExpectationText, a.FoundText, notFoundText, iterMedian, iterWorst, timeMedian, timeWorst,
                ExploredText(a), $"{a.OkCount}/{a.Runs.Count} " + (a.OkCount == a.Runs.Count ? "ok" : "FAIL"));
        }
        return table;
    }

    private static string ExploredText(CheckAggregate a)
    {
        int first = a.Runs[0].Iterations;
        return a.Runs.All(r => r.Iterations == first)
            ? $"{a.Runs.Count} × {Numbers.Count(first)}"
            : $"{Numbers.Count(a.IterationsExplored)} in all";
    }

    private static string Iterations(double? v) =>
        v is { } x ? x.ToString(x == Math.Floor(x) ? "N0" : "N1", CultureInfo.InvariantCulture) : "not found";

    // In milliseconds: most bugs are found in well under 0.01 s.
    private static string Seconds(double? v) => v is { } x ? (x * 1000).ToString("N1", CultureInfo.InvariantCulture) + " ms" : "not found";
}
