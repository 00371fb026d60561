// The variants of the Protocol A kernel (kvm-protocols.md §3, §4): each is a subclass of Kvm (the
// merged code) that overrides exactly the kernel function or step it changes; the changed lines are
// marked with the variant's name. Older kernel eras override with the era's code. MemslotVariants.cs
// runs them: Kvm.Run<MA1>(rt, config).
using System.Runtime.CompilerServices;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

#pragma warning disable CA1707, IDE1006 // kernel function names

/// <summary>Seed 000 v4: kvm_vcpu_update_apicv tests the APICV_INHIBIT_REASON_X2APIC bit via check_apicv_inhibit_reasons.</summary>
public sealed class V4InhibitBit(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_vcpu_update_apicv(Vcpu vcpu)
    {
        // V4: static_call(kvm_x86_check_apicv_inhibit_reasons)(APICV_INHIBIT_REASON_X2APIC), which SVM's
        // avic_check_apicv_inhibit_reasons() supports with or without x2AVIC, and VMX does not.
        if (vcpu.X2apicMode && Config.Hardware != Hardware.IntelApicv) await kvm_inhibit_apic_access_page(vcpu);
        await __kvm_vcpu_update_apicv(vcpu);
        if (vcpu.X2apicMode) vcpu.X2apicUpdateHandled = true;
    }
}

/// <summary>MA1: enabled=false written before the memslot is deleted.</summary>
public sealed class MA1(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task apic_access_memslot_delete(Vcpu vcpu)
    {
        apic_access_memslot_deletion_entered(vcpu);
        await WRITE_ONCE(apic_access_memslot_enabled, false);              // MA1: cleared before the deletion
        await __x86_set_memory_region(create: false);
        await WRITE_ONCE(apic_access_memslot_inhibited, true);
    }
}

/// <summary>MA2: 'inhibited' never set.</summary>
public sealed class MA2(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task apic_access_memslot_delete(Vcpu vcpu)
    {
        apic_access_memslot_deletion_entered(vcpu);
        await __x86_set_memory_region(create: false);
        await WRITE_ONCE(apic_access_memslot_enabled, false);
        // MA2: no "kvm->arch.apic_access_memslot_inhibited = true;"
    }
}

/// <summary>MA3: SRCU kept across mutex_lock(slots_lock).</summary>
public sealed class MA3(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_inhibit_apic_access_page(Vcpu vcpu)
    {
        if (!await apic_access_memslot_enabled_unlocked(vcpu)) return;
        // MA3: no kvm_vcpu_srcu_read_unlock(vcpu) here ...
        await mutex_lock(slots_lock);
        if (await apic_access_memslot_enabled_locked(vcpu)) await apic_access_memslot_delete(vcpu);
        await mutex_unlock(slots_lock);
        // MA3: ... and no kvm_vcpu_srcu_read_lock(vcpu) here.
    }
}

/// <summary>MA4: no recheck of enabled under slots_lock.</summary>
public sealed class MA4(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override Task<bool> apic_access_memslot_enabled_locked(Vcpu vcpu) => Task.FromResult(true);   // MA4
}

/// <summary>MA5: kvm_alloc_apic_access_page checks only enabled.</summary>
public sealed class MA5(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task<bool> apic_access_memslot_enabled_or_inhibited() =>
        await READ_ONCE(apic_access_memslot_enabled);                        // MA5: "|| apic_access_memslot_inhibited" forgotten
}

/// <summary>MA7: nested_svm_vmexit calls kvm_vcpu_update_apicv (memslot-aware) without SRCU held.</summary>
public sealed class MA7(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task nested_svm_vmexit(Vcpu vcpu)
    {
        if (await kvm_apicv_activated()) await kvm_vcpu_update_apicv(vcpu);   // MA7: not __kvm_vcpu_update_apicv
    }
}

/// <summary>MA8: the memslot is deleted inside the APIC_BASE write, SRCU held.</summary>
public sealed class MA8(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task __kvm_apic_set_base(Vcpu vcpu, bool x2apic)
    {
        if (vcpu.X2apicMode != x2apic)
        {
            // MA8: delete the memslot right here, SRCU still held by the exit handler.
            await mutex_lock(slots_lock);
            if (await READ_ONCE(apic_access_memslot_enabled)) await apic_access_memslot_delete(vcpu);
            await mutex_unlock(slots_lock);
        }
        await base.__kvm_apic_set_base(vcpu, x2apic);
    }
}

/// <summary>MA9: A-DELETE publishes ABSENT without the INVALID phase and zaps before synchronize_srcu.</summary>
public sealed class MA9(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override Task kvm_invalidate_memslot(SharedVar<SlotState> slot, bool zapsApicSpte) => Task.CompletedTask;   // MA9: no INVALID phase

    protected internal override async Task kvm_delete_memslot(SharedVar<SlotState> slot, bool zapsApicSpte)
    {
        await WRITE_ONCE(slot, SlotState.ABSENT);
        await mutex_unlock(slots_arch_lock);
        if (zapsApicSpte) await kvm_arch_flush_shadow_memslot();             // MA9: the zap before the grace period
        await synchronize_srcu(srcu);
    }
}

/// <summary>MA11: vcpu_enter_guest skips the request re-check after IN_GUEST_MODE (A-RUN.5).</summary>
public sealed class MA11(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override ValueTask<bool> kvm_vcpu_exit_request(Vcpu vcpu) => new(false);   // MA11
}

/// <summary>MA12: the inhibitor writes apicv_inhibit_reasons before kvm_make_all_cpus_request.</summary>
public sealed class MA12(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task __kvm_set_or_clear_apicv_inhibit(int reason, bool set)
    {
        int old = await READ_ONCE(apicv_inhibit_reasons);
        int reasons = set ? old | reason : old & ~reason;
        Log($"__kvm_set_or_clear_apicv_inhibit: apicv_inhibit_reasons 0x{old:x} -> 0x{reasons:x}");
        if ((old == 0) == (reasons == 0))
        {
            await WRITE_ONCE(apicv_inhibit_reasons, reasons);
            return;
        }
        await WRITE_ONCE(apicv_inhibit_reasons, reasons);                   // MA12: published before the kick
        await kvm_make_all_cpus_request(KvmRequest.KVM_REQ_APICV_UPDATE);
        if (reasons != 0) await kvm_zap_apic_access_gfn();
    }
}

/// <summary>MA14: kvm_swap_active_memslots releases slots_arch_lock after the deletion's first synchronize_srcu instead of before.</summary>
public sealed class MA14(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_invalidate_memslot(SharedVar<SlotState> slot, bool zapsApicSpte)
    {
        await WRITE_ONCE(slot, SlotState.INVALID);
        await synchronize_srcu(srcu);
        await mutex_unlock(slots_arch_lock);                                // MA14: after the grace period
        if (zapsApicSpte) await kvm_arch_flush_shadow_memslot();
        await mutex_lock(slots_arch_lock);
    }
}

/// <summary>MA15: A-DELETE keeps the INVALID phase but drops its first grace period (A-DELETE.5): the zap races with faults that saw VALID.</summary>
public sealed class MA15(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_invalidate_memslot(SharedVar<SlotState> slot, bool zapsApicSpte)
    {
        await WRITE_ONCE(slot, SlotState.INVALID);
        await mutex_unlock(slots_arch_lock);
        // MA15: no synchronize_srcu(&kvm->srcu) here.
        if (zapsApicSpte) await kvm_arch_flush_shadow_memslot();
        await mutex_lock(slots_arch_lock);
    }
}

/// <summary>What-if (not a kernel): the fault path checks kvm_apicv_activated() BEFORE snapshotting mmu_invalidate_seq.
/// Released kernels snapshot first (direct_page_fault before 2024, kvm_mmu_faultin_pfn's first statement after);
/// an intermediate patch of the 2024 faultin series had this order as posted [UNCERTAIN].</summary>
public sealed class FaultSeqLate(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal override async ValueTask<int?> kvm_mmu_faultin_pfn(Vcpu vcpu)
    {
        if (!await __kvm_mmu_faultin_pfn(vcpu)) return null;
        return await READ_ONCE(mmu_invalidate_seq);                         // FaultSeqLate: the snapshot after the checks
    }
}

// ---- historical kernels (§3) -----------------------------------------------------------------------------

/// <summary>§3 A-2 (before 36222b117e36): the inhibit path toggles the memslot (synchronize_srcu) from a vCPU with SRCU held.</summary>
public sealed class A2(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    /// <summary>A2: pre_update_apicv_exec_ctrl -> avic_update_access_page(kvm, false) instead of the zap.</summary>
    protected internal override async Task kvm_zap_apic_access_gfn()
    {
        await mutex_lock(slots_lock);
        if (await READ_ONCE(apic_access_memslot_enabled))
        {
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(rt.CurrentOperation.Name));
            await __x86_set_memory_region(create: false);
            await WRITE_ONCE(apic_access_memslot_enabled, false);
        }
        await mutex_unlock(slots_lock);
    }
}

/// <summary>§3 A-3 (before b0a1637f64b0): the VM-wide flip does not wait for vCPUs in guest mode (no KVM_REQUEST_WAIT ack).</summary>
public sealed class A3(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override Task kvm_make_all_cpus_request(KvmRequest req) =>
        Linux.kvm_make_all_cpus_request(vcpus.ToArray(), req, wait: req == KvmRequest.KVM_REQ_APICV_UPDATE ? false : null);   // A3
}

/// <summary>§3 A-5(i): the v2-era shape, each vCPU's update toggles the memslot off under slots_lock
/// with no shared flag to tell it another vCPU already did ("toggling the memslot twice").</summary>
public sealed class A5i(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_inhibit_apic_access_page(Vcpu vcpu)
    {
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_lock(slots_lock);
        await apic_access_memslot_delete(vcpu);                             // A5i: no test of "enabled" at all
        await mutex_unlock(slots_lock);
        await kvm_vcpu_srcu_read_lock(vcpu);
    }
}

/// <summary>§3 A-5(ii) (before 1459f5c6b8b8): kvm_lapic_set_base calls kvm_vcpu_update_apicv directly (8fc9c7a3079e), from a host ioctl without SRCU.</summary>
public sealed class A5ii(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task __kvm_apic_set_base(Vcpu vcpu, bool x2apic)
    {
        bool changed = vcpu.X2apicMode != x2apic;
        vcpu.X2apicMode = x2apic;
        Log($"__kvm_apic_set_base: {vcpu.Name} apic_base |= X2APIC_ENABLE");
        if (changed) await kvm_vcpu_update_apicv(vcpu);                     // A5ii: the update itself, not a request
    }
}

// ---- the two H-A1 fixes (docs/findings/memslot-h-a1-late-allocation.md, not upstream) ------------------------

/// <summary>H-A1 fix (b): kvm_inhibit_apic_access_page() replaced — a false "enabled" is trusted only together with
/// "inhibited"; otherwise take slots_lock and set "inhibited" even if the memslot was never allocated, so a later
/// vCPU creation cannot allocate it. Costs a slots_lock round trip (and an SRCU drop) per x2APIC vCPU until the flag is set.</summary>
public sealed class HA1Fix(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override async Task kvm_inhibit_apic_access_page(Vcpu vcpu)
    {
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        if (!enabled && await READ_ONCE(apic_access_memslot_inhibited))
        {
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.EnabledReadFalse(vcpu));
            return;
        }
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_lock(slots_lock);
        if (await READ_ONCE(apic_access_memslot_enabled))
        {
            apic_access_memslot_deletion_entered(vcpu);
            await __x86_set_memory_region(create: false);
            await WRITE_ONCE(apic_access_memslot_enabled, false);
        }
        await WRITE_ONCE(apic_access_memslot_inhibited, true);            // HA1Fix: whether or not it was ever allocated
        await mutex_unlock(slots_lock);
        await kvm_vcpu_srcu_read_lock(vcpu);
    }
}

/// <summary>H-A1 fix (a), the preferred one: avic_init_backing_page() allocates the memslot at every vCPU creation
/// (avic_init_vcpu already requires enable_apicv and the in-kernel irqchip), as vmx_vcpu_create() does, instead of only
/// while kvm_apicv_activated(). A memslot that exists while APICv is inhibited is harmless: the fault path emulates
/// (kvm_mmu_faultin_pfn: "If the APIC access page exists but is disabled, go directly to emulation").</summary>
public sealed class HA1FixAlloc(ControlledRuntime rt, MemslotConfig config) : Kvm(rt, config)
{
    protected internal override Task avic_init_backing_page(Vcpu vcpu) => kvm_alloc_apic_access_page();   // HA1FixAlloc: unconditionally
}
#pragma warning restore CA1707, IDE1006
