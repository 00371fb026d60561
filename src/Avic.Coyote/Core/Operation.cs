namespace Avic.Coyote;

/// <summary>What an operation is doing between two scheduling steps.</summary>
public enum OperationStatus
{
    /// <summary>Created, its body has not run yet.</summary>
    NotStarted,
    /// <summary>Stopped at a scheduling point; may be blocked by <see cref="Operation.Blocker"/>.</summary>
    Paused,
    /// <summary>Its body returned (or threw).</summary>
    Completed,
}

/// <summary>
/// Something an operation can wait on (a lock, an inbox, a grace period...).
/// The engine asks <see cref="CanProceed"/> before offering the operation to the strategy,
/// so a strategy only ever picks operations whose next step can run.
/// </summary>
public abstract class Blocker
{
    /// <summary>True when <paramref name="op"/>'s pending step can run now.</summary>
    public abstract bool CanProceed(Operation op);

    /// <summary>For deadlock reports: what the operation is waiting for, in the model's words.</summary>
    public abstract string Describe(Operation op);

    /// <summary>True when waiting here is idle rather than stuck (an actor waiting for its next event):
    /// an execution that ends with such waits is quiescent, not deadlocked.</summary>
    public virtual bool IsIdle => false;
}

/// <summary>The step of a pseudo-operation that the engine takes itself instead of resuming model code
/// (an x86-TSO store buffer making its oldest store visible).</summary>
public interface IEngineStep
{
    /// <summary>True while there is a step to take.</summary>
    bool CanStep { get; }

    void Step();
}

/// <summary>
/// One controlled thread of execution: an actor's event loop, a spawned thread, the test's main body,
/// or a store buffer. Only the engine's scheduler resumes it, on the engine's one thread.
/// Features keep their own state about an operation in typed slots (<see cref="Get{T}"/>), not here.
/// </summary>
public sealed class Operation
{
    private FeatureTable features;

    internal Operation(int id, string name, Func<Task>? body, IEngineStep? engineStep = null)
    {
        Id = id;
        Name = name;
        Body = body;
        EngineStep = engineStep;
    }

    /// <summary>Dense id in creation order; schedules refer to operations by it.</summary>
    public int Id { get; }

    /// <summary>The step during which the operation was created (0: before the first step).</summary>
    public int CreatedAtStep { get; internal init; }

    /// <summary>Id of the operation whose step created this one; -1 for the test's main operation.</summary>
    public int CreatedBy { get; internal init; } = -1;

    /// <summary>Name shown in traces and reports (e.g. "worker1").</summary>
    public string Name { get; }

    public OperationStatus Status { get; internal set; }

    /// <summary>Non-null while the pending step waits for something.</summary>
    public Blocker? Blocker { get; internal set; }

    /// <summary>The shared object the pending step declared it touches (see <see cref="PendingAccess"/>); null if none.</summary>
    public object? PendingResource { get; internal set; }

    /// <summary>How the pending step touches <see cref="PendingResource"/>, as its scheduling point declared.</summary>
    public AccessKind PendingAccess { get; internal set; }

    /// <summary>
    /// The step (1-based) that made this operation's pending step runnable after it had been blocked (an unlock, a
    /// reader's release, a signal, a completion; for a new operation the step that created it); 0 when the step could
    /// run as soon as the operation reached it. Exhaustive search must not take that pair for a reversible race: the
    /// enabling step orders the two, and counting it as the race hides the earlier, reversible one.
    /// </summary>
    public int EnabledByStep { get; internal set; }

    /// <summary>Whether the operation was enabled when the runtime last looked (to see which step enabled it).</summary>
    internal bool WasEnabled;

    internal Func<Task>? Body;
    internal Action? Continuation;

    /// <summary>Where the operation's code is (set by actors to the running handler), for error messages.</summary>
    internal string? Location;
    internal Task? RootTask;
    internal bool ReachedSchedulingPoint;

    /// <summary>Set for a pseudo-operation whose steps the engine takes itself.</summary>
    internal IEngineStep? EngineStep { get; }

    /// <summary>True for the pseudo-operation that makes another operation's buffered stores visible (x86-TSO):
    /// the only operations whose steps the engine takes itself.</summary>
    public bool IsStoreBuffer => EngineStep is not null;

    /// <summary>True when the operation's next step can run now (not completed, not blocked; a store buffer with stores).</summary>
    public bool IsEnabled
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            if (Status == OperationStatus.Completed) return false;
            if (EngineStep is { } engine) return engine.CanStep;
            return Blocker is null || Blocker.CanProceed(this);
        }
    }

    /// <summary>Parks the operation at a scheduling point: <paramref name="continuation"/> (the awaiting frame's) is what resuming it runs.</summary>
    internal void Park(Action continuation)
    {
        Continuation = continuation;
        ReachedSchedulingPoint = true;
    }

    /// <summary>Runs the operation's model code from where it stopped to its next scheduling point or its end.
    /// Returns the exception the code ended with, if any; <paramref name="foreignAwait"/>: it stopped at an await
    /// that is not a scheduling point (nothing will ever resume it).</summary>
    internal Exception? Resume(out bool foreignAwait)
    {
        ReachedSchedulingPoint = false;
        try
        {
            if (Status == OperationStatus.NotStarted)
            {
                Status = OperationStatus.Paused;
                RootTask = Body!();
            }
            else
            {
                Action continuation = Continuation!;
                Continuation = null;
                continuation();
            }
        }
        catch (Exception e)
        {
            // Only non-async bodies can throw here; async ones fault their task.
            RootTask = Task.FromException(e);
        }

        Task root = RootTask!;
        foreignAwait = !root.IsCompleted && !ReachedSchedulingPoint;
        if (!root.IsCompleted) return null;
        Status = OperationStatus.Completed;
        Blocker = null;
        return root.IsFaulted ? root.Exception!.InnerException ?? root.Exception : null;
    }

    /// <summary>The state feature <typeparamref name="T"/> keeps about this operation (e.g. its store buffer), or null.</summary>
    public T? Get<T>() where T : class => features.Get<T>();

    /// <summary>Sets the state feature <typeparamref name="T"/> keeps about this operation.</summary>
    public void Set<T>(T? value) where T : class => features.Set(value);

    public override string ToString() => Name;
}
