// A Protocol A vCPU thread: the Kernel/VcpuThread state machine (InUserspace, InKvmRun, InGuestMode,
// Blocked) over this model's kernel functions in Kvm. Each override only connects a state or event to
// the kernel function of the same name; the guest program (Vcpu.Guest) decides the exits.
using System.Runtime.CompilerServices;
using Avic.Coyote.Models.Kernel;

namespace Avic.Coyote.Models.Memslot;

#pragma warning disable CA1707, IDE1006 // kernel function names
public sealed class MemslotVcpuThread : VcpuThread
{
    public sealed record Start(Kvm Kvm, Vcpu MemslotVcpu) : Attach(MemslotVcpu);

    private Kvm kvm = null!;
    private Vcpu vcpu = null!;
    /// <summary>The guest program's next action, and the cancelled entries, in this KVM_RUN.</summary>
    private int next, bailouts;

    protected override Task OnAttachAsync(Attach attach)
    {
        var start = (Start)attach;
        kvm = start.Kvm;
        vcpu = start.MemslotVcpu;
        return Task.CompletedTask;
    }

    protected override Task kvm_vcpu_ioctl_set_lapic(KvmSetLapic ioctl) => kvm.kvm_vcpu_ioctl_set_lapic(vcpu);

    protected override Task kvm_vcpu_ioctl_set_nested_state(KvmSetNestedState ioctl) => kvm.kvm_vcpu_ioctl_leave_nested(vcpu);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask kvm_arch_vcpu_ioctl_run(KvmRun ioctl)
    {
        await kvm.kvm_arch_vcpu_ioctl_run(vcpu);
        next = 0;
        bailouts = 0;
        vcpu_run();
    }

    protected override ValueTask kvm_arch_vcpu_ioctl_run_out(int r) => new(kvm.kvm_arch_vcpu_ioctl_run_out(vcpu));

    protected override ValueTask<int> vcpu_enter_guest() => kvm.vcpu_enter_guest(vcpu);

    protected override ValueTask<GuestExit> guest_run() => kvm.guest_run(vcpu, vcpu.Guest[next++]);

    protected override ValueTask<int> vcpu_enter_guest_exit(GuestExit exit) => kvm.vcpu_enter_guest_exit(vcpu, exit);

    /// <summary>Model bound: KVM_RUN returns once the guest program is done, or after a third cancelled entry.</summary>
    protected override int kvm_run_bound(int r, bool entered) =>
        entered ? (next < vcpu.Guest.Length ? r : 0) : (++bailouts <= 2 ? r : 0);

    protected override bool kvm_vcpu_running() => vcpu.mp_state == MpState.KVM_MP_STATE_RUNNABLE;

    protected override ValueTask<int> vcpu_block() => kvm.vcpu_block(vcpu);
}
#pragma warning restore CA1707, IDE1006
