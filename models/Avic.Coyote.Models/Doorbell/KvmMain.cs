// Generic KVM and x86 code of Protocol B: the KVM_RUN loop (arch/x86/kvm/x86.c), blocking and
// wake-up (virt/kvm/kvm_main.c), requests and kicks, the APICv update (x86.c) and the inhibitor.
// Steps and their order: kvm-protocols.md §2.2 (B-ENTER, B-BLOCK, B-SWKICK, B-REFRESH, B-INHIBITOR).
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Doorbell;

public sealed partial class AvicKvm
{
    private const int EINTR = 4;

    // ---- the vCPU thread: arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl_run → vcpu_run ------------------

    private async Task kvm_vcpu_thread(Vcpu v)
    {
        await vcpu_load(v);
        foreach (char action in v.Program)
        {
            v.AcceptsAtActionStart = v.Accepts;
            ExitReason exit;
            do exit = await vcpu_enter_guest(v, action);
            // An 'S' guest interrupted by a host IPI goes back to waiting after the next VMRUN.
            while (exit == ExitReason.EntryCancelled || (action == 'S' && exit == ExitReason.ExternalInterrupt));

            await handle_exit(v, exit);
            if (v.SleepsForever) break;
            await sched.PreemptionPoint(v.Task, "in vcpu_run(), between guest entries");
        }
        if (!v.SleepsForever)
        {
            await vcpu_put(v);   // return to userspace
            await smp_mb("exit to userspace (serializing)");
        }
        sched.Exit(v.Task);
    }

    // virt/kvm/kvm_main.c vcpu_load(): get_cpu(); kvm_arch_vcpu_load(vcpu, cpu); put_cpu().
    private async Task vcpu_load(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_load(v, v.Task.Cpu);
        await sched.preempt_enable(v.Task, "in vcpu_load(), put_cpu()");
    }

    // virt/kvm/kvm_main.c vcpu_put(): preempt_disable(); kvm_arch_vcpu_put(); preempt_notifier_unregister(); preempt_enable().
    private async Task vcpu_put(Vcpu v)
    {
        sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_put(v);
        v.Task.Notifier = null;
        await sched.preempt_enable(v.Task, "in vcpu_put()");
    }

    // The preempt notifiers (kvm_main.c kvm_sched_out / kvm_sched_in).
    Task IPreemptNotifier.SchedOut(HostTask task)
    {
        Vcpu v = VcpuOf(task);
        if (rt.IsTracing) rt.Log($"kvm_sched_out({v}) → kvm_arch_vcpu_put");
        return kvm_arch_vcpu_put(v);
    }

    Task IPreemptNotifier.SchedIn(HostTask task, int cpu)
    {
        Vcpu v = VcpuOf(task);
        if (Config.Has(Mutation.SchedInSkipsLoad) && cpu == v.CpuView)
        {
            if (rt.IsTracing) rt.Log($"kvm_sched_in({v}, pCPU {cpu}): same pCPU as before, kvm_arch_vcpu_load skipped (MB20)");
            v.LoadedOn = cpu;   // the vCPU runs there again; only its vendor state was not reloaded
            Changed(v);
            return Task.CompletedTask;
        }
        if (rt.IsTracing) rt.Log($"kvm_sched_in({v}, pCPU {cpu}) → kvm_arch_vcpu_load");
        return kvm_arch_vcpu_load(v, cpu);
    }

    // x86.c kvm_arch_vcpu_load(): static_call(kvm_x86_vcpu_load) first; "vcpu->cpu = cpu" when it changed.
    private async Task kvm_arch_vcpu_load(Vcpu v, int cpu)
    {
        v.LoadedOn = cpu;
        Changed(v);
        await svm_vcpu_load(v, cpu);
        if (v.CpuView != cpu)
        {
            v.CpuView = cpu;
            await v.Cpu.Write(cpu);
        }
    }

    // x86.c kvm_arch_vcpu_put() → static_call(kvm_x86_vcpu_put).
    private async Task kvm_arch_vcpu_put(Vcpu v)
    {
        await svm_vcpu_put(v);
        v.LoadedOn = -1;
        Changed(v);
    }

    // x86.c vcpu_enter_guest(): requests, IN_GUEST_MODE (release), exit-request check, VMRUN, #VMEXIT.
    private async Task<ExitReason> vcpu_enter_guest(Vcpu v, char action)
    {
        if (Config.Inhibitor)
        {
            int requests = await v.Requests.Read();
            if (requests != 0)
            {
                await atomic_fetch_andnot(v.Requests, requests);   // kvm_check_request() clears what it handles
                if ((requests & Vcpu.KVM_REQ_APICV_UPDATE) != 0) await kvm_vcpu_update_apicv(v);
                if ((requests & Vcpu.KVM_REQ_EVENT) != 0) await kvm_check_and_inject_events(v);
            }
        }

        sched.preempt_disable(v.Task);
        await v.Mode.Write(VcpuMode.IN_GUEST_MODE);   // smp_store_release(&vcpu->mode, IN_GUEST_MODE)
        await smp_mb("smp_mb__after_srcu_read_unlock()");
        if (Config.Inhibitor && await v.Requests.Read() != 0)
        {
            // kvm_vcpu_exit_request(): a request (or a kick's EXITING_GUEST_MODE) arrived; cancel the entry.
            await v.Mode.Write(VcpuMode.OUTSIDE_GUEST_MODE);
            v.KickLatched = false;   // local_irq_enable(): a kick IPI that arrived meanwhile is handled in the host
            await sched.preempt_enable(v.Task, "after a cancelled guest entry");
            return ExitReason.EntryCancelled;
        }

        // VMRUN (B-ENTER.4): with AVIC on, the CPU evaluates the backing page's IRR, so bits set while
        // the vCPU was in host mode (doorbell missed, or none rung) are delivered now. From here a
        // doorbell to this pCPU makes it evaluate IRR again (B-ENTER.5).
        v.HwInGuest = true;
        if (v.ApicvActiveView)
        {
            if (Config.Checking(Invariant.IsRunning)) rt.Monitor<IsRunningConsistency>(v.Entered);
            await avic_vmrun_evaluate_irr(v);
        }

        ExitReason exit = action switch
        {
            'I' => v.ApicvActiveView ? await avic_hw_icr_write(v, TargetOf(v)) : ExitReason.ApicWrite,
            'H' => ExitReason.Hlt,
            'X' => ExitReason.MsrWrite,
            'S' => await guest_wait_for_interrupt(v),
            _ => throw new InvalidOperationException($"guest action '{action}'"),
        };

        // #VMEXIT (serializing), then vcpu->mode = OUTSIDE_GUEST_MODE.
        v.HwInGuest = false;
        v.DoorbellLatched = v.KickLatched = false;
        await smp_mb("#VMEXIT");
        await v.Mode.Write(VcpuMode.OUTSIDE_GUEST_MODE);
        await sched.preempt_enable(v.Task, "after #VMEXIT (local_irq_enable(); preempt_enable())");
        return exit;
    }

    // svm.c svm_handle_exit → the exit handlers the model needs.
    private async Task handle_exit(Vcpu v, ExitReason exit)
    {
        switch (exit)
        {
            case ExitReason.AvicIncompleteIpi:
                await avic_incomplete_ipi_interception(v, TargetOf(v));
                break;
            case ExitReason.ApicWrite:
                await kvm_apic_send_ipi(v, TargetOf(v));
                break;
            case ExitReason.Hlt:
                await kvm_vcpu_halt(v);   // x86.c vcpu_block() → kvm_vcpu_halt()
                break;
            case ExitReason.MsrWrite:
                await kvm_lapic_set_base_x2apic(v);
                break;
        }
    }

    // x86.c kvm_check_and_inject_events(), APICv off: KVM injects from IRR on KVM_REQ_EVENT.
    // lapic.c apic_find_highest_irr: "if (!apic->irr_pending) return -1"; apic_clear_irr clears
    // irr_pending before taking the vectors (a sender sets IRR, then irr_pending).
    private async Task kvm_check_and_inject_events(Vcpu v)
    {
        if (v.ApicvActiveView) return;
        if (!await v.IrrPending.Read()) return;
        await v.IrrPending.Write(false);
        int irr = await v.Irr.Exchange(0);
        if (irr != 0) IrqTakenBy(v);
    }

    // ---- halting: kvm_main.c kvm_vcpu_halt / kvm_vcpu_block (B-BLOCK) ---------------------------

    private async Task kvm_vcpu_halt(Vcpu v)
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

    private async Task kvm_vcpu_block(Vcpu v)
    {
        bool windowB = Config.Has(Mutation.PreemptibleBlocking);     // before 18869f26df1a
        bool windowA = Config.Has(Mutation.PreemptibleUnblocking);

        if (!windowB) sched.preempt_disable(v.Task);
        await kvm_arch_vcpu_blocking(v);
        v.InBlockingRegion = true;
        Changed(v);
        await sched.PreemptionPoint(v.Task, "between kvm_arch_vcpu_blocking() and prepare_to_rcuwait()");
        await prepare_to_rcuwait(v);
        if (!windowB) await sched.preempt_enable(v.Task, "in kvm_vcpu_block(), after prepare_to_rcuwait()");

        while (true)
        {
            // set_current_state(TASK_INTERRUPTIBLE) = smp_store_mb(): orders IsRunning=0 before reading IRR.
            await v.Task.State.Exchange(TaskState.TASK_INTERRUPTIBLE);
            if (await kvm_vcpu_check_block(v) < 0) break;
            await sched.PreemptionPoint(v.Task, "in kvm_vcpu_block(), before schedule()");
            if (rt.IsTracing && v.Irr.Peek() != 0)
                rt.Log($"{v} calls schedule() although IRR={Vcpu.Bits(v.Irr.Peek())}: check_block read it before the IPI landed");
            if (!await sched.schedule(v.Task, "in kvm_vcpu_block(), after schedule()"))
            {
                v.SleepsForever = true;
                if (rt.IsTracing) rt.Log($"{v} never leaves kvm_vcpu_block(): IRR={Vcpu.Bits(v.Irr.Peek())}");
                return;
            }
        }

        if (!windowA) sched.preempt_disable(v.Task);
        await finish_rcuwait(v);
        v.InBlockingRegion = false;
        Changed(v);
        await sched.PreemptionPoint(v.Task, "between finish_rcuwait() and kvm_arch_vcpu_unblocking()");
        await kvm_arch_vcpu_unblocking(v);
        if (!windowA) await sched.preempt_enable(v.Task, "in kvm_vcpu_block(), after kvm_arch_vcpu_unblocking()");
    }

    // kernel/rcu/update.c prepare_to_rcuwait(): w->task = current; kvm_vcpu_is_blocking() is true from here.
    private async Task prepare_to_rcuwait(Vcpu v)
    {
        v.IsBlocking = true;
        await v.WaitTask.Write(true);
        Notify(v.BlockStarted);
    }

    // finish_rcuwait(): w->task = NULL; __set_current_state(TASK_RUNNING).
    private async Task finish_rcuwait(Vcpu v)
    {
        v.IsBlocking = false;
        await v.WaitTask.Write(false);
        await v.Task.State.Write(TaskState.TASK_RUNNING);
        Notify(v.BlockEnded);
    }

    // kvm_main.c kvm_vcpu_check_block() → kvm_arch_vcpu_runnable → kvm_cpu_has_interrupt: reads the
    // vAPIC IRR (irr_pending is always true under APICv, d3ddef46f22e).
    private async Task<int> kvm_vcpu_check_block(Vcpu v)
    {
        if (Config.Inhibitor && !v.ApicvActiveView && !await v.IrrPending.Read()) return 0;
        int irr = await v.Irr.Read();
        return irr != 0 ? -EINTR : 0;
    }

    // x86.c kvm_arch_vcpu_blocking / kvm_arch_vcpu_unblocking → static_call(vcpu_blocking/unblocking).
    private Task kvm_arch_vcpu_blocking(Vcpu v) => avic_vcpu_blocking(v);

    private Task kvm_arch_vcpu_unblocking(Vcpu v) => avic_vcpu_unblocking(v);

    // ---- waking and kicking (kvm_main.c) -------------------------------------------------------------

    // kvm_vcpu_wake_up() → rcuwait_wake_up(): smp_mb(); task = w->task; if (task) wake_up_process(task).
    private async Task<bool> kvm_vcpu_wake_up(Vcpu t)
    {
        await smp_mb("rcuwait_wake_up(): smp_mb()");
        if (!await t.WaitTask.Read()) return false;
        bool woken = await sched.wake_up_process(t.Task);
        if (woken && rt.IsTracing) rt.Log($"wake_up_process({t}): TASK_RUNNING");
        return woken;
    }

    // kvm_vcpu_kick(): wake it if blocking; else if IN_GUEST_MODE → EXITING_GUEST_MODE, IPI its pCPU.
    private async Task kvm_vcpu_kick(Vcpu t)
    {
        if (await kvm_vcpu_wake_up(t)) return;
        if (await t.Mode.CompareExchange(VcpuMode.EXITING_GUEST_MODE, VcpuMode.IN_GUEST_MODE) == VcpuMode.IN_GUEST_MODE)
        {
            int cpu = await t.Cpu.Read();
            if (rt.IsTracing) rt.Log($"smp_send_reschedule(pCPU {cpu}): {t} leaves the guest");
            SendKickIpi(t);
        }
    }

    // kvm_make_request(): smp_wmb(); set_bit() (x86: the locked bitop orders it).
    private Task kvm_make_request(int request, Vcpu t) => atomic_fetch_or(t.Requests, request);

    // ---- the APICv update (x86.c) and the inhibitor (B-REFRESH, B-INHIBITOR) -------------------------

    // x86.c kvm_vcpu_update_apicv() (its x2APIC memslot part is Protocol A) → __kvm_vcpu_update_apicv().
    private async Task kvm_vcpu_update_apicv(Vcpu v)
    {
        bool preemptible = Config.Has(Mutation.PreemptibleApicvUpdate);   // before 66c768d30e64
        await apicvUpdateLock.DownRead();
        if (!preemptible) sched.preempt_disable(v.Task);
        bool activate = await apicvInhibitReasons.Read() == 0;
        if (v.ApicvActiveView != activate)
        {
            v.UpdatingApicv = true;
            v.ApicvActiveView = activate;
            await v.ApicvActive.Write(activate);
            await kvm_apic_update_apicv(v);
            await sched.PreemptionPoint(v.Task, "in __kvm_vcpu_update_apicv(), between apicv_active and refresh_apicv_exec_ctrl");
            await avic_refresh_apicv_exec_ctrl(v);
            v.UpdatingApicv = false;
            Changed(v);
            if (!activate) await kvm_make_request(Vcpu.KVM_REQ_EVENT, v);
        }
        if (!preemptible) await sched.preempt_enable(v.Task, "at the end of __kvm_vcpu_update_apicv()");
        await apicvUpdateLock.UpRead();
    }

    // The inhibitor: e.g. KVM_SET_GUEST_DEBUG setting then clearing APICV_INHIBIT_REASON_BLOCKIRQ.
    private async Task apicv_inhibitor()
    {
        await kvm_set_or_clear_apicv_inhibit(set: true);
        if (Config.InhibitorClears) await kvm_set_or_clear_apicv_inhibit(set: false);
        sched.RemoveWaker();
    }

    // x86.c __kvm_set_or_clear_apicv_inhibit(): under down_write, request KVM_REQ_APICV_UPDATE on all
    // vCPUs BEFORE writing the reasons (kvm_make_all_cpus_request; KVM_REQUEST_NO_WAKEUP: only vCPUs
    // in guest mode are IPI'd out; blocked ones process it when they next enter).
    private async Task kvm_set_or_clear_apicv_inhibit(bool set)
    {
        await apicvUpdateLock.DownWrite();
        int old = await apicvInhibitReasons.Read();
        int reasons = set ? old | APICV_INHIBIT_REASON_BLOCKIRQ : old & ~APICV_INHIBIT_REASON_BLOCKIRQ;
        if ((old == 0) != (reasons == 0))
        {
            foreach (Vcpu v in Vcpus)
            {
                await kvm_make_request(Vcpu.KVM_REQ_APICV_UPDATE, v);
                // kvm_request_needs_ipi(): IN_GUEST_MODE → EXITING_GUEST_MODE, then the IPI makes it exit.
                if (await v.Mode.CompareExchange(VcpuMode.EXITING_GUEST_MODE, VcpuMode.IN_GUEST_MODE) == VcpuMode.IN_GUEST_MODE)
                    SendKickIpi(v);
            }
        }
        await apicvInhibitReasons.Write(reasons);
        await apicvUpdateLock.UpWrite();
    }

    // lapic.c kvm_apic_update_apicv(): "When APICv is enabled, KVM must always search the IRR ... If APICv
    // is disabled, KVM _should_ search the IRR ... But KVM currently doesn't ensure *all* hardware ... has
    // seen the change in state" → irr_pending = true unconditionally (d3ddef46f22e). Before 755c2bf87860
    // a deactivation recomputed it from IRR (MB9/B-3).
    private async Task kvm_apic_update_apicv(Vcpu v)
    {
        if (!v.ApicvActiveView && Config.Has(Mutation.RecomputeIrrPending))
        {
            bool pending = await v.Irr.Read() != 0;   // apic_search_irr(apic) != -1
            await v.IrrPending.Write(pending);
            return;
        }
        await v.IrrPending.Write(true);
    }

    // lapic.c __kvm_apic_set_base() → set_virtual_apic_mode → avic_set_virtual_apic_mode (guest enables x2APIC).
    private async Task kvm_lapic_set_base_x2apic(Vcpu v)
    {
        if (!Config.Has(Mutation.SetVirtualApicModeReloads)) return;   // since e0bead97e759: only the VMCB mode bits
        await avic_set_virtual_apic_mode(v);
    }
}
