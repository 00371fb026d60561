// SVM AVIC code of Protocol B: arch/x86/kvm/svm/avic.c and svm.c (kvm-protocols.md §2.2 B-LOAD,
// B-PUT, B-BLOCK.2/.8, B-REFRESH, B-SWKICK), as in 2025 kvm-x86: KVM's shadow of the entry
// (svm->avic_physical_id_entry) is written to the table under ir_list_lock; enable_ipiv=0 never
// writes IsRunning=1 to the table; GA_LOG_INTR only while blocking. The v5.18-era table and seed
// 002's non-strict RFC override the entry update and svm_vcpu_put (AvicKvm_v5_18.cs).
// A function whose only await would be its last statement returns its callee's task instead (the C's
// tail call): no async frame of its own on every load and put.
using Avic.Coyote.Models.Kernel;
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

public partial class AvicKvm
{
    // svm.c svm_vcpu_load(): if (kvm_vcpu_apicv_active(vcpu)) avic_vcpu_load(vcpu, cpu).
    protected internal virtual Task svm_vcpu_load(Vcpu v, int cpu)
    {
        if (v.ApicvActiveView) return avic_vcpu_load(v, cpu);
        return Task.CompletedTask;
    }

    // svm.c svm_vcpu_put(): if (kvm_vcpu_apicv_active(vcpu)) avic_vcpu_put(vcpu).
    protected internal virtual Task svm_vcpu_put(Vcpu v)
    {
        if (v.ApicvActiveView) return avic_vcpu_put(v);
        return Task.CompletedTask;
    }

    // avic.c avic_vcpu_load(): "No need to update anything if the vCPU is blocking, i.e. if the vCPU
    // is being scheduled in after being preempted ... If the vCPU was migrated, its new CPU value will
    // be stuffed when the vCPU unblocks." (In the seed's tree this check opens __avic_vcpu_load.)
    protected internal virtual Task avic_vcpu_load(Vcpu v, int cpu)
    {
        if (kvm_vcpu_is_blocking(v)) return Task.CompletedTask;
        if (v.InBlockingRegion && rt.IsTracing)
            rt.Log($"avic_vcpu_load({v}): kvm_vcpu_is_blocking() is false (prepare_to_rcuwait has not run yet), so IsRunning=1 although {v} is halting");
        return __avic_vcpu_load(v, cpu, AvicVcpuAction.START_RUNNING);
    }

    // avic.c __avic_vcpu_load() (B-LOAD.3): "Grab the per-vCPU interrupt remapping lock even if the VM
    // doesn't _currently_ have assigned devices"; the entry update (one scheduling point on the entry,
    // then the shared fast path: see ControlledPhysicalIdTable for why one point suffices); the IRTEs.
    protected internal virtual async Task __avic_vcpu_load(Vcpu v, int cpu, AvicVcpuAction action)
    {
        bool locked = await ir_list_lock(v);   // raw_spin_lock_irqsave(&svm->ir_list_lock, flags)
        await rt.Point(Table.Entry(v.vcpu_id), AccessKind.ReadWrite);
        if (rt.IsTracing) rt.Log($"__avic_vcpu_load: table[{v.vcpu_id}] ({action}, pCPU {cpu})");
        avic_physical_id_entry_load(v, cpu);
        v.PreviousLoadCpu = v.LastLoadCpu;
        v.LastLoadCpu = cpu;
        Changed(v);
        await avic_update_iommu_vcpu_affinity(v, cpu, action);
        await ir_list_unlock(v, locked);
    }

    // The entry update of __avic_vcpu_load: entry = svm->avic_physical_id_entry; WARN_ON_ONCE(IsRunning);
    // entry := (entry & ~(HOST_ID | GA_LOG_INTR)) | cpu | IS_RUNNING; svm->avic_physical_id_entry = entry;
    // "If IPI virtualization is disabled, clear IsRunning when updating the actual Physical ID table";
    // WRITE_ONCE(table[vcpu_id], entry).
    protected internal virtual void avic_physical_id_entry_load(Vcpu v, int cpu)
    {
        EntryUpdateResult r = AvicEntryUpdate.LoadShadowed(ref Table, v.vcpu_id, ref v.avic_physical_id_entry, cpu,
            Config.EnableIpiv, EntryWritePolicy.AlwaysWrite);
        WARN_ON(r.OldIsRunning, "WARN_ON_ONCE(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");
    }

    // avic.c avic_vcpu_put() (B-PUT.2-3): the shadow says whether the vCPU is running or was
    // preempted while blocking (then IsRunning is already 0 and GA_LOG_INTR set).
    protected internal virtual Task avic_vcpu_put(Vcpu v)
    {
        ulong e = v.avic_physical_id_entry;
        if (!IsRunning(e))
        {
            if (WARN_ON(!kvm_vcpu_is_blocking(v), "WARN_ON_ONCE(!kvm_vcpu_is_blocking(vcpu)) in avic_vcpu_put")) return Task.CompletedTask;
            if (GaLogIntr(e)) return Task.CompletedTask;
            WARN_ON(true, "WARN_ON_ONCE(!(entry & AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR)) in avic_vcpu_put");
        }
        return __avic_vcpu_put(v, kvm_vcpu_is_blocking(v) ? AvicVcpuAction.START_BLOCKING : AvicVcpuAction.STOP_RUNNING);
    }

    // avic.c __avic_vcpu_put() (B-PUT.4): under ir_list_lock, the IRTEs first (IsRun=0; GALogIntr only
    // when blocking, so the IOMMU's GA log wakes the vCPU), then the entry.
    protected internal virtual async Task __avic_vcpu_put(Vcpu v, AvicVcpuAction action)
    {
        bool locked = await ir_list_lock(v);
        await avic_update_iommu_vcpu_affinity(v, -1, action);
        await rt.Point(Table.Entry(v.vcpu_id), AccessKind.ReadWrite);
        if (rt.IsTracing) rt.Log($"__avic_vcpu_put: table[{v.vcpu_id}] ({action})");
        avic_physical_id_entry_put(v, action);
        Changed(v);
        await ir_list_unlock(v, locked);
    }

    // The entry update of __avic_vcpu_put: WARN_ON_ONCE(GA_LOG_INTR); clear IsRunning, keep the host id
    // ("so that a rogue doorbell from hardware is at least restricted to a CPU associated with the
    // vCPU"); the table only when enable_ipiv; the shadow gets GA_LOG_INTR when START_BLOCKING.
    protected internal virtual void avic_physical_id_entry_put(Vcpu v, AvicVcpuAction action)
    {
        EntryUpdateResult r = AvicEntryUpdate.PutShadowed(ref Table, v.vcpu_id, ref v.avic_physical_id_entry,
            startBlocking: action == AvicVcpuAction.START_BLOCKING, Config.EnableIpiv, EntryWritePolicy.AlwaysWrite);
        WARN_ON(r.OldGaLogIntr, "WARN_ON_ONCE(entry & AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR) in __avic_vcpu_put");
    }

    // avic.c avic_vcpu_blocking() (B-BLOCK.2): "Unload the AVIC when the vCPU is about to block, _before_
    // the vCPU actually blocks. Any IRQs that arrive before IsRunning=0 will not cause an incomplete IPI
    // vmexit on the source, therefore vIRR will also be checked by kvm_vcpu_check_block() before blocking."
    protected internal virtual Task avic_vcpu_blocking(Vcpu v)
    {
        if (!v.ApicvActiveView) return Task.CompletedTask;
        return __avic_vcpu_put(v, AvicVcpuAction.START_BLOCKING);
    }

    // avic.c avic_vcpu_unblocking() (B-BLOCK.8): cpu = get_cpu(); avic_vcpu_load(vcpu, cpu); put_cpu().
    protected internal virtual async Task avic_vcpu_unblocking(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        sched.preempt_disable(v.Task);
        await avic_vcpu_load(v, v.Task.Cpu);
        await sched.preempt_enable(v.Task, "in avic_vcpu_unblocking(), put_cpu()");
    }

    // avic.c avic_refresh_apicv_exec_ctrl() (B-REFRESH): "APICv should only be toggled on/off while the
    // vCPU is running"; then load (activate) or put (deactivate) the entry.
    protected internal virtual async Task avic_refresh_apicv_exec_ctrl(Vcpu v)
    {
        WARN_ON(kvm_vcpu_is_blocking(v), "WARN_ON_ONCE(kvm_vcpu_is_blocking(vcpu)) in avic_refresh_apicv_exec_ctrl");
        // avic_refresh_virtual_apic_mode(): VMCB AVIC_ENABLE bits, not modelled.
        if (v.ApicvActiveView) await __avic_vcpu_load(v, v.CpuView, AvicVcpuAction.ACTIVATE);
        else await __avic_vcpu_put(v, AvicVcpuAction.DEACTIVATE);
    }

    // kvm_host.h kvm_vcpu_is_blocking(): rcuwait_active(&vcpu->wait), read by the vCPU's own thread.
    private protected static bool kvm_vcpu_is_blocking(Vcpu v) => v.IsBlocking;

    // ---- interrupt delivery (B-SWKICK) -------------------------------------------------------------------

    // avic.c avic_incomplete_ipi_interception(TARGET_NOT_RUNNING) → avic_kick_target_vcpus → avic_kick_vcpu:
    // "AVIC HW has already set the appropriate IRR bits" → svm_complete_interrupt_delivery.
    protected internal virtual async Task avic_incomplete_ipi_interception(Vcpu sender, Vcpu target)
    {
        metrics.IncompleteIpiExits++;
        if (rt.IsTracing) rt.Log($"avic_incomplete_ipi_interception({sender}): IRR of {target} already set; kick {target}");
        if (Config.Inhibitor) await target.irr_pending.Write(true);   // avic_kick_vcpu: apic->irr_pending = true
        await svm_complete_interrupt_delivery(sender, target);
    }

    // lapic.c kvm_apic_send_ipi (ICR write emulated: AVIC is off on the sender) → … → svm.c
    // svm_deliver_interrupt(): kvm_lapic_set_irr(); smp_mb__after_atomic(); svm_complete_interrupt_delivery().
    protected internal virtual async Task kvm_apic_send_ipi(Vcpu sender, Vcpu target)
    {
        await kvm_lapic_set_irr(sender, target);
        await svm_complete_interrupt_delivery(sender, target);
    }

    // lapic.c kvm_lapic_set_irr(): set the vector (a locked bitop: full barrier), then irr_pending = true.
    protected internal virtual async Task kvm_lapic_set_irr(Vcpu sender, Vcpu target)
    {
        await atomic_fetch_or(target.irr, 1 << sender.vcpu_id);
        IrqPostedTo(target);
        if (Config.Inhibitor) await target.irr_pending.Write(true);
    }

    // svm.c svm_complete_interrupt_delivery(): "apic->apicv_active must be read after vcpu->mode. Pairs
    // with smp_store_release in vcpu_enter_guest."
    protected internal virtual async Task svm_complete_interrupt_delivery(Vcpu sender, Vcpu target)
    {
        bool inGuestMode = await target.mode.Read() == VcpuMode.IN_GUEST_MODE;   // smp_load_acquire(&vcpu->mode)
        // Without the inhibitor apicv_active never changes, so its read is not a scheduling point.
        bool apicvActive = Config.Inhibitor ? await target.apicv_active.Read() : true;
        if (!apicvActive)
        {
            // "Process the interrupt via kvm_check_and_inject_events()."
            await Linux.kvm_make_request(KvmRequest.KVM_REQ_EVENT, target);
            await kvm_vcpu_kick(target);
            return;
        }
        if (inGuestMode)
            await avic_ring_doorbell(sender, target);   // "Signal the doorbell to tell hardware to inject the IRQ."
        else
            await kvm_vcpu_wake_up(target);   // "Wake the vCPU if it was blocking."
    }

    // avic.c avic_ring_doorbell(): cpu = READ_ONCE(vcpu->cpu); if (cpu != get_cpu()) wrmsr(DOORBELL).
    // "the vCPU could get migrated ... signalling the wrong/previous pCPU ... the spurious one is harmless".
    protected internal virtual async Task avic_ring_doorbell(Vcpu sender, Vcpu target)
    {
        int cpu = await target.cpu.Read();
        if (cpu != sender.Task.Cpu) RingDoorbell(cpu, target, DoorbellSource.Software, sender);
    }
}
