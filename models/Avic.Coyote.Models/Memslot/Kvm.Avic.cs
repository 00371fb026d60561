// arch/x86/kvm/svm/avic.c: avic_init_backing_page() (A-CREATE.4: where SVM allocates the APIC-access
// memslot) and the IPI path an x2APIC vCPU reaches through a still-mapped APIC page on hybrid AVIC
// (avic_incomplete_ipi_interception -> avic_kick_target_vcpus -> avic_kick_target_vcpus_fast).
// Read in mainline avic.c (the version with avic=auto and avic_physical_id_entry, >= v6.18).
using Avic.Coyote.Specifications;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    // enum avic_ipi_failure_cause (svm.h) and the ICR fields used here (apicdef.h).
    private const uint AVIC_IPI_FAILURE_TARGET_NOT_RUNNING = 1;
    private const uint APIC_DEST_PHYSICAL = 0x0, APIC_DEST_NOSHORT = 0x0, APIC_DM_FIXED = 0x0;
    private const uint X2APIC_BROADCAST = 0xFFFFFFFF, APIC_BROADCAST = 0xFF;
    private const uint IpiVector = 0xF0;

    /// <summary>avic_init_backing_page(): "if (kvm_apicv_activated(vcpu->kvm)) kvm_alloc_apic_access_page(vcpu->kvm)" (a racy read);
    /// then the physical-ID entry is written VALID with IsRunning = 0 (not modelled: only read for a vCPU that never runs).</summary>
    protected internal virtual async Task avic_init_backing_page(Vcpu vcpu)
    {
        if (await kvm_apicv_activated()) await kvm_alloc_apic_access_page();
    }

    /// <summary>
    /// The sender's AVIC hardware on a guest write to ICR in the vAPIC backing page. On hybrid AVIC the CPU takes an
    /// x2APIC vCPU for an xAPIC one, so the destination is ICR2[31:24] and the physical-ID table index is that APIC ID.
    /// The target (the hotplugged vCPU, never run) has IsRunning = 0, so the IPI ends in #VMEXIT(AVIC_INCOMPLETE_IPI,
    /// TARGET_NOT_RUNNING) with exit_info_1 = ICR2:ICR and the index in exit_info_2 [AMD APM vol. 2 "AVIC", from memory].
    /// </summary>
    protected internal (uint Icrh, uint Icrl, uint Id, uint Index) avic_hw_icr_write(Vcpu source)
    {
        uint dest = (uint)Config.Vcpus;                       // the hotplugged vCPU's APIC ID (== vcpu_id)
        uint icrh = dest << 24;                               // xAPIC ICR2: destination in bits 31:24
        uint icrl = APIC_DM_FIXED | APIC_DEST_PHYSICAL | APIC_DEST_NOSHORT | IpiVector;
        Log($"{source.Name}'s AVIC: ICR write 0x{icrh:x8}:0x{icrl:x8} to physical ID {dest}, IsRunning = 0: #VMEXIT(AVIC_INCOMPLETE_IPI, TARGET_NOT_RUNNING)");
        return (icrh, icrl, AVIC_IPI_FAILURE_TARGET_NOT_RUNNING, dest);
    }

    /// <summary>avic_incomplete_ipi_interception() (the TARGET_NOT_RUNNING case): "we just need to kick the appropriate vcpu".</summary>
    protected internal virtual int avic_incomplete_ipi_interception(Vcpu vcpu, (uint Icrh, uint Icrl, uint Id, uint Index) exit)
    {
        if (exit.Id == AVIC_IPI_FAILURE_TARGET_NOT_RUNNING) avic_kick_target_vcpus(vcpu, exit.Icrl, exit.Icrh, exit.Index);
        return 1;
    }

    /// <summary>avic_kick_target_vcpus(): the fast path first (the slow path's wake-ups are not modelled).</summary>
    protected internal virtual void avic_kick_target_vcpus(Vcpu source, uint icrl, uint icrh, uint index) =>
        avic_kick_target_vcpus_fast(source, icrl, icrh, index);

    /// <summary>avic_kick_target_vcpus_fast(), physical destination: an x2APIC source's ICR2 is taken as a 32-bit
    /// x2APIC destination, which must equal the index the hardware reported.</summary>
    protected internal virtual void avic_kick_target_vcpus_fast(Vcpu source, uint icrl, uint icrh, uint index)
    {
        if ((icrl & 0xC0000) != APIC_DEST_NOSHORT) return;
        bool x2apic = source.X2apicMode;                      // apic_x2apic_mode(source)
        uint dest = x2apic ? icrh : icrh >> 24;               // GET_XAPIC_DEST_FIELD(icrh)
        if ((icrl & 0x800) != APIC_DEST_PHYSICAL) return;
        if (x2apic ? dest == X2APIC_BROADCAST : dest == APIC_BROADCAST) return;
        Specification.Assert(dest == index, "INV-A7",
                $"INV-A7 (no WARN on the AVIC IPI path): WARN_ON_ONCE(dest != index) fires in avic_kick_target_vcpus_fast: " +
                $"{source.Name} is in x2APIC mode, so dest = ICR2 = 0x{dest:x}, but AVIC decoded the xAPIC-format write and reported index {index}");
        Log($"avic_kick_target_vcpus_fast: {source.Name}'s IPI to physical ID {dest}: kick");
    }
}
