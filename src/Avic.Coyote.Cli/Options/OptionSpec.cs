namespace Avic.Coyote.Cli.Options;

/// <summary>The type of value an option takes.</summary>
public enum OptionKind
{
    /// <summary>No value: present or not.</summary>
    Flag,
    Int,
    ULong,
    Double,
    String,
}

/// <summary>
/// One command-line option: its long name (the key it is stored under), short alias, value type and help.
/// Numbers are bounded by <see cref="Min"/> and <see cref="Max"/>; the error names both.
/// </summary>
public sealed record OptionSpec(string Long, string? Short, OptionKind Kind, string Help, string? ValueName = null, double Min = 0,
    double Max = double.MaxValue)
{
    public string Display => Short is null ? Long : $"{Short}|{Long}";

    public string Usage => Kind == OptionKind.Flag ? Display : $"{Display} {ValueName ?? "N"}";
}

/// <summary>
/// Upper bounds of the numeric settings, shared by the flags and coyote.json. Beyond them a value is
/// a typo, not a plan, and would only make a run hang or exhaust memory.
/// </summary>
public static class Limits
{
    public const int Iterations = 1_000_000_000;

    /// <summary>A schedule keeps every decision: 10 million steps is about 80 MB per execution.</summary>
    public const int MaxSteps = 10_000_000;

    /// <summary>Priority change points or preemptions; more than the longest bundled test's steps means nothing.</summary>
    public const int StrategyValue = 10_000;

    /// <summary>A week, as for `hunt --budget`.</summary>
    public const double TimeoutSeconds = 7 * 24 * 3600;

    public const int LivenessThreshold = MaxSteps;

    /// <summary>More threads than this is a typo, not a machine.</summary>
    public const int Parallel = 1024;

    public const int MaxReplays = 1_000_000;
}
