using System.Runtime.CompilerServices;

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

    /// <summary>True when the step that is starting (asked after <see cref="OnStepStarting"/>) touches nothing this observer
    /// needs to hear of: when every observer says so, the runtime does not work out the step's <see cref="OnAccess"/> keys.</summary>
    public virtual bool IgnoresAccesses => false;

    /// <summary>The step made a nondeterministic choice.</summary>
    public virtual void OnChoice() { }

    /// <summary>The step of <paramref name="op"/> is over.</summary>
    public virtual void OnStepCompleted(Operation op) { }
}

/// <summary>A feature's judgement of an execution (e.g. monitors: liveness). Added per execution with
/// <see cref="ControlledRuntime.AddCheck"/>; a check records a bug through the runtime.</summary>
public interface IExecutionCheck
{
    /// <summary>Whether <see cref="AfterStep"/> has anything to judge in this execution; asked once, when the check is
    /// added (e.g. monitors only count hot steps under a liveness threshold). False spares every step a call.</summary>
    bool ChecksEachStep => true;

    /// <summary>After each step (when <see cref="ChecksEachStep"/>); true when it recorded a bug.</summary>
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

/// <summary>
/// The extension points of a <see cref="ControlledRuntime"/>: features' typed state for the current execution, the
/// checks that judge it, the barrier of its memory model, and the observers of its steps. Features plug in here; the
/// runtime knows none of them by name. Everything but the attached observers is dropped when an execution starts.
/// </summary>
public sealed class ExtensionPoints
{
    private readonly ControlledRuntime runtime;
    private FeatureTable features;
    private FeatureTable kept;
    private readonly List<IExecutionCheck> checks = new();
    private readonly List<IExecutionCheck> stepChecks = new(); // the checks that judge each step
    private readonly List<StepObserver> attached = new();
    private StepObserver[] observers = new StepObserver[4];
    private int observerCount;
    private int accessObservers; // the observers that hear of the running step's accesses

    internal ExtensionPoints(ControlledRuntime runtime) => this.runtime = runtime;

    /// <summary>The state feature <typeparamref name="T"/> keeps for this execution, made by <paramref name="create"/> on first use.</summary>
    public T GetOrAdd<T>(Func<ControlledRuntime, T> create) where T : class
    {
        if (features.Get<T>() is { } existing) return existing;
        T made = create(runtime);
        features.Set(made);
        return made;
    }

    /// <summary>An object feature <typeparamref name="T"/> keeps for the life of this runtime, made by <paramref name="create"/>
    /// once: for state a feature resets itself when an execution starts, so executions allocate nothing for it.</summary>
    public T Keep<T>(Func<ControlledRuntime, T> create) where T : class
    {
        if (kept.Get<T>() is { } existing) return existing;
        T made = create(runtime);
        kept.Set(made);
        return made;
    }

    /// <summary>The state feature <typeparamref name="T"/> keeps for this execution, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T? Get<T>() where T : class => features.Get<T>();

    /// <summary>Sets the state feature <typeparamref name="T"/> keeps for this execution (e.g. under an interface it serves).</summary>
    public void Set<T>(T? value) where T : class => features.Set(value);

    /// <summary>Adds a check that judges this execution after each step, at the step bound and at its end.</summary>
    public void AddCheck(IExecutionCheck check)
    {
        checks.Add(check);
        if (check.ChecksEachStep) stepChecks.Add(check);
    }

    /// <summary>The barrier of this execution's memory model (<see cref="ControlledRuntime.DrainStoreBuffer"/>); null under sequential consistency.</summary>
    public IMemoryOrder? MemoryOrder { get; set; }

    /// <summary>Adds an observer of every step (e.g. metrics), from the next execution on.</summary>
    public void AddObserver(StepObserver observer) => attached.Add(observer);

    public bool RemoveObserver(StepObserver observer) => attached.Remove(observer);

    /// <summary>A new execution: no features, checks or barrier; the built-in observers it needs, then the attached ones.</summary>
    internal void Reset(StepObserver? footprints, StepObserver? trace)
    {
        features.Clear();
        checks.Clear();
        stepChecks.Clear();
        MemoryOrder = null;
        observerCount = 0;
        if (footprints is not null) Observe(footprints);
        if (trace is not null) Observe(trace);
        foreach (StepObserver o in attached) Observe(o);
        accessObservers = observerCount;
    }

    private void Observe(StepObserver o)
    {
        if (observerCount == observers.Length) Array.Resize(ref observers, observerCount * 2);
        observers[observerCount++] = o;
    }

    /// <summary>Some observer hears of the running step's accesses.</summary>
    internal bool Observed => accessObservers != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StepStarting(Operation op)
    {
        int listening = 0;
        for (int i = 0; i < observerCount; i++)
        {
            observers[i].OnStepStarting(op);
            if (!observers[i].IgnoresAccesses) listening++;
        }
        accessObservers = listening;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Resumed(Operation op)
    {
        for (int i = 0; i < observerCount; i++) observers[i].OnResumed(op);
    }

    internal void Accessed(Access access)
    {
        for (int i = 0; i < observerCount; i++) observers[i].OnAccess(access);
    }

    internal void Chose()
    {
        for (int i = 0; i < observerCount; i++) observers[i].OnChoice();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StepCompleted(Operation op)
    {
        for (int i = 0; i < observerCount; i++) observers[i].OnStepCompleted(op);
    }

    /// <summary>After a step: true when a check recorded a bug.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool AfterStep()
    {
        if (stepChecks.Count == 0) return false;
        // A span, not the list's enumerator: this runs at every step of a model with monitors under a liveness threshold.
        foreach (IExecutionCheck check in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stepChecks))
            if (check.AfterStep(runtime)) return true;
        return false;
    }

    /// <summary>At the step bound, or at the end (<paramref name="atEnd"/>): lets each check record a bug; true when one did.</summary>
    internal bool Judge(bool atEnd)
    {
        foreach (IExecutionCheck check in checks)
        {
            if (atEnd) check.AtEnd(runtime);
            else check.AtStepBound(runtime);
            if (runtime.Bug is not null) return true;
        }
        return false;
    }
}
