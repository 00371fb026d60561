// A vCPU thread as a state machine whose states are its life in KVM and whose events are what
// drives it (VcpuEvents.cs). The kernel code stays in the model's kernel functions; this base only
// unrolls the KVM_RUN loop into states at the places the thread's situation changes:
//
//   virt/kvm/kvm_main.c kvm_vcpu_ioctl(KVM_RUN) -> arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl_run():
//       vcpu_run():  for (;;) {
//                        if (kvm_vcpu_running(vcpu)) r = vcpu_enter_guest(vcpu);   InKvmRun -> InGuestMode
//                        else                        r = vcpu_block(vcpu);         Blocked
//                        if (r <= 0) break;                                         -> InUserspace
//                    }
//       vcpu_enter_guest(): ... static_call(kvm_x86_vcpu_run)(vcpu) [the guest runs: InGuestMode]
//                           ... #VMEXIT ... static_call(kvm_x86_handle_exit)(vcpu, exit_fastpath)
//
// InUserspace  between ioctls (vcpu->mode OUTSIDE_GUEST_MODE, vcpu->mutex free): handles the VMM's ioctls.
// InKvmRun     the host side of KVM_RUN: vcpu_enter_guest() up to VMRUN (the model's override).
// InGuestMode  the guest runs (IN_GUEST_MODE) until its next exit, which it raises as a GuestExit
//              event; the exit is handled by the rest of vcpu_enter_guest() (vcpu_enter_guest_exit).
// Blocked      vcpu_block() / kvm_vcpu_block(): waits (rcuwait) for a WakeUp, Kick or Ipi.
// ScheduledOut the task is preempted between ioctls (kvm_sched_out ran); SchedIn resumes it.
//
// Everything one KVM_RUN does runs inside the handling of its KvmRun event (the gotos and the raised
// exit are followed without a scheduling point), so the actor adds no interleavings of its own: the
// scheduling points are the kernel's shared accesses, as before.
using System.Runtime.CompilerServices;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

#pragma warning disable CA1707, IDE1006 // kernel function names
public abstract class VcpuThread : StateMachine
{
    /// <summary>The initial event: the struct kvm_vcpu this thread runs (models derive it to pass more).</summary>
    public record Attach(KernelVcpu Vcpu) : Event;

    private KernelVcpu? kvmVcpu;
    private bool enteredGuest;

    /// <summary>The struct kvm_vcpu this thread runs.</summary>
    protected KernelVcpu Vcpu => kvmVcpu ?? throw new InvalidOperationException($"{GetType().Name} was created without an Attach event");

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        var attach = initialEvent as Attach
            ?? throw new InvalidOperationException($"{GetType().Name} needs a {nameof(Attach)} initial event naming its struct kvm_vcpu");
        kvmVcpu = attach.Vcpu;
        kvmVcpu.Thread = Runtime.CurrentOperation;   // "cpu != me" in kvm_make_all_cpus_request
        kvmVcpu.ThreadActor = this;
        return OnAttachAsync(attach);
    }

    /// <summary>Creates the thread of <paramref name="attach"/>'s vCPU (named after it), so wake-ups can be sent to it at once.</summary>
    public static ActorId Start<TThread>(IActorRuntime runtime, Attach attach) where TThread : VcpuThread
    {
        ActorId id = runtime.CreateActor<TThread>(attach, attach.Vcpu.Name);
        attach.Vcpu.ThreadId = id;
        return id;
    }

    /// <summary>Model-specific set-up from the initial event.</summary>
    protected virtual Task OnAttachAsync(Attach attach) => Task.CompletedTask;

    // ---- states -------------------------------------------------------------------------------------

    /// <summary>Between ioctls, in the VMM's code: vcpu->mode == OUTSIDE_GUEST_MODE, vcpu->mutex not held.</summary>
    [Start]
    [OnEventDoAction(typeof(KvmRun), nameof(kvm_arch_vcpu_ioctl_run))]
    [OnEventDoAction(typeof(KvmSetLapic), nameof(kvm_vcpu_ioctl_set_lapic))]
    [OnEventDoAction(typeof(KvmSetNestedState), nameof(kvm_vcpu_ioctl_set_nested_state))]
    [OnEventGotoState(typeof(SchedOut), typeof(ScheduledOut), nameof(kvm_sched_out))]
    [DeferEvents(typeof(WakeUp), typeof(Ipi))]
    [IgnoreEvents(typeof(Kick))]
    public sealed class InUserspace : State;

    /// <summary>The host side of KVM_RUN (vcpu->mode OUTSIDE_GUEST_MODE, SRCU held): one vcpu_enter_guest() up to VMRUN.</summary>
    [OnEntry(nameof(vcpu_run_enter_guest))]
    public sealed class InKvmRun : State;

    /// <summary>The guest runs (vcpu->mode IN_GUEST_MODE, SRCU dropped) until it exits; the exit is handled here.</summary>
    [OnEntry(nameof(guest_mode))]
    [OnEventDoAction(typeof(WrmsrX2apicEnable), nameof(vmexit))]
    [OnEventDoAction(typeof(Wrmsr), nameof(vmexit))]
    [OnEventDoAction(typeof(ApicMmioAccess), nameof(vmexit))]
    [OnEventDoAction(typeof(IcrWrite), nameof(vmexit))]
    [OnEventDoAction(typeof(Hlt), nameof(vmexit))]
    [OnEventDoAction(typeof(ExternalInterrupt), nameof(vmexit))]
    public sealed class InGuestMode : State;

    /// <summary>vcpu_block(): halted, waiting in kvm_vcpu_block() for a wake-up.</summary>
    [OnEntry(nameof(vcpu_run_block))]
    public sealed class Blocked : State;

    /// <summary>Preempted between ioctls: kvm_sched_out() ran; SchedIn (maybe on another pCPU) resumes it.</summary>
    [OnEventGotoState(typeof(SchedIn), typeof(InUserspace), nameof(kvm_sched_in))]
    [DeferEvents(typeof(KvmRun), typeof(KvmSetLapic), typeof(KvmSetNestedState), typeof(WakeUp), typeof(Ipi))]
    [IgnoreEvents(typeof(Kick))]
    public sealed class ScheduledOut : State;

    // ---- the model's kernel functions ---------------------------------------------------------------

    /// <summary>KVM_RUN up to vcpu_run(): e.g. vcpu->mutex, kvm_vcpu_srcu_read_lock; then call <see cref="vcpu_run"/>.</summary>
    protected abstract ValueTask kvm_arch_vcpu_ioctl_run(KvmRun ioctl);

    /// <summary>The end of KVM_RUN after vcpu_run() returned <paramref name="r"/> (SRCU unlock, vcpu->mutex unlock).</summary>
    protected abstract ValueTask kvm_arch_vcpu_ioctl_run_out(int r);

    /// <summary>vcpu_enter_guest() up to VMRUN: calls <see cref="kvm_x86_vcpu_run"/> (or Linux.kvm_x86_vcpu_run), or returns r without it (entry cancelled).</summary>
    protected abstract ValueTask<int> vcpu_enter_guest();

    /// <summary>What the guest does in guest mode until it exits (the model's guest program).</summary>
    protected abstract ValueTask<GuestExit> guest_run();

    /// <summary>The rest of vcpu_enter_guest() after #VMEXIT, ending with kvm_x86_handle_exit(); returns r.</summary>
    protected abstract ValueTask<int> vcpu_enter_guest_exit(GuestExit exit);

    /// <summary>The model's bound on one KVM_RUN (so executions end): the r vcpu_run() goes on with after an entry
    /// (<paramref name="entered"/>: the guest ran and exited; otherwise the entry was cancelled); 0 ends KVM_RUN.</summary>
    protected virtual int kvm_run_bound(int r, bool entered) => r;

    /// <summary>vcpu_block(): returns r (1: go on running).</summary>
    protected virtual ValueTask<int> vcpu_block() => new(1);

    /// <summary>kvm_vcpu_running(): not halted (vcpu->arch.mp_state == KVM_MP_STATE_RUNNABLE).</summary>
    protected virtual bool kvm_vcpu_running() => true;

    protected virtual Task kvm_vcpu_ioctl_set_lapic(KvmSetLapic ioctl) => throw NotModelled(ioctl);

    protected virtual Task kvm_vcpu_ioctl_set_nested_state(KvmSetNestedState ioctl) => throw NotModelled(ioctl);

    /// <summary>The preempt notifier kvm_sched_out() (kvm_main.c) -> kvm_arch_vcpu_put().</summary>
    protected virtual Task kvm_sched_out(SchedOut e) => Task.CompletedTask;

    /// <summary>The preempt notifier kvm_sched_in() (kvm_main.c) -> kvm_arch_vcpu_load(vcpu, cpu).</summary>
    protected virtual Task kvm_sched_in(SchedIn e) => Task.CompletedTask;

    // ---- helpers the kernel functions call -------------------------------------------------------------

    /// <summary>vcpu_run(): the loop starts (the thread is in KVM_RUN).</summary>
    protected void vcpu_run() => RaiseGotoStateEvent<InKvmRun>();

    /// <summary>static_call(kvm_x86_vcpu_run)(vcpu): VMRUN; the guest runs until its next exit (also Linux.kvm_x86_vcpu_run).</summary>
    protected internal void kvm_x86_vcpu_run()
    {
        enteredGuest = true;
        RaiseGotoStateEvent<InGuestMode>();
    }

    /// <summary>kvm_vcpu_block() (kvm_main.c): wait (rcuwait, blocked) for a wake-up, a kick or an IPI.</summary>
    internal SchedulingPoint<ReceiveAction, Event> kvm_vcpu_block() => ReceiveEventAsync(WakeUpEvents);

    /// <summary>What ends kvm_vcpu_block() (one array, so the actor reuses its wait).</summary>
    private static readonly Type[] WakeUpEvents = [typeof(WakeUp), typeof(Kick), typeof(Ipi)];

    private Exception NotModelled(Event ioctl) =>
        Runtime.Violation(BugKind.UnhandledEvent, $"{Id.Name}: {GetType().Name} does not model {ioctl.GetType().Name}");

    // ---- the loop of vcpu_run(), unrolled into states ------------------------------------------------
    // (protected, not private: the engine looks handlers up on the derived type, which does not see a base's private methods)
    // These run on every guest entry and exit: they have no frame of their own (the state machine awaits the model's
    // function and calls the rest of vcpu_run() with its r, see StateMachine.Then), and the model's ValueTask overrides
    // are pooled, so a KVM_RUN allocates no frame per handler (the unrolled loop was one frame before it was states).

    // r = vcpu_enter_guest(vcpu): awaited by the state machine (Then), so the handler adds no frame of its own.
    protected ValueTask vcpu_run_enter_guest()
    {
        enteredGuest = false;
        return Then(vcpu_enter_guest(), static (m, r) => ((VcpuThread)m).vcpu_run_entered(r));
    }

    /// <summary>After vcpu_enter_guest() returned r: VMRUN went to InGuestMode, or the entry was cancelled and vcpu_run() goes on.</summary>
    private ValueTask vcpu_run_entered(int r) => enteredGuest ? default : vcpu_run_next(kvm_run_bound(r, entered: false));

    // Most guest actions exit without a shared access (WRMSR, HLT, an ICR write by MSR): guest_run() is then complete when
    // it returns, and the exit is raised with no frame here; only a guest that waits (a scheduling point) costs one.
    protected ValueTask guest_mode()
    {
        ValueTask<GuestExit> run = guest_run();
        if (!run.IsCompletedSuccessfully) return guest_mode_exit(run);
        vmexit_raise(run.Result);
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask guest_mode_exit(ValueTask<GuestExit> run) => vmexit_raise(await run);

    /// <summary>#VMEXIT: the guest's exit is the next event this thread handles (before any queued one).</summary>
    private void vmexit_raise(GuestExit exit)
    {
        if (Runtime.IsTracing) Runtime.Log($"#VMEXIT: {exit}");
        RaiseEvent(exit);
    }

    protected ValueTask vmexit(Event exit) =>
        Then(vcpu_enter_guest_exit((GuestExit)exit), static (m, r) => ((VcpuThread)m).vcpu_run_next(((VcpuThread)m).kvm_run_bound(r, entered: true)));

    protected ValueTask vcpu_run_block() => Then(vcpu_block(), static (m, r) => ((VcpuThread)m).vcpu_run_next(r));

    /// <summary>vcpu_run(): "if (r <= 0) break;" else the next iteration, running or blocked.</summary>
    private ValueTask vcpu_run_next(int r)
    {
        if (r <= 0) return vcpu_run_out(r);
        if (kvm_vcpu_running()) RaiseGotoStateEvent<InKvmRun>();
        else RaiseGotoStateEvent<Blocked>();
        return default;
    }

    /// <summary>vcpu_run() returned r: the end of KVM_RUN, then the thread is back in userspace. The goto is taken when
    /// the handler's call returns (the state machine follows it after the call), so no frame waits here for the call.</summary>
    private ValueTask vcpu_run_out(int r)
    {
        RaiseGotoStateEvent<InUserspace>();
        return kvm_arch_vcpu_ioctl_run_out(r);
    }
}
#pragma warning restore CA1707, IDE1006
