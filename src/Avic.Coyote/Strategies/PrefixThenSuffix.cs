using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>
/// The first part of a composed strategy: it decides the choices it can and declines the others,
/// which then go to the suffix (<see cref="PrefixThenSuffix"/>).
/// </summary>
public interface IPrefixStrategy
{
    bool PrepareIteration(int iteration);

    /// <summary>False: the prefix has no choice to make here; the suffix decides.</summary>
    bool TryNextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step, out int index);

    /// <summary>A boolean (<paramref name="kind"/> Boolean, <paramref name="bound"/> 2) or an integer below
    /// <paramref name="bound"/>; false: the suffix decides.</summary>
    bool TryNextValue(DecisionKind kind, int bound, int step, out int value);

    void OnIterationEnd(int steps, ExecutionOutcome outcome) { }
}

/// <summary>
/// A strategy made of two: the prefix decides every choice it does not decline, the suffix the
/// rest. Fair PCT is PCT bounded to the first steps then uniform random; the minimizer's candidate
/// runs are a lenient replay of a decision list then non-preemptive scheduling (as Coyote's
/// ComboStrategy composes a prefix and a suffix strategy).
/// </summary>
public sealed class PrefixThenSuffix(string name, IPrefixStrategy prefix, ISchedulingStrategy suffix) : ISchedulingStrategy
{
    public string Name => name;

    public IPrefixStrategy Prefix => prefix;

    public bool PrepareIteration(int iteration) => prefix.PrepareIteration(iteration) & suffix.PrepareIteration(iteration);

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) =>
        prefix.TryNextOperation(enabled, current, step, out int index) ? index : suffix.NextOperation(enabled, current, step);

    public bool NextBoolean(int step) =>
        prefix.TryNextValue(DecisionKind.Boolean, 2, step, out int value) ? value == 1 : suffix.NextBoolean(step);

    public int NextInteger(int maxValue, int step) =>
        prefix.TryNextValue(DecisionKind.Integer, maxValue, step, out int value) ? value : suffix.NextInteger(maxValue, step);

    public void OnIterationEnd(int steps, ExecutionOutcome outcome)
    {
        prefix.OnIterationEnd(steps, outcome);
        suffix.OnIterationEnd(steps, outcome);
    }

    /// <summary>The suffix decides the tail of every long execution: fair when it is.</summary>
    public bool IsFair => suffix.IsFair;

    /// <summary>The minimizer's candidate run: <paramref name="decisions"/> as far as they fit, then no preemptions.</summary>
    public static PrefixThenSuffix NonPreemptiveAfter(IReadOnlyList<Decision> decisions) =>
        new("prefix-then-nonpreemptive", new LenientReplayPrefix(decisions), new NonPreemptiveStrategy());
}

/// <summary>A strategy deciding every choice of the first <paramref name="steps"/> steps, none after.</summary>
public sealed class StepBoundedPrefix(ISchedulingStrategy inner, int steps) : IPrefixStrategy
{
    public bool PrepareIteration(int iteration) => inner.PrepareIteration(iteration);

    public bool TryNextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step, out int index)
    {
        index = step < steps ? inner.NextOperation(enabled, current, step) : 0;
        return step < steps;
    }

    public bool TryNextValue(DecisionKind kind, int bound, int step, out int value)
    {
        value = step >= steps ? 0 : kind == DecisionKind.Boolean ? (inner.NextBoolean(step) ? 1 : 0) : inner.NextInteger(bound, step);
        return step < steps;
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome) => inner.OnIterationEnd(steps, outcome);
}

/// <summary>A strategy whose random generator another strategy may continue (fair PCT's random tail).</summary>
public interface IRandomSource
{
    ref Rng Random { get; }
}

/// <summary>Uniform random choices drawn from <paramref name="source"/>'s generator, which its owner
/// reseeds each iteration (this suffix never does, so the owner's stream simply continues).</summary>
public sealed class UniformRandomSuffix(IRandomSource source) : ISchedulingStrategy
{
    public string Name => "random";

    public bool IsFair => true;

    public bool PrepareIteration(int iteration) => true;

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) => source.Random.Next(enabled.Length);

    public bool NextBoolean(int step) => source.Random.NextBool();

    public int NextInteger(int maxValue, int step) => source.Random.Next(maxValue);
}

/// <summary>
/// Follows a list of decisions as far as they fit. Unlike <see cref="ReplayStrategy"/> it never
/// diverges: an operation decision that cannot run here is skipped, and a value decision of the
/// wrong kind is left for a later choice (the suffix decides this one). The minimizer uses it to
/// turn an edited, possibly inconsistent decision list into a real execution.
/// </summary>
public sealed class LenientReplayPrefix(IReadOnlyList<Decision> decisions) : IPrefixStrategy
{
    private int next;

    /// <summary>True once every decision has been used or skipped.</summary>
    public bool Consumed => next >= decisions.Count;

    public bool PrepareIteration(int iteration)
    {
        next = 0;
        return true;
    }

    public bool TryNextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step, out int index)
    {
        // Stray value decisions and operations that cannot run here are dropped, not diverged on.
        while (next < decisions.Count)
        {
            Decision d = decisions[next++];
            if (d.Kind != DecisionKind.Operation) continue;
            for (index = 0; index < enabled.Length; index++)
                if (enabled[index].Id == d.Value) return true;
        }
        index = 0;
        return false;
    }

    public bool TryNextValue(DecisionKind kind, int bound, int step, out int value)
    {
        value = 0;
        if (next >= decisions.Count || decisions[next].Kind != kind) return false;
        int recorded = decisions[next++].Value;
        value = recorded < bound ? recorded : 0;
        return true;
    }
}

/// <summary>No preemptions: the operation that ran last keeps running while it is enabled, otherwise
/// the lowest-id enabled one runs; every value is 0 (false).</summary>
public sealed class NonPreemptiveStrategy : ISchedulingStrategy
{
    public string Name => "nonpreemptive";

    public bool PrepareIteration(int iteration) => true;

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        int lowest = 0;
        for (int i = 0; i < enabled.Length; i++)
        {
            if (ReferenceEquals(enabled[i], current)) return i;
            if (enabled[i].Id < enabled[lowest].Id) lowest = i;
        }
        return lowest;
    }

    public bool NextBoolean(int step) => false;

    public int NextInteger(int maxValue, int step) => 0;
}
