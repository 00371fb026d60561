using System.Diagnostics;
using System.Threading;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Testing;

/// <summary>One worker of a portfolio: a strategy, its parameter and its seed.</summary>
public sealed record PortfolioWorker(int Index, string Strategy, int StrategyValue, ulong Seed)
{
    public override string ToString() => $"#{Index} {Strategy}{(Strategy.Contains("prioritization") ? $"({StrategyValue})" : "")} seed {Seed}";
}

/// <summary>What a portfolio run found, worker by worker.</summary>
public sealed class PortfolioReport
{
    public required IReadOnlyList<(PortfolioWorker Worker, TestReport Report)> Workers { get; init; }
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The first bug found (by wall clock) and the report of the worker that found it.</summary>
    public TestReport? FirstBug { get; init; }

    public long TotalSteps => Workers.Sum(w => w.Report.TotalSteps);
    public int TotalIterations => Workers.Sum(w => w.Report.Iterations);
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? TotalSteps / Elapsed.TotalSeconds : 0;

    /// <summary>True when a dfs worker covered the whole space with no bug: a proof, not just a sample.</summary>
    public bool Verified => FirstBug is null && Workers.Any(w => w.Report.Exhausted);
}

/// <summary>
/// Runs several strategies with distinct seeds on parallel threads (one engine per thread, each
/// deterministic on its own, so any bug replays alone from its schedule). The first bug stops the
/// others unless keepGoing.
/// </summary>
public static class Portfolio
{
    /// <summary>The strategy mix, in the order workers take it: PCT first (best at shallow bugs), then
    /// random, fair PCT (liveness), dfs (a proof when the space is small), PCT with more change points.</summary>
    public static PortfolioWorker Worker(int index, Configuration config)
    {
        ulong seed = config.Seed + (ulong)index;
        return (index % 5) switch
        {
            0 => new(index, "prioritization", config.StrategyValue, seed),
            1 => new(index, "random", 0, seed),
            2 => new(index, "fair-prioritization", config.StrategyValue, seed),
            3 => new(index, "dfs", 0, seed),
            _ => new(index, "prioritization", config.StrategyValue * 3 + index / 5, seed),
        };
    }

    /// <summary>Runs <paramref name="workers"/> workers, each with the whole iteration budget of
    /// <paramref name="config"/> (the time budget bounds the run).</summary>
    public static PortfolioReport Run(TestCase test, Configuration config, int workers, bool keepGoing = false,
        CancellationToken cancellation = default)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "a portfolio needs at least one worker");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var specs = Enumerable.Range(0, workers).Select(i => Worker(i, config)).ToArray();
        var reports = new TestReport?[workers];
        var bugOrder = new List<int>();
        var clock = Stopwatch.StartNew();
        var threads = specs.Select(spec => new Thread(() =>
        {
            var own = config with { Strategy = spec.Strategy, StrategyValue = spec.StrategyValue, Seed = spec.Seed };
            TestReport r = TestingEngine.Run(test, own, cancellation: stop.Token);
            reports[spec.Index] = r;
            if (r.Bug is not null)
            {
                lock (bugOrder) bugOrder.Add(spec.Index);
                if (!keepGoing) stop.Cancel();
            }
        }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = $"portfolio-{spec.Index}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return new PortfolioReport
        {
            Workers = specs.Select(s => (s, reports[s.Index]!)).ToList(),
            Elapsed = clock.Elapsed,
            FirstBug = bugOrder.Count > 0 ? reports[bugOrder[0]] : null,
        };
    }
}
