// IOMMU-posted device interrupts (kvm-protocols.md B-IOMMU, B-IRTE; 2025 code): a GA-mode IRTE per
// device IRQ on the target vCPU's ir_list, kept coherent with the shadow entry under ir_list_lock
// (4c08e737f056), the IOMMU posting into IRR, and the GA log waking a blocked vCPU.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>The GA fields of an IRTE the model needs: IsRun, the destination pCPU, GALogIntr.</summary>
public readonly record struct IrteEntry(bool IsRun, bool GaLogIntr, short Dest)
{
    public override string ToString() => $"IsRun={(IsRun ? 1 : 0)} dest={Dest} GALogIntr={(GaLogIntr ? 1 : 0)}";
}

/// <summary>One posted-interrupt IRTE (struct amd_ir_data) and the vector it posts.</summary>
public sealed class Irte(ControlledRuntime rt, int id)
{
    public int Id { get; } = id;

    public SharedVar<IrteEntry> Entry { get; } = new(rt, $"irte{id}", new IrteEntry(false, false, -1));

    /// <summary>The IRR bit the device's vector sets.</summary>
    public int Vector => 1 << (8 + Id);
}

public partial class AvicKvm
{
    // The device thread: the irqfd routing update (KVM_IRQFD → avic_pi_update_irte), then the device
    // raises its interrupts, which the IOMMU posts.
    private protected async Task device_thread(Irte irte, Vcpu target)
    {
        await avic_pi_update_irte(irte, target);
        for (int i = 0; i < Config.DeviceIrqs; i++) await amd_iommu_post_interrupt(irte, target);
        sched.RemoveWaker();
    }

    // avic.c avic_pi_update_irte() (B-IRTE): under the target's ir_list_lock, program the IRTE from the
    // shadow entry and add it to ir_list (svm_ir_list_add).
    protected internal virtual async Task avic_pi_update_irte(Irte irte, Vcpu v)
    {
        await v.ir_list_lock.Lock();
        ulong e = v.avic_physical_id_entry;   // stable: its writers hold ir_list_lock too
        await irte.Entry.Write(avic_irte_from_entry(e));   // irq_set_vcpu_affinity → amd_iommu
        v.ir_list.Add(irte);
        await v.ir_list_lock.Unlock();
        CheckCoherence(v);
    }

    // The GA fields irq_set_vcpu_affinity programs: a running vCPU's pCPU (f3cebc75e742, B-7 (1)), else
    // IsRun=0 with the entry's GALogIntr.
    protected internal virtual IrteEntry avic_irte_from_entry(ulong e) => IsRunning(e)
        ? new IrteEntry(true, false, (short)HostPhysicalId(e))
        : new IrteEntry(false, GaLogIntr(e), -1);

    // avic.c avic_update_iommu_vcpu_affinity() (B-LOAD.3.5 / B-PUT.4.2): "if (!kvm_arch_has_assigned_device(vcpu->kvm))
    // return" (no frame: every load and put passes here), else amd_iommu_update_ga() for each IRTE on ir_list (the
    // caller holds ir_list_lock); GALogIntr only when the vCPU starts blocking.
    protected internal virtual Task avic_update_iommu_vcpu_affinity(Vcpu v, int cpu, AvicVcpuAction action)
    {
        if (Config.DeviceIrqs == 0) return Task.CompletedTask;
        return amd_iommu_update_ga(v, cpu, ga_log_intr: action == AvicVcpuAction.START_BLOCKING);
    }

    private static async Task amd_iommu_update_ga(Vcpu v, int cpu, bool ga_log_intr)
    {
        foreach (Irte irte in v.ir_list)
            await irte.Entry.Write(cpu >= 0 ? new IrteEntry(true, false, (short)cpu) : new IrteEntry(false, ga_log_intr, irte.Entry.Peek().Dest));
    }

    // B-IOMMU: write IRR, then read the IRTE: IsRun → doorbell its destination; GALogIntr → GA log entry and
    // host IRQ → avic_ga_log_notifier → kvm_vcpu_wake_up; neither → nothing (picked up at the next VMRUN).
    protected internal virtual async Task amd_iommu_post_interrupt(Irte irte, Vcpu target)
    {
        await atomic_fetch_or(target.irr, irte.Vector);
        IrqPostedTo(target);
        IrteEntry e = await irte.Entry.Read();
        if (e.IsRun)
        {
            RingDoorbell(e.Dest, target, DoorbellSource.Iommu, null);
        }
        else if (e.GaLogIntr)
        {
            if (rt.IsTracing) rt.Log($"IOMMU: GA log entry for {target} → avic_ga_log_notifier()");
            await kvm_vcpu_wake_up(target);
        }
        else if (rt.IsTracing)
        {
            rt.Log($"IOMMU: {irte.Entry.Name} has IsRun=0 and GALogIntr=0: no doorbell, no GA log");
        }
    }

    /// <summary>raw_spin_lock_irqsave(&amp;svm->ir_list_lock): taken only when IRTEs are modelled (nothing else
    /// contends for it; without them, no frame: every load and put passes here).</summary>
    protected internal virtual Task<bool> ir_list_lock(Vcpu v) => Config.DeviceIrqs == 0 ? NotLocked : raw_spin_lock_irqsave(v.ir_list_lock);

    private static readonly Task<bool> NotLocked = Task.FromResult(false);

    private static async Task<bool> raw_spin_lock_irqsave(Avic.Coyote.Sync.Mutex l)
    {
        await l.Lock();
        return true;
    }

    /// <summary>raw_spin_unlock_irqrestore(&amp;svm->ir_list_lock) if <see cref="ir_list_lock"/> took it; then INV-B2.</summary>
    private protected Task ir_list_unlock(Vcpu v, bool locked)
    {
        if (locked) return raw_spin_unlock_irqrestore(v);
        CheckCoherence(v);
        return Task.CompletedTask;
    }

    private async Task raw_spin_unlock_irqrestore(Vcpu v)
    {
        await v.ir_list_lock.Unlock();
        CheckCoherence(v);
    }

    /// <summary>INV-B2 (2025 code), judged whenever ir_list_lock is free.</summary>
    private protected virtual void CheckCoherence(Vcpu v)
    {
        if (!Config.Checking(Invariant.EntryCoherence) || v.ir_list_lock.Owner is not null) return;
        ulong shadow = v.avic_physical_id_entry;
        ulong table = Table.Stored(v.vcpu_id);
        if (table != Avic.Kvm.Avic.AvicEntryUpdate.TableValue(shadow, Config.EnableIpiv)) Specification.Assert(false,
            "INV-B2", $"INV-B2: table[{v.vcpu_id}] = {Format(table)} does not match the shadow {Format(shadow)}");
        foreach (Irte irte in v.ir_list)
        {
            IrteEntry e = irte.Entry.Peek();
            if (!(e.IsRun == IsRunning(shadow) && (!e.IsRun || e.Dest == HostPhysicalId(shadow)) && e.GaLogIntr == GaLogIntr(shadow))) Specification.Assert(false,
                "INV-B2", $"INV-B2: {irte.Entry.Name} ({e}) disagrees with {v}'s shadow entry ({Format(shadow)})");
        }
    }
}
