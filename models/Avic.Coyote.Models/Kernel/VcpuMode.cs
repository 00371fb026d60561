// vcpu->mode (include/linux/kvm_host.h): written by the vCPU thread with smp_store_release around
// guest entry, flipped IN_GUEST_MODE -> EXITING_GUEST_MODE by a requester's cmpxchg
// (kvm_vcpu_exiting_guest_mode) to decide whether a kick IPI is needed.
namespace Avic.Coyote.Models.Kernel;

#pragma warning disable CA1707 // the kernel's names, so traces read like the C
public enum VcpuMode
{
    OUTSIDE_GUEST_MODE,
    IN_GUEST_MODE,
    EXITING_GUEST_MODE,
    READING_SHADOW_PAGE_TABLES,
}
#pragma warning restore CA1707
