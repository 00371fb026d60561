// virt/kvm/kvm_main.c (and include/linux/kvm_host.h helpers): vCPU creation, memslot
// create/delete with their SRCU grace periods, the userspace memslot ioctl.
// Steps follow kvm-protocols.md §1.3 A-CREATE and A-DELETE.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    /// <summary>kvm_vcpu_srcu_read_lock() (kvm_host.h).</summary>
    protected internal SchedulingPoint<Srcu.ReadLockAction, Unit> kvm_vcpu_srcu_read_lock(Vcpu vcpu) => srcu_read_lock(srcu);

    /// <summary>kvm_vcpu_srcu_read_unlock() (kvm_host.h): an unlock without lock is the INV-A5 imbalance.</summary>
    protected internal SchedulingPoint<Srcu.ReadUnlockAction, Unit> kvm_vcpu_srcu_read_unlock(Vcpu vcpu) => srcu_read_unlock(srcu);

    /// <summary>kvm_vm_ioctl_create_vcpu() (kvm_main.c), A-CREATE: no SRCU, no kvm->lock during arch create.</summary>
    protected internal virtual async Task<Vcpu> kvm_vm_ioctl_create_vcpu(int id)
    {
        // A-CREATE.1: kvm_arch_vcpu_precreate() and created_vcpus++ under kvm->lock.
        await mutex_lock(kvm_lock);
        created_vcpus++;
        await mutex_unlock(kvm_lock);

        var vcpu = new Vcpu(rt, lockdep, id, GuestProgram(id));
        Log($"kvm_vm_ioctl_create_vcpu: creating {vcpu.Name} (created_vcpus={created_vcpus})");
        await kvm_arch_vcpu_create(vcpu);

        // A-CREATE.11: publish the vCPU (xa_store, online_vcpus++) under kvm->lock and vcpu->mutex.
        await mutex_lock(kvm_lock);
        await mutex_lock(vcpu.mutex);
        vcpus.Add(vcpu);
        Log($"kvm_vm_ioctl_create_vcpu: {vcpu.Name} online");
        await mutex_unlock(vcpu.mutex);
        await mutex_unlock(kvm_lock);
        return vcpu;
    }

    /// <summary>kvm_set_memslot() (kvm_main.c) for one address space; caller holds slots_lock.
    /// CREATE publishes VALID then waits a grace period; DELETE is A-DELETE.1-11.</summary>
    protected internal virtual async Task kvm_set_memslot(SharedVar<SlotState> slot, bool create, bool isApicSlot)
    {
        await mutex_lock(slots_arch_lock);                          // A-DELETE.1
        if (create)
        {
            await kvm_swap_active_memslots(slot, SlotState.VALID);  // kvm_create_memslot() -> kvm_activate_memslot()
            return;
        }
        // kvm_arch_flush_shadow_memslot() → kvm_mmu_zap_memslot() unmaps through the slot (kvm_unmap_gfn_range
        // with .slot: the TDP roots of its address space, or its rmaps), so deleting the SMM copy (as_id 1)
        // leaves the non-SMM SPTE the model has (vCPUs never run in SMM here) alone.
        bool zapsApicSpte = isApicSlot && ReferenceEquals(slot, apic_access_slot[0]);
        await kvm_invalidate_memslot(slot, zapsApicSpte);          // A-DELETE.2-7
        await kvm_delete_memslot(slot, zapsApicSpte);              // A-DELETE.9-10
    }

    /// <summary>kvm_invalidate_memslot(): publish the slot KVM_MEMSLOT_INVALID, wait for the readers that saw it VALID,
    /// zap its SPTEs, retake slots_arch_lock.</summary>
    protected internal virtual async Task kvm_invalidate_memslot(SharedVar<SlotState> slot, bool zapsApicSpte)
    {
        await kvm_swap_active_memslots(slot, SlotState.INVALID);   // A-DELETE.2-5
        if (zapsApicSpte) await kvm_arch_flush_shadow_memslot();    // A-DELETE.6: zap + remote TLB flush
        await mutex_lock(slots_arch_lock);                          // A-DELETE.7
    }

    /// <summary>kvm_delete_memslot() -> kvm_activate_memslot(kvm, old, NULL): publish the slot ABSENT (A-DELETE.9-10).</summary>
    protected internal virtual Task kvm_delete_memslot(SharedVar<SlotState> slot, bool zapsApicSpte) =>
        kvm_swap_active_memslots(slot, SlotState.ABSENT);

    /// <summary>kvm_swap_active_memslots(): rcu_assign_pointer publishes the new memslots; "Must be released before
    /// synchronize SRCU below in order to avoid deadlock with another thread acquiring the slots_arch_lock in an
    /// srcu critical section"; then synchronize_srcu_expedited().</summary>
    protected internal virtual async Task kvm_swap_active_memslots(SharedVar<SlotState> slot, SlotState state)
    {
        await WRITE_ONCE(slot, state);
        await mutex_unlock(slots_arch_lock);
        await synchronize_srcu(srcu);
    }

    /// <summary>A-USERMEM: KVM_SET_USER_MEMORY_REGION (kvm_vm_ioctl_set_memory_region): slots_lock, no SRCU.</summary>
    protected internal virtual async Task kvm_vm_ioctl_set_memory_region()
    {
        await mutex_lock(slots_lock);
        await kvm_set_memslot(user_slot, create: true, isApicSlot: false);
        await mutex_unlock(slots_lock);
    }
}
