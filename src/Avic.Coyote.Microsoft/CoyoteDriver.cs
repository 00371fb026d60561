using System.Threading;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using CoyoteActorRuntime = Microsoft.Coyote.Actors.IActorRuntime;
using CoyoteEvent = Microsoft.Coyote.Actors.Event;
using CoyoteHaltEvent = Microsoft.Coyote.Actors.HaltEvent;
using CoyoteOperation = Microsoft.Coyote.Runtime.Operation;
using CoyoteSchedulingPoint = Microsoft.Coyote.Runtime.SchedulingPoint;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// Lets Microsoft.Coyote pick every step of an execution of <see cref="ControlledRuntime"/>
/// (the <see cref="IExecutionDriver"/> for Microsoft.Coyote). Each actor of ours is hosted by a real Coyote actor
/// (<see cref="IActorHost"/>, <see cref="CoyoteHostTypes"/>): Coyote delivers its events, and the host's action runs
/// our handler's steps up to the next receive. Every other operation (spawned thread, x86-TSO store buffer, the
/// test's main body) gets one Coyote-controlled thread, made with Coyote's public operation API
/// (<c>Operation.CreateNext/Start/OnStarted/OnCompleted</c>). It needs no binary rewriting. Each step is preceded by:
/// <list type="number">
/// <item><c>Operation.PauseUntil(enabled or over)</c>: an operation blocked on a lock, an SRCU grace
/// period or an empty inbox is paused, so Coyote's scheduler does not pick it.</item>
/// <item>A real Coyote scheduling point that names what the step touches (<c>SchedulingPoint.Read/Write(name)</c>, or
/// <c>Interleave()</c>). Here Coyote's strategy decides who goes next.</item>
/// <item>Re-check enabled (another operation may have taken the lock meanwhile), then
/// <see cref="ControlledRuntime.TryStep"/>.</item>
/// </list>
/// A thread loops over these; a host does them for each step of a handler (the step that takes the event follows
/// Coyote's dequeue directly). Creating an operation is not a scheduling point. <c>Operation.Start</c> only registers the new thread; it
/// first runs at the next scheduling point. (A creation that itself yields gave a false liveness bug.)
/// The test's own thread waits until no operation is enabled or the execution is over, then asks the runtime
/// how it ended (<see cref="ControlledRuntime.EndOfExecution"/>: quiescence, deadlock, liveness). Steps run
/// one at a time, because Coyote runs one controlled thread at a time. A second concurrent step (Coyote lost
/// control, e.g. at its own step bound) ends the execution instead of corrupting it.
/// </summary>
public sealed class CoyoteDriver : IExecutionDriver, IActorHost
{
    private readonly List<ulong> workers = new();
    private readonly List<Thread> threads = new();
    private readonly List<Operation> pending = new();
    private readonly Dictionary<Actor, Hosted> hosted = new();
    private readonly Action<TraceEntry>? log;
    private readonly Action<ExecutionOutcome>? report;
    private readonly CoyoteActorRuntime? actors;
    private ControlledRuntime runtime = null!;
    private volatile bool over;
    private ExecutionOutcome outcome;
    private int stepping;
    private Exception? failure;

    /// <param name="log">Receives every trace line (the adapter sends them to Coyote's logger).</param>
    /// <param name="report">Told once how the execution ended, on the thread that ended it, before any other
    /// operation runs (a bug found in an actor's handler is reported before Coyote runs another actor).</param>
    /// <param name="actors">Coyote's actor runtime of the test: each actor of ours gets a Coyote actor in it.
    /// Null: actors run as plain Coyote operations, like spawned threads (Coyote's reports do not show them).</param>
    public CoyoteDriver(Action<TraceEntry>? log = null, Action<ExecutionOutcome>? report = null, CoyoteActorRuntime? actors = null)
    {
        this.log = log;
        this.report = report;
        this.actors = actors;
    }

    /// <summary>Set when Coyote stopped controlling the execution before it ended (e.g. Coyote's own step bound).</summary>
    public bool LostControl { get; private set; }

    /// <summary>An exception that escaped the driver itself (not the model): a defect of the adapter.</summary>
    public Exception? Failure => failure;

    /// <summary>New operations start after the step that made them (their kind is known then: an actor of ours is
    /// hosted by a Coyote actor, any other operation gets a Coyote-controlled thread).</summary>
    public void OnOperationAdded(ControlledRuntime runtime, Operation op)
    {
        this.runtime = runtime;
        pending.Add(op);
    }

    public ExecutionOutcome Drive(ControlledRuntime runtime)
    {
        StartPending();
        CoyoteOperation.PauseUntil(() => over || (Idle && !runtime.AnyEnabled()));
        if (!over)
        {
            // Nothing can run: the runtime tells quiescence from a deadlock or a hot monitor.
            if (runtime.AnyEnabled()) End(ExecutionOutcome.MaxStepsReached, lostControl: true);
            else End(runtime.EndOfExecution());
        }
        // Every worker sees `over`, leaves its loop and completes; Coyote runs them to their end. Hosts go idle.
        for (int i = 0; i < workers.Count; i++) CoyoteOperation.PauseUntilCompleted(workers[i]);
        for (int i = 0; i < threads.Count; i++) threads[i].Join();
        return outcome;
    }

    public void OnTraceLine(TraceEntry line) => log?.Invoke(line);

    private void End(ExecutionOutcome end, bool lostControl = false)
    {
        if (over) return;
        outcome = end;
        LostControl = lostControl;
        over = true;
        report?.Invoke(end);
    }

    private void StartPending()
    {
        foreach (Operation op in pending) StartThread(op);
        pending.Clear();
    }

    private void StartThread(Operation op)
    {
        ulong id = CoyoteOperation.CreateNext()
            ?? throw new InvalidOperationException("the Coyote engine runs only inside Microsoft.Coyote's TestingEngine (dotnet coyote test)");
        var thread = new Thread(() => Work(op, id)) { IsBackground = true, Name = "coyote:" + op.Name };
        workers.Add(id);
        threads.Add(thread);
        CoyoteOperation.Start(id);
        thread.Start();
    }

    /// <summary>
    /// One step of <paramref name="op"/> if it can take one (false: the execution ended). A step is atomic for our
    /// runtime. Coyote's own scheduling points inside it (an actor created, an event sent) are suppressed; where Coyote
    /// does not suppress one (a Coyote actor created from a thread Coyote did not create leaves its point pending),
    /// Coyote may switch, but every other operation waits for the step to end (<see cref="Idle"/>), so Coyote switches
    /// back. Operations the step created start after it.
    /// </summary>
    private bool Step(Operation op)
    {
        CoyoteOperation.PauseUntil(() => over || Idle);
        if (over) return false;
        if (!op.IsEnabled) return true;
        if (Interlocked.Exchange(ref stepping, 1) != 0)
        {
            // Two threads at once: Coyote no longer controls the execution (e.g. its own step bound).
            End(ExecutionOutcome.MaxStepsReached, lostControl: true);
            return false;
        }
        bool goesOn;
        ExecutionOutcome end;
        SynchronizationContext? context = SynchronizationContext.Current;
        CoyoteSchedulingPoint.Suppress();
        try
        {
            // Model awaits must resume inline on this thread, not be posted to Coyote's synchronization context.
            runtime.EnterThread();
            goesOn = runtime.TryStep(op, out end);
            StartPending();
        }
        finally
        {
            CoyoteSchedulingPoint.Resume();
            SynchronizationContext.SetSynchronizationContext(context);
            Volatile.Write(ref stepping, 0);
        }
        if (failure is not null) End(ExecutionOutcome.Bug);
        else if (!goesOn) End(end);
        return goesOn && failure is null;
    }

    /// <summary>No step is in progress.</summary>
    private bool Idle => Volatile.Read(ref stepping) == 0;

    /// <summary>Waits until <paramref name="op"/> can take a step, then takes a Coyote scheduling point named by the
    /// step. False when the execution is over.</summary>
    private bool WaitForTurn(Operation op)
    {
        CoyoteOperation.PauseUntil(() => over || (Idle && op.IsEnabled));
        if (over) return false;
        SchedulingPointFor(op);
        return !over;
    }

    private void Work(Operation op, ulong id)
    {
        CoyoteOperation.OnStarted(id);
        try
        {
            while (!over)
            {
                if (!WaitForTurn(op) || !Step(op) || op.Status == OperationStatus.Completed) break;
            }
        }
        catch (ThreadInterruptedException)
        {
            // Coyote ended the iteration (its own step bound or a bug it found) and unwinds its threads.
            End(ExecutionOutcome.MaxStepsReached, lostControl: true);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            CoyoteOperation.OnCompleted();
            CoyoteOperation.ScheduleNext();
        }
    }

    private void Fail(Exception e)
    {
        failure ??= e;
        End(ExecutionOutcome.Bug);
    }

    // ---- actors of ours hosted by Coyote actors ----------------------------------------------------------

    public void OnActorCreated(Actor actor, Operation op, Event? initialEvent)
    {
        if (actors is null) return; // stays pending: a plain Coyote operation
        pending.Remove(op);
        var h = new Hosted(this, actor, op, CoyoteHostTypes.HostFor(actor.GetType()));
        hosted[actor] = h;
        // Coyote names it "<our name>(<its id>)". Creating is not a scheduling point here (see Step).
        h.CoyoteId = actors.CreateActor(h.Type.CoyoteType, actor.Id.Name, new HostStart(h));
    }

    public void OnEventSent(Actor target, Event e)
    {
        if (!hosted.TryGetValue(target, out Hosted? h)) return;
        // Sent from the running host (Coyote names it the sender), or from a plain operation (Coyote's "ExternalCode").
        if (e is HaltEvent)
        {
            h.Halts.Enqueue(e);
            actors!.SendEvent(h.CoyoteId, CoyoteHaltEvent.Instance);
        }
        else actors!.SendEvent(h.CoyoteId, CoyoteHostTypes.Wrap(e));
    }

    public void OnEventDequeued(Actor actor, Event e)
    {
        if (!hosted.TryGetValue(actor, out Hosted? h)) return;
        // Coyote's dequeue and ours must agree: both follow send order, deferral and ignoring, declared alike.
        // A disagreement is the adapter's defect: it ends the execution after this step (see Step).
        if (!ReferenceEquals(h.Delivered, e))
            failure ??= new InvalidOperationException(
                $"{actor.Id.Name} took {e.GetType().Name} but Microsoft.Coyote delivered {h.Delivered?.GetType().Name ?? "nothing"}");
        h.Delivered = null;
    }

    public void OnReceiveWait(Actor actor, Type[] eventTypes)
    {
        if (hosted.TryGetValue(actor, out Hosted? h)) h.ReceiveTypes = eventTypes;
    }

    public void OnGotoState(StateMachine machine, Type from, Type to)
    {
        if (hosted.TryGetValue(machine, out Hosted? h)) h.Gotos.Enqueue(to);
    }

    /// <summary>The host's initialization: our actor's own (OnInitializeAsync, the start state's entry) up to its first receive.</summary>
    internal Task InitializeAsync(Hosted h) => RunAsync(h, null);

    /// <summary>The host's action for an event Coyote dequeued: our actor takes it and runs its handler to the next receive.</summary>
    internal Task DeliverAsync(Hosted h, CoyoteEvent e) =>
        RunAsync(h, e is MirroredEvent m ? m.Payload : throw new InvalidOperationException($"{e.GetType().FullName} is not one of our events"));

    /// <summary>Coyote halts the host: our actor takes the halt event, unless it halted itself.</summary>
    internal Task HaltAsync(Hosted h)
    {
        h.Halting = true;
        return h.Op.Status == OperationStatus.Completed || h.Halts.Count == 0 ? Task.CompletedTask : RunAsync(h, h.Halts.Dequeue());
    }

    /// <summary>Shows our machine's next transition in Coyote's machine (one per Coyote action).</summary>
    internal void FollowGotos(Hosted h)
    {
        if (!over && !h.Halting && h.Gotos.TryDequeue(out Type? state))
            h.Host.Goto(h.Type.States[state]);
    }

    private async Task RunAsync(Hosted h, Event? delivered)
    {
        try
        {
            Operation op = h.Op;
            if (delivered is not null)
            {
                // Coyote's dequeue was the scheduling decision: our actor takes that event now.
                h.Delivered = delivered;
                if (!Step(op)) return;
                if (h.Delivered is not null)
                {
                    Fail(new InvalidOperationException(
                        $"Microsoft.Coyote delivered {delivered.GetType().Name} to {h.Actor.Id.Name}, which could not take it"));
                    return;
                }
            }
            while (!over && op.Status != OperationStatus.Completed && op.Blocker is not { IsIdle: true })
            {
                if (h.ReceiveTypes is { } types && op.PendingAccess == AccessKind.Receive)
                {
                    // Waiting inside a handler for some event types: Coyote's receive picks the event.
                    h.ReceiveTypes = null;
                    CoyoteEvent e = await h.Host.Receive(types.Select(CoyoteHostTypes.EventFor).ToArray());
                    h.Delivered = ((MirroredEvent)e).Payload;
                    if (!Step(op)) return;
                    continue;
                }
                if (!WaitForTurn(op) || !Step(op)) return;
            }
            // Our actor halted itself: so does its host.
            if (!over && op.Status == OperationStatus.Completed && !h.Halting)
            {
                h.Halting = true;
                h.Host.Halt();
            }
        }
        catch (Exception e) when (e is not ThreadInterruptedException)
        {
            Fail(e);
        }
    }

    /// <summary>The Coyote scheduling point before <paramref name="op"/>'s next step, named by what the step touches.</summary>
    private static void SchedulingPointFor(Operation op)
    {
        if (op.Status == OperationStatus.NotStarted || op.PendingResource is not { } resource)
        {
            CoyoteSchedulingPoint.Interleave();
            return;
        }
        string name = NameOf(resource);
        switch (op.PendingAccess)
        {
            case AccessKind.Read:
                CoyoteSchedulingPoint.Read(name);
                break;
            case AccessKind.None or AccessKind.Other:
                CoyoteSchedulingPoint.Interleave();
                break;
            default:
                CoyoteSchedulingPoint.Write(name);
                break;
        }
    }

    private static string NameOf(object resource) => resource switch
    {
        StoreTarget v => v.Name,
        Sync.Mutex m => m.Name,
        Actor a => a.Id.Name,
        Operation o => o.Name,
        _ => resource.GetType().Name,
    };
}
