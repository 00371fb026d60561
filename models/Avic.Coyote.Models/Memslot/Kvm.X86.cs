// arch/x86/kvm/x86.c (and the SVM/VMX vCPU-create hooks it calls): the KVM_RUN loop, the APICv
// update, the VM-wide inhibit, __x86_set_memory_region. Steps follow kvm-protocols.md §1.3
// A-RUN, A-UPDATE, A-INHIBITOR, A-DELETE.0/12 and the seed 000 x86.c hunk.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public sealed partial class Kvm
{
    /// <summary>kvm_arch_vcpu_create(): kvm_create_lapic(), then the vendor's vcpu_create.</summary>
    internal async Task kvm_arch_vcpu_create(Vcpu vcpu)
    {
        await kvm_create_lapic(vcpu);
        if (Config.Hardware == Hardware.IntelApicv)
        {
            // vmx_vcpu_create(): allocates when the CPU virtualizes APIC accesses, not keyed on
            // kvm_apicv_activated() [inferred from vmx.c; not needed for any Protocol A invariant].
            await kvm_alloc_apic_access_page();
            return;
        }
        await avic_init_backing_page(vcpu);                                 // svm_vcpu_create -> avic_init_vcpu (Kvm.Avic.cs)
    }

    /// <summary>kvm_apicv_activated(kvm): READ_ONCE(kvm->arch.apicv_inhibit_reasons) == 0.</summary>
    internal async Task<bool> kvm_apicv_activated() => await READ_ONCE(apicv_inhibit_reasons) == 0;

    /// <summary>kvm_arch_vcpu_ioctl_run() / vcpu_run(): vcpu->mutex for the whole ioctl, SRCU held outside guest mode.
    /// The loop is bounded by the guest program (and at most two bail-outs) so executions end.</summary>
    internal async Task kvm_arch_vcpu_ioctl_run(Vcpu vcpu)
    {
        await mutex_lock(vcpu.mutex);
        await kvm_vcpu_srcu_read_lock(vcpu);                                  // A-RUN.0
        int next = 0, bailouts = 0;
        while (next < vcpu.Guest.Length && bailouts <= 2)
        {
            if (await vcpu_enter_guest(vcpu, vcpu.Guest[next])) next++;
            else bailouts++;
        }
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_unlock(vcpu.mutex);
    }

    /// <summary>vcpu_enter_guest() "Called within kvm->srcu read side". Returns false when it bailed out before VMRUN.</summary>
    internal async Task<bool> vcpu_enter_guest(Vcpu vcpu, GuestAction guest)
    {
        // A-RUN.1: requests. kvm_vcpu_update_apicv() may drop and retake SRCU.
        if (await kvm_check_request(KvmRequest.KVM_REQ_APICV_UPDATE, vcpu))
        {
            Log($"vcpu_enter_guest: {vcpu.Name} handles KVM_REQ_APICV_UPDATE ({(vcpu.X2apicMode ? "x2APIC" : "xAPIC")} mode)");
            await kvm_vcpu_update_apicv(vcpu);
        }
        // A-RUN.2: other requests; KVM_REQ_TLB_FLUSH -> kvm_vcpu_flush_tlb_all (the TLB is not modelled).
        await kvm_check_request(KvmRequest.KVM_REQ_TLB_FLUSH, vcpu);
        await kvm_mmu_reload(vcpu);                                           // still inside the SRCU read side

        // A-RUN.2-3: preempt_disable(); local_irq_disable(); smp_store_release(&vcpu->mode, IN_GUEST_MODE).
        await smp_store_release(vcpu.mode, VcpuMode.IN_GUEST_MODE);
        await kvm_vcpu_srcu_read_unlock(vcpu);                               // A-RUN.4
        // A-RUN.5: kvm_vcpu_exit_request(): a kick (EXITING_GUEST_MODE) or a request raised since step 1.
        if (Variant != Variant.MA11 &&
            (await READ_ONCE(vcpu.mode) == VcpuMode.EXITING_GUEST_MODE || await kvm_request_pending(vcpu)))
        {
            await WRITE_ONCE(vcpu.mode, VcpuMode.OUTSIDE_GUEST_MODE);
            await local_irq_enable(vcpu);
            await kvm_vcpu_srcu_read_lock(vcpu);
            Log($"vcpu_enter_guest: {vcpu.Name} cancels the entry (request pending)");
            return false;
        }

        // A-RUN.6: WARN_ON_ONCE(kvm_vcpu_apicv_activated(vcpu) != kvm_vcpu_apicv_active(vcpu)).
        bool activated = await kvm_apicv_activated();
        if (activated != vcpu.ApicvActive)
            throw Bug(BugKind.AssertionFailure, "INV-A6",
                $"INV-A6 (no WARN at guest entry): WARN_ON_ONCE(kvm_vcpu_apicv_activated(vcpu) != kvm_vcpu_apicv_active(vcpu)) fires in vcpu_enter_guest: " +
                $"{vcpu.Name} enters the guest with apicv_active={Bool(vcpu.ApicvActive)} but kvm_apicv_activated()={Bool(activated)}");

        // A-RUN.7: VMRUN. The guest runs with no SRCU held.
        Log($"VMRUN {vcpu.Name} ({(vcpu.X2apicMode ? "x2APIC" : "xAPIC")} mode, AVIC {(vcpu.ApicvActive ? "on" : "off")}): guest does {guest}");
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.GuestEntry(vcpu));
        ApicAccess access = guest is GuestAction.ApicMmioAccess or GuestAction.IcrMmioWrite
            ? await guest_apic_access(vcpu, guest)
            : ApicAccess.None;
        if (guest == GuestAction.ReportOnline && Config.X2apicAccess == AccessOrder.AfterOnline) await accessGate!.Signal();

        // A-RUN.8: #VMEXIT: vcpu->mode = OUTSIDE_GUEST_MODE; smp_wmb(); local_irq_enable(); SRCU+; handle the exit.
        await WRITE_ONCE(vcpu.mode, VcpuMode.OUTSIDE_GUEST_MODE);
        await local_irq_enable(vcpu);
        await kvm_vcpu_srcu_read_lock(vcpu);
        if (access == ApicAccess.NestedPageFault) await kvm_mmu_page_fault(vcpu);
        else if (access == ApicAccess.IncompleteIpi) avic_incomplete_ipi_interception(vcpu, avic_hw_icr_write(vcpu));
        else if (guest == GuestAction.EnableX2apic) await __kvm_apic_set_base(vcpu, x2apic: true);       // WRMSR exit
        else if (guest == GuestAction.SynicInhibitMsr) await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_HYPERV, set: true);
        else if (guest == GuestAction.HltUntilEvent) await vcpu_block(vcpu);
        return true;
    }

    /// <summary>vcpu_run() -> vcpu_block() after a HLT exit: SRCU is dropped around kvm_vcpu_halt(), the vCPU is outside
    /// guest mode (a KVM_REQUEST_WAIT kick does not wait for it). It wakes on the guest's ordering event.</summary>
    private async Task vcpu_block(Vcpu vcpu)
    {
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await accessGate!.Wait();                                             // kvm_vcpu_halt() until the wake-up
        await kvm_vcpu_srcu_read_lock(vcpu);
    }

    /// <summary>What a guest access to 0xFEE00000 turned into.</summary>
    private enum ApicAccess { None, NestedPageFault, Served, IncompleteIpi }

    /// <summary>The guest's access to GPA 0xFEE00000 in guest mode: served through the NPT if an SPTE exists
    /// (then AVIC decides redirect vs. memory), otherwise a nested page fault exit. An ICR write that AVIC
    /// redirects is an IPI the hardware sends, ending in an incomplete-IPI exit (the target never runs).</summary>
    private async Task<ApicAccess> guest_apic_access(Vcpu vcpu, GuestAction guest)
    {
        if (!await READ_ONCE(apic_access_spte)) return ApicAccess.NestedPageFault;
        bool redirected = vcpu.ApicvActive && !(vcpu.X2apicMode && Config.Hardware != Hardware.Hybrid);
        Log($"{vcpu.Name}'s guest access to 0xFEE00000 hits the SPTE: {(redirected ? "AVIC redirects it to the vAPIC backing page" : "plain memory (scratch page)")}");
        if (redirected && vcpu.X2apicMode && vcpu.X2apicUpdateHandled && Config.InvA3 != InvA3Check.Off)
            throw Bug(BugKind.AssertionFailure, "INV-A3",
                $"INV-A3 (weak form, the impact: no x2APIC-mode access reaches the vCPU's own vAPIC backing page): {vcpu.Name} is in x2APIC mode " +
                "on hybrid AVIC and its xAPIC MMIO access to 0xFEE00000 reaches its vAPIC backing page, bypassing KVM's x2APIC emulation " +
                "(an NPT SPTE for gfn 0xFEE00 exists after its APICv update was handled)");
        if (redirected && guest == GuestAction.IcrMmioWrite) return ApicAccess.IncompleteIpi;
        // On VMX the APIC-access page stays virtualized (an APIC-access exit) when APICv is inhibited [inferred].
        if (!vcpu.ApicvActive && !vcpu.X2apicMode && Config.Hardware != Hardware.IntelApicv)
            throw Bug(BugKind.AssertionFailure, "INV-A6",
                $"INV-A6 (§3 A-3): {vcpu.Name}'s xAPIC MMIO access is neither AVIC-redirected nor emulated: AVIC is off in its VMCB " +
                "but an NPT SPTE maps gfn 0xFEE00, so the access goes to the scratch page as plain memory and an APIC write is lost");
        return ApicAccess.Served;
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>kvm_vcpu_update_apicv() (A-UPDATE, seed 000): the x2APIC memslot inhibition, then the APICv state.</summary>
    internal async Task kvm_vcpu_update_apicv(Vcpu vcpu)
    {
        // Merged: kvm_x86_ops.allow_apicv_in_x2apic_without_x2apic_virtualization. Seed v4:
        // static_call(kvm_x86_check_apicv_inhibit_reasons)(APICV_INHIBIT_REASON_X2APIC), which SVM's
        // avic_check_apicv_inhibit_reasons() supports with or without x2AVIC, and VMX does not.
        bool inhibitMemslot = Variant == Variant.V4InhibitBit
            ? Config.Hardware != Hardware.IntelApicv
            : AllowApicvInX2apicWithoutX2apicVirtualization;
        if (vcpu.X2apicMode && inhibitMemslot) await kvm_inhibit_apic_access_page(vcpu);
        await __kvm_vcpu_update_apicv(vcpu);
        if (vcpu.X2apicMode) vcpu.X2apicUpdateHandled = true;
    }

    /// <summary>__kvm_vcpu_update_apicv(): under down_read(apicv_update_lock) with preemption off.</summary>
    internal async Task __kvm_vcpu_update_apicv(Vcpu vcpu)
    {
        await down_read(apicv_update_lock);
        bool activate = await kvm_apicv_activated();
        if (vcpu.ApicvActive != activate)
        {
            vcpu.ApicvActive = activate;
            Log($"__kvm_vcpu_update_apicv: {vcpu.Name} apicv_active = {Bool(activate)}; refresh_apicv_exec_ctrl (AVIC {(activate ? "on" : "off")} in its VMCB)");
        }
        await up_read(apicv_update_lock);
    }

    /// <summary>kvm_set_or_clear_apicv_inhibit(): the write side of apicv_update_lock around the update.</summary>
    internal async Task kvm_set_or_clear_apicv_inhibit(int reason, bool set)
    {
        await down_write(apicv_update_lock);
        await __kvm_set_or_clear_apicv_inhibit(reason, set);
        await up_write(apicv_update_lock);
    }

    /// <summary>__kvm_set_or_clear_apicv_inhibit() (A-INHIBITOR): kick every vCPU with KVM_REQ_APICV_UPDATE
    /// (waiting for the IPI acks) BEFORE publishing the new reasons; zap the APIC SPTE under SRCU when inhibiting.</summary>
    internal async Task __kvm_set_or_clear_apicv_inhibit(int reason, bool set)
    {
        int old = await READ_ONCE(apicv_inhibit_reasons);
        int reasons = set ? old | reason : old & ~reason;
        Log($"__kvm_set_or_clear_apicv_inhibit: apicv_inhibit_reasons 0x{old:x} -> 0x{reasons:x}");
        if ((old == 0) == (reasons == 0))
        {
            await WRITE_ONCE(apicv_inhibit_reasons, reasons);
            return;
        }
        if (Variant == Variant.MA12) await WRITE_ONCE(apicv_inhibit_reasons, reasons);
        // A-3: before b0a1637f64b0 nothing made the flip wait for vCPUs still in guest mode.
        await kvm_make_all_cpus_request(vcpus.ToArray(), KvmRequest.KVM_REQ_APICV_UPDATE, wait: Variant == Variant.A3 ? false : null);
        if (Variant != Variant.MA12) await WRITE_ONCE(apicv_inhibit_reasons, reasons);
        if (reasons == 0) return;
        if (Variant == Variant.A2)
        {
            // §3 A-2 (before 36222b117e36): the inhibit toggles the APIC memslot off (avic_update_access_page).
            await mutex_lock(slots_lock);
            if (await READ_ONCE(apic_access_memslot_enabled))
            {
                rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(rt.CurrentOperation.Name));
                await __x86_set_memory_region(create: false);
                await WRITE_ONCE(apic_access_memslot_enabled, false);
            }
            await mutex_unlock(slots_lock);
            return;
        }
        // 074c00800719: the zap walks memslots, so it runs under SRCU.
        await srcu_read_lock(srcu);
        await kvm_zap_gfn_range();
        await srcu_read_unlock(srcu);
    }

    /// <summary>__x86_set_memory_region(kvm, APIC_ACCESS_PAGE_PRIVATE_MEMSLOT, gpa, size); caller holds slots_lock.</summary>
    internal async Task __x86_set_memory_region(bool create)
    {
        if (!ReferenceEquals(slots_lock.Owner, rt.CurrentOperation))
            throw Bug(BugKind.AssertionFailure, "lockdep_assert_held", "lockdep_assert_held(&kvm->slots_lock) fails in __x86_set_memory_region");
        if (create)
        {
            Log("__x86_set_memory_region: vm_mmap + create APIC_ACCESS_PAGE_PRIVATE_MEMSLOT at 0xFEE00000");
            foreach (var slot in apic_access_slot) await kvm_set_memslot(slot, create: true, isApicSlot: true);
            return;
        }
        // A-DELETE.0: absent (or already deleted) -> nothing to do.
        if (await READ_ONCE(apic_access_slot[0]) == SlotState.ABSENT)
        {
            Log("__x86_set_memory_region: slot absent, nothing to delete");
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionDone());
            return;
        }
        foreach (var slot in apic_access_slot) await kvm_set_memslot(slot, create: false, isApicSlot: true);
        Log("__x86_set_memory_region: vm_munmap: APIC access memslot deleted");   // A-DELETE.12
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionDone());
    }
}
