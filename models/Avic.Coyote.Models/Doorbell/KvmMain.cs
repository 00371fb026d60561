// Generic KVM and x86 code of Protocol B: the KVM_RUN loop (arch/x86/kvm/x86.c), blocking and
// wake-up (virt/kvm/kvm_main.c), requests and kicks, the APICv update (x86.c) and the inhibitor.
// Steps and their order: kvm-protocols.md §2.2 (B-ENTER, B-BLOCK, B-SWKICK, B-REFRESH, B-INHIBITOR).
// The functions every guest entry, exit and halt runs return ValueTasks: pooled where they keep a frame
// (reused instead of allocated per call), their callee's task where they only return its result.
using System.Runtime.CompilerServices;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Doorbell;

public partial class AvicKvm
{
    private const int EINTR = 4;

    // ---- the vCPU thread (DoorbellVcpuThread, a state machine): KVM_RUN's kernel functions --------------

    // The end of KVM_RUN (kvm_arch_vcpu_ioctl_run → vcpu_put()) and the return to userspace (serializing);
    // then the VMM's vCPU thread exits (the model's bound: one KVM_RUN). A thread asleep for good never returns.
    protected internal virtual async Task kvm_arch_vcpu_ioctl_run_out(Vcpu v)
    {
        if (!v.SleepsForever)
        {
            await vcpu_put(v);
            await smp_mb("exit to userspace (serializing)");
        }
        sched.Exit(v.Task);
    }

    // vcpu_run(): between two guest entries the thread runs with preemption enabled.
    internal Task vcpu_run_preemptible(Vcpu v) => sched.PreemptionPoint(v.Task, "in vcpu_run(), between guest entries");

    // virt/kvm/kvm_main.c vcpu_load(): get_cpu(); kvm_arch_vcpu_load(vcpu, cpu); put_cpu().
    protected internal virtual async Task vcpu_load(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_load(v, v.Task.Cpu);
        await sched.preempt_enable(v.Task, "in vcpu_load(), put_cpu()");
    }

    // virt/kvm/kvm_main.c vcpu_put(): preempt_disable(); kvm_arch_vcpu_put(); preempt_notifier_unregister(); preempt_enable().
    protected internal virtual async Task vcpu_put(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_put(v);
        v.Task.Notifier = null;
        await sched.preempt_enable(v.Task, "in vcpu_put()");
    }

    // The preempt notifiers (kvm_main.c kvm_sched_out / kvm_sched_in).
    Task IPreemptNotifier.SchedOut(HostTask task) => kvm_sched_out(VcpuOf(task));

    Task IPreemptNotifier.SchedIn(HostTask task, int cpu) => kvm_sched_in(VcpuOf(task), cpu);

    // kvm_main.c kvm_sched_out(): ... kvm_arch_vcpu_put(vcpu).
    protected internal virtual Task kvm_sched_out(Vcpu v)
    {
        if (rt.IsTracing) rt.Log($"kvm_sched_out({v}) → kvm_arch_vcpu_put");
        return kvm_arch_vcpu_put(v);
    }

    // kvm_main.c kvm_sched_in(): ... kvm_arch_vcpu_load(vcpu, cpu).
    protected internal virtual Task kvm_sched_in(Vcpu v, int cpu)
    {
        if (rt.IsTracing) rt.Log($"kvm_sched_in({v}, pCPU {cpu}) → kvm_arch_vcpu_load");
        return kvm_arch_vcpu_load(v, cpu);
    }

    // x86.c kvm_arch_vcpu_load(): static_call(kvm_x86_vcpu_load) first; "vcpu->cpu = cpu" when it changed.
    protected internal virtual async Task kvm_arch_vcpu_load(Vcpu v, int cpu)
    {
        v.LoadedOn = cpu;
        Changed(v);
        await svm_vcpu_load(v, cpu);
        if (v.CpuView != cpu)
        {
            v.CpuView = cpu;
            await v.cpu.Write(cpu);
        }
    }

    // x86.c kvm_arch_vcpu_put() → static_call(kvm_x86_vcpu_put).
    protected internal virtual async Task kvm_arch_vcpu_put(Vcpu v)
    {
        await svm_vcpu_put(v);
        v.LoadedOn = -1;
        Changed(v);
    }

    // x86.c vcpu_enter_guest() up to VMRUN: requests, IN_GUEST_MODE (release), exit-request check, VMRUN.
    // Returns r = 1 (go on: a cancelled entry enters again). Without the inhibitor nobody makes requests, so
    // reading them is no scheduling point.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> vcpu_enter_guest(Vcpu v)
    {
        if (Config.Inhibitor && await kvm_request_pending(v))
        {
            if (await kvm_check_request(KvmRequest.KVM_REQ_APICV_UPDATE, v)) await kvm_vcpu_update_apicv(v);
            if (await kvm_check_request(KvmRequest.KVM_REQ_EVENT, v)) await kvm_check_and_inject_events(v);
        }

        sched.preempt_disable(v.Task);
        await v.mode.Write(VcpuMode.IN_GUEST_MODE);   // smp_store_release(&vcpu->mode, IN_GUEST_MODE)
        await smp_mb("smp_mb__after_srcu_read_unlock()");
        if (Config.Inhibitor && await kvm_request_pending(v))
        {
            // kvm_vcpu_exit_request(): a request (or a kick's EXITING_GUEST_MODE) arrived; cancel the entry.
            await v.mode.Write(VcpuMode.OUTSIDE_GUEST_MODE);
            v.KickLatched = false;   // local_irq_enable(): a kick IPI that arrived meanwhile is handled in the host
            await sched.preempt_enable(v.Task, "after a cancelled guest entry");
            return 1;   // r = 1; goto cancel_injection
        }

        // VMRUN (B-ENTER.4): with AVIC on, the CPU evaluates the backing page's IRR, so bits set while
        // the vCPU was in host mode (doorbell missed, or none rung) are delivered now. From here a
        // doorbell to this pCPU makes it evaluate IRR again (B-ENTER.5).
        v.HwInGuest = true;
        if (v.ApicvActiveView) await avic_vmrun_evaluate_irr(v);
        kvm_x86_vcpu_run(v);   // exit_fastpath = static_call(kvm_x86_vcpu_run)(vcpu): the thread goes to guest mode
        return 1;
    }

    /// <summary>The vCPU's thread went from InKvmRun to InGuestMode (VMRUN): INV-B1's converse is judged on it.</summary>
    internal void GuestModeEntered(Vcpu v)
    {
        if (v.ApicvActiveView && Config.Checking(Invariant.IsRunning)) rt.Monitor<IsRunningConsistency>(v.Entered);
    }

    // The guest in guest mode: one action of its program, up to the exit it causes (the AVIC's or the spin's task
    // itself: no frame of its own).
    internal ValueTask<ExitReason> guest_run(Vcpu v, char action) => action switch
    {
        'I' => v.ApicvActiveView ? new(avic_hw_icr_write(v, TargetOf(v))) : new(ExitReason.ApicWrite),
        'H' => new(ExitReason.Hlt),
        'X' => new(ExitReason.MsrWrite),
        'S' => new(guest_wait_for_interrupt(v)),
        _ => throw new InvalidOperationException($"guest action '{action}'"),
    };

    // vcpu_enter_guest() after VMRUN: #VMEXIT (serializing), vcpu->mode = OUTSIDE_GUEST_MODE,
    // local_irq_enable(); preempt_enable().
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected internal virtual async ValueTask vcpu_enter_guest_exit(Vcpu v)
    {
        v.HwInGuest = false;
        v.DoorbellLatched = v.KickLatched = false;
        await smp_mb("#VMEXIT");
        await v.mode.Write(VcpuMode.OUTSIDE_GUEST_MODE);
        await sched.preempt_enable(v.Task, "after #VMEXIT (local_irq_enable(); preempt_enable())");
    }

    // svm.c svm_handle_exit → the exit handlers the model needs (svm_invoke_exit_handler: "return
    // svm_exit_handlers[exit_code](vcpu)", the handler's task itself: no frame of its own).
    protected internal virtual ValueTask handle_exit(Vcpu v, ExitReason exit) => exit switch
    {
        ExitReason.AvicIncompleteIpi => new(avic_incomplete_ipi_interception(v, TargetOf(v))),
        ExitReason.ApicWrite => new(kvm_apic_send_ipi(v, TargetOf(v))),
        ExitReason.MsrWrite => new(kvm_lapic_set_base_x2apic(v)),
        _ => ValueTask.CompletedTask,
    };

    // x86.c kvm_check_and_inject_events(), APICv off: KVM injects from IRR on KVM_REQ_EVENT.
    // lapic.c apic_find_highest_irr: "if (!apic->irr_pending) return -1"; apic_clear_irr clears
    // irr_pending before taking the vectors (a sender sets IRR, then irr_pending).
    protected internal virtual async Task kvm_check_and_inject_events(Vcpu v)
    {
        if (v.ApicvActiveView) return;
        if (!await v.irr_pending.Read()) return;
        await v.irr_pending.Write(false);
        int irr = await v.irr.Exchange(0);
        if (irr != 0) IrqTakenBy(v);
    }

    // ---- halting: kvm_main.c kvm_vcpu_halt / kvm_vcpu_block (B-BLOCK) ---------------------------

    protected internal virtual async Task kvm_vcpu_halt(Vcpu v)
    {
        if (Config.HaltPoll)
        {
            // One halt-polling iteration: the vCPU is still loaded with IsRunning=1; a sender's AVIC
            // doorbells this pCPU in host mode (no effect) and the poll sees IRR.
            if (await kvm_vcpu_check_block(v) < 0) return;
            await sched.PreemptionPoint(v.Task, "while halt-polling");
        }
        await kvm_vcpu_block(v);
    }

    // kvm_main.c kvm_vcpu_block(): the preempt-disabled start (kvm_vcpu_block_start), the wait loop,
    // the preempt-disabled end (kvm_vcpu_block_finish).
    protected internal virtual async Task kvm_vcpu_block(Vcpu v)
    {
        await kvm_vcpu_block_start(v);
        while (true)
        {
            // set_current_state(TASK_INTERRUPTIBLE) = smp_store_mb(): orders IsRunning=0 before reading IRR.
            await v.Task.State.Exchange(TaskState.TASK_INTERRUPTIBLE);
            if (await kvm_vcpu_check_block(v) < 0) break;
            await sched.PreemptionPoint(v.Task, "in kvm_vcpu_block(), before schedule()");
            if (rt.IsTracing && v.irr.Peek() != 0)
                rt.Log($"{v} calls schedule() although IRR={Vcpu.Bits(v.irr.Peek())}: check_block read it before the IPI landed");
            if (!await sched.schedule(v.Task, "in kvm_vcpu_block(), after schedule()"))
            {
                v.SleepsForever = true;
                if (rt.IsTracing) rt.Log($"{v} never leaves kvm_vcpu_block(): IRR={Vcpu.Bits(v.irr.Peek())}");
                return;
            }
        }

        await kvm_vcpu_block_finish(v);
    }

    // kvm_vcpu_block(): preempt_disable(); kvm_arch_vcpu_blocking(vcpu); prepare_to_rcuwait(wait); preempt_enable().
    // (18869f26df1a: a vCPU preempted in between is scheduled in with IsRunning=1 although halting.)
    protected internal virtual async Task kvm_vcpu_block_start(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_blocking(v);
        await prepare_to_rcuwait(v);
        await sched.preempt_enable(v.Task, "in kvm_vcpu_block(), after prepare_to_rcuwait()");
    }

    // kvm_vcpu_block(): preempt_disable(); finish_rcuwait(wait); kvm_arch_vcpu_unblocking(vcpu); preempt_enable().
    protected internal virtual async Task kvm_vcpu_block_finish(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await finish_rcuwait(v);
        await kvm_arch_vcpu_unblocking(v);
        await sched.preempt_enable(v.Task, "in kvm_vcpu_block(), after kvm_arch_vcpu_unblocking()");
    }

    // kernel/rcu/update.c prepare_to_rcuwait(): w->task = current; kvm_vcpu_is_blocking() is true from here.
    private protected async Task prepare_to_rcuwait(Vcpu v)
    {
        v.IsBlocking = true;
        await v.wait_task.Write(true);
        Notify(v.BlockStarted);
    }

    // finish_rcuwait(): w->task = NULL; __set_current_state(TASK_RUNNING).
    private protected async Task finish_rcuwait(Vcpu v)
    {
        v.IsBlocking = false;
        await v.wait_task.Write(false);
        await v.Task.State.Write(TaskState.TASK_RUNNING);
        Notify(v.BlockEnded);
        v.InBlockingRegion = false;   // ghost: the blocking region ends with the wait
        Changed(v);
    }

    // kvm_main.c kvm_vcpu_check_block() → kvm_arch_vcpu_runnable → kvm_cpu_has_interrupt: reads the
    // vAPIC IRR (irr_pending is always true under APICv, d3ddef46f22e).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> kvm_vcpu_check_block(Vcpu v)
    {
        if (Config.Inhibitor && !v.ApicvActiveView && !await v.irr_pending.Read()) return 0;
        int irr = await v.irr.Read();
        return irr != 0 ? -EINTR : 0;
    }

    // x86.c kvm_arch_vcpu_blocking / kvm_arch_vcpu_unblocking → static_call(vcpu_blocking/unblocking).
    private protected async Task kvm_arch_vcpu_blocking(Vcpu v)
    {
        await avic_vcpu_blocking(v);
        v.InBlockingRegion = true;   // ghost: from here the vCPU is halting
        Changed(v);
    }

    private protected Task kvm_arch_vcpu_unblocking(Vcpu v) => avic_vcpu_unblocking(v);

    // ---- waking and kicking (kvm_main.c) -------------------------------------------------------------

    // kvm_vcpu_wake_up() → rcuwait_wake_up(): smp_mb(); task = w->task; if (task) wake_up_process(task).
    protected internal virtual async Task<bool> kvm_vcpu_wake_up(Vcpu t)
    {
        await smp_mb("rcuwait_wake_up(): smp_mb()");
        if (!await t.wait_task.Read()) return false;
        bool woken = await sched.wake_up_process(t.Task);
        if (woken && rt.IsTracing) rt.Log($"wake_up_process({t}): TASK_RUNNING");
        return woken;
    }

    // kvm_vcpu_kick(): wake it if blocking; else if IN_GUEST_MODE → EXITING_GUEST_MODE, IPI its pCPU.
    protected internal virtual async Task kvm_vcpu_kick(Vcpu t)
    {
        if (await kvm_vcpu_wake_up(t)) return;
        if (await kvm_vcpu_exiting_guest_mode(t) == VcpuMode.IN_GUEST_MODE)
        {
            int cpu = await t.cpu.Read();
            if (rt.IsTracing) rt.Log($"smp_send_reschedule(pCPU {cpu}): {t} leaves the guest");
            SendKickIpi(t);
        }
    }

    // ---- the APICv update (x86.c) and the inhibitor (B-REFRESH, B-INHIBITOR) -------------------------

    // x86.c kvm_vcpu_update_apicv() (its x2APIC memslot part is Protocol A) → __kvm_vcpu_update_apicv().
    protected internal virtual async Task kvm_vcpu_update_apicv(Vcpu v)
    {
        await apicv_update_lock.DownRead();
        sched.preempt_disable(v.Task);
        bool activate = await apicv_inhibit_reasons.Read() == 0;   // kvm_vcpu_apicv_activated(vcpu)
        if (v.ApicvActiveView != activate) await apicv_toggle(v, activate);
        await sched.preempt_enable(v.Task, "at the end of __kvm_vcpu_update_apicv()");
        await apicv_update_lock.UpRead();
    }

    // __kvm_vcpu_update_apicv() once apicv_active != activate: apic->apicv_active = activate;
    // kvm_apic_update_apicv(); refresh_apicv_exec_ctrl(); "When APICv gets disabled, we may still have
    // injected interrupts pending ... Make sure kvm_check_and_inject_events() is called".
    private protected async Task apicv_toggle(Vcpu v, bool activate)
    {
        v.UpdatingApicv = true;
        v.ApicvActiveView = activate;
        await v.apicv_active.Write(activate);
        await kvm_apic_update_apicv(v);
        // A preemptible window only where the caller runs with preemption enabled (before 66c768d30e64, B-4).
        await sched.PreemptionPoint(v.Task, "in __kvm_vcpu_update_apicv(), between apicv_active and refresh_apicv_exec_ctrl");
        await avic_refresh_apicv_exec_ctrl(v);
        v.UpdatingApicv = false;
        Changed(v);
        if (!activate) await kvm_make_request(KvmRequest.KVM_REQ_EVENT, v);
    }

    // The inhibitor: e.g. KVM_SET_GUEST_DEBUG setting then clearing APICV_INHIBIT_REASON_BLOCKIRQ.
    private protected async Task apicv_inhibitor()
    {
        await kvm_set_or_clear_apicv_inhibit(set: true);
        if (Config.InhibitorClears) await kvm_set_or_clear_apicv_inhibit(set: false);
        sched.RemoveWaker();
    }

    // x86.c __kvm_set_or_clear_apicv_inhibit(): under down_write, request KVM_REQ_APICV_UPDATE on all
    // vCPUs BEFORE writing the reasons (kvm_make_all_cpus_request; KVM_REQUEST_NO_WAKEUP: only vCPUs
    // in guest mode are IPI'd out; blocked ones process it when they next enter).
    // (KVM_REQUEST_WAIT, waiting for the kicked vCPUs' IPI acks, is not modelled here.)
    protected internal virtual async Task kvm_set_or_clear_apicv_inhibit(bool set)
    {
        await apicv_update_lock.DownWrite();
        int old = await apicv_inhibit_reasons.Read();
        int reasons = set ? old | APICV_INHIBIT_REASON_BLOCKIRQ : old & ~APICV_INHIBIT_REASON_BLOCKIRQ;
        if ((old == 0) != (reasons == 0))
        {
            foreach (Vcpu v in Vcpus)
            {
                await kvm_make_request(KvmRequest.KVM_REQ_APICV_UPDATE, v);
                // kvm_request_needs_ipi(): IN_GUEST_MODE → EXITING_GUEST_MODE, then the IPI makes it exit.
                if (await kvm_vcpu_exiting_guest_mode(v) == VcpuMode.IN_GUEST_MODE)
                    SendKickIpi(v);
            }
        }
        await apicv_inhibit_reasons.Write(reasons);
        await apicv_update_lock.UpWrite();
    }

    // lapic.c kvm_apic_update_apicv(): "When APICv is enabled, KVM must always search the IRR ... If APICv
    // is disabled, KVM _should_ search the IRR ... But KVM currently doesn't ensure *all* hardware ... has
    // seen the change in state" → irr_pending = true unconditionally (d3ddef46f22e). Before 755c2bf87860
    // a deactivation recomputed it from IRR (MB9/B-3).
    protected internal virtual async Task kvm_apic_update_apicv(Vcpu v)
    {
        await v.irr_pending.Write(true);
    }

    // lapic.c __kvm_apic_set_base() → set_virtual_apic_mode → avic_set_virtual_apic_mode (guest enables x2APIC).
    // Since e0bead97e759 avic_set_virtual_apic_mode only updates the VMCB mode bits (not modelled).
    protected internal virtual Task kvm_lapic_set_base_x2apic(Vcpu v) => Task.CompletedTask;
}
