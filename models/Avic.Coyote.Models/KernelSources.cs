// Where each modelled kernel function comes from: the kernel file and function the model mirrors,
// the kernel it was checked against, and the fingerprint of the function's text there (see
// README "Kernel drift": SHA-256 of its C tokens, so layout and comments do not count).
// `coyote kernel-diff --kernel PATH` compares a kernel tree with this table; after re-checking a
// model against a newer kernel, `--fingerprints` prints the new values to paste here.
namespace Avic.Coyote.Models;

/// <summary>One modelled kernel function: <paramref name="Model"/> is the model file that mirrors it;
/// <paramref name="Fingerprint"/> is null when the function is not in <see cref="KernelSources.Checked"/>
/// (it comes from a newer tree or a patch, named in <paramref name="Note"/>).</summary>
public sealed record KernelSource(string Model, string File, string Function, string? Fingerprint, string? Note = null);

public static class KernelSources
{
    /// <summary>The kernel the fingerprints were taken from: the drift baseline. The models follow the trees
    /// their files name (the seeds'); this records the text they are compared with from now on.</summary>
    public const string Checked =
        "v6.12 (Makefile 6.12.0): a source import of the v6.12 release, github.com/ananya101001/linux-kvm-project " +
        "at 314983e1b (its local edits are in vmx/vmx.c and cpuid.c only; no function here comes from them)";

    private const string Newer = "not in v6.12: added later; the model follows the newer tree (2025 kvm-x86)";

    public static readonly IReadOnlyList<KernelSource> All =
    [
        new("Memslot/Kvm.KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_vm_ioctl_create_vcpu", "0d601f040089fcd9"),
        new("Memslot/Kvm.KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_set_memslot", "c64ac10e6ca6e5ba"),
        new("Memslot/Kvm.KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_swap_active_memslots", "022b3a9242827e70"),
        new("Memslot/Kvm.KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_vm_ioctl_set_memory_region", "3972f5c2ef94e4b0"),
        new("Memslot/Kvm.KvmMain.cs", "include/linux/kvm_host.h", "kvm_vcpu_srcu_read_lock", "ca2bf7be0586fc2c"),
        new("Memslot/Kvm.KvmMain.cs", "include/linux/kvm_host.h", "kvm_vcpu_srcu_read_unlock", "863bb37acc53844f"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/x86.c", "kvm_arch_vcpu_create", "2013e5060414b677"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/svm/avic.c", "avic_init_backing_page", "b4e680596c9c1483"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/x86.c", "kvm_apicv_activated", "de41206165e36210"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/x86.c", "kvm_arch_vcpu_ioctl_run", "6e3633d679d3bd1e"),
        new("Memslot/Kvm.X86.cs, Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "vcpu_enter_guest", "0c7b8466cae63210"),
        new("Memslot/Kvm.X86.cs, Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "kvm_vcpu_update_apicv", "f9b96edfb420569c"),
        new("Memslot/Kvm.X86.cs, Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "__kvm_vcpu_update_apicv", "f35e235d06188f92"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/x86.c", "kvm_set_or_clear_apicv_inhibit", "90e84230a2c8b4df"),
        new("Memslot/Kvm.X86.cs, Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "__kvm_set_or_clear_apicv_inhibit", "aac2daf633f534fa"),
        new("Memslot/Kvm.X86.cs", "arch/x86/kvm/x86.c", "__x86_set_memory_region", "14ce77ec3435c083"),
        new("Memslot/Kvm.Lapic.cs", "arch/x86/kvm/lapic.c", "kvm_create_lapic", "db8a4dd54cdffeda"),
        new("Memslot/Kvm.Lapic.cs", "arch/x86/kvm/lapic.c", "kvm_alloc_apic_access_page", "47f3846501e5c8a3"),
        new("Memslot/Kvm.Lapic.cs", "arch/x86/kvm/lapic.c", "kvm_inhibit_apic_access_page", "97b4761dad83ccf2"),
        new("Memslot/Kvm.Lapic.cs, Doorbell/KvmMain.cs", "arch/x86/kvm/lapic.c", "__kvm_apic_set_base", null, Note: Newer),
        new("Memslot/Kvm.Lapic.cs", "arch/x86/kvm/x86.c", "kvm_vcpu_ioctl_set_lapic", "8a643bb01464055a"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "kvm_mmu_page_fault", "68657ac8346514bf"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "kvm_faultin_pfn", "765c5226787067a0"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "kvm_zap_gfn_range", "72ecea87892d6de6"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "kvm_arch_flush_shadow_memslot", "81ef0e0b38054790"),
        new("Memslot/Kvm.Mmu.cs", "virt/kvm/kvm_main.c", "kvm_flush_remote_tlbs", "48b91d68d82866f9"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu.h", "kvm_mmu_reload", "f4194e957b2b2c89"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "kvm_mmu_load", "983935900e50e5cb"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "mmu_alloc_shadow_roots", "2048b3c49782332c"),
        new("Memslot/Kvm.Mmu.cs", "arch/x86/kvm/mmu/mmu.c", "mmu_first_shadow_root_alloc", "76efef61b4bb86a2"),
        new("Memslot/Kvm.Nested.cs", "arch/x86/kvm/svm/nested.c", "nested_svm_vmexit", "8ac5c88fa6b38471"),
        new("Kernel/KernelVcpu.cs", "include/linux/kvm_host.h", "kvm_make_request", "40e115b180f60d4b"),
        new("Kernel/KernelVcpu.cs", "include/linux/kvm_host.h", "kvm_test_request", "51b593abee4f26e2"),
        new("Kernel/KernelVcpu.cs", "include/linux/kvm_host.h", "kvm_check_request", "37c88969f76af467"),
        new("Kernel/KernelVcpu.cs", "include/linux/kvm_host.h", "kvm_request_pending", "f92bbcd8eb7a7d54"),
        new("Kernel/KernelVcpu.cs", "include/linux/kvm_host.h", "kvm_vcpu_exiting_guest_mode", "3bb75917d52f6a7b"),
        new("Kernel/KernelVcpu.cs", "virt/kvm/kvm_main.c", "kvm_make_vcpu_request", "9951e5af5085f40d"),
        new("Kernel/KernelVcpu.cs", "virt/kvm/kvm_main.c", "kvm_kick_many_cpus", "45ce8c7490e98175"),
        new("Kernel/KernelVcpu.cs", "virt/kvm/kvm_main.c", "kvm_make_all_cpus_request", "05ceb0ef62426ae9"),
        new("Kernel/KernelVcpu.cs", "virt/kvm/kvm_main.c", "ack_kick", "a5cbb00df5758154"),
        new("Kernel/KernelVcpu.cs", "virt/kvm/kvm_main.c", "kvm_vcpu_kick", "1c1015041378ab4f"),
        new("Kernel/KernelVcpu.cs", "kernel/smp.c", "smp_call_function_many_cond", "0b5f542c30e059da"),
        new("Kernel/KernelVcpu.cs", "kernel/smp.c", "__flush_smp_call_function_queue", "af861e6274df7579"),
        new("Kernel/KernelVcpu.cs", "kernel/smp.c", "csd_unlock", "b9794d2fab242f69"),
        new("Kernel/KernelVcpu.cs", "kernel/smp.c", "csd_lock_wait", "04a42ed784748ef0"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/svm.c", "svm_vcpu_load", "4754e1f8061d36c5"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/svm.c", "svm_vcpu_put", "0d9e2694267d042a"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_vcpu_load", "bbe9f961ba75da6d"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "__avic_vcpu_load", null, Note: Newer),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_vcpu_put", "8d91660eb46259b5"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "__avic_vcpu_put", null, Note: Newer),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_vcpu_blocking", "611c0dc5cdbec0e6"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_vcpu_unblocking", "092623779f7e0ca6"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_refresh_apicv_exec_ctrl", "0eeb378b73ad872d"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_incomplete_ipi_interception", "7e0f91c08a680914"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_kick_target_vcpus", "d29267e1576a850a"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/avic.c", "avic_ring_doorbell", "a8ccc688e7b04c4a"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/lapic.c", "kvm_apic_send_ipi", "a57b160e7d954093"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/lapic.h", "kvm_lapic_set_irr", "1067b6f6111b61e7"),
        new("Doorbell/Avic.cs", "arch/x86/kvm/svm/svm.c", "svm_complete_interrupt_delivery", "4270bcbac69fa5ac"),
        new("Doorbell/Iommu.cs", "arch/x86/kvm/svm/avic.c", "avic_pi_update_irte", "12bce91e769b7fa6"),
        new("Doorbell/Iommu.cs", "arch/x86/kvm/svm/avic.c", "avic_update_iommu_vcpu_affinity", "34dbbd0e174abc48"),
        new("Doorbell/KvmMain.cs", "virt/kvm/kvm_main.c", "vcpu_load", "2ef6726029042a06"),
        new("Doorbell/KvmMain.cs", "virt/kvm/kvm_main.c", "vcpu_put", "d1ed0e8941c6bf0e"),
        new("Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "kvm_arch_vcpu_load", "a3711ad950058325"),
        new("Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "kvm_arch_vcpu_put", "2cb70a46b0813045"),
        new("Doorbell/KvmMain.cs", "arch/x86/kvm/x86.c", "kvm_check_and_inject_events", "de4962d222026f42"),
        new("Doorbell/KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_vcpu_block", "b21776ae50266fe0"),
        new("Doorbell/KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_vcpu_check_block", "37077a908667e4cf"),
        new("Doorbell/KvmMain.cs", "virt/kvm/kvm_main.c", "kvm_vcpu_halt", "67cadfeacabc8a24"),
        new("Doorbell/KvmMain.cs", "arch/x86/kvm/lapic.c", "kvm_apic_update_apicv", "2ce3362b46ad53ea"),
    ];
}
