// The kernel code of the Protocol B bug variants (kvm-protocols.md §3 historical bugs B-n, §4 mutants
// MBn): each a subclass of the code it changes (AvicKvm_v5_18, AvicKvm_rfc, or the 2025 AvicKvm)
// overriding exactly the function or step that differs; the changed lines are marked with the
// variant's id. Combined bugs are subclass chains. DoorbellVariants.cs says which runs with what.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Kvm.Avic;
using static Avic.Coyote.Models.Kernel.Linux;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Models.Doorbell.Mutants;

#pragma warning disable CA1707 // kernel-era names

/// <summary>MB1: avic_vcpu_load ignores kvm_vcpu_is_blocking(): a blocked vCPU scheduled in gets IsRunning=1.</summary>
public class LoadIgnoresBlocking(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task avic_vcpu_load(Vcpu v, int cpu)
    {
        if (kvm_vcpu_is_blocking(v) && rt.IsTracing) rt.Log($"avic_vcpu_load({v}): kvm_vcpu_is_blocking() ignored (MB1)");
        return __avic_vcpu_load(v, cpu, AvicVcpuAction.START_RUNNING);   // MB1: no "if (kvm_vcpu_is_blocking(vcpu)) return"
    }
}

/// <summary>B-5b (18869f26df1a (b)): kvm_arch_vcpu_blocking() and prepare_to_rcuwait() with preemption enabled.</summary>
public class PreemptibleBlocking(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override async Task kvm_vcpu_block_start(Vcpu v)
    {
        await kvm_arch_vcpu_blocking(v);   // B-5b: no preempt_disable()
        await sched.PreemptionPoint(v.Task, "between kvm_arch_vcpu_blocking() and prepare_to_rcuwait()");
        await prepare_to_rcuwait(v);
    }
}

/// <summary>B-5a (18869f26df1a (a)): finish_rcuwait() and kvm_arch_vcpu_unblocking() with preemption enabled.</summary>
public class PreemptibleUnblocking(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override async Task kvm_vcpu_block_finish(Vcpu v)
    {
        await finish_rcuwait(v);   // B-5a: no preempt_disable()
        await sched.PreemptionPoint(v.Task, "between finish_rcuwait() and kvm_arch_vcpu_unblocking()");
        await kvm_arch_vcpu_unblocking(v);
    }
}

/// <summary>MB2: kvm_vcpu_block before 18869f26df1a: both halves preemptible (B-5a and B-5b).</summary>
public class PreemptibleBlockingAndUnblocking(ControlledRuntime runtime, DoorbellConfig config) : PreemptibleUnblocking(runtime, config)
{
    protected internal override async Task kvm_vcpu_block_start(Vcpu v)
    {
        await kvm_arch_vcpu_blocking(v);   // MB2: no preempt_disable()
        await sched.PreemptionPoint(v.Task, "between kvm_arch_vcpu_blocking() and prepare_to_rcuwait()");
        await prepare_to_rcuwait(v);
    }
}

/// <summary>MB3/B-4 (before 66c768d30e64): __kvm_vcpu_update_apicv without preempt_disable().</summary>
public class PreemptibleApicvUpdate(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override async Task kvm_vcpu_update_apicv(Vcpu v)
    {
        await apicv_update_lock.DownRead();   // B-4: no preempt_disable() after it
        bool activate = await apicv_inhibit_reasons.Read() == 0;
        if (v.ApicvActiveView != activate) await apicv_toggle(v, activate);
        await apicv_update_lock.UpRead();
    }
}

/// <summary>MB4/B-1 (before 7cfc5c653b07): avic_vcpu_unblocking loads with READ_ONCE(vcpu->cpu), read before a
/// preemptible point, on top of B-5a's preemptible unblocking.</summary>
public class StaleCpuInUnblocking(ControlledRuntime runtime, DoorbellConfig config) : PreemptibleUnblocking(runtime, config)
{
    protected internal override async Task avic_vcpu_unblocking(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        int stale = await v.cpu.Read();   // B-1: READ_ONCE(vcpu->cpu), not get_cpu()
        await sched.PreemptionPoint(v.Task, "in avic_vcpu_unblocking(), after READ_ONCE(vcpu->cpu)");
        await avic_vcpu_load(v, stale);
    }
}

/// <summary>MB5/B-2 (before 66fa226c131f/30811174f0db): the sender reads apicv_active BEFORE setting IRR, and
/// vcpu->mode after it (svm_deliver_avic_intr's order): a deactivation in between goes unnoticed.</summary>
public class ApicvActiveReadFirst(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task kvm_apic_send_ipi(Vcpu sender, Vcpu target) => svm_deliver_avic_intr(sender, target);

    // svm.c svm_deliver_avic_intr() (the old function).
    private async Task svm_deliver_avic_intr(Vcpu sender, Vcpu target)
    {
        if (!await target.apicv_active.Read())
        {
            // return -1: __apic_accept_irq falls back to kvm_lapic_set_irr + KVM_REQ_EVENT + kick.
            await kvm_lapic_set_irr(sender, target);
            await kvm_make_request(KvmRequest.KVM_REQ_EVENT, target);
            await kvm_vcpu_kick(target);
            return;
        }
        await kvm_lapic_set_irr(sender, target);
        if (await target.mode.Read() == VcpuMode.IN_GUEST_MODE) await avic_ring_doorbell(sender, target);
        else await kvm_vcpu_wake_up(target);
    }
}

/// <summary>MB9/B-3 (before 755c2bf87860): kvm_apic_update_apicv recomputes irr_pending from IRR on deactivation.</summary>
public class RecomputeIrrPending(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override async Task kvm_apic_update_apicv(Vcpu v)
    {
        if (v.ApicvActiveView)
        {
            await v.irr_pending.Write(true);
            return;
        }
        bool pending = await v.irr.Read() != 0;   // B-3: apic->irr_pending = (apic_search_irr(apic) != -1)
        await v.irr_pending.Write(pending);
    }
}

/// <summary>MB6: avic_vcpu_blocking does not clear IsRunning.</summary>
public class BlockingKeepsIsRunning(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task avic_vcpu_blocking(Vcpu v)
    {
        if (rt.IsTracing) rt.Log($"avic_vcpu_blocking({v}): IsRunning left set (MB6)");
        return Task.CompletedTask;   // MB6: no __avic_vcpu_put(vcpu, START_BLOCKING)
    }
}

/// <summary>MB12: MB6 in the RFC's non-strict mode.</summary>
public class BlockingKeepsIsRunning_rfc(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_rfc(runtime, config)
{
    protected internal override Task avic_vcpu_blocking(Vcpu v)
    {
        if (rt.IsTracing) rt.Log($"avic_vcpu_blocking({v}): IsRunning left set (MB12)");
        return Task.CompletedTask;   // MB12: no __avic_vcpu_put(vcpu, START_BLOCKING)
    }
}

/// <summary>MB8 (erratum #1235): the sender's AVIC reads IsRunning before its IRR write is visible.</summary>
public class HardwareIrrNotFenced(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override async Task avic_hw_set_irr(Vcpu target, int vector)
    {
        int irr = await target.irr.Read();
        await target.irr.Write(irr | vector);   // MB8: a plain store: buffered under TSO, the IsRunning read may pass it
    }
}

/// <summary>B-8: erratum #1235 on the 2025 code (with enable_ipiv=0 it is B-8's fix).</summary>
public class HardwareIrrNotFenced_2025(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm(runtime, config)
{
    protected internal override async Task avic_hw_set_irr(Vcpu target, int vector)
    {
        int irr = await target.irr.Read();
        await target.irr.Write(irr | vector);   // B-8: a plain store: buffered under TSO, the IsRunning read may pass it
    }
}

/// <summary>MB11: the non-strict RFC, but __avic_vcpu_load keeps WARN_ON(IsRunning).</summary>
public class NonStrictKeepsLoadWarn(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_rfc(runtime, config)
{
    protected internal override void avic_physical_id_entry_load(Vcpu v, int cpu)
    {
        EntryUpdateResult r = AvicEntryUpdate.Load(ref Table, v.vcpu_id, cpu, EntryWritePolicy.ElidedWrite);
        WARN_ON(r.OldIsRunning, "WARN_ON(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");   // MB11: kept
    }
}

/// <summary>MB13: strict mode, but svm_vcpu_put skips __avic_vcpu_put (the RFC applied unconditionally).</summary>
public class StrictSkipsPut(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task svm_vcpu_put(Vcpu v)
    {
        if (rt.IsTracing) rt.Log($"svm_vcpu_put({v}): __avic_vcpu_put skipped (the RFC applied in strict mode)");
        return Task.CompletedTask;   // MB13: no __avic_vcpu_put(vcpu)
    }
}

/// <summary>MB14/B-6 (before e0bead97e759): enabling x2APIC reloads the entry with preemption enabled.</summary>
public class SetVirtualApicModeReloads(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    // lapic.c __kvm_apic_set_base() → set_virtual_apic_mode → avic_set_virtual_apic_mode.
    protected internal override Task kvm_lapic_set_base_x2apic(Vcpu v) => avic_set_virtual_apic_mode(v);

    // avic.c avic_set_virtual_apic_mode() (the old function): avic_vcpu_put(); refresh the VMCB mode;
    // avic_vcpu_load(vcpu, vcpu->cpu) — with preemption enabled.
    private async Task avic_set_virtual_apic_mode(Vcpu v)
    {
        if (!v.ApicvActiveView) return;
        await __avic_vcpu_put(v, AvicVcpuAction.STOP_RUNNING);
        await sched.PreemptionPoint(v.Task, "in avic_set_virtual_apic_mode(), between avic_vcpu_put() and avic_vcpu_load()");
        await avic_vcpu_load(v, v.CpuView);
    }
}

/// <summary>MB15: the IRTE's GALogIntr is not set while blocking: an IOMMU-posted IRQ to a sleeping vCPU wakes nobody.</summary>
public class NoGaLogIntr(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm(runtime, config)
{
    protected internal override Task avic_update_iommu_vcpu_affinity(Vcpu v, int cpu, AvicVcpuAction action) =>
        base.avic_update_iommu_vcpu_affinity(v, cpu, action == AvicVcpuAction.START_BLOCKING ? AvicVcpuAction.STOP_RUNNING : action);   // MB15
}

/// <summary>MB17: enable_ipiv=0, but the table write does not mask IsRunning.</summary>
public class IpivOffWritesIsRunning(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm(runtime, config)
{
    protected internal override void avic_physical_id_entry_load(Vcpu v, int cpu)
    {
        EntryUpdateResult r = AvicEntryUpdate.LoadShadowed(ref Table, v.vcpu_id, ref v.avic_physical_id_entry, cpu,
            enableIpiv: true, EntryWritePolicy.AlwaysWrite);   // MB17: no "if (!enable_ipiv) entry &= ~IS_RUNNING"
        WARN_ON(r.OldIsRunning, "WARN_ON_ONCE(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");
    }
}

/// <summary>B-7 (2), before 4c08e737f056: load/put update the entry outside ir_list_lock (only the IRTE walk
/// takes it) and avic_pi_update_irte reads the entry before taking it.</summary>
public class LoadPutWithoutIrListLock(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm(runtime, config)
{
    protected internal override Task<bool> ir_list_lock(Vcpu v) => Task.FromResult(false);   // B-7 (2)

    protected internal override async Task avic_update_iommu_vcpu_affinity(Vcpu v, int cpu, AvicVcpuAction action)
    {
        if (Config.DeviceIrqs == 0) return;
        await v.ir_list_lock.Lock();   // B-7 (2): the lock covers the walk only
        await base.avic_update_iommu_vcpu_affinity(v, cpu, action);
        await v.ir_list_lock.Unlock();
    }

    protected internal override async Task avic_pi_update_irte(Irte irte, Vcpu v)
    {
        ulong e = v.avic_physical_id_entry;   // B-7 (2): read before the lock, racing with a concurrent load/put
        await v.ir_list_lock.Lock();
        await irte.Entry.Write(avic_irte_from_entry(e));
        v.ir_list.Add(irte);
        await v.ir_list_lock.Unlock();
        CheckCoherence(v);
    }
}

/// <summary>B-7: B-7 (2) and, before f3cebc75e742, avic_pi_update_irte programs the IRTE without the pCPU of a running vCPU.</summary>
public class IrteWithoutCpu(ControlledRuntime runtime, DoorbellConfig config) : LoadPutWithoutIrListLock(runtime, config)
{
    protected internal override IrteEntry avic_irte_from_entry(ulong e) => new(false, GaLogIntr(e), -1);   // B-7 (1)
}

/// <summary>MB18: svm_complete_interrupt_delivery never rings the software doorbell for a target in guest mode, it
/// only calls kvm_vcpu_wake_up: the IRQ waits in IRR for an unrelated exit.</summary>
public class NoSoftwareDoorbell(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task avic_ring_doorbell(Vcpu sender, Vcpu target) => kvm_vcpu_wake_up(target);   // MB18
}

/// <summary>MB18 on the 2025 code (enable_ipiv=0: every IPI exits).</summary>
public class NoSoftwareDoorbell_2025(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm(runtime, config)
{
    protected internal override Task avic_ring_doorbell(Vcpu sender, Vcpu target) => kvm_vcpu_wake_up(target);   // MB18
}

/// <summary>MB18 in the RFC's non-strict mode.</summary>
public class NoSoftwareDoorbell_rfc(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_rfc(runtime, config)
{
    protected internal override Task avic_ring_doorbell(Vcpu sender, Vcpu target) => kvm_vcpu_wake_up(target);   // MB18
}

/// <summary>MB20: kvm_sched_in skips kvm_arch_vcpu_load when the vCPU comes back to the pCPU it left (a "nothing
/// changed" shortcut): after a strict put it re-enters the guest with IsRunning=0.</summary>
public class SchedInSkipsLoad(ControlledRuntime runtime, DoorbellConfig config) : AvicKvm_v5_18(runtime, config)
{
    protected internal override Task kvm_sched_in(Vcpu v, int cpu)
    {
        if (cpu != v.CpuView) return base.kvm_sched_in(v, cpu);
        if (rt.IsTracing) rt.Log($"kvm_sched_in({v}, pCPU {cpu}): same pCPU as before, kvm_arch_vcpu_load skipped (MB20)");
        v.LoadedOn = cpu;   // ghost: the vCPU runs there again; only its vendor state was not reloaded
        Changed(v);
        return Task.CompletedTask;   // MB20
    }
}

/// <summary>MB20 without the software doorbell (MB18).</summary>
public class SchedInSkipsLoadNoSoftwareDoorbell(ControlledRuntime runtime, DoorbellConfig config) : SchedInSkipsLoad(runtime, config)
{
    protected internal override Task avic_ring_doorbell(Vcpu sender, Vcpu target) => kvm_vcpu_wake_up(target);   // MB18
}
#pragma warning restore CA1707
