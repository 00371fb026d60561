using System.Diagnostics;
using System.Threading;
using Avic.Coyote.Strategies;

namespace Avic.Coyote.Testing;

/// <summary>One worker of a portfolio: a strategy, its parameter and its seed.</summary>
public sealed record PortfolioWorker(int Index, string Strategy, int StrategyValue, ulong Seed)
{
    public StrategySpec Spec => StrategyRegistry.Get(Strategy);

    /// <summary>"prioritization(6)", "random": the strategy and, when it takes one, its value.</summary>
    public string StrategyLabel => Spec.Label(StrategyValue);

    public override string ToString() => $"#{Index} {StrategyLabel} seed {Seed}";
}

/// <summary>One place of the portfolio's mix: a strategy and its value from the configured one and the round.</summary>
public sealed record PortfolioSlot(StrategySpec Strategy, Func<int, int, int> Value);

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
        PortfolioSlot slot = Mix[index % Mix.Count];
        int value = slot.Strategy.Parameter is null ? 0 : slot.Value(config.StrategyValue, index / Mix.Count);
        return new(index, slot.Strategy.Name, value, config.Seed + (ulong)index);
    }

    /// <summary>The strategies of workers 0..4, then again from the start (round 1, 2, ...) with other seeds.</summary>
    public static readonly IReadOnlyList<PortfolioSlot> Mix =
    [
        new(StrategyRegistry.Prioritization, (value, _) => value),
        new(StrategyRegistry.Random, (value, _) => value),
        new(StrategyRegistry.FairPrioritization, (value, _) => value),
        new(StrategyRegistry.Dfs, (value, _) => value),
        new(StrategyRegistry.Prioritization, (value, round) => value * 3 + round),
    ];

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
        WorkerPool.Run(workers, index =>
        {
            PortfolioWorker spec = specs[index];
            var own = config with { Strategy = spec.Strategy, StrategyValue = spec.StrategyValue, Seed = spec.Seed };
            TestReport r = TestingEngine.Run(test, own, cancellation: stop.Token);
            reports[index] = r;
            if (r.Bug is not null)
            {
                lock (bugOrder) bugOrder.Add(index);
                if (!keepGoing) stop.Cancel();
            }
        }, "portfolio worker");
        return new PortfolioReport
        {
            Workers = specs.Select(s => (s, reports[s.Index]!)).ToList(),
            Elapsed = clock.Elapsed,
            FirstBug = bugOrder.Count > 0 ? reports[bugOrder[0]] : null,
        };
    }
}
