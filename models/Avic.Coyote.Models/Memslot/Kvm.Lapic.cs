// arch/x86/kvm/lapic.c: kvm_create_lapic, kvm_alloc_apic_access_page, kvm_inhibit_apic_access_page,
// __kvm_apic_set_base. Steps follow kvm-protocols.md §1.3 A-CREATE.2/5-9, A-SETBASE, A-INHIBIT and
// seed 000 (the v4 patch, whose lapic.c hunk was merged unchanged in 2008fab34530).
using Avic.Coyote.Models.Kernel;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public sealed partial class Kvm
{
    /// <summary>kvm_create_lapic(): with enable_apicv, apicv_active = true and KVM_REQ_APICV_UPDATE on the new vCPU (A-CREATE.2).</summary>
    internal async Task kvm_create_lapic(Vcpu vcpu)
    {
        vcpu.ApicvActive = true;
        await kvm_make_request(KvmRequest.KVM_REQ_APICV_UPDATE, vcpu);
    }

    /// <summary>kvm_alloc_apic_access_page() (A-CREATE.5-9): create the slot once, never after inhibition.</summary>
    internal async Task kvm_alloc_apic_access_page()
    {
        await mutex_lock(slots_lock);
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        // MA5: the hotplug check forgets apic_access_memslot_inhibited.
        bool inhibited = Variant != Variant.MA5 && await READ_ONCE(apic_access_memslot_inhibited);
        if (enabled || inhibited)
        {
            await mutex_unlock(slots_lock);
            return;
        }
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.MemslotCreated(rt.CurrentOperation.Name));
        await __x86_set_memory_region(create: true);
        await WRITE_ONCE(apic_access_memslot_enabled, true);
        await mutex_unlock(slots_lock);
    }

    /// <summary>kvm_inhibit_apic_access_page() (A-INHIBIT; caller holds SRCU and vcpu->mutex): the merged body, or the
    /// whole function a variant replaces it with.</summary>
    internal Task kvm_inhibit_apic_access_page(Vcpu vcpu) => Variant switch
    {
        Variant.A5i => a5i_toggle_memslot(vcpu),
        Variant.HA1Fix => ha1fix_inhibit_apic_access_page(vcpu),
        _ => kvm_inhibit_apic_access_page_merged(vcpu),
    };

    /// <summary>
    /// Merged kvm_inhibit_apic_access_page() (MA1-MA4 change single steps of it).
    /// "vCPUs can race to set the inhibit and delete the memslot, i.e. can get false positives,
    /// but can't get false negatives" (seed 000).
    /// </summary>
    private async Task kvm_inhibit_apic_access_page_merged(Vcpu vcpu)
    {
        // A-INHIBIT.1: the racy read (no lock): the "no false negative" read.
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        Log(enabled
            ? $"kvm_inhibit_apic_access_page: {vcpu.Name} reads apic_access_memslot_enabled == true: drops SRCU, takes slots_lock"
            : $"kvm_inhibit_apic_access_page: {vcpu.Name} reads apic_access_memslot_enabled == false: trusts that the memslot is gone (nothing to inhibit)");
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.EnabledRead(vcpu, enabled));
        if (!enabled) return;

        if (Variant != Variant.MA3) await kvm_vcpu_srcu_read_unlock(vcpu);   // A-INHIBIT.3
        await mutex_lock(slots_lock);                                        // A-INHIBIT.4
        // A-INHIBIT.5: recheck under the lock (MA4 drops it).
        if (Variant == Variant.MA4 || await READ_ONCE(apic_access_memslot_enabled))
        {
            Log($"kvm_inhibit_apic_access_page: {vcpu.Name} deletes the APIC access memslot");
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(vcpu.Name));
            // MA1: "enabled" cleared before the memslot is deleted.
            if (Variant == Variant.MA1) await WRITE_ONCE(apic_access_memslot_enabled, false);
            await __x86_set_memory_region(create: false);                    // A-INHIBIT.6
            // "Clear 'enabled' after the memslot is deleted so that a different vCPU doesn't get a
            // false negative when checking the flag out of slots_lock."
            if (Variant != Variant.MA1) await WRITE_ONCE(apic_access_memslot_enabled, false);   // A-INHIBIT.7
            // "Mark the memslot as inhibited to prevent reallocating the memslot during vCPU creation."
            if (Variant != Variant.MA2) await WRITE_ONCE(apic_access_memslot_inhibited, true);  // A-INHIBIT.8
        }
        else Log($"kvm_inhibit_apic_access_page: {vcpu.Name} finds it already deleted under slots_lock (a harmless false positive)");
        await mutex_unlock(slots_lock);                                      // A-INHIBIT.9
        if (Variant != Variant.MA3) await kvm_vcpu_srcu_read_lock(vcpu);     // A-INHIBIT.10
    }

    /// <summary>
    /// H-A1 fix (b) (docs/findings/memslot-h-a1-late-allocation.md, not upstream): a false "enabled" is
    /// trusted only together with "inhibited"; otherwise take slots_lock and set "inhibited" even if the
    /// memslot was never allocated, so a later vCPU creation cannot allocate it. Costs a slots_lock round
    /// trip (and an SRCU drop) per x2APIC vCPU until the flag is set.
    /// </summary>
    private async Task ha1fix_inhibit_apic_access_page(Vcpu vcpu)
    {
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        if (!enabled && await READ_ONCE(apic_access_memslot_inhibited))
        {
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.EnabledRead(vcpu, false));
            return;
        }
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_lock(slots_lock);
        if (await READ_ONCE(apic_access_memslot_enabled))
        {
            rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(vcpu.Name));
            await __x86_set_memory_region(create: false);
            await WRITE_ONCE(apic_access_memslot_enabled, false);
        }
        await WRITE_ONCE(apic_access_memslot_inhibited, true);
        await mutex_unlock(slots_lock);
        await kvm_vcpu_srcu_read_lock(vcpu);
    }

    /// <summary>§3 A-5(i): the v2-era shape, each vCPU's update toggles the memslot off under slots_lock
    /// with no shared flag to tell it another vCPU already did ("toggling the memslot twice").</summary>
    private async Task a5i_toggle_memslot(Vcpu vcpu)
    {
        await kvm_vcpu_srcu_read_unlock(vcpu);
        await mutex_lock(slots_lock);
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(vcpu.Name));
        await __x86_set_memory_region(create: false);
        await WRITE_ONCE(apic_access_memslot_enabled, false);
        await WRITE_ONCE(apic_access_memslot_inhibited, true);
        await mutex_unlock(slots_lock);
        await kvm_vcpu_srcu_read_lock(vcpu);
    }

    /// <summary>__kvm_apic_set_base() (A-SETBASE): x2APIC enable raises KVM_REQ_APICV_UPDATE (1459f5c6b8b8);
    /// no memslot work here. <paramref name="hostInitiated"/>: KVM_SET_LAPIC/KVM_SET_MSRS from userspace.</summary>
    internal async Task __kvm_apic_set_base(Vcpu vcpu, bool x2apic)
    {
        bool changed = vcpu.X2apicMode != x2apic;
        vcpu.X2apicMode = x2apic;                                            // A-SETBASE.1: W(apic_base)
        Log($"__kvm_apic_set_base: {vcpu.Name} apic_base |= X2APIC_ENABLE");
        if (!changed) return;
        if (Variant == Variant.MA8)
        {
            // MA8: delete the memslot right here, SRCU still held by the exit handler.
            await mutex_lock(slots_lock);
            if (await READ_ONCE(apic_access_memslot_enabled))
            {
                rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(vcpu.Name));
                await __x86_set_memory_region(create: false);
                await WRITE_ONCE(apic_access_memslot_enabled, false);
                await WRITE_ONCE(apic_access_memslot_inhibited, true);
            }
            await mutex_unlock(slots_lock);
        }
        if (Variant == Variant.A5ii)
        {
            // Before 1459f5c6b8b8, kvm_lapic_set_base() updated APICv directly (8fc9c7a3079e),
            // possibly without SRCU held.
            await kvm_vcpu_update_apicv(vcpu);
            return;
        }
        Log($"__kvm_apic_set_base: kvm_make_request(KVM_REQ_APICV_UPDATE, {vcpu.Name})");
        await kvm_make_request(KvmRequest.KVM_REQ_APICV_UPDATE, vcpu);       // A-SETBASE.2
    }

    /// <summary>KVM_SET_LAPIC (kvm_vcpu_ioctl_set_lapic -> kvm_apic_set_state -> kvm_lapic_set_base):
    /// a restore that puts the APIC in x2APIC mode; vcpu->mutex held, no SRCU.</summary>
    internal async Task kvm_vcpu_ioctl_set_lapic(Vcpu vcpu)
    {
        await mutex_lock(vcpu.mutex);
        await __kvm_apic_set_base(vcpu, x2apic: true);
        await mutex_unlock(vcpu.mutex);
    }
}
