namespace Avic.Coyote;

/// <summary>
/// Decides every choice of an execution: which enabled operation runs next, and the value of
/// every nondeterministic boolean or integer. One small type per strategy, behind this interface.
/// Implementations must be deterministic given their seed.
/// </summary>
public interface ISchedulingStrategy
{
    /// <summary>Name used on the command line and in schedule files.</summary>
    string Name { get; }

    /// <summary>Called before each iteration; returns false when the strategy has nothing left to explore.</summary>
    bool PrepareIteration(int iteration);

    /// <summary>Returns the index, in <paramref name="enabled"/>, of the operation to run at <paramref name="step"/>,
    /// or -1 to abandon the execution (it is equivalent to one already explored).
    /// <paramref name="current"/> is the operation that ran the previous step (null at the first step).</summary>
    int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step);

    bool NextBoolean(int step);

    /// <summary>Returns a value in [0, <paramref name="maxValue"/>).</summary>
    int NextInteger(int maxValue, int step);

    /// <summary>Called when an iteration ends, with the number of steps it took and how it ended.</summary>
    void OnIterationEnd(int steps, ExecutionOutcome outcome) { }

    /// <summary>True when the strategy wants <see cref="OnStepCompleted"/> calls (exhaustive search with reduction).</summary>
    bool NeedsFootprints => false;

    /// <summary>After each step: the shared objects it touched, and whether it made a nondeterministic
    /// choice (<paramref name="global"/>: then it is treated as dependent on every other step).</summary>
    void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) { }

    /// <summary>Fair strategies let the engine treat "hot at the step bound" as a liveness bug.</summary>
    bool IsFair => false;

    /// <summary>For strategies that can prove absence of bugs: true when the whole space was covered.</summary>
    bool IsExhausted => false;
}
