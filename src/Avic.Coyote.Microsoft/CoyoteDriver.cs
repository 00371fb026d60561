using System.Threading;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using CoyoteOperation = Microsoft.Coyote.Runtime.Operation;
using CoyoteSchedulingPoint = Microsoft.Coyote.Runtime.SchedulingPoint;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// Lets Microsoft.Coyote pick every step of an execution of <see cref="ControlledRuntime"/>
/// (the <see cref="IExecutionDriver"/> for Microsoft.Coyote). Each operation of the model (actor, spawned
/// thread, x86-TSO store buffer, the test's main body) gets one Coyote-controlled thread, made with
/// Coyote's public operation API (<c>Operation.CreateNext/Start/OnStarted/OnCompleted</c>). It needs no
/// binary rewriting. The thread loops:
/// <list type="number">
/// <item><c>Operation.PauseUntil(enabled or over)</c>: an operation blocked on a lock, an SRCU grace
/// period or an empty inbox is paused, so Coyote's scheduler does not pick it.</item>
/// <item>A real Coyote scheduling point that names what the step touches (<c>SchedulingPoint.Read/Write(name)</c>, or
/// <c>Interleave()</c>). Here Coyote's strategy decides who goes next.</item>
/// <item>Re-check enabled (another operation may have taken the lock meanwhile), then
/// <see cref="ControlledRuntime.TryStep"/>.</item>
/// </list>
/// Creating an operation is not a scheduling point. <c>Operation.Start</c> only registers the new thread; it
/// first runs at the next scheduling point. (A creation that itself yields gave a false liveness bug.)
/// The test's own thread waits until no operation is enabled or the execution is over, then asks the runtime
/// how it ended (<see cref="ControlledRuntime.EndOfExecution"/>: quiescence, deadlock, liveness). Steps run
/// one at a time, because Coyote runs one controlled thread at a time. A second concurrent step (Coyote lost
/// control, e.g. at its own step bound) ends the execution instead of corrupting it.
/// </summary>
public sealed class CoyoteDriver : IExecutionDriver
{
    private readonly List<ulong> workers = new();
    private readonly List<Thread> threads = new();
    private readonly Action<TraceEntry>? log;
    private volatile bool over;
    private ExecutionOutcome outcome;
    private int stepping;
    private Exception? failure;

    /// <param name="log">Receives every trace line (the adapter sends them to Coyote's logger).</param>
    public CoyoteDriver(Action<TraceEntry>? log = null) => this.log = log;

    /// <summary>Set when Coyote stopped controlling the execution before it ended (e.g. Coyote's own step bound).</summary>
    public bool LostControl { get; private set; }

    /// <summary>An exception that escaped the driver itself (not the model): a defect of the adapter.</summary>
    public Exception? Failure => failure;

    public void OnOperationAdded(ControlledRuntime runtime, Operation op)
    {
        ulong id = CoyoteOperation.CreateNext()
            ?? throw new InvalidOperationException("the Coyote engine runs only inside Microsoft.Coyote's TestingEngine (dotnet coyote test)");
        var thread = new Thread(() => Work(runtime, op, id)) { IsBackground = true, Name = "coyote:" + op.Name };
        workers.Add(id);
        threads.Add(thread);
        CoyoteOperation.Start(id);
        thread.Start();
    }

    public ExecutionOutcome Drive(ControlledRuntime runtime)
    {
        CoyoteOperation.PauseUntil(() => over || !runtime.AnyEnabled());
        if (!over)
        {
            // Nothing can run: the runtime tells quiescence from a deadlock or a hot monitor.
            if (runtime.AnyEnabled()) End(ExecutionOutcome.MaxStepsReached, lostControl: true);
            else End(runtime.EndOfExecution());
        }
        // Every worker sees `over`, leaves its loop and completes; Coyote runs them to their end.
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
    }

    private void Work(ControlledRuntime runtime, Operation op, ulong id)
    {
        CoyoteOperation.OnStarted(id);
        // Model awaits must resume inline on this thread, not be posted to Coyote's synchronization context.
        runtime.EnterThread();
        try
        {
            while (!over)
            {
                CoyoteOperation.PauseUntil(() => over || op.IsEnabled);
                if (over) break;
                SchedulingPointFor(op);
                if (over) break;
                if (!op.IsEnabled)
                {
                    if (op.Status == OperationStatus.Completed) break;
                    continue;
                }
                if (Interlocked.Exchange(ref stepping, 1) != 0)
                {
                    End(ExecutionOutcome.MaxStepsReached, lostControl: true);
                    break;
                }
                bool goesOn = runtime.TryStep(op, out ExecutionOutcome end);
                Volatile.Write(ref stepping, 0);
                if (!goesOn) End(end);
                else if (op.Status == OperationStatus.Completed) break;
            }
        }
        catch (ThreadInterruptedException)
        {
            // Coyote ended the iteration (its own step bound or a bug it found) and unwinds its threads.
            End(ExecutionOutcome.MaxStepsReached, lostControl: true);
        }
        catch (Exception e)
        {
            failure ??= e;
            End(ExecutionOutcome.Bug);
        }
        finally
        {
            CoyoteOperation.OnCompleted();
            CoyoteOperation.ScheduleNext();
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
