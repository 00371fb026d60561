// arch/x86/kvm/lapic.c: kvm_create_lapic, kvm_alloc_apic_access_page, kvm_inhibit_apic_access_page,
// __kvm_apic_set_base. Steps follow kvm-protocols.md §1.3 A-CREATE.2/5-9, A-SETBASE, A-INHIBIT and
// seed 000 (the v4 patch, whose lapic.c hunk was merged unchanged in 2008fab34530).
using Avic.Coyote.Models.Kernel;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    /// <summary>kvm_create_lapic(): with enable_apicv, apicv_active = true and KVM_REQ_APICV_UPDATE on the new vCPU (A-CREATE.2).</summary>
    protected internal virtual async Task kvm_create_lapic(Vcpu vcpu)
    {
        vcpu.ApicvActive = true;
        await kvm_make_request(KvmRequest.KVM_REQ_APICV_UPDATE, vcpu);
    }

    /// <summary>kvm_alloc_apic_access_page() (A-CREATE.5-9): create the slot once, never after inhibition.</summary>
    protected internal virtual async Task kvm_alloc_apic_access_page()
    {
        await mutex_lock(slots_lock);
        if (await apic_access_memslot_enabled_or_inhibited())
        {
            await mutex_unlock(slots_lock);                                  // goto out
            return;
        }
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.MemslotCreated(rt.CurrentOperation.Name));
        await __x86_set_memory_region(create: true);
        await WRITE_ONCE(apic_access_memslot_enabled, true);
        await mutex_unlock(slots_lock);
    }

    /// <summary>kvm_alloc_apic_access_page()'s test "kvm->arch.apic_access_memslot_enabled || kvm->arch.apic_access_memslot_inhibited".</summary>
    protected internal virtual async Task<bool> apic_access_memslot_enabled_or_inhibited() =>
        await READ_ONCE(apic_access_memslot_enabled) || await READ_ONCE(apic_access_memslot_inhibited);

    /// <summary>
    /// kvm_inhibit_apic_access_page() (A-INHIBIT; caller holds SRCU and vcpu->mutex), as merged in 2008fab34530.
    /// "vCPUs can race to set the inhibit and delete the memslot, i.e. can get false positives,
    /// but can't get false negatives" (seed 000).
    /// </summary>
    protected internal virtual async Task kvm_inhibit_apic_access_page(Vcpu vcpu)
    {
        if (!await apic_access_memslot_enabled_unlocked(vcpu)) return;   // A-INHIBIT.1: "if (!kvm->arch.apic_access_memslot_enabled) return;"
        await kvm_vcpu_srcu_read_unlock(vcpu);                             // A-INHIBIT.3
        await mutex_lock(slots_lock);                                      // A-INHIBIT.4
        if (await apic_access_memslot_enabled_locked(vcpu))                // A-INHIBIT.5: "if (kvm->arch.apic_access_memslot_enabled) {"
            await apic_access_memslot_delete(vcpu);                        // A-INHIBIT.6-8: the body of that if
        await mutex_unlock(slots_lock);                                    // A-INHIBIT.9
        await kvm_vcpu_srcu_read_lock(vcpu);                               // A-INHIBIT.10
    }

    /// <summary>A-INHIBIT.1: the racy read of kvm->arch.apic_access_memslot_enabled out of slots_lock (the "no false negative" read).</summary>
    protected internal virtual async Task<bool> apic_access_memslot_enabled_unlocked(Vcpu vcpu)
    {
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        Log(enabled
            ? $"kvm_inhibit_apic_access_page: {vcpu.Name} reads apic_access_memslot_enabled == true: drops SRCU, takes slots_lock"
            : $"kvm_inhibit_apic_access_page: {vcpu.Name} reads apic_access_memslot_enabled == false: trusts that the memslot is gone (nothing to inhibit)");
        if (!enabled) rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.EnabledReadFalse(vcpu));
        return enabled;
    }

    /// <summary>A-INHIBIT.5: the recheck of kvm->arch.apic_access_memslot_enabled under slots_lock.</summary>
    protected internal virtual async Task<bool> apic_access_memslot_enabled_locked(Vcpu vcpu)
    {
        bool enabled = await READ_ONCE(apic_access_memslot_enabled);
        if (!enabled) Log($"kvm_inhibit_apic_access_page: {vcpu.Name} finds it already deleted under slots_lock (a harmless false positive)");
        return enabled;
    }

    /// <summary>A-INHIBIT.6-8, the body of kvm_inhibit_apic_access_page()'s "if (kvm->arch.apic_access_memslot_enabled)" under slots_lock.</summary>
    protected internal virtual async Task apic_access_memslot_delete(Vcpu vcpu)
    {
        apic_access_memslot_deletion_entered(vcpu);
        await __x86_set_memory_region(create: false);                      // A-INHIBIT.6
        // "Clear 'enabled' after the memslot is deleted so that a different vCPU doesn't get a
        // false negative when checking the flag out of slots_lock."
        await WRITE_ONCE(apic_access_memslot_enabled, false);              // A-INHIBIT.7
        // "Mark the memslot as inhibited to prevent reallocating the memslot during vCPU creation."
        await WRITE_ONCE(apic_access_memslot_inhibited, true);             // A-INHIBIT.8
    }

    /// <summary>Tells the monitor (INV-A2) that <paramref name="vcpu"/> enters the memslot deletion.</summary>
    protected void apic_access_memslot_deletion_entered(Vcpu vcpu)
    {
        Log($"kvm_inhibit_apic_access_page: {vcpu.Name} deletes the APIC access memslot");
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.DeletionEntered(vcpu.Name));
    }

    /// <summary>__kvm_apic_set_base() (A-SETBASE): x2APIC enable raises KVM_REQ_APICV_UPDATE (1459f5c6b8b8);
    /// no memslot work here.</summary>
    protected internal virtual async Task __kvm_apic_set_base(Vcpu vcpu, bool x2apic)
    {
        bool changed = vcpu.X2apicMode != x2apic;
        vcpu.X2apicMode = x2apic;                                            // A-SETBASE.1: W(apic_base)
        Log($"__kvm_apic_set_base: {vcpu.Name} apic_base |= X2APIC_ENABLE");
        if (!changed) return;
        Log($"__kvm_apic_set_base: kvm_make_request(KVM_REQ_APICV_UPDATE, {vcpu.Name})");
        await kvm_make_request(KvmRequest.KVM_REQ_APICV_UPDATE, vcpu);       // A-SETBASE.2
    }

    /// <summary>KVM_SET_LAPIC (kvm_vcpu_ioctl_set_lapic -> kvm_apic_set_state -> kvm_lapic_set_base):
    /// a restore that puts the APIC in x2APIC mode; vcpu->mutex held, no SRCU.</summary>
    protected internal virtual async Task kvm_vcpu_ioctl_set_lapic(Vcpu vcpu)
    {
        await mutex_lock(vcpu.mutex);
        await __kvm_apic_set_base(vcpu, x2apic: true);
        await mutex_unlock(vcpu.mutex);
    }

    /// <summary>kvm_x2apic_icr_write() -> kvm_apic_send_ipi(): a fixed IPI to <paramref name="target"/>, which wakes it
    /// if it is blocked (__apic_accept_irq -> kvm_vcpu_kick).</summary>
    protected internal virtual void kvm_x2apic_icr_write(Vcpu vcpu, Vcpu target)
    {
        Log($"kvm_x2apic_icr_write: {vcpu.Name} sends an IPI to {target.Name}");
        kvm_apic_send_ipi(vcpu, target, vector: 0xF0);
    }
}
