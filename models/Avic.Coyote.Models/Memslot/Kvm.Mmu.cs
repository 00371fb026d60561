// arch/x86/kvm/mmu/mmu.c: the nested page fault path that installs the SPTE for gfn 0xFEE00 (under
// SRCU), and the two zaps: kvm_zap_gfn_range (bumps mmu_invalidate_seq, so an in-flight fault
// retries) and kvm_arch_flush_shadow_memslot (does not; memslot deletion relies on SRCU instead).
// kvm-protocols.md §1.3 A-RUN.8 and A-DELETE.6. Also the root load at guest entry, whose first
// shadow root takes kvm->slots_arch_lock inside the vCPU's SRCU read side (the reader that makes
// lockdep derive "slots_arch_lock is taken inside kvm->srcu" instead of declaring it). Checked in
// v6.12: x86.c vcpu_enter_guest -> mmu.h kvm_mmu_reload -> mmu.c kvm_mmu_load -> mmu_alloc_shadow_roots
// (root_role.direct false: svm/nested.c nested_svm_init_mmu_context -> kvm_init_shadow_npt_mmu).
using System.Runtime.CompilerServices;
using Avic.Coyote.Models.Kernel;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    /// <summary>kvm_mmu_page_fault() for gfn 0xFEE00 (vCPU thread, SRCU held; the vCPU is not in SMM: address space 0):
    /// kvm_mmu_faultin_pfn(), then install the SPTE under mmu_lock unless the sequence moved (is_page_fault_stale).
    /// Returns 1, as the C does for a retried, emulated or fixed fault: npf_interception() returns it, the guest resumes.
    /// The fault path's functions run on every nested page fault: they return pooled ValueTasks.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> kvm_mmu_page_fault(Vcpu vcpu)
    {
        srcu_dereference_check(srcu, slots_lock, "kvm->memslots (kvm_vcpu_gfn_to_memslot)");
        if (await kvm_mmu_faultin_pfn(vcpu) is not { } mmuSeq) return 1;
        await mutex_lock(mmu_lock);
        if (await READ_ONCE(mmu_invalidate_seq) != mmuSeq) Log("kvm_mmu_page_fault: mmu_invalidate_retry: RET_PF_RETRY");
        else await WRITE_ONCE(apic_access_spte, true);
        await mutex_unlock(mmu_lock);
        return 1;
    }

    /// <summary>kvm_mmu_faultin_pfn() (current mmu.c): "fault->mmu_seq = vcpu->kvm->mmu_invalidate_seq; smp_rmb();" first,
    /// then __kvm_mmu_faultin_pfn(). Returns the snapshot, or null when the fault does not install an SPTE.
    /// [the seq-first order is from memory of recent kernels]</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int?> kvm_mmu_faultin_pfn(Vcpu vcpu)
    {
        int mmuSeq = await READ_ONCE(mmu_invalidate_seq);
        return await __kvm_mmu_faultin_pfn(vcpu) ? mmuSeq : null;
    }

    /// <summary>__kvm_mmu_faultin_pfn()'s checks on the APIC slot: KVM_MEMSLOT_INVALID -> RET_PF_RETRY, no slot -> MMIO
    /// emulation, the APIC slot with APICv inhibited -> RET_PF_EMULATE. True when the fault goes on to map the page.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<bool> __kvm_mmu_faultin_pfn(Vcpu vcpu)
    {
        SlotState slot = await READ_ONCE(apic_access_slot[0]);
        if (slot == SlotState.INVALID) { Log("kvm_mmu_page_fault: slot INVALID: RET_PF_RETRY"); return false; }
        if (slot == SlotState.ABSENT) { Log("kvm_mmu_page_fault: no slot: MMIO emulation"); return false; }
        // "If the APIC access page exists but is disabled, go directly to emulation".
        if (!await kvm_apicv_activated()) { Log("kvm_mmu_page_fault: APICv inhibited: RET_PF_EMULATE"); return false; }
        return true;
    }

    /// <summary>kvm_zap_gfn_range(kvm, APIC gfn, +1): caller must hold SRCU or slots_lock (§3 A-4). The remote TLB flush
    /// happens only when a present SPTE was zapped: "flush = kvm_tdp_mmu_zap_leafs(...); if (flush)
    /// kvm_flush_remote_tlbs_range(...)" (arch/x86/kvm/mmu/mmu.c; the flush is issued under mmu_lock before
    /// kvm_mmu_invalidate_end() there, after the unlock here).</summary>
    protected internal virtual async Task kvm_zap_gfn_range()
    {
        srcu_dereference_check(srcu, slots_lock, "kvm->memslots (kvm_zap_gfn_range)");
        await mutex_lock(mmu_lock);                      // write_lock(&kvm->mmu_lock); kvm_mmu_invalidate_begin()
        // tdp_mmu_zap_leafs(): skips a non-present SPTE, zaps a present one and returns flush = true (one step:
        // mmu_lock excludes the fault path, the only other writer).
        bool flush = await xchg(apic_access_spte, false);
        // kvm_mmu_invalidate_end(): the sequence moves when the invalidation ends, still under mmu_lock, so a
        // fault that snapshotted it before or during the zap retries (mmu_invalidate_in_progress is not modelled
        // separately: nothing reads the sequence under mmu_lock while the zap holds it).
        int seq = await READ_ONCE(mmu_invalidate_seq);
        await WRITE_ONCE(mmu_invalidate_seq, seq + 1);
        await mutex_unlock(mmu_lock);
        if (flush) await kvm_flush_remote_tlbs();
    }

    /// <summary>kvm_arch_flush_shadow_memslot(): zap the slot's SPTEs (+ remote TLB flush); no mmu_invalidate_seq bump.</summary>
    protected internal virtual async Task kvm_arch_flush_shadow_memslot()
    {
        await mutex_lock(mmu_lock);
        await WRITE_ONCE(apic_access_spte, false);
        await mutex_unlock(mmu_lock);
        await kvm_flush_remote_tlbs();
    }

    /// <summary>kvm_flush_remote_tlbs(): KVM_REQ_TLB_FLUSH to every vCPU, kicking (and, KVM_REQUEST_WAIT,
    /// waiting for) those in guest mode. TLB contents are not modelled: the SPTE stands for them.</summary>
    protected internal virtual Task kvm_flush_remote_tlbs() => kvm_make_all_cpus_request(KvmRequest.KVM_REQ_TLB_FLUSH);

    /// <summary>kvm_mmu_reload() (mmu.h), called by vcpu_enter_guest() within the SRCU read side:
    /// kvm_mmu_load() when the vCPU has no root (vcpu->arch.mmu->root.hpa == INVALID_PAGE). Like the C it returns
    /// kvm_mmu_load()'s result: no frame of its own at every guest entry.</summary>
    protected internal virtual Task kvm_mmu_reload(Vcpu vcpu)
    {
        if (vcpu.RootHpaValid) return Task.CompletedTask;
        return kvm_mmu_load(vcpu);
    }

    /// <summary>kvm_mmu_load(): direct (TDP) or shadow roots. Roots, caches and the TLB flush are not
    /// modelled; a root stays valid once loaded (after the first shadow root nothing here is shared).</summary>
    protected internal virtual async Task kvm_mmu_load(Vcpu vcpu)
    {
        // mmu_alloc_direct_roots() takes only mmu_lock and touches no modelled state: no scheduling point.
        if (!root_role_direct(vcpu)) await mmu_alloc_shadow_roots(vcpu);
        vcpu.RootHpaValid = true;
    }

    /// <summary>vcpu->arch.mmu->root_role.direct: false for the shadow NPT MMU (guest_mmu) an L1 with a nested
    /// NPT guest uses; with MemslotConfig.NestedNpt, vcpu0 loads such a root on its first entry.</summary>
    private bool root_role_direct(Vcpu vcpu) => !(Config.NestedNpt && vcpu.vcpu_id == 0);

    /// <summary>mmu_alloc_shadow_roots(): mmu_first_shadow_root_alloc() before write_lock(mmu_lock).</summary>
    protected internal virtual Task mmu_alloc_shadow_roots(Vcpu vcpu) => mmu_first_shadow_root_alloc();

    /// <summary>mmu_first_shadow_root_alloc(): the first shadow root of the VM allocates the memslots' rmaps
    /// under kvm->slots_arch_lock (not modelled: only the lock and the flag matter here).</summary>
    protected internal virtual async Task mmu_first_shadow_root_alloc()
    {
        if (await smp_load_acquire(shadow_root_allocated)) return;     // kvm_shadow_root_allocated()
        await mutex_lock(slots_arch_lock);
        // "Recheck, under the lock, whether this is the first shadow root."
        if (!await smp_load_acquire(shadow_root_allocated))
            await smp_store_release(shadow_root_allocated, true);     // out_success
        await mutex_unlock(slots_arch_lock);
    }
}
