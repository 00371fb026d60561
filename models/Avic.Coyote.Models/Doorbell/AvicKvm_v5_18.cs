// The v5.18-era SVM AVIC code (kvm-protocols.md §2.1 "Code eras", ≤ v6.14 and the RFC's base):
// svm->avic_physical_id_cache points into the table, so the hardware and KVM see the same entry
// (no shadow, no enable_ipiv); the seed's tree. Its avic_vcpu_put returns early when IsRunning is
// already 0 ("Nothing to do if IsRunning == '0' due to vCPU blocking"): AvicEntryUpdate's elided
// write. IOMMU-posted IRTEs are modelled for the 2025 code only. Then seed 002's RFC on top of it.
using Avic.Coyote.Runtime;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Models.Doorbell;

#pragma warning disable CA1707 // kernel-era names
/// <summary>The v5.18-era table: the functions that differ from the 2025 code (<see cref="AvicKvm"/>).</summary>
public class AvicKvm_v5_18 : AvicKvm
{
    protected internal AvicKvm_v5_18(ControlledRuntime rt, DoorbellConfig config) : base(rt, config) { }

    private protected override void ValidateFor(DoorbellConfig config)
    {
        ValidateEra(config);
        base.ValidateFor(config);
    }

    private protected static void ValidateEra(DoorbellConfig config)
    {
        if (config.DeviceIrqs > 0) throw new ArgumentException("IOMMU-posted IRTEs are modelled for the 2025 code (AvicKvm) only");
        if (!config.EnableIpiv) throw new ArgumentException("enable_ipiv is a parameter of the 2025 code (AvicKvm)");
    }

    // svm.c svm_vcpu_put(): if (kvm_vcpu_apicv_active(vcpu)) __avic_vcpu_put(vcpu); (__nested_avic_put: not modelled)
    protected internal override Task svm_vcpu_put(Vcpu v)
    {
        if (v.ApicvActiveView) return __avic_vcpu_put(v, AvicVcpuAction.STOP_RUNNING);
        return Task.CompletedTask;
    }

    // avic.c __avic_vcpu_load(): entry = READ_ONCE(*(svm->avic_physical_id_cache)); WARN_ON(entry & IS_RUNNING);
    // entry := (entry & ~HOST_ID) | cpu | IS_RUNNING; WRITE_ONCE(*(svm->avic_physical_id_cache), entry).
    protected internal override void avic_physical_id_entry_load(Vcpu v, int cpu)
    {
        EntryUpdateResult r = AvicEntryUpdate.Load(ref Table, v.vcpu_id, cpu, EntryWritePolicy.AlwaysWrite);
        WARN_ON(r.OldIsRunning, "WARN_ON(entry & AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK) in __avic_vcpu_load");
    }

    // avic.c __avic_vcpu_put(): entry &= ~IS_RUNNING; WRITE_ONCE(...) (elided when IsRunning is already 0).
    protected internal override void avic_physical_id_entry_put(Vcpu v, AvicVcpuAction action) =>
        AvicEntryUpdate.Put(ref Table, v.vcpu_id, EntryWritePolicy.ElidedWrite);

    // avic.c avic_refresh_apicv_exec_ctrl(): no WARN on a blocking vCPU yet.
    protected internal override async Task avic_refresh_apicv_exec_ctrl(Vcpu v)
    {
        if (v.ApicvActiveView) await __avic_vcpu_load(v, v.CpuView, AvicVcpuAction.ACTIVATE);
        else await __avic_vcpu_put(v, AvicVcpuAction.DEACTIVATE);
    }

    // INV-B2 is about the 2025 shadow entry; this era has none.
    private protected override void CheckCoherence(Vcpu v) { }
}

/// <summary>Seed 002, the RFC "KVM: SVM: allow avic_doorbell_strict=0": IsRunning stays set while the vCPU is
/// scheduled out or in userspace; only blocking clears it.</summary>
public class AvicKvm_rfc : AvicKvm_v5_18
{
    protected internal AvicKvm_rfc(ControlledRuntime rt, DoorbellConfig config) : base(rt, config) { }

    private protected override void ValidateFor(DoorbellConfig config) => ValidateEra(config);

    // svm.c svm_vcpu_put(): "Forbid this vCPU's peers to send doorbell messages. Unless non strict doorbell
    // mode is used." Non-strict skips __avic_vcpu_put: IsRunning stays 1 with the last host id.
    protected internal override async Task svm_vcpu_put(Vcpu v)
    {
        if (Config.Strict)   // avic_doorbell_strict
        {
            if (v.ApicvActiveView) await __avic_vcpu_put(v, AvicVcpuAction.STOP_RUNNING);
        }
    }

    // avic.c __avic_vcpu_load(): old_entry/new_entry; no WARN_ON(IsRunning) (a scheduled-out vCPU keeps it);
    // "if (old_entry != new_entry) WRITE_ONCE(*(svm->avic_physical_id_cache), new_entry)".
    protected internal override void avic_physical_id_entry_load(Vcpu v, int cpu) =>
        AvicEntryUpdate.Load(ref Table, v.vcpu_id, cpu, EntryWritePolicy.ElidedWrite);
}
#pragma warning restore CA1707
