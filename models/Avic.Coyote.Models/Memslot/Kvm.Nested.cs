// arch/x86/kvm/svm/nested.c: nested_svm_vmexit()'s APICv update (kvm-protocols.md §1.3 A-NESTED).
// The merged code calls the double-underscore update, which skips the x2APIC memslot logic and so
// never drops SRCU ("play it safe to avoid latent bugs, e.g. with dropping the vCPU's SRCU lock",
// seed 000). The model reaches it from an ioctl with vcpu->mutex held and no SRCU — the premise
// of §4 MA7; which upstream caller would do so is not established.
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

public partial class Kvm
{
    /// <summary>An ioctl that forces a nested VM-exit (e.g. leaving nested mode on a state restore).</summary>
    protected internal virtual async Task kvm_vcpu_ioctl_leave_nested(Vcpu vcpu)
    {
        await mutex_lock(vcpu.mutex);
        await nested_svm_vmexit(vcpu);
        await mutex_unlock(vcpu.mutex);
    }

    /// <summary>nested_svm_vmexit(): "if (kvm_apicv_activated(vcpu->kvm)) __kvm_vcpu_update_apicv(vcpu);"</summary>
    protected internal virtual async Task nested_svm_vmexit(Vcpu vcpu)
    {
        if (await kvm_apicv_activated()) await __kvm_vcpu_update_apicv(vcpu);
    }
}
