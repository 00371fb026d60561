// arch/x86/kvm/x86.c (and the SVM/VMX vCPU-create hooks it calls): the KVM_RUN loop, the APICv
// update, the VM-wide inhibit, __x86_set_memory_region. Steps follow kvm-protocols.md §1.3
// A-RUN, A-UPDATE, A-INHIBITOR, A-DELETE.0/12 and the seed 000 x86.c hunk.
// The functions every guest entry and exit runs return pooled ValueTasks: their frames are reused
// instead of allocated per call.
using System.Runtime.CompilerServices;
using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    /// <summary>kvm_arch_vcpu_create(): kvm_create_lapic(), then the vendor's vcpu_create.</summary>
    protected internal virtual async Task kvm_arch_vcpu_create(Vcpu vcpu)
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

    /// <summary>kvm_apicv_activated(kvm): READ_ONCE(kvm->arch.apicv_inhibit_reasons) == 0. One load, so the function is
    /// that load's scheduling point (<see cref="READ_ONCE_map"/>): the caller awaits it with no frame of its own.</summary>
    protected internal SchedulingPoint<ReadOnceMap<int, bool>, bool> kvm_apicv_activated() =>
        READ_ONCE_map(apicv_inhibit_reasons, static reasons => reasons == 0);

    /// <summary>kvm_arch_vcpu_ioctl_run() up to vcpu_run(): vcpu->mutex for the whole ioctl (kvm_vcpu_ioctl), SRCU held
    /// outside guest mode. vcpu_run()'s loop is the thread's states (Kernel/VcpuThread.cs).</summary>
    protected internal virtual async Task kvm_arch_vcpu_ioctl_run(Vcpu vcpu)
    {
        await mutex_lock(vcpu.mutex);
        await kvm_vcpu_srcu_read_lock(vcpu);                                  // A-RUN.0
    }

    /// <summary>kvm_arch_vcpu_ioctl_run() after vcpu_run() returned: "out:" drops SRCU; kvm_vcpu_ioctl() drops vcpu->mutex.</summary>
    protected internal virtual async Task kvm_arch_vcpu_ioctl_run_out(Vcpu vcpu)
    {
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_unlock(vcpu.mutex);
    }

    /// <summary>vcpu_enter_guest() "Called within kvm->srcu read side", up to static_call(kvm_x86_vcpu_run)(vcpu), which
    /// takes the thread to guest mode; a cancelled entry returns 1 and the thread stays in KVM_RUN. The rest, from the
    /// #VMEXIT on, is vcpu_enter_guest_exit().</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> vcpu_enter_guest(Vcpu vcpu)
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
        // A-RUN.5: a kick (EXITING_GUEST_MODE) or a request raised since step 1.
        if (await kvm_vcpu_exit_request(vcpu))
        {
            await WRITE_ONCE(vcpu.mode, VcpuMode.OUTSIDE_GUEST_MODE);
            await local_irq_enable(vcpu);
            await kvm_vcpu_srcu_read_lock(vcpu);
            Log($"vcpu_enter_guest: {vcpu.Name} cancels the entry (request pending)");
            return 1;                                                         // cancel_injection: r = 1
        }

        // A-RUN.6: WARN_ON_ONCE(kvm_vcpu_apicv_activated(vcpu) != kvm_vcpu_apicv_active(vcpu)).
        bool activated = await kvm_apicv_activated();
        if (activated != vcpu.ApicvActive) Specification.Assert(false, "INV-A6",
                $"INV-A6 (no WARN at guest entry): WARN_ON_ONCE(kvm_vcpu_apicv_activated(vcpu) != kvm_vcpu_apicv_active(vcpu)) fires in vcpu_enter_guest: " +
                $"{vcpu.Name} enters the guest with apicv_active={Bool(vcpu.ApicvActive)} but kvm_apicv_activated()={Bool(activated)}");

        // A-RUN.7: VMRUN. The guest runs with no SRCU held.
        Log($"VMRUN {vcpu.Name} ({(vcpu.X2apicMode ? "x2APIC" : "xAPIC")} mode, AVIC {(vcpu.ApicvActive ? "on" : "off")})");
        ProtocolAInvariants.CheckAtVmrun(this, vcpu);
        kvm_x86_vcpu_run(vcpu);                                              // exit_fastpath = static_call(kvm_x86_vcpu_run)(vcpu)
        return 1;
    }

    /// <summary>kvm_vcpu_exit_request() (x86.c): "return vcpu->mode == EXITING_GUEST_MODE || kvm_request_pending(vcpu) || ..."</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<bool> kvm_vcpu_exit_request(Vcpu vcpu) =>
        await READ_ONCE(vcpu.mode) == VcpuMode.EXITING_GUEST_MODE || await kvm_request_pending(vcpu);

    /// <summary>The guest in guest mode: its next action, and the #VMEXIT it ends in.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<GuestExit> guest_run(Vcpu vcpu, GuestAction guest)
    {
        Log($"{vcpu.Name}'s guest does {guest}");
        switch (guest)
        {
            // The access's one shared read (is gfn 0xFEE00 mapped?) is awaited here, in this frame; the rest is the hardware's.
            case GuestAction.ApicMmioAccess:
                return ApicMmioAccess.Of(npf: guest_apic_access(vcpu, guest, await READ_ONCE(apic_access_spte)) == ApicAccess.NestedPageFault);
            case GuestAction.IcrMmioWrite:
                ApicAccess icr = guest_apic_access(vcpu, guest, await READ_ONCE(apic_access_spte));
                return new IcrWrite(Dest: Config.Vcpus, IncompleteIpi: icr == ApicAccess.IncompleteIpi, Npf: icr == ApicAccess.NestedPageFault);
            case GuestAction.EnableX2apic: return WrmsrX2apicEnable.Instance;
            case GuestAction.SynicInhibitMsr: return new Wrmsr(HV_X64_MSR_SINT0);
            case GuestAction.ReportOnline: return new IcrWrite(Dest: 0, X2apic: true);   // the AP's "I am online" IPI to the BSP
            default: return Hlt.Instance;
        }
    }

    /// <summary>vcpu_enter_guest() from the #VMEXIT on (A-RUN.8): vcpu->mode = OUTSIDE_GUEST_MODE; smp_wmb();
    /// local_irq_enable(); kvm_vcpu_srcu_read_lock(); then static_call(kvm_x86_handle_exit)(vcpu, exit_fastpath).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> vcpu_enter_guest_exit(Vcpu vcpu, GuestExit exit)
    {
        await WRITE_ONCE(vcpu.mode, VcpuMode.OUTSIDE_GUEST_MODE);
        await local_irq_enable(vcpu);
        await kvm_vcpu_srcu_read_lock(vcpu);
        return await svm_handle_exit(vcpu, exit);
    }

    /// <summary>svm_handle_exit() -> svm_invoke_exit_handler(): svm_exit_handlers[exit_code] (svm/svm.c), whose r it returns
    /// (a handler that waits is awaited by the caller, so this dispatch has no frame of its own).</summary>
    protected internal virtual ValueTask<int> svm_handle_exit(Vcpu vcpu, GuestExit exit)
    {
        switch (exit)
        {
            case ApicMmioAccess { Npf: true } or IcrWrite { Npf: true }:
                return kvm_mmu_page_fault(vcpu);                              // npf_interception
            case IcrWrite { IncompleteIpi: true }:
                return new(avic_incomplete_ipi_interception(vcpu, avic_hw_icr_write(vcpu)));
            case IcrWrite { X2apic: true } or WrmsrX2apicEnable or Wrmsr:
                return msr_interception(vcpu, exit);
            case Hlt:
                return new(kvm_emulate_halt(vcpu));                           // halt_interception
            default:
                return new(1);
        }
    }

    /// <summary>msr_interception() -> kvm_set_msr_common() for the guests' WRMSRs (svm/svm.c, x86.c); returns 1.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> msr_interception(Vcpu vcpu, GuestExit exit)
    {
        switch (exit)
        {
            case IcrWrite ipi:
                kvm_x2apic_icr_write(vcpu, vcpus[ipi.Dest]);                  // X2APIC_MSR(APIC_ICR): kvm_x2apic_icr_write
                break;
            case WrmsrX2apicEnable:
                await __kvm_apic_set_base(vcpu, x2apic: true);               // MSR_IA32_APICBASE: kvm_set_apic_base
                break;
            case Wrmsr:
                // kvm_hv_set_msr -> synic_set_sint -> kvm_hv_synic_auto_eoi_set (AutoEOI: APICv inhibited).
                await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_HYPERV, set: true);
                break;
        }
        return 1;
    }

    /// <summary>kvm_emulate_halt() (x86.c): mp_state = KVM_MP_STATE_HALTED; vcpu_run() then blocks in vcpu_block().</summary>
    protected internal virtual int kvm_emulate_halt(Vcpu vcpu)
    {
        vcpu.mp_state = MpState.KVM_MP_STATE_HALTED;
        return 1;
    }

    /// <summary>vcpu_block() (x86.c): SRCU is dropped around kvm_vcpu_halt(); the vCPU is outside guest mode (a
    /// KVM_REQUEST_WAIT kick does not wait for it). It wakes on a wake-up or IPI (the guest's ordering events).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected internal virtual async ValueTask<int> vcpu_block(Vcpu vcpu)
    {
        await kvm_vcpu_srcu_read_unlock(vcpu);
        Event wake = await kvm_vcpu_block(vcpu);                             // kvm_vcpu_halt() -> kvm_vcpu_block()
        Log($"{vcpu.Name} wakes up: {(wake is WakeUp w ? w.Why : wake is Ipi ipi ? $"IPI from vcpu{ipi.From}" : wake.GetType().Name)}");
        vcpu.mp_state = MpState.KVM_MP_STATE_RUNNABLE;
        await kvm_vcpu_srcu_read_lock(vcpu);
        return 1;
    }

    /// <summary>What a guest access to 0xFEE00000 turned into.</summary>
    protected internal enum ApicAccess { None, NestedPageFault, Served, IncompleteIpi }

    /// <summary>The guest's access to GPA 0xFEE00000 in guest mode: served through the NPT if an SPTE exists
    /// (then AVIC decides redirect vs. memory), otherwise a nested page fault exit. An ICR write that AVIC
    /// redirects is an IPI the hardware sends, ending in an incomplete-IPI exit (the target never runs).
    /// <paramref name="spte"/>: the NPT walk's READ_ONCE(apic_access_spte), which the guest's action awaited.</summary>
    protected internal virtual ApicAccess guest_apic_access(Vcpu vcpu, GuestAction guest, bool spte)
    {
        if (!spte) return ApicAccess.NestedPageFault;
        bool redirected = vcpu.ApicvActive && !(vcpu.X2apicMode && Config.Hardware != Hardware.Hybrid);
        Log($"{vcpu.Name}'s guest access to 0xFEE00000 hits the SPTE: {(redirected ? "AVIC redirects it to the vAPIC backing page" : "plain memory (scratch page)")}");
        if (redirected && vcpu.X2apicMode && vcpu.X2apicUpdateHandled && Config.InvA3 != InvA3Check.Off) Specification.Assert(false, "INV-A3",
                $"INV-A3 (weak form, the impact: no x2APIC-mode access reaches the vCPU's own vAPIC backing page): {vcpu.Name} is in x2APIC mode " +
                "on hybrid AVIC and its xAPIC MMIO access to 0xFEE00000 reaches its vAPIC backing page, bypassing KVM's x2APIC emulation " +
                "(an NPT SPTE for gfn 0xFEE00 exists after its APICv update was handled)");
        if (redirected && guest == GuestAction.IcrMmioWrite) return ApicAccess.IncompleteIpi;
        // On VMX the APIC-access page stays virtualized (an APIC-access exit) when APICv is inhibited [inferred].
        if (!vcpu.ApicvActive && !vcpu.X2apicMode && Config.Hardware != Hardware.IntelApicv) Specification.Assert(false, "INV-A6",
                $"INV-A6 (§3 A-3): {vcpu.Name}'s xAPIC MMIO access is neither AVIC-redirected nor emulated: AVIC is off in its VMCB " +
                "but an NPT SPTE maps gfn 0xFEE00, so the access goes to the scratch page as plain memory and an APIC write is lost");
        return ApicAccess.Served;
    }

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary>kvm_vcpu_update_apicv() (A-UPDATE, seed 000 as merged): the x2APIC memslot inhibition, then the APICv state.</summary>
    protected internal virtual async Task kvm_vcpu_update_apicv(Vcpu vcpu)
    {
        if (vcpu.X2apicMode && AllowApicvInX2apicWithoutX2apicVirtualization) await kvm_inhibit_apic_access_page(vcpu);
        await __kvm_vcpu_update_apicv(vcpu);
        if (vcpu.X2apicMode) vcpu.X2apicUpdateHandled = true;
    }

    /// <summary>__kvm_vcpu_update_apicv(): under down_read(apicv_update_lock) with preemption off.</summary>
    protected internal virtual async Task __kvm_vcpu_update_apicv(Vcpu vcpu)
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
    protected internal virtual async Task kvm_set_or_clear_apicv_inhibit(int reason, bool set)
    {
        await down_write(apicv_update_lock);
        await __kvm_set_or_clear_apicv_inhibit(reason, set);
        await up_write(apicv_update_lock);
    }

    /// <summary>__kvm_set_or_clear_apicv_inhibit() (A-INHIBITOR): kick every vCPU with KVM_REQ_APICV_UPDATE
    /// (waiting for the IPI acks) BEFORE publishing the new reasons; zap the APIC SPTE when inhibiting.</summary>
    protected internal virtual async Task __kvm_set_or_clear_apicv_inhibit(int reason, bool set)
    {
        int old = await READ_ONCE(apicv_inhibit_reasons);
        int reasons = set ? old | reason : old & ~reason;
        Log($"__kvm_set_or_clear_apicv_inhibit: apicv_inhibit_reasons 0x{old:x} -> 0x{reasons:x}");
        if ((old == 0) == (reasons == 0))
        {
            await WRITE_ONCE(apicv_inhibit_reasons, reasons);
            return;
        }
        await kvm_make_all_cpus_request(KvmRequest.KVM_REQ_APICV_UPDATE);
        await WRITE_ONCE(apicv_inhibit_reasons, reasons);
        if (reasons != 0) await kvm_zap_apic_access_gfn();
    }

    /// <summary>kvm_make_all_cpus_request(kvm, req) (kvm_main.c; Kernel/KernelVcpu.cs) over kvm->vcpu_array.</summary>
    protected internal virtual Task kvm_make_all_cpus_request(KvmRequest req) => Linux.kvm_make_all_cpus_request(vcpus.ToArray(), req);

    /// <summary>__kvm_set_or_clear_apicv_inhibit()'s "if (new)" block: 074c00800719 zaps the APIC gfn under SRCU (the zap walks memslots).</summary>
    protected internal virtual async Task kvm_zap_apic_access_gfn()
    {
        await srcu_read_lock(srcu);
        await kvm_zap_gfn_range();
        await srcu_read_unlock(srcu);
    }

    /// <summary>__x86_set_memory_region(kvm, APIC_ACCESS_PAGE_PRIVATE_MEMSLOT, gpa, size); caller holds slots_lock.</summary>
    protected internal virtual async Task __x86_set_memory_region(bool create)
    {
        Specification.Assert(ReferenceEquals(slots_lock.Owner, rt.CurrentOperation), "lockdep_assert_held", "lockdep_assert_held(&kvm->slots_lock) fails in __x86_set_memory_region");
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
