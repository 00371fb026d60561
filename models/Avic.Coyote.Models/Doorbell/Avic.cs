// SVM AVIC code of Protocol B: arch/x86/kvm/svm/avic.c and svm.c (kvm-protocols.md §2.2 B-LOAD,
// B-PUT, B-BLOCK.2/.8, B-REFRESH, B-SWKICK; §2.5 the non-strict RFC = seed 002).
// DirectTable era: the seed's tree (v5.18-era, avic_physical_id_cache points into the table); its
// avic_vcpu_put returns early when IsRunning is already 0 ("Nothing to do if IsRunning == '0' due
// to vCPU blocking"), which is AvicEntryUpdate's elided write. ShadowEntry era: 2025 kvm-x86.
using Avic.Coyote.Runtime;
using Avic.Kvm.Avic;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>The 2025 <c>enum avic_vcpu_action</c> (why an entry is put or loaded).</summary>
public enum AvicVcpuAction
{
    START_RUNNING,
    STOP_RUNNING,
    START_BLOCKING,
    ACTIVATE,
    DEACTIVATE,
}

public sealed partial class AvicKvm
{
    // svm.c svm_vcpu_load(): if (kvm_vcpu_apicv_active(vcpu)) avic_vcpu_load(vcpu, cpu).
    private async Task svm_vcpu_load(Vcpu v, int cpu)
    {
        if (v.ApicvActiveView) await avic_vcpu_load(v, cpu);
    }

    // svm.c svm_vcpu_put() (seed 002): "Forbid this vCPU's peers to send doorbell messages. Unless
    // non strict doorbell mode is used." Non-strict skips __avic_vcpu_put: IsRunning stays 1 with
    // the last host id while the vCPU is scheduled out or in userspace.
    private async Task svm_vcpu_put(Vcpu v)
    {
        if (!Config.Strict) return;
        if (Config.Has(Mutation.StrictSkipsPut))
        {
            if (rt.IsTracing) rt.Log($"svm_vcpu_put({v}): __avic_vcpu_put skipped (the RFC applied in strict mode)");
            return;
        }
        if (!v.ApicvActiveView) return;
        if (Config.Era == CodeEra.ShadowEntry) await avic_vcpu_put(v);
        else await __avic_vcpu_put(v, AvicVcpuAction.STOP_RUNNING);
    }

    // avic.c avic_vcpu_load(): "No need to update anything if the vCPU is blocking, i.e. if the vCPU
    // is being scheduled in after being preempted ... If the vCPU was migrated, its new CPU value will
    // be stuffed when the vCPU unblocks." (In the seed's tree this check opens __avic_vcpu_load.)
    private async Task avic_vcpu_load(Vcpu v, int cpu)
    {
        if (v.IsBlocking)
        {
            if (!Config.Has(Mutation.LoadIgnoresBlocking)) return;
            if (rt.IsTracing) rt.Log($"avic_vcpu_load({v}): kvm_vcpu_is_blocking() ignored (MB1)");
        }
        else if (v.InBlockingRegion && rt.IsTracing)
        {
            rt.Log($"avic_vcpu_load({v}): kvm_vcpu_is_blocking() is false (prepare_to_rcuwait has not run yet), so IsRunning=1 although {v} is halting");
        }
        await __avic_vcpu_load(v, cpu, AvicVcpuAction.START_RUNNING);
    }

    // avic.c __avic_vcpu_load(): the entry update (B-LOAD.3). One scheduling point on the entry, then
    // the shared fast path (see ControlledPhysicalIdTable for why one point suffices).
    private async Task __avic_vcpu_load(Vcpu v, int cpu, AvicVcpuAction action)
    {
        bool locked = Config.Era == CodeEra.ShadowEntry && await ir_list_lock(v);
        await rt.Point(Table.Entry(v.Id), AccessKind.ReadWrite);
        if (rt.IsTracing) rt.Log($"__avic_vcpu_load: table[{v.Id}] ({action}, pCPU {cpu})");
        if (Config.Era == CodeEra.DirectTable)
        {
            // Strict (merged code): WARN_ON(IsRunning), always WRITE_ONCE. Non-strict (seed 002): no WARN,
            // "if (old_entry != new_entry) WRITE_ONCE(...)".
            EntryUpdateResult r = AvicEntryUpdate.Load(ref Table, v.Id, cpu,
                Config.Strict ? EntryWritePolicy.AlwaysWrite : EntryWritePolicy.ElidedWrite);
            if (Config.Strict || Config.Has(Mutation.NonStrictKeepsLoadWarn))
                WARN_ON(r.OldIsRunning, "WARN_ON(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");
        }
        else
        {
            // 2025: under ir_list_lock; shadow := (e & ~(HOST_ID | GA_LOG_INTR)) | cpu | IS_RUNNING; the table
            // gets the shadow without GA_LOG_INTR, and without IS_RUNNING unless enable_ipiv.
            EntryUpdateResult r = AvicEntryUpdate.LoadShadowed(ref Table, v.Id, ref v.Shadow, cpu,
                Config.EnableIpiv || Config.Has(Mutation.IpivOffWritesIsRunning), EntryWritePolicy.AlwaysWrite);
            WARN_ON(r.OldIsRunning, "WARN_ON_ONCE(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");
        }
        v.PreviousLoadCpu = v.LastLoadCpu;
        v.LastLoadCpu = cpu;
        Changed(v);
        if (Config.Era == CodeEra.ShadowEntry)
        {
            await avic_update_iommu_vcpu_affinity(v, cpu, gaLogIntr: false);   // START_RUNNING: IsRun=1, dest=cpu
            await ir_list_unlock(v, locked);
        }
    }

    // avic.c avic_vcpu_put() (2025, B-PUT.2-3): the shadow says whether the vCPU is running or was
    // preempted while blocking (then IsRunning is already 0 and GA_LOG_INTR set).
    private async Task avic_vcpu_put(Vcpu v)
    {
        ulong e = v.Shadow;
        if (!IsRunning(e))
        {
            if (WARN_ON(!v.IsBlocking, "WARN_ON_ONCE(!kvm_vcpu_is_blocking(vcpu)) in avic_vcpu_put")) return;
            if (GaLogIntr(e)) return;
            WARN_ON(true, "WARN_ON_ONCE(!(entry & AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR)) in avic_vcpu_put");
        }
        await __avic_vcpu_put(v, v.IsBlocking ? AvicVcpuAction.START_BLOCKING : AvicVcpuAction.STOP_RUNNING);
    }

    // avic.c __avic_vcpu_put() (B-PUT.4): clear IsRunning, keep the host id ("so that a rogue doorbell
    // from hardware is at least restricted to a CPU associated with the vCPU").
    private async Task __avic_vcpu_put(Vcpu v, AvicVcpuAction action)
    {
        bool locked = false;
        if (Config.Era == CodeEra.ShadowEntry)
        {
            locked = await ir_list_lock(v);
            // IRTEs: IsRun=0; GALogIntr only when blocking, so the IOMMU's GA log wakes the vCPU.
            await avic_update_iommu_vcpu_affinity(v, -1,
                gaLogIntr: action == AvicVcpuAction.START_BLOCKING && !Config.Has(Mutation.NoGaLogIntr));
        }
        await rt.Point(Table.Entry(v.Id), AccessKind.ReadWrite);
        if (rt.IsTracing) rt.Log($"__avic_vcpu_put: table[{v.Id}] ({action})");
        if (Config.Era == CodeEra.DirectTable)
        {
            AvicEntryUpdate.Put(ref Table, v.Id, EntryWritePolicy.ElidedWrite);
        }
        else
        {
            EntryUpdateResult r = AvicEntryUpdate.PutShadowed(ref Table, v.Id, ref v.Shadow,
                startBlocking: action == AvicVcpuAction.START_BLOCKING, Config.EnableIpiv, EntryWritePolicy.AlwaysWrite);
            WARN_ON(r.OldGaLogIntr, "WARN_ON_ONCE(entry & AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR) in __avic_vcpu_put");
        }
        Changed(v);
        if (Config.Era == CodeEra.ShadowEntry) await ir_list_unlock(v, locked);
    }

    // avic.c avic_vcpu_blocking() (B-BLOCK.2): "Unload the AVIC when the vCPU is about to block, _before_
    // the vCPU actually blocks. Any IRQs that arrive before IsRunning=0 will not cause an incomplete IPI
    // vmexit on the source, therefore vIRR will also be checked by kvm_vcpu_check_block() before blocking."
    private async Task avic_vcpu_blocking(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        if (Config.Has(Mutation.BlockingKeepsIsRunning))
        {
            if (rt.IsTracing) rt.Log($"avic_vcpu_blocking({v}): IsRunning left set (MB6/MB12)");
            return;
        }
        await __avic_vcpu_put(v, AvicVcpuAction.START_BLOCKING);
    }

    // avic.c avic_vcpu_unblocking() (B-BLOCK.8): cpu = get_cpu(); avic_vcpu_load(vcpu, cpu); put_cpu().
    private async Task avic_vcpu_unblocking(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        if (Config.Has(Mutation.StaleCpuInUnblocking))
        {
            // Before 7cfc5c653b07: the pCPU is picked up with preemption enabled and may be stale by the load.
            int stale = await v.Cpu.Read();
            await sched.PreemptionPoint(v.Task, "in avic_vcpu_unblocking(), after READ_ONCE(vcpu->cpu)");
            await avic_vcpu_load(v, stale);
            return;
        }
        sched.preempt_disable(v.Task);
        await avic_vcpu_load(v, v.Task.Cpu);
        await sched.preempt_enable(v.Task, "in avic_vcpu_unblocking(), put_cpu()");
    }

    // avic.c avic_refresh_apicv_exec_ctrl() (B-REFRESH): "APICv should only be toggled on/off while the
    // vCPU is running"; then load (activate) or put (deactivate) the entry.
    private async Task avic_refresh_apicv_exec_ctrl(Vcpu v)
    {
        if (Config.Era == CodeEra.ShadowEntry)
            WARN_ON(v.IsBlocking, "WARN_ON_ONCE(kvm_vcpu_is_blocking(vcpu)) in avic_refresh_apicv_exec_ctrl");
        // avic_refresh_virtual_apic_mode(): VMCB AVIC_ENABLE bits, not modelled.
        if (v.ApicvActiveView) await __avic_vcpu_load(v, v.CpuView, AvicVcpuAction.ACTIVATE);
        else await __avic_vcpu_put(v, AvicVcpuAction.DEACTIVATE);
    }

    // avic.c avic_set_virtual_apic_mode() before e0bead97e759 (v6.0): avic_vcpu_put(); refresh the VMCB
    // mode; avic_vcpu_load(vcpu, vcpu->cpu) — with preemption enabled (MB14/B-6).
    private async Task avic_set_virtual_apic_mode(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        await __avic_vcpu_put(v, AvicVcpuAction.STOP_RUNNING);
        await sched.PreemptionPoint(v.Task, "in avic_set_virtual_apic_mode(), between avic_vcpu_put() and avic_vcpu_load()");
        await avic_vcpu_load(v, v.CpuView);
    }

    // ---- interrupt delivery (B-SWKICK) -------------------------------------------------------------------

    // avic.c avic_incomplete_ipi_interception(TARGET_NOT_RUNNING) → avic_kick_target_vcpus → avic_kick_vcpu:
    // "AVIC HW has already set the appropriate IRR bits" → svm_complete_interrupt_delivery.
    private async Task avic_incomplete_ipi_interception(Vcpu sender, Vcpu target)
    {
        metrics.IncompleteIpiExits++;
        if (rt.IsTracing) rt.Log($"avic_incomplete_ipi_interception({sender}): IRR of {target} already set; kick {target}");
        if (Config.Inhibitor) await target.IrrPending.Write(true);   // avic_kick_vcpu: apic->irr_pending = true
        await svm_complete_interrupt_delivery(sender, target);
    }

    // lapic.c kvm_apic_send_ipi (ICR write emulated: AVIC is off on the sender) → … → svm.c
    // svm_deliver_interrupt(): kvm_lapic_set_irr(); smp_mb__after_atomic(); svm_complete_interrupt_delivery().
    private async Task kvm_apic_send_ipi(Vcpu sender, Vcpu target)
    {
        if (Config.Has(Mutation.ApicvActiveReadFirst))
        {
            await svm_deliver_avic_intr(sender, target);
            return;
        }
        await kvm_lapic_set_irr(sender, target);
        await svm_complete_interrupt_delivery(sender, target);
    }

    // lapic.c kvm_lapic_set_irr(): set the vector (a locked bitop: full barrier), then irr_pending = true.
    private async Task kvm_lapic_set_irr(Vcpu sender, Vcpu target)
    {
        await atomic_fetch_or(target.Irr, 1 << sender.Id);
        IrqPostedTo(target);
        if (Config.Inhibitor) await target.IrrPending.Write(true);
    }

    // svm.c svm_deliver_avic_intr() before 66fa226c131f/30811174f0db (MB5/B-2): apicv_active is read
    // BEFORE setting IRR, and IsRunning/mode after it; a deactivation in between goes unnoticed.
    private async Task svm_deliver_avic_intr(Vcpu sender, Vcpu target)
    {
        if (!await target.ApicvActive.Read())
        {
            // return -1: __apic_accept_irq falls back to kvm_lapic_set_irr + KVM_REQ_EVENT + kick.
            await kvm_lapic_set_irr(sender, target);
            await kvm_make_request(Vcpu.KVM_REQ_EVENT, target);
            await kvm_vcpu_kick(target);
            return;
        }
        await kvm_lapic_set_irr(sender, target);
        if (await target.Mode.Read() == VcpuMode.IN_GUEST_MODE) await avic_ring_doorbell(sender, target);
        else await kvm_vcpu_wake_up(target);
    }

    // svm.c svm_complete_interrupt_delivery(): "apic->apicv_active must be read after vcpu->mode. Pairs
    // with smp_store_release in vcpu_enter_guest."
    private async Task svm_complete_interrupt_delivery(Vcpu sender, Vcpu target)
    {
        bool inGuestMode = await target.Mode.Read() == VcpuMode.IN_GUEST_MODE;   // smp_load_acquire(&vcpu->mode)
        // Without the inhibitor apicv_active never changes, so its read is not a scheduling point.
        bool apicvActive = Config.Inhibitor ? await target.ApicvActive.Read() : true;
        if (!apicvActive)
        {
            // "Process the interrupt via kvm_check_and_inject_events()."
            await kvm_make_request(Vcpu.KVM_REQ_EVENT, target);
            await kvm_vcpu_kick(target);
            return;
        }
        if (inGuestMode && !Config.Has(Mutation.NoSoftwareDoorbell))
            await avic_ring_doorbell(sender, target);   // "Signal the doorbell to tell hardware to inject the IRQ."
        else
            await kvm_vcpu_wake_up(target);   // "Wake the vCPU if it was blocking." (MB18: also for a target in guest mode)
    }

    // avic.c avic_ring_doorbell(): cpu = READ_ONCE(vcpu->cpu); if (cpu != get_cpu()) wrmsr(DOORBELL).
    // "the vCPU could get migrated ... signalling the wrong/previous pCPU ... the spurious one is harmless".
    private async Task avic_ring_doorbell(Vcpu sender, Vcpu target)
    {
        int cpu = await target.Cpu.Read();
        if (cpu != sender.Task.Cpu) RingDoorbell(cpu, target, DoorbellSource.Software, sender);
    }
}
