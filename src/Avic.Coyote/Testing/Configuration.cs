using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>Settings of a test run (Coyote's Configuration, as an immutable record with With… helpers).</summary>
public sealed record Configuration
{
    /// <summary>Number of executions to explore.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Step bound of one execution.</summary>
    public int MaxSteps { get; init; } = 10_000;

    /// <summary>random | prioritization | fair-prioritization | dfs (exhaustive, optimal DPOR; also dfs-optimal) | dfs-sleepsets
    /// (exhaustive, the older DPOR + sleep sets, kept for comparison) | dfs-full (exhaustive, no reduction)
    /// | dfs-bounded (dfs over schedules with at most StrategyValue preemptions) | dfs-stateful (dfs-full that skips
    /// states explored before, for models that register a StateHashing hook).
    /// With dfs, <see cref="Iterations"/> is an upper bound; the search stops when the tree is explored.</summary>
    public string Strategy { get; init; } = "random";

    /// <summary>Priority change points for the prioritization strategies. 6 found every bundled bug
    /// variant for seeds 1–30 but two runs, against ten misses with 3 (bench/results/2026-11-21-bug-finding-v2).</summary>
    public int StrategyValue { get; init; } = DefaultStrategyValue;

    public const int DefaultStrategyValue = 6;

    public ulong Seed { get; init; }

    /// <summary>Wall-clock budget in seconds (0: none); checked between executions.</summary>
    public double TimeoutSeconds { get; init; }

    /// <summary>Report reaching the step bound as a bug.</summary>
    public bool FailOnMaxSteps { get; init; }

    /// <summary>Steps a monitor may stay hot before a liveness bug is reported (0: only at the end).</summary>
    public int LivenessThreshold { get; init; }

    /// <summary>Overrides the test's memory model when set.</summary>
    public MemoryModel? MemoryModel { get; init; }

    public Configuration WithTestingIterations(int n) => this with { Iterations = n };
    public Configuration WithMaxSchedulingSteps(int n) => this with { MaxSteps = n };
    public Configuration WithRandomStrategy() => this with { Strategy = "random" };
    public Configuration WithPrioritizationStrategy(bool isFair = false, int changePoints = 3) =>
        this with { Strategy = isFair ? "fair-prioritization" : "prioritization", StrategyValue = changePoints };
    public Configuration WithRandomGeneratorSeed(ulong seed) => this with { Seed = seed };
    public Configuration WithTimeout(double seconds) => this with { TimeoutSeconds = seconds };

    /// <summary>The names accepted by <see cref="CreateStrategy"/>.</summary>
    public static readonly string[] StrategyNames = ["random", "prioritization", "fair-prioritization", "dfs", "dfs-optimal", "dfs-sleepsets", "dfs-full", "dfs-bounded", "dfs-stateful"];

    /// <summary>"prioritization (value 6)", "dfs-bounded (at most 2 preemptions)", "random": the strategy as reports show it.</summary>
    public static string DescribeStrategy(string strategy, int strategyValue) => strategy switch
    {
        "prioritization" or "fair-prioritization" => $"{strategy} (value {strategyValue})",
        "dfs-bounded" => $"{strategy} (at most {strategyValue} preemptions)",
        _ => strategy,
    };

    /// <summary>Builds the exploring strategy this configuration names.</summary>
    public ISchedulingStrategy CreateStrategy() => Strategy switch
    {
        "random" => new RandomStrategy(Seed),
        "prioritization" or "pct" => new PrioritizationStrategy(Seed, StrategyValue),
        "fair-prioritization" or "fairpct" => new PrioritizationStrategy(Seed, StrategyValue, fairAfterSteps: Math.Max(1, MaxSteps / 2)),
        "dfs" or "dfs-optimal" => new OptimalDporStrategy(MaxSteps),
        "dfs-sleepsets" => new DfsStrategy(reduction: true, MaxSteps),
        "dfs-full" => new DfsStrategy(reduction: false, MaxSteps),
        "dfs-bounded" => new DfsStrategy(reduction: false, MaxSteps, preemptionBound: StrategyValue),
        "dfs-stateful" => new Strategies.Exhaustive.Stateful.StatefulSearch(MaxSteps),
        _ => throw new ArgumentException($"unknown strategy '{Strategy}' (expected one of: {string.Join(", ", StrategyNames)})"),
    };
}
