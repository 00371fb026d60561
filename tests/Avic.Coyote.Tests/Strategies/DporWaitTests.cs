using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// For dfs-sleepsets a step that draws a value conflicts with every step (dfs treats the draw as local, and these toys
/// check it too, its classes named with local draws). When it is a wait (a lock, a semaphore, a signal, an rwsem side,
/// an inbox, a join, a wake-up, an SRCU grace period), the steps the enabling operation took while the waiter was blocked
/// conflict with it too, yet the waiter cannot pass them: the race to reverse is with the step that made it wait. Each
/// toy here puts such a waiter against the step that enables it (and one semaphore waiter that draws nothing: its up()
/// is a plain write, no typed release); the reduction must run every class the full search runs, once.
/// </summary>
public class DporWaitTests
{
    /// <summary>A counting semaphore (count 1) whose down and up are plain writes of it: nothing says release.</summary>
    private sealed class Semaphore(ControlledRuntime rt, int count) : Blocker, IControlledResource
    {
        public int ResourceId { get; } = rt.NewResourceId();
        public override bool CanProceed(Operation op) => count > 0;
        public override string Describe(Operation op) => "down(&sem)";

        public async Task Down()
        {
            await rt.Point(this, AccessKind.Write, this);
            count--;
        }

        public async Task Up()
        {
            await rt.Point(this, AccessKind.Write);
            count++;
        }
    }

    /// <summary>A one-shot signal (a completion): complete() writes it, wait_for_completion() reads it once it is done.</summary>
    private sealed class Signal(ControlledRuntime rt) : Blocker, IControlledResource
    {
        private bool done;
        public int ResourceId { get; } = rt.NewResourceId();
        public override bool CanProceed(Operation op) => done;
        public override string Describe(Operation op) => "wait_for_completion()";

        public async Task Complete()
        {
            await rt.Point(this, AccessKind.Write);
            done = true;
        }

        public SchedulingPoint Wait() => rt.Point(this, AccessKind.Read, this);

        /// <summary>reinit_completion(): a later waiter waits for the next complete().</summary>
        public async Task Reinit()
        {
            await rt.Point(this, AccessKind.Write);
            done = false;
        }
    }

    public sealed record Go : Event;

    /// <summary>Waits for an event, draws a value, and takes the second event (the inbox toy's waiter).</summary>
    private sealed class Receiver : Actor
    {
        protected override async Task OnInitializeAsync(Event? initialEvent)
        {
            await ReceiveEventAsync(typeof(Go));
            RandomBoolean();
            await ReceiveEventAsync(typeof(Go));
        }
    }

    internal static TestCase Toy(string shape) => TestCase.From(shape, actors =>
    {
        ControlledRuntime rt = ControlledRuntime.Current!;
        var x = new SharedVar<int>("x");
        switch (shape)
        {
            case "semaphore": // b's down draws: a's down, write and up all conflict with it
            {
                var s = new Semaphore(rt, 1);
                rt.Spawn("a", async () => { await s.Down(); await x.Write(1); await s.Up(); });
                rt.Spawn("b", async () => { await s.Down(); rt.RandomBoolean(); await s.Up(); });
                break;
            }
            case "semaphore-no-draw": // the same waiter without the draw: its down conflicts with a's down and up only
            {
                var s = new Semaphore(rt, 1);
                rt.Spawn("a", async () => { await s.Down(); await x.Write(1); await s.Up(); });
                rt.Spawn("b", async () => { await s.Down(); await x.Write(2); await s.Up(); });
                break;
            }
            case "signal": // two completers; the waiter draws after the first complete()
            {
                var s = new Signal(rt);
                rt.Spawn("a", async () => { await x.Write(1); await s.Complete(); });
                rt.Spawn("b", async () => { await s.Wait(); rt.RandomBoolean(); });
                rt.Spawn("c", async () => { await s.Reinit(); await s.Complete(); });
                break;
            }
            case "signal-reinit": // the waiter can pass before a reinit, not after it until the next complete()
            {
                var s = new Signal(rt);
                rt.Spawn("main-done", async () => { await s.Complete(); await s.Reinit(); await x.Write(1); await s.Complete(); });
                rt.Spawn("b", async () => { await s.Wait(); rt.RandomBoolean(); });
                break;
            }
            case "signal-reinit-no-draw": // the same without the draw: the last complete() cannot be passed, the reinit can
            {
                var s = new Signal(rt);
                rt.Spawn("main-done", async () => { await s.Complete(); await s.Reinit(); await x.Write(1); await s.Complete(); });
                rt.Spawn("b", async () => { await s.Wait(); await x.Read(); });
                break;
            }
            case "rwsem-reader-draws": // down_read waits for up_write: a typed release (Unlock), the hand-over rule applies
            {
                var sem = new RwSemaphore(rt, null, "sem");
                rt.Spawn("w", async () => { await Linux.down_write(sem); await x.Write(1); await Linux.up_write(sem); });
                rt.Spawn("r", async () => { await Linux.down_read(sem); rt.RandomBoolean(); await Linux.up_read(sem); });
                break;
            }
            case "rwsem-writer-draws": // down_write waits for the readers' up_read (ReadUnlock): typed, as for a lock
            {
                var sem = new RwSemaphore(rt, null, "sem");
                rt.Spawn("r1", async () => { await Linux.down_read(sem); await x.Write(1); await Linux.up_read(sem); });
                rt.Spawn("r2", async () => { await Linux.down_read(sem); await x.Read(); await Linux.up_read(sem); });
                rt.Spawn("w", async () => { await Linux.down_write(sem); rt.RandomBoolean(); await Linux.up_write(sem); });
                break;
            }
            case "srcu": // synchronize_srcu's end waits for the reader that entered before its start; what makes it wait is
                         // its own start (the reader snapshot), whose race with srcu_read_lock is an ordinary one
            {
                var ssp = new Srcu(rt, null, "srcu");
                rt.Spawn("r", async () => { await Linux.srcu_read_lock(ssp); await x.Write(1); await Linux.srcu_read_unlock(ssp); });
                rt.Spawn("s", async () => { await Linux.synchronize_srcu(ssp); rt.RandomBoolean(); });
                break;
            }
            case "inbox": // a receive that draws, two senders; only the receiver takes from its inbox, so no other step
                          // can make a receive wait again: the race with the send before it can always be reversed
            {
                ActorId receiver = rt.CreateActor<Receiver>(name: "receiver");
                rt.Spawn("a", async () => { await x.Write(1); rt.SendEvent(receiver, new Go()); await x.Write(2); });
                rt.Spawn("c", async () => { await x.Read(); rt.SendEvent(receiver, new Go()); });
                break;
            }
            case "join": // a join that draws; the completion it waits for is a typed release
            {
                Operation a = rt.Spawn("a", async () => { await x.Write(1); await x.Write(2); });
                rt.Spawn("b", async () => { await rt.WhenCompleted(a); rt.RandomBoolean(); });
                rt.Spawn("c", async () => { await x.Read(); });
                break;
            }
            case "wake": // schedule() sleeps, try_to_wake_up wakes, the woken task draws; what makes it sleep is its own
                         // set_current_state, and the race is the waker's cmpxchg with schedule()'s load, an ordinary one
            {
                var sched = new HostScheduler(rt, 2);
                HostTask q = sched.AddTask("q", 0);
                HostTask p = sched.AddTask("p", 1);
                rt.Spawn("q", async () =>
                {
                    await q.State.Write(TaskState.TASK_INTERRUPTIBLE);
                    if (await sched.schedule(q, "wait")) rt.RandomBoolean();
                    sched.Exit(q);
                });
                rt.Spawn("p", async () => { await x.Write(1); await sched.wake_up_process(q); await x.Write(2); sched.Exit(p); });
                break;
            }
            default: throw new ArgumentException(shape);
        }
        return Task.CompletedTask;
    });

    /// <summary>Names the classes as <paramref name="naming"/> sees them: dfs treats a draw as local (a step that drew
    /// conflicts only through what it touched), dfs-sleepsets as a conflict with every step.</summary>
    private static (DfsClassRecorder Recorder, TestReport Report) Classify(TestCase test, string strategy, string naming = "dfs-sleepsets")
    {
        var recorder = new DfsClassRecorder(new Configuration { Strategy = strategy, MaxSteps = 200 }.CreateStrategy(), localDraws: naming == "dfs-proof");
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: recorder);
        return (recorder, report);
    }

    [Theory]
    [InlineData("semaphore", "dfs-proof")]
    [InlineData("semaphore-no-draw", "dfs-proof")]
    [InlineData("signal", "dfs-proof")]
    [InlineData("signal-reinit", "dfs-proof")]
    [InlineData("signal-reinit-no-draw", "dfs-proof")]
    [InlineData("rwsem-reader-draws", "dfs-proof")]
    [InlineData("rwsem-writer-draws", "dfs-proof")]
    [InlineData("srcu", "dfs-proof")]
    [InlineData("inbox", "dfs-proof")]
    [InlineData("join", "dfs-proof")]
    [InlineData("semaphore", "dfs-sleepsets")]
    [InlineData("semaphore-no-draw", "dfs-sleepsets")]
    [InlineData("signal", "dfs-sleepsets")]
    [InlineData("signal-reinit", "dfs-sleepsets")]
    [InlineData("signal-reinit-no-draw", "dfs-sleepsets")]
    [InlineData("rwsem-reader-draws", "dfs-sleepsets")]
    [InlineData("rwsem-writer-draws", "dfs-sleepsets")]
    [InlineData("srcu", "dfs-sleepsets")]
    [InlineData("inbox", "dfs-sleepsets")]
    [InlineData("join", "dfs-sleepsets")]
    public void RunsEveryClassOfTheFullSearchOnce(string shape, string strategy)
    {
        var (full, fullReport) = Classify(Toy(shape), "dfs-full", strategy);
        var (reduced, report) = Classify(Toy(shape), strategy, strategy);
        Assert.True(fullReport.Exhausted && report.Exhausted, $"{fullReport.Coverage} {fullReport.Bug?.Message} / {report.Coverage} {report.Bug?.Message}");
        Assert.Equal(0, reduced.Repeats);
        Assert.True(full.Classes.SetEquals(reduced.Classes),
            $"full {full.Classes.Count} {strategy} {reduced.Classes.Count} missing {full.Classes.Except(reduced.Classes).Count()} extra {reduced.Classes.Except(full.Classes).Count()}: " +
            string.Join("\n", full.Classes.OrderBy(c => c, StringComparer.Ordinal).Select(c => (reduced.Classes.Contains(c) ? "   " : "MISSING ") + c)) + "\nRAN\n" + string.Join("\n", reduced.Executions));
    }

    /// <summary>
    /// try_to_wake_up against schedule(), the woken task drawing (its pCPU, a value). Hand count: the wake-up is lost (it
    /// runs before set_current_state; the task sleeps until nothing can wake it): 1 class (its switch-out writes rq[0], the
    /// waker's exit rq[1]: different run queues, so they commute); the wake-up lands between set_current_state and
    /// schedule's load (no sleep): the draw before or after the waker's last step, 2 values each: 4; the task sleeps and
    /// is woken: after the waker's exit 2 pCPUs × 2 values, before it 2 values: 6. 11 in all, and the full search names
    /// the same 11. (Until 2026-12-01 it named 24: the reads of task->__state that WakeBlocker.CanProceed makes with
    /// SharedVar.Peek, asked between steps, landed in the footprint of whichever step ran next; until 2026-12-02, 12: one
    /// object stood for every pCPU's run queue, so the lost wake-up's switch-out and the waker's exit were ordered.)
    /// dfs treats a draw as local (the drawing step conflicts only through what it touched): the no-sleep draw touches
    /// nothing of the waker's last step, so before or after it is one class: 2 there, 9 in all.
    /// </summary>
    [Theory]
    [InlineData("dfs-proof")]
    [InlineData("dfs-sleepsets")]
    public void RunsTheHandCountedClassesOfTheWakeUpToy(string strategy)
    {
        var (full, fullReport) = Classify(Toy("wake"), "dfs-full", strategy);
        var (reduced, report) = Classify(Toy("wake"), strategy, strategy);
        Assert.True(fullReport.Exhausted && report.Exhausted, report.Coverage);
        Assert.Equal(0, reduced.Repeats);
        Assert.Equal(strategy == "dfs-proof" ? 9 : 11, full.Classes.Count);
        Assert.True(full.Classes.SetEquals(reduced.Classes));
    }

    /// <summary>Toys whose bug only the order in which the waiter goes first reaches (the classes the reduction missed).</summary>
    private static TestCase BugToy(string shape) => TestCase.From(shape, actors =>
    {
        ControlledRuntime rt = ControlledRuntime.Current!;
        var x = new SharedVar<int>("x");
        switch (shape)
        {
            case "semaphore": // b takes the semaphore first only in the classes the old reduction missed
            {
                var s = new Semaphore(rt, 1);
                rt.Spawn("a", async () => { await s.Down(); rt.Assert(await x.Read() == 0, "b took the semaphore first"); await s.Up(); });
                rt.Spawn("b", async () => { await s.Down(); rt.RandomBoolean(); await x.Write(2); await s.Up(); });
                break;
            }
            case "semaphore-no-draw": // no value drawn: the up() still cannot be passed, the down() can
            {
                var s = new Semaphore(rt, 1);
                rt.Spawn("a", async () => { await s.Down(); rt.Assert(await x.Read() == 0, "b took the semaphore first"); await s.Up(); });
                rt.Spawn("b", async () => { await s.Down(); await x.Write(2); await s.Up(); });
                break;
            }
            case "signal-reinit": // the waiter passes on the first complete(), before reinit_completion()
            {
                var s = new Signal(rt);
                rt.Spawn("main-done", async () => { await s.Complete(); await s.Reinit(); await x.Write(1); await s.Complete(); });
                rt.Spawn("b", async () => { await s.Wait(); rt.RandomBoolean(); rt.Assert(await x.Read() == 1, "b passed before the reinit"); });
                break;
            }
            default: throw new ArgumentException(shape);
        }
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData("semaphore", "dfs-full")]
    [InlineData("semaphore", "dfs-proof")]
    [InlineData("semaphore", "dfs-sleepsets")]
    [InlineData("semaphore-no-draw", "dfs-full")]
    [InlineData("semaphore-no-draw", "dfs-proof")]
    [InlineData("semaphore-no-draw", "dfs-sleepsets")]
    [InlineData("signal-reinit", "dfs-full")]
    [InlineData("signal-reinit", "dfs-proof")]
    [InlineData("signal-reinit", "dfs-sleepsets")]
    public void FindsTheBugOnlyTheWaiterGoingFirstReaches(string shape, string strategy)
    {
        TestReport r = TestingEngine.Run(BugToy(shape), new Configuration { Strategy = strategy, Iterations = 1_000_000, MaxSteps = 200 });
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
    }
}
