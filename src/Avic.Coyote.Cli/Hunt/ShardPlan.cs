using System.Globalization;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>Shard <see cref="Index"/> (1-based) of <see cref="Count"/>: "--shard 2/4".</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard All = new(1, 1);

    /// <summary>More shards than this is almost surely a typo; CI matrices are far smaller.</summary>
    public const int MaxCount = 1000;

    /// <summary>Parses "i/N" with 1 &lt;= i &lt;= N; null with <paramref name="error"/> set otherwise.</summary>
    public static Shard? TryParse(string text, out string? error)
    {
        error = null;
        string[] parts = text.Split('/');
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) &&
            n is >= 1 and <= MaxCount && i >= 1 && i <= n)
            return new Shard(i, n);
        error = $"--shard needs i/N with 1 <= i <= N <= {MaxCount} (e.g. 2/4), got '{text}'";
        return null;
    }

    /// <summary>Whether unit number <paramref name="k"/> (0-based, in the plan's order) belongs to this shard.</summary>
    public bool Contains(int k) => k % Count == Index - 1;

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>
/// One unit of hunting work: worker <see cref="Worker"/> of the portfolio on one test. Its seeds are
/// <c>base + Worker + r * Workers</c> for r = 0, 1, ... (one per re-run after a bug), so the seed ranges
/// of the units of a test never overlap.
/// </summary>
public sealed record HuntUnit(int Number, TestCase Test, PortfolioWorker Spec, int Workers, ulong BaseSeed)
{
    public int Worker => Spec.Index;

    public ulong Seed(int rerun) => BaseSeed + (ulong)Worker + (ulong)rerun * (ulong)Workers;

    /// <summary>Strategy and seed choice (not the seed) of the unit, e.g. "prioritization(3)".</summary>
    public string StrategyLabel => Spec.StrategyLabel;
}

/// <summary>
/// The hunt's work list: tests sorted by name, and for each test <c>workers</c> units, one per
/// portfolio worker (<see cref="Portfolio.Worker"/>). Unit k goes to shard (k mod N) + 1, so shards
/// are disjoint, cover every unit, and every machine computes the same split on its own.
/// </summary>
public static class ShardPlan
{
    public static IReadOnlyList<HuntUnit> Units(IEnumerable<TestCase> tests, int workers, Configuration config)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "at least one worker per test");
        var units = new List<HuntUnit>();
        foreach (TestCase test in tests.OrderBy(t => t.Name, StringComparer.Ordinal))
            for (int w = 0; w < workers; w++)
                units.Add(new HuntUnit(units.Count, test, Portfolio.Worker(w, config), workers, config.Seed));
        return units;
    }

    /// <summary>The items of <paramref name="units"/> (in plan order) that belong to <paramref name="shard"/>.</summary>
    public static IReadOnlyList<T> Take<T>(IReadOnlyList<T> units, Shard shard) =>
        units.Where((_, k) => shard.Contains(k)).ToList();
}
