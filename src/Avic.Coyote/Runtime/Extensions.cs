namespace Avic.Coyote.Runtime;

/// <summary>
/// Watches every step of an execution (footprints for exhaustive search, tracing, metrics). The runtime calls it on
/// its one thread, in this order per step: <see cref="OnStepStarting"/>, then, when the operation is resumed at its
/// scheduling point, <see cref="OnResumed"/> (the access the point declared happens), any <see cref="OnAccess"/> and
/// <see cref="OnChoice"/>, and <see cref="OnStepCompleted"/>. Observers must not allocate per step.
/// </summary>
public abstract class StepObserver
{
    /// <summary>The runtime is about to run a step of <paramref name="op"/>.</summary>
    public virtual void OnStepStarting(Operation op) { }

    /// <summary><paramref name="op"/> resumed at its scheduling point: its declared access
    /// (<see cref="Operation.PendingResource"/>, <see cref="Operation.PendingAccess"/>) happens now.</summary>
    public virtual void OnResumed(Operation op) { }

    /// <summary>The step touched a shared object beyond its declared access (a peek, a store made visible, a spawn).</summary>
    public virtual void OnAccess(Access access) { }

    /// <summary>The step made a nondeterministic choice.</summary>
    public virtual void OnChoice() { }

    /// <summary>The step of <paramref name="op"/> is over.</summary>
    public virtual void OnStepCompleted(Operation op) { }
}

/// <summary>A feature's judgement of an execution (e.g. monitors: liveness). Added per execution with
/// <see cref="ControlledRuntime.AddCheck"/>; a check records a bug through the runtime.</summary>
public interface IExecutionCheck
{
    /// <summary>After each step; true when it recorded a bug.</summary>
    bool AfterStep(ControlledRuntime runtime);

    /// <summary>The execution reached its step bound.</summary>
    void AtStepBound(ControlledRuntime runtime);

    /// <summary>No operation can run and none is deadlocked.</summary>
    void AtEnd(ControlledRuntime runtime);
}

/// <summary>How a memory model that delays stores makes an operation's earlier stores visible at a barrier (a fence,
/// a locked instruction). Sequential consistency has none.</summary>
public interface IMemoryOrder
{
    void Drain(Operation op);
}
