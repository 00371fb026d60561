using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Strategies.Exhaustive.Stateful;

namespace Avic.Coyote.Testing;

/// <summary>What a strategy is and can do; the CLI, the portfolio and the testing engine read these
/// instead of testing names or classes.</summary>
[Flags]
public enum StrategyTraits
{
    None = 0,

    /// <summary>Explores a whole tree and stops when it is covered (a proof when no bug is found); ignores the seed.</summary>
    Exhaustive = 1,

    /// <summary>Its schedules depend on the seed: another seed explores other schedules.</summary>
    Seeded = 2,

    /// <summary>Microsoft.Coyote has a strategy of the same name and meaning (`--engine coyote`).</summary>
    OnMicrosoftCoyote = 4,

    /// <summary>Its tree splits across worker threads with the sequential result (`-p`, ParallelExhaustiveSearch).</summary>
    SplitsAcrossThreads = 8,

    /// <summary>Its state can be written between executions and resumed in another process (`--checkpoint`, `--resume`,
    /// <see cref="Strategies.Exhaustive.ICheckpointable"/>).</summary>
    Checkpoints = 16,
}

/// <summary>What the strategy value (--strategy-value, coyote.json "strategyValue") means for a strategy.</summary>
/// <param name="Meaning">For help text: "priority change points per execution".</param>
/// <param name="Shown">How reports show a value: a format with {0}, e.g. "at most {0} preemptions".</param>
public sealed record StrategyParameter(string Meaning, string Shown, int Min = 0, int Max = StrategyParameter.Limit)
{
    /// <summary>The largest value any strategy takes: more than the longest bundled test's steps means nothing.</summary>
    public const int Limit = 10_000;

    /// <summary>Null when <paramref name="value"/> is acceptable; otherwise why not, in one clause.</summary>
    public string? Check(int value) =>
        value >= Min && value <= Max ? null : $"{Meaning} must be from {Min} to {Max:#,0}, got {value}";
}

/// <summary>What a factory needs: the seed, the strategy value and the step bound of the run.</summary>
public readonly record struct StrategyArguments(ulong Seed, int Value, int MaxSteps);

/// <summary>One strategy as a value: its names, what it does, its parameter, its traits and how to build it.</summary>
/// <param name="Parameter">Null when the strategy takes no value (the value is then ignored).</param>
public sealed record StrategySpec(
    string Name,
    string Description,
    StrategyParameter? Parameter,
    StrategyTraits Traits,
    Func<StrategyArguments, ISchedulingStrategy> Factory)
{
    /// <summary>Other names that select it (older or Coyote-style spellings); not listed in help.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public bool IsExhaustive => Traits.HasFlag(StrategyTraits.Exhaustive);

    public bool IsSeeded => Traits.HasFlag(StrategyTraits.Seeded);

    public bool OnMicrosoftCoyote => Traits.HasFlag(StrategyTraits.OnMicrosoftCoyote);

    public bool SplitsAcrossThreads => Traits.HasFlag(StrategyTraits.SplitsAcrossThreads);

    public bool Checkpoints => Traits.HasFlag(StrategyTraits.Checkpoints);

    public ISchedulingStrategy Create(StrategyArguments arguments) => Factory(arguments);

    /// <summary>As reports show it: "prioritization (value 6)", "dfs-bounded (at most 2 preemptions)", "random".</summary>
    public string Describe(int value) => Parameter is null ? Name : $"{Name} ({string.Format(Parameter.Shown, value)})";

    /// <summary>As compact listings show it: "prioritization(6)", "random".</summary>
    public string Label(int value) => Parameter is null ? Name : $"{Name}({value})";
}

/// <summary>
/// Every exploring strategy of the engine, one entry each. A new strategy is one entry here; the
/// CLI's help and errors, coyote.json's validation, the portfolio and hunt all read this list.
/// </summary>
public static class StrategyRegistry
{
    private static readonly StrategyParameter ChangePoints = new("priority change points per execution", "value {0}");

    public static readonly StrategySpec Random = new("random", "uniformly random choice at every step",
        null, StrategyTraits.Seeded | StrategyTraits.OnMicrosoftCoyote, a => new RandomStrategy(a.Seed));

    public static readonly StrategySpec Prioritization = new("prioritization",
        "PCT: random priorities, the highest-priority enabled operation runs, demoted at random change points",
        ChangePoints, StrategyTraits.Seeded | StrategyTraits.OnMicrosoftCoyote, a => new PrioritizationStrategy(a.Seed, a.Value))
    { Aliases = ["pct"] };

    public static readonly StrategySpec FairPrioritization = new("fair-prioritization",
        "PCT for the first half of the step bound, then random (fair: judges liveness)",
        ChangePoints, StrategyTraits.Seeded | StrategyTraits.OnMicrosoftCoyote, FairPct)
    { Aliases = ["fairpct"] };

    public static readonly StrategySpec Dfs = new("dfs",
        $"exhaustive, optimal DPOR: passes with at most {string.Join(", ", IterativeBounding.Bounds)} preemptions (each for at most {IterativeBounding.PassBudget:N0} executions) find bugs first, then one execution per class of equivalent schedules; stops when the tree is covered",
        null, StrategyTraits.Exhaustive | StrategyTraits.Checkpoints, a => new IterativeBounding(a.MaxSteps));

    public static readonly StrategySpec DfsProof = new("dfs-proof",
        "exhaustive, optimal DPOR in one pass (no bounded passes first): one execution per class, the fewest for a proof",
        null, StrategyTraits.Exhaustive | StrategyTraits.Checkpoints, a => new OptimalDporStrategy(a.MaxSteps, name: "dfs-proof"))
    { Aliases = ["dfs-optimal"] };

    public static readonly StrategySpec DfsSleepSets = DepthFirst("dfs-sleepsets",
        "exhaustive, the older DPOR with sleep sets (kept for comparison)",
        null, _ => new SleepSetReduction());

    public static readonly StrategySpec DfsFull = DepthFirst("dfs-full",
        "exhaustive with no reduction: every schedule",
        null, _ => null);

    private static readonly StrategyParameter PreemptionBound = new("the preemption bound", "at most {0} preemptions");

    public static readonly StrategySpec DfsBounded = new("dfs-bounded",
        "exhaustive optimal DPOR over schedules with at most the strategy value of preemptions (every run a new class; not every class within the bound)",
        PreemptionBound, StrategyTraits.Exhaustive | StrategyTraits.Checkpoints, a => new OptimalDporStrategy(a.MaxSteps, preemptionBound: a.Value));

    public static readonly StrategySpec DfsBoundedFull = DepthFirst("dfs-bounded-full",
        "exhaustive with no reduction over every schedule with at most the strategy value of preemptions",
        PreemptionBound, a => new BoundedChoices(a.Value));

    public static readonly StrategySpec DfsStateful = new("dfs-stateful",
        "exhaustive with no reduction that stops at a state explored before (for models that register a StateHashing hook)",
        null, StrategyTraits.Exhaustive, a => new StatefulSearch(a.MaxSteps));

    /// <summary>In help order.</summary>
    public static readonly IReadOnlyList<StrategySpec> All =
        [Random, Prioritization, FairPrioritization, Dfs, DfsProof, DfsSleepSets, DfsFull, DfsBounded, DfsBoundedFull, DfsStateful];

    /// <summary>The strategy named <paramref name="name"/> (or one of its aliases); null when there is none.</summary>
    public static StrategySpec? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(s => s.Name == name || s.Aliases.Contains(name));

    /// <summary>The strategy named <paramref name="name"/>; an <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public static StrategySpec Get(string name) =>
        Find(name) ?? throw new ArgumentException(UnknownMessage(name));

    /// <summary>"dfs, dfs-proof, dfs-bounded": the strategies that can checkpoint.</summary>
    public static string CheckpointingNames => string.Join(", ", All.Where(s => s.Checkpoints).Select(s => s.Name));

    /// <summary>"random, prioritization, ...": the names help and errors list (aliases are accepted but not listed).</summary>
    public static string Names => string.Join(", ", All.Select(s => s.Name));

    /// <summary>"unknown strategy 'x'; known: random, ..." and then <paramref name="more"/> (names a caller adds, e.g. the CLI's portfolio).</summary>
    public static string UnknownMessage(string name, string? more = null) => $"unknown strategy '{name}'; known: {Names}{(more is null ? "" : ", " + more)}";

    /// <summary>As reports show a strategy and its value; a name not in the registry (an old schedule file) as is.</summary>
    public static string Describe(string name, int value) => Find(name) is { } spec ? spec.Describe(value) : name;

    /// <summary>"prioritization(6)", "random"; a name not in the registry as is.</summary>
    public static string Label(string name, int value) => Find(name) is { } spec ? spec.Label(value) : name;

    /// <summary>Fair PCT as a composition: PCT decides the first half of the step bound, then uniform random
    /// choices drawn from PCT's own generator (so its schedules are those of the single-class version).</summary>
    private static ISchedulingStrategy FairPct(StrategyArguments a)
    {
        var pct = new PrioritizationStrategy(a.Seed, a.Value);
        return new PrefixThenSuffix(FairPrioritizationName, new StepBoundedPrefix(pct, Math.Max(1, a.MaxSteps / 2)), new UniformRandomSuffix(pct));
    }

    private const string FairPrioritizationName = "fair-prioritization";

    /// <summary>The plain depth-first walk composed with one <see cref="ChoiceFilter"/> (null: none). One, because the
    /// two there are (sleep-set reduction, a preemption bound) do not compose soundly.</summary>
    private static StrategySpec DepthFirst(string name, string description, StrategyParameter? parameter, Func<StrategyArguments, ChoiceFilter?> filter) =>
        new(name, description, parameter, StrategyTraits.Exhaustive | StrategyTraits.SplitsAcrossThreads, a => new DfsStrategy(name, a.MaxSteps, filter(a)));
}
