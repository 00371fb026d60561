using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>
/// Settings of a test run (Coyote's Configuration, as an immutable record with With… helpers). Its
/// defaults are the only ones: the CLI starts from them and coyote.json and the flags override them.
/// The default budget keeps `./coyote test` quick: enough iterations to find the bundled bugs.
/// </summary>
public sealed record Configuration
{
    /// <summary>Number of executions to explore.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Step bound of one execution (a test's own bound wins).</summary>
    public int MaxSteps { get; init; } = 2000;

    /// <summary>A <see cref="StrategyRegistry"/> name or alias. With an exhaustive strategy <see cref="Iterations"/>
    /// is an upper bound; the search stops when the tree is explored.</summary>
    public string Strategy { get; init; } = StrategyRegistry.Prioritization.Name;

    /// <summary>The strategy's parameter (<see cref="StrategySpec.Parameter"/>): priority change points for the
    /// prioritization strategies. 6 found every bundled bug variant for seeds 1–30 but two runs, against ten
    /// misses with 3 (bench/results/2026-11-21-bug-finding-v2).</summary>
    public int StrategyValue { get; init; } = DefaultStrategyValue;

    public const int DefaultStrategyValue = 6;

    public ulong Seed { get; init; } = 1;

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
    public Configuration WithRandomStrategy() => this with { Strategy = StrategyRegistry.Random.Name };
    public Configuration WithPrioritizationStrategy(bool isFair = false, int changePoints = 3) =>
        this with { Strategy = (isFair ? StrategyRegistry.FairPrioritization : StrategyRegistry.Prioritization).Name, StrategyValue = changePoints };
    public Configuration WithRandomGeneratorSeed(ulong seed) => this with { Seed = seed };
    public Configuration WithTimeout(double seconds) => this with { TimeoutSeconds = seconds };

    /// <summary>The registry entry of <see cref="Strategy"/>; an <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public StrategySpec StrategySpec => StrategyRegistry.Get(Strategy);

    /// <summary>"prioritization (value 6)", "dfs-bounded (at most 2 preemptions)", "random": the strategy as reports show it.</summary>
    public static string DescribeStrategy(string strategy, int strategyValue) => StrategyRegistry.Describe(strategy, strategyValue);

    /// <summary>Builds the exploring strategy this configuration names.</summary>
    public ISchedulingStrategy CreateStrategy() => StrategySpec.Create(new StrategyArguments(Seed, StrategyValue, MaxSteps));
}
