// vCPU request bits (include/linux/kvm_host.h, arch/x86/include/asm/kvm_host.h) with the flags
// that matter for concurrency: KVM_REQUEST_WAIT (the requester waits for the kick IPI to be
// acknowledged, i.e. for the target to re-enable IRQs after leaving guest mode) and
// KVM_REQUEST_NO_WAKEUP (do not wake a blocked vCPU).
namespace Avic.Coyote.Models.Kernel;

/// <summary>A request: an index into each vCPU's request bits, its kernel name and flags.</summary>
public readonly record struct KvmRequest(int Index, string Name, bool Wait, bool NoWakeup)
{
    /// <summary>Number of request bits every <see cref="KernelVcpu"/> carries: the requests below (a vCPU's bits are
    /// made in every execution, so it carries no spare ones; a new request takes the next index and raises this).</summary>
    public const int Count = 4;

    // kvm_host.h: KVM_REQ_TLB_FLUSH (0 | KVM_REQUEST_WAIT | KVM_REQUEST_NO_WAKEUP)
    public static readonly KvmRequest KVM_REQ_TLB_FLUSH = new(0, "KVM_REQ_TLB_FLUSH", Wait: true, NoWakeup: true);
    // x86 kvm_host.h: KVM_REQ_EVENT KVM_ARCH_REQ(6)
    public static readonly KvmRequest KVM_REQ_EVENT = new(1, "KVM_REQ_EVENT", Wait: false, NoWakeup: false);
    // x86 kvm_host.h: KVM_REQ_APICV_UPDATE KVM_ARCH_REQ_FLAGS(25, KVM_REQUEST_WAIT | KVM_REQUEST_NO_WAKEUP)
    public static readonly KvmRequest KVM_REQ_APICV_UPDATE = new(2, "KVM_REQ_APICV_UPDATE", Wait: true, NoWakeup: true);
    // kvm_host.h: KVM_REQ_UNBLOCK 2 (wakes a blocked vCPU)
    public static readonly KvmRequest KVM_REQ_UNBLOCK = new(3, "KVM_REQ_UNBLOCK", Wait: false, NoWakeup: false);

    private static readonly KvmRequest[] Known = [KVM_REQ_TLB_FLUSH, KVM_REQ_EVENT, KVM_REQ_APICV_UPDATE, KVM_REQ_UNBLOCK];

    /// <summary>The kernel name of request bit <paramref name="index"/> (for traces).</summary>
    public static string NameOf(int index)
    {
        foreach (KvmRequest r in Known) if (r.Index == index) return r.Name;
        return "bit" + index;
    }

    public override string ToString() => Name;
}
