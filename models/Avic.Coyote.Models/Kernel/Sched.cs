// The host scheduler for models whose threads are preempted and migrated (kvm-protocols.md B-SCHED):
// preempt_disable()/preempt_enable() counts, a scheduler tick that sets TIF_NEED_RESCHED on a running task
// (resched_curr), preemption at the task's next preemptible window (only where preempt_count == 0),
// voluntary schedule() with sleeping and try_to_wake_up, pCPU occupancy (a run queue per pCPU) and migration
// (Migration: select_task_rq draws any idle pCPU, or idle balancing pulls a preempted task), and the preempt notifiers KVM hooks (kvm_sched_out/kvm_sched_in,
// virt/kvm/kvm_main.c). Kernel facts: kernel/sched/core.c as summarised in kvm-protocols.md §2.2
// B-BLOCK/B-SCHED.
//
// Where the tick lands (TickLanding): Scheduled draws nothing — a tick per task writes its flag and each
// preemptible window reads it, so exhaustive search (DPOR) explores the tick before each window through
// that race alone; Drawn draws the victim and the window, every window equally likely, which PCT/random
// need but which DPOR pays for dearly (a step that draws a value conflicts with every step); BySearch picks
// Scheduled for exhaustive search and Drawn for sampling. bench/results/2026-12-01-tick measures both,
// bench/results/2026-12-02-dfscat the catalogue with BySearch.
//
// A model bound: a task sleeping in schedule() that nothing can wake any more (every other waking
// thread finished or sleeps too) "sleeps forever": schedule() returns false and the model ends that
// thread. A lost wakeup thus ends in quiescence with the task asleep, where liveness monitors judge
// it, instead of an engine deadlock.
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Models.Kernel;

/// <summary>How the scheduler tick's preemptions (at most the budget, each of a task at a preemptible window) land
/// (see the file comment). Scheduled reaches every preemption Drawn does, and has no horizon.</summary>
public enum TickLanding
{
    /// <summary>One "sched" operation draws the victim and one of its next <see cref="HostScheduler.TickHorizon"/>
    /// windows: every window equally likely, however short it is in steps (for PCT and random testing).</summary>
    Drawn,

    /// <summary>A tick operation per task sets its TIF_NEED_RESCHED while it runs; the schedule chooses the victim
    /// (whose tick takes the budget first) and the window (where the tick's step lands): no value is drawn, so
    /// DPOR explores only where the tick lands relative to the windows (for exhaustive search).</summary>
    Scheduled,

    /// <summary>The landing follows the search: Scheduled under an exhaustive strategy (the dfs family, and a re-run of
    /// a schedule one found), Drawn under sampling ones (random, PCT, Microsoft.Coyote); see
    /// <see cref="IActorRuntime.IsExhaustiveSearch"/>. Each finds the bug variants best with its own landing.</summary>
    BySearch,
}

/// <summary>How a task that runs again finds its pCPU (select_task_rq and load balancing, kernel/sched/fair.c).</summary>
public enum Migration
{
    /// <summary>Any idle pCPU, drawn when there are several (a draw conflicts with every step: dear for dfs).</summary>
    Drawn,

    /// <summary>No draw: a pCPU that goes idle because its task sleeps pulls a preempted task waiting for its pCPU
    /// (newidle_balance() in __schedule()); a task that runs again takes the pCPU that pulled it if that is still
    /// idle, else its previous pCPU if idle (select_idle_sibling()'s prev_cpu), else the first idle one. Which
    /// comes first, the pull or the preempted task's switch-in, is the schedule's choice (they race on the run
    /// queue and the task's queued state). Not reached: two preempted tasks swapping pCPUs, and a woken task
    /// moving off an idle previous pCPU.</summary>
    Pulled,
}

/// <summary>task->__state values used by the models.</summary>
public enum TaskState
{
    TASK_RUNNING = 0,
    TASK_INTERRUPTIBLE = 1,
}

/// <summary>Preempt notifiers (include/linux/preempt.h), e.g. KVM's kvm_sched_out/kvm_sched_in.</summary>
public interface IPreemptNotifier
{
    /// <summary>Called by __schedule() on the task's pCPU before it switches away (preemption off).</summary>
    Task SchedOut(HostTask task);

    /// <summary>Called when the task runs again, on <paramref name="cpu"/> (preemption off).</summary>
    Task SchedIn(HostTask task, int cpu);
}

/// <summary>One host thread (task_struct) the scheduler manages. Its scheduler fields (ReschedIn, Exited,
/// SleepsForever, OffCpu, Cpu) are plain fields shared with the tick: their accesses are recorded for dfs.</summary>
public sealed class HostTask : IControlledResource
{
    internal HostTask(HostScheduler scheduler, ControlledRuntime runtime, string name, int cpu)
    {
        Scheduler = scheduler;
        Name = name;
        Cpu = cpu;
        ResourceId = runtime.NewResourceId();
        State = new SharedVar<TaskState>(runtime, name + "->__state", TaskState.TASK_RUNNING);
        Wake = new WakeBlocker(this);
        OnRq = new Queued(runtime.NewResourceId(), name);
    }

    public HostScheduler Scheduler { get; }

    public int ResourceId { get; }

    public string Name { get; }

    /// <summary>task->__state; set_current_state() and try_to_wake_up() race on it.</summary>
    public SharedVar<TaskState> State { get; }

    /// <summary>The pCPU the task runs (or last ran) on: smp_processor_id() while it runs.</summary>
    public int Cpu { get; internal set; }

    /// <summary>preempt_count(): the task can be preempted only at 0.</summary>
    public int PreemptCount { get; internal set; }

    /// <summary>Armed by the scheduler tick: the timer interrupt lands in the task's
    /// <c>ReschedIn</c>-th next preemptible window (0: the next one, TIF_NEED_RESCHED set); -1: none pending.
    /// A pending one survives a voluntary sleep (the model's simplification: __schedule() clears the flag and a
    /// later tick sets it again).</summary>
    public int ReschedIn { get; internal set; } = -1;

    /// <summary>Off its pCPU (preempted or asleep).</summary>
    public bool OffCpu { get; internal set; }

    /// <summary>In __schedule() (interrupts off) from the switch away until it runs again: no tick lands on it.</summary>
    internal bool InSchedule;

    /// <summary>Migration.Pulled: p->on_rq while preempted (runnable, off its pCPU), and the pCPU whose idle balance
    /// pulled it (-1: none); their own object, so a pull races with the switch-in but not with the tick.</summary>
    internal readonly Queued OnRq;

    /// <summary>Asleep in schedule() with nothing left that could wake it (see the file comment).</summary>
    public bool SleepsForever { get; internal set; }

    public bool Exited { get; internal set; }

    public IPreemptNotifier? Notifier { get; set; }

    internal bool Sleeping;

    internal WakeBlocker Wake { get; }

    public override string ToString() => Name;

    internal sealed class Queued(int id, string task) : IControlledResource
    {
        public int ResourceId { get; } = id;

        public bool Waiting;

        public int PulledTo = -1;

        public override string ToString() => task + "->on_rq";
    }

    internal sealed class WakeBlocker(HostTask task) : Blocker
    {
        public override bool CanProceed(Operation op) =>
            task.State.Peek() == TaskState.TASK_RUNNING || task.Scheduler.NothingCanWake;

        public override string Describe(Operation op) => $"{task.Name} to be woken (try_to_wake_up)";
    }
}

/// <summary>One pCPU's run queue (struct rq, kernel/sched/sched.h): its rq->curr among the modelled tasks. Each pCPU's
/// is its own object, as in the kernel (per-CPU runqueues): switches on different pCPUs touch different memory.</summary>
internal sealed class RunQueue(int id, int cpu) : IControlledResource
{
    public int ResourceId { get; } = id;

    public HostTask? Curr;

    public override string ToString() => $"rq[{cpu}]->curr";
}

/// <summary>The host scheduler of one modelled machine with a fixed number of pCPUs: a run queue per pCPU
/// (cpu_curr()), whose accesses are recorded for dfs.</summary>
public sealed class HostScheduler
{
    private readonly ControlledRuntime runtime;
    private readonly RunQueue[] rqs;
    private readonly List<HostTask> tasks = new();
    private int wakers;

    private readonly Migration migration;

    public HostScheduler(ControlledRuntime runtime, int pcpus, Migration migration = Migration.Drawn)
    {
        if (pcpus < 1) throw new ArgumentOutOfRangeException(nameof(pcpus));
        this.runtime = runtime;
        this.migration = migration;
        rqs = new RunQueue[pcpus];
        for (int p = 0; p < pcpus; p++) rqs[p] = new RunQueue(runtime.NewResourceId(), p);
    }

    public int Pcpus => rqs.Length;

    /// <summary>cpu_curr(cpu) among the modelled tasks; null: idle or some other host task.</summary>
    public HostTask? CurrentOn(int cpu)
    {
        runtime.RecordAccess(rqs[cpu], write: false);
        return rqs[cpu].Curr;
    }

    // rq->curr = t on pCPU cpu (or null): a write of that run queue only.
    private void SetCurr(int cpu, HostTask? t)
    {
        runtime.RecordAccess(rqs[cpu], write: true);
        rqs[cpu].Curr = t;
    }

    /// <summary>True when no thread that could wake a sleeper is still running or runnable (see the file comment).</summary>
    internal bool NothingCanWake
    {
        get
        {
            if (wakers != 0) return false;
            foreach (HostTask t in tasks)
                if (!t.Exited && !t.SleepsForever && !(t.Sleeping && t.State.Peek() != TaskState.TASK_RUNNING)) return false;
            return true;
        }
    }

    /// <summary>A task that starts running on <paramref name="cpu"/>; it can wake others until it exits or sleeps.</summary>
    public HostTask AddTask(string name, int cpu)
    {
        if (rqs[cpu].Curr is not null) throw new InvalidOperationException($"pCPU {cpu} already runs {rqs[cpu].Curr}");
        var t = new HostTask(this, runtime, name, cpu);
        SetCurr(cpu, t);
        tasks.Add(t);
        return t;
    }

    /// <summary>A modelled thread that is not scheduled here (a device, an ioctl thread) but may wake tasks;
    /// <see cref="RemoveWaker"/> when it ends.</summary>
    public void AddWaker() => wakers++;

    public void RemoveWaker() => wakers--;

    /// <summary>do_exit(): the task leaves its pCPU for good.</summary>
    public void Exit(HostTask t)
    {
        runtime.RecordAccess(t, write: true);
        if (t.Exited) return;
        t.Exited = true;
        if (!t.OffCpu && ReferenceEquals(rqs[t.Cpu].Curr, t)) SetCurr(t.Cpu, null);
    }

    /// <summary>Preemptible windows ahead of a task among which a drawn tick's interrupt lands.</summary>
    public const int TickHorizon = 12;

    /// <summary>Preemptions left to the scheduled ticks of this machine (the model's bound, shared by all tasks).</summary>
    private sealed class PreemptionBudget(int id, int left) : IControlledResource
    {
        public int ResourceId { get; } = id;

        public int Left = left;
    }

    /// <summary>
    /// The scheduler tick (scheduler_tick()/hrtick() → task_tick → resched_curr(rq), kernel/sched/core.c): at most
    /// <paramref name="preemptions"/> times over all tasks it arms a preemption of a running task, at its next
    /// preemptible window (Scheduled) or the drawn one (Drawn). Returns the operations to join.
    /// </summary>
    public IReadOnlyList<Operation> StartTick(int preemptions, TickLanding landing = TickLanding.Drawn)
    {
        if (landing == TickLanding.BySearch) landing = runtime.IsExhaustiveSearch ? TickLanding.Scheduled : TickLanding.Drawn;
        if (landing == TickLanding.Drawn) return [StartDrawnTick(preemptions)];
        var budget = new PreemptionBudget(runtime.NewResourceId(), preemptions);
        var ticks = new Operation[tasks.Count];
        for (int i = 0; i < ticks.Length; i++)
        {
            HostTask t = tasks[i];
            ticks[i] = runtime.Spawn("tick:" + t.Name, () => ScheduledTick(t, budget, preemptions));
        }
        return ticks;
    }

    private async Task ScheduledTick(HostTask t, PreemptionBudget budget, int preemptions)
    {
        var wait = new TickWait(t, budget);
        for (int i = 0; i < preemptions; i++)
        {
            // The timer fires while t is current. A tick that does nothing records only what made it do nothing (a
            // spent budget, whatever t does; t gone, whatever the other ticks take): it must not race with every window
            // of its task, nor with the other ticks. Only one that arms writes t and the budget.
            await runtime.Point(null, AccessKind.None, wait, "scheduler_tick()");
            if (budget.Left == 0)
            {
                runtime.RecordAccess(budget, write: false);
                return;
            }
            if (t.Exited || t.SleepsForever)
            {
                runtime.RecordAccess(t, write: false);
                return;
            }
            runtime.RecordAccess(budget, write: true);
            budget.Left--;
            runtime.RecordAccess(t, write: true);
            t.ReschedIn = 0; // resched_curr(rq): set_tsk_need_resched(rq->curr)
            if (runtime.IsTracing) runtime.Log($"scheduler_tick: resched_curr(pCPU{t.Cpu}) sets TIF_NEED_RESCHED on {t.Name}");
        }
    }

    // A scheduled tick fires while its task is current on a pCPU (not in __schedule()) with no resched pending
    // (hrtick_start() at pick time, hrtick_clear() in __schedule()); it ends once the budget is spent or the task
    // cannot run any more.
    private sealed class TickWait(HostTask task, PreemptionBudget budget) : Blocker
    {
        public override bool CanProceed(Operation op) =>
            budget.Left == 0 || (!task.InSchedule && task.ReschedIn < 0) || task.Exited || task.SleepsForever;

        public override string Describe(Operation op) => $"{task.Name} to run on a pCPU (its tick is armed while it runs)";
    }

    // One operation that, per preemption, draws a live task and one of its next TickHorizon windows. Counting
    // windows rather than steps makes every window equally likely, however short it is in steps.
    private Operation StartDrawnTick(int preemptions) => runtime.Spawn("sched", async () =>
    {
        for (int i = 0; i < preemptions; i++)
        {
            await runtime.Interleave("scheduler_tick()");
            foreach (HostTask t in tasks) runtime.RecordAccess(t, write: false);
            var live = tasks.FindAll(t => !t.Exited && !t.SleepsForever);
            if (live.Count == 0) return;
            HostTask victim = live[live.Count == 1 ? 0 : runtime.RandomInteger(live.Count)];
            runtime.RecordAccess(victim, write: true);
            victim.ReschedIn = runtime.RandomInteger(TickHorizon);
            if (runtime.IsTracing) runtime.Log($"hrtick: {victim.Name} gets TIF_NEED_RESCHED in its preemptible window +{victim.ReschedIn}");
        }
    });

    public void preempt_disable(HostTask t) => t.PreemptCount++;

    /// <summary>preempt_enable(): with CONFIG_PREEMPT it is itself a preemption point.</summary>
    public Task preempt_enable(HostTask t, string where)
    {
        if (--t.PreemptCount < 0) throw new InvalidOperationException($"{t.Name}: unbalanced preempt_enable() at {where}");
        return PreemptionPoint(t, where);
    }

    /// <summary>
    /// A preemptible window of <paramref name="t"/>: an interrupt return may preempt it here when
    /// preempt_count is 0 and the tick armed this window (no scheduling point of its own).
    /// </summary>
    public Task PreemptionPoint(HostTask t, string where)
    {
        if (t.PreemptCount != 0) return Task.CompletedTask;
        runtime.RecordAccess(t, write: t.ReschedIn >= 0); // the tick arms ReschedIn
        if (t.ReschedIn < 0) return Task.CompletedTask;
        if (t.ReschedIn-- > 0) return Task.CompletedTask;
        if (runtime.IsTracing) runtime.Log($"preempted {where}");
        return Switch(t, sleep: false);
    }

    /// <summary>
    /// schedule() after set_current_state(): sleeps unless a waker already set TASK_RUNNING.
    /// Returns false when the task sleeps forever (nothing can wake it; the caller ends the thread).
    /// </summary>
    public async Task<bool> schedule(HostTask t, string where)
    {
        TaskState prev = await t.State.Read();
        if (prev == TaskState.TASK_RUNNING)
        {
            await PreemptionPoint(t, where);
            return true;
        }
        return await Switch(t, sleep: true);
    }

    /// <summary>try_to_wake_up(): TASK_INTERRUPTIBLE → TASK_RUNNING under p->pi_lock (a locked RMW).</summary>
    public async Task<bool> wake_up_process(HostTask t) =>
        await t.State.CompareExchange(TaskState.TASK_RUNNING, TaskState.TASK_INTERRUPTIBLE) == TaskState.TASK_INTERRUPTIBLE;

    // __schedule(): notifiers out, context switch (a full barrier: rq->lock + smp_mb__after_spinlock),
    // off-CPU until runnable again, then back in on an idle pCPU (maybe another one: a migration).
    private async Task<bool> Switch(HostTask t, bool sleep)
    {
        t.PreemptCount++;
        // __schedule() runs with interrupts off (local_irq_disable(), rq_lock) until the task runs again (its
        // finish_task_switch()): no tick lands on it meanwhile. After a preemption the tick's wait is a hand-over: this
        // step takes the task from it, the switch-in gives it back (a release), so dfs never tries the tick in between.
        runtime.RecordAccess(t, write: true);
        t.InSchedule = true;
        if (t.Notifier is not null) await t.Notifier.SchedOut(t);
        if (runtime.MemoryModel == MemoryModel.X86Tso) await runtime.Fence("__schedule(): context switch");
        SetCurr(t.Cpu, null);
        t.OffCpu = true;
        if (migration == Migration.Pulled)
        {
            if (sleep) newidle_balance(t);
            else
            {
                runtime.RecordAccess(t.OnRq, write: true);
                t.OnRq.Waiting = true;
            }
        }
        if (sleep)
        {
            t.Sleeping = true;
            // Woken (TASK_RUNNING), it is switched in in the same step. (Not a release of the task: this step's wait
            // is try_to_wake_up's, untyped, and a release here would pair it with the tick's writes of the task.)
            await runtime.Point(t.State, AccessKind.Read, t.Wake);
            t.Sleeping = false;
            runtime.RecordAccess(t, write: true);
            if (t.State.Peek() != TaskState.TASK_RUNNING)
            {
                t.SleepsForever = true;
                if (runtime.IsTracing) runtime.Log($"{t.Name} sleeps forever in schedule(): no running thread is left to wake it");
                return false;
            }
        }
        else
        {
            await runtime.Point(t, AccessKind.Unlock, label: runtime.IsTracing ? $"{t.Name} is runnable, other tasks run" : null);
        }

        int cpu = migration == Migration.Pulled ? SelectCpu(t) : PickIdleCpu(t);
        SetCurr(cpu, t);
        t.OffCpu = false;
        t.InSchedule = false;
        if (runtime.IsTracing) runtime.Log(cpu == t.Cpu ? $"{t.Name} runs again on pCPU {cpu}" : $"{t.Name} migrates from pCPU {t.Cpu} to pCPU {cpu}");
        t.Cpu = cpu;
        if (t.Notifier is not null) await t.Notifier.SchedIn(t, cpu);
        t.PreemptCount--;
        return true;
    }

    // Migration.Pulled, __schedule() → pick_next_task_fair() → newidle_balance(): t's pCPU goes idle (t sleeps) and
    // pulls a preempted task that waits for its own pCPU (the first one, in task order).
    private void newidle_balance(HostTask t)
    {
        foreach (HostTask u in tasks)
        {
            if (ReferenceEquals(u, t)) continue;
            runtime.RecordAccess(u.OnRq, write: false);
            if (!u.OnRq.Waiting || u.OnRq.PulledTo >= 0) continue;
            runtime.RecordAccess(u.OnRq, write: true);
            u.OnRq.PulledTo = t.Cpu;
            if (runtime.IsTracing) runtime.Log($"newidle_balance: pCPU{t.Cpu} pulls {u.Name}");
            return;
        }
    }

    // Migration.Pulled: the pCPU that pulled t if still idle, else its previous one if idle, else the first idle one.
    private int SelectCpu(HostTask t)
    {
        int pulled = -1;
        if (t.OnRq.Waiting)   // only t writes it
        {
            runtime.RecordAccess(t.OnRq, write: true);
            pulled = t.OnRq.PulledTo;
            t.OnRq.Waiting = false;
            t.OnRq.PulledTo = -1;
        }
        if (pulled >= 0 && CurrentOn(pulled) is null) return pulled;
        if (CurrentOn(t.Cpu) is null) return t.Cpu;
        for (int p = 0; p < rqs.Length; p++)
            if (CurrentOn(p) is null) return p;
        throw new InvalidOperationException($"no idle pCPU for {t.Name}: configure at least as many pCPUs as tasks");
    }

    // select_task_rq(): any idle pCPU (it reads every run queue: idle_cpu()); the strategy chooses when there are several.
    private int PickIdleCpu(HostTask t)
    {
        Span<int> idle = stackalloc int[rqs.Length];
        int n = 0;
        for (int p = 0; p < rqs.Length; p++)
        {
            runtime.RecordAccess(rqs[p], write: false);
            if (rqs[p].Curr is null) idle[n++] = p;
        }
        if (n == 0) throw new InvalidOperationException($"no idle pCPU for {t.Name}: configure at least as many pCPUs as tasks");
        int cpu = idle[n == 1 ? 0 : runtime.RandomInteger(n)];
        if (runtime.IsTracing) runtime.Log($"select_task_rq: {t.Name} goes to idle pCPU{cpu}");
        return cpu;
    }
}
