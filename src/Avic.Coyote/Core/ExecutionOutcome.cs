namespace Avic.Coyote;

/// <summary>How one execution ended.</summary>
public enum ExecutionOutcome
{
    /// <summary>Every operation completed or went idle.</summary>
    Quiescent,
    /// <summary>The step bound cut the execution.</summary>
    MaxStepsReached,
    /// <summary>A bug was found (the runtime's <c>Bug</c>).</summary>
    Bug,
    /// <summary>A replayed schedule stopped matching the model (the runtime's <c>Divergence</c>).</summary>
    Diverged,
    /// <summary>The strategy cut the execution short: it is equivalent to one already explored.</summary>
    Pruned,
}

/// <summary>The model took a different path than the schedule: the schedule cannot be followed.</summary>
public sealed class ScheduleDivergenceException : Exception
{
    public ScheduleDivergenceException(int step, string message)
        : base($"the schedule diverges from the model at step {step}: {message}") => Step = step;

    public int Step { get; }
}
