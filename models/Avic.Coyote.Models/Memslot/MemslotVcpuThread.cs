// A Protocol A vCPU thread: the Kernel/VcpuThread state machine (InUserspace, InKvmRun, InGuestMode,
// Blocked) over this model's kernel functions in Kvm. Each override only connects a state or event to
// the kernel function of the same name; the guest program (Vcpu.Guest) decides the exits.
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

    protected override async Task kvm_arch_vcpu_ioctl_run(KvmRun ioctl)
    {
        await kvm.kvm_arch_vcpu_ioctl_run(vcpu);
        next = 0;
        bailouts = 0;
        vcpu_run();
    }

    protected override Task kvm_arch_vcpu_ioctl_run_out(int r) => kvm.kvm_arch_vcpu_ioctl_run_out(vcpu);

    protected override async Task<int> vcpu_enter_guest()
    {
        if (await kvm.vcpu_enter_guest(vcpu))
        {
            kvm_x86_vcpu_run();
            return 1;
        }
        return ++bailouts <= 2 ? 1 : 0;   // model bound: KVM_RUN returns after a third cancelled entry, so executions end
    }

    protected override Task<GuestExit> guest_run() => kvm.guest_run(vcpu, vcpu.Guest[next]);

    protected override async Task<int> vcpu_enter_guest_exit(GuestExit exit)
    {
        int r = await kvm.vcpu_enter_guest_exit(vcpu, exit);
        return ++next < vcpu.Guest.Length ? r : 0;   // model bound: KVM_RUN returns once the guest program is done
    }

    protected override bool kvm_vcpu_running() => vcpu.mp_state == MpState.KVM_MP_STATE_RUNNABLE;

    protected override Task<int> vcpu_block() => kvm.vcpu_block(vcpu);
}
#pragma warning restore CA1707, IDE1006
