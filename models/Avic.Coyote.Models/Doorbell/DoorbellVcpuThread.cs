// A Protocol B vCPU thread as a state machine (Kernel/VcpuThread.cs): the VMM's KVM_RUN starts it
// (InUserspace → InKvmRun), VMRUN puts it in guest mode (InGuestMode), where its guest program
// runs one action and raises the #VMEXIT it causes as an event (IcrWrite, Hlt, WrmsrX2apicEnable,
// ExternalInterrupt); the exit is handled (svm_handle_exit), and HLT blocks it (Blocked:
// kvm_vcpu_halt). The kernel code is AvicKvm's (or its variant's): this class only maps the states
// and events onto it.
//
// Kept inside the handlers on purpose, as in the kernel: preemption and migration (the host
// scheduler's tick preempts the thread at a preemptible window in the middle of KVM_RUN, and the
// preempt notifiers kvm_sched_out/kvm_sched_in run on this thread: an event would only be handled
// between two handlers, i.e. never inside KVM_RUN); wake-ups (try_to_wake_up on the task state, whose
// race with set_current_state() is the lost-wakeup the protocol is about); doorbells and kick IPIs
// to a vCPU in guest mode (signals latched by its pCPU, not messages its thread dequeues).
using System.Runtime.CompilerServices;
using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>The initial event of a <see cref="DoorbellVcpuThread"/>: its vCPU and the kernel code it runs.</summary>
public sealed record AttachDoorbellVcpu(Vcpu DoorbellVcpu, AvicKvm Kvm) : VcpuThread.Attach(DoorbellVcpu);

public sealed class DoorbellVcpuThread : VcpuThread
{
    private AvicKvm kvm = null!;
    private Vcpu v = null!;

    /// <summary>The guest program's current action (one per completed guest entry).</summary>
    private int pc;

    /// <summary>The exit of the current guest entry (the event says what kind; this says how it ended).</summary>
    private ExitReason exit;

    /// <summary>kvm_emulate_halt(): vcpu->arch.mp_state = KVM_MP_STATE_HALTED until vcpu_block() ran.</summary>
    private bool halted;

    protected override Task OnAttachAsync(Attach attach)
    {
        var a = (AttachDoorbellVcpu)attach;
        kvm = a.Kvm;
        v = a.DoorbellVcpu;
        v.AcceptsAtActionStart = v.Accepts;
        return Task.CompletedTask;
    }

    // x86.c kvm_arch_vcpu_ioctl_run(): vcpu_load(), then vcpu_run().
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask kvm_arch_vcpu_ioctl_run(KvmRun ioctl)
    {
        await kvm.vcpu_load(v);
        vcpu_run();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask kvm_arch_vcpu_ioctl_run_out(int r)
    {
        await kvm.kvm_arch_vcpu_ioctl_run_out(v);
        RaiseHaltEvent();   // the VMM's thread exits after its KVM_RUN (the model's bound); the VMM joins it
    }

    protected override ValueTask<int> vcpu_enter_guest() => kvm.vcpu_enter_guest(v);

    // HLT and WRMSR exit at once (no shared access): guest_run() then needs no frame of its own.
    protected override ValueTask<GuestExit> guest_run()
    {
        kvm.GuestModeEntered(v);
        ValueTask<ExitReason> run = kvm.guest_run(v, v.Program[pc]);
        return run.IsCompletedSuccessfully ? new(vmexit_reason(run.Result)) : guest_run_wait(run);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<GuestExit> guest_run_wait(ValueTask<ExitReason> run) => vmexit_reason(await run);

    /// <summary>The #VMEXIT event of the exit the guest's action ended in.</summary>
    private GuestExit vmexit_reason(ExitReason reason)
    {
        exit = reason;
        return exit switch
        {
            ExitReason.AvicIncompleteIpi => new IcrWrite(kvm.TargetOf(v).vcpu_id, IncompleteIpi: true),
            ExitReason.ApicWrite => new IcrWrite(kvm.TargetOf(v).vcpu_id),
            ExitReason.Hlt => Hlt.Instance,
            ExitReason.MsrWrite => WrmsrX2apicEnable.Instance,
            _ => ExternalInterrupt.Instance,   // a host interrupt, or the 'S' guest's voluntary exit (PAUSE)
        };
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> vcpu_enter_guest_exit(GuestExit e)
    {
        await kvm.vcpu_enter_guest_exit(v);
        // An 'S' guest interrupted by a host IPI goes back to waiting after the next VMRUN.
        if (v.Program[pc] == 'S' && exit == ExitReason.ExternalInterrupt) return 1;
        if (e is Hlt)
        {
            halted = true;   // halt_interception → kvm_emulate_halt(): vcpu_run() calls vcpu_block() next
            return 1;
        }
        await kvm.handle_exit(v, exit);
        await kvm.vcpu_run_preemptible(v);
        return next_action();
    }

    protected override bool kvm_vcpu_running() => !halted;

    // x86.c vcpu_block() → kvm_vcpu_halt().
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> vcpu_block()
    {
        halted = false;
        await kvm.kvm_vcpu_halt(v);
        if (v.SleepsForever) return 0;
        await kvm.vcpu_run_preemptible(v);
        return next_action();
    }

    // The guest's action is done (after vcpu_run()'s preemptible window, awaited by the caller in its own frame):
    // the next guest entry, or the return to userspace once the program (the model's bound) is done.
    private int next_action()
    {
        if (++pc == v.Program.Length) return 0;
        v.AcceptsAtActionStart = v.Accepts;
        return 1;
    }
}
