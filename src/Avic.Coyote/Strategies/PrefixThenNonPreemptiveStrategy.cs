using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Follows a prefix of decisions, then finishes without preemptions: the operation that ran last
/// keeps running while it is enabled, otherwise the lowest-id enabled one runs. Unlike
/// <see cref="ReplayStrategy"/> it never diverges: a prefix decision that does not fit (an operation
/// that cannot run, a value of the wrong kind) is skipped. The minimizer uses it to turn an edited,
/// possibly inconsistent decision list into a real execution whose decisions it then records.
/// </summary>
public sealed class PrefixThenNonPreemptiveStrategy : ISchedulingStrategy
{
    private readonly IReadOnlyList<Decision> prefix;
    private int next;

    public PrefixThenNonPreemptiveStrategy(IReadOnlyList<Decision> prefix) => this.prefix = prefix;

    public string Name => "prefix-then-nonpreemptive";

    /// <summary>True once every decision of the prefix has been used or skipped.</summary>
    public bool PrefixConsumed => next >= prefix.Count;

    public bool PrepareIteration(int iteration)
    {
        next = 0;
        return true;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        // Stray value decisions and operations that cannot run here are dropped, not diverged on.
        while (next < prefix.Count)
        {
            Decision d = prefix[next++];
            if (d.Kind != DecisionKind.Operation) continue;
            for (int i = 0; i < enabled.Length; i++)
                if (enabled[i].Id == d.Value) return i;
        }

        int lowest = 0;
        for (int i = 0; i < enabled.Length; i++)
        {
            if (ReferenceEquals(enabled[i], current)) return i;
            if (enabled[i].Id < enabled[lowest].Id) lowest = i;
        }
        return lowest;
    }

    public bool NextBoolean(int step) => TakeValue(DecisionKind.Boolean, 2) == 1;

    public int NextInteger(int maxValue, int step) => TakeValue(DecisionKind.Integer, maxValue);

    /// <summary>The prefix's value when the next decision is one of <paramref name="kind"/>; otherwise 0/false,
    /// leaving the prefix where it is (the decision belongs to a later scheduling choice).</summary>
    private int TakeValue(DecisionKind kind, int bound)
    {
        if (next >= prefix.Count || prefix[next].Kind != kind) return 0;
        int value = prefix[next++].Value;
        return value < bound ? value : 0;
    }
}
