// The parts of struct kvm_vcpu that the kernel primitives touch: vcpu->mode, vcpu->requests and
// the kick IPI (virt/kvm/kvm_main.c kvm_make_vcpu_request / kvm_kick_many_cpus / ack_kick,
// include/linux/kvm_host.h kvm_make_request / kvm_check_request / kvm_vcpu_exiting_guest_mode).
// Models derive their vCPU from it. The kick IPI is acknowledged when the target re-enables IRQs
// (local_irq_enable after leaving guest mode); a KVM_REQUEST_WAIT requester waits for that ack.
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A vCPU as the kernel primitives see it. Also the blocker of a requester waiting for its IPI ack.</summary>
public class KernelVcpu : Blocker, IControlledResource
{
    private readonly SharedVar<bool>[] requests = new SharedVar<bool>[KvmRequest.Count];
    private readonly Dictionary<Operation, int> ipiWaiters = new();
    private int ipisSent;
    private int ipisAcked;

    public KernelVcpu(ControlledRuntime runtime, int vcpuId, string? name = null)
    {
        Runtime = runtime;
        ResourceId = runtime.NewResourceId();
        vcpu_id = vcpuId;
        Name = name ?? $"vcpu{vcpuId}";
        mode = new SharedVar<VcpuMode>(runtime, $"{Name}->mode", VcpuMode.OUTSIDE_GUEST_MODE);
        for (int i = 0; i < requests.Length; i++) requests[i] = new SharedVar<bool>(runtime, $"{Name}->requests.{KvmRequest.NameOf(i)}", false);
    }

    protected ControlledRuntime Runtime { get; }

#pragma warning disable CA1707, IDE1006 // kernel field names
    public readonly int vcpu_id;
    /// <summary>vcpu->mode.</summary>
    public readonly SharedVar<VcpuMode> mode;
#pragma warning restore CA1707, IDE1006

    /// <summary>Identifies this object to exhaustive search (creation order).</summary>
    public int ResourceId { get; }

    public string Name { get; }

    /// <summary>The thread running this vCPU (set by the model), for "cpu != me" in kick loops.</summary>
    public Operation? Thread { get; set; }

    /// <summary>The actor running this vCPU's thread (set when it is created), for wake-ups, kicks and IPIs.</summary>
    public ActorId? ThreadId { get; set; }

    /// <summary>The thread's state machine, once it runs (kvm_vcpu_block waits in it).</summary>
    internal VcpuThread? ThreadActor { get; set; }

    /// <summary>Request bit memory without a scheduling point (monitors only).</summary>
    public bool PeekRequest(KvmRequest req) => requests[req.Index].Peek();

    internal SharedVar<bool> RequestBit(KvmRequest req) => requests[req.Index];

    /// <summary>True when a kick IPI has been sent and not yet acknowledged.</summary>
    public bool IpiPending => ipisAcked < ipisSent;

    internal int SendIpi()
    {
        Runtime.RecordAccess(this, write: true); // the IPI is part of the kicker's step; the ack step must see it as a conflict
        return ++ipisSent;
    }

    internal void WaitFor(Operation waiter, int ticket) => ipiWaiters[waiter] = ticket;

    public SchedulingPoint<PendingAction, bool> RequestPending() =>
        Runtime.Point<PendingAction, bool>(new PendingAction(this), this, AccessKind.Read);

    /// <summary>READ_ONCE(vcpu->requests): all request bits in one load.</summary>
    public readonly struct PendingAction(KernelVcpu v) : IResumeAction<bool>
    {
        public bool Run(ControlledRuntime rt)
        {
            bool any = false;
            foreach (SharedVar<bool> bit in v.requests) any |= bit.Peek();
            if (rt.IsTracing) rt.Log($"kvm_request_pending({v.Name}) -> {(any ? "true" : "false")}");
            return any;
        }
    }

    public SchedulingPoint<IrqEnableAction, Unit> LocalIrqEnable() =>
        Runtime.Point<IrqEnableAction, Unit>(new IrqEnableAction(this), this, AccessKind.Other);

    public override bool CanProceed(Operation op) => ipisAcked >= ipiWaiters[op];

    public override string Describe(Operation op) =>
        $"the kick IPI to {Name} to be acknowledged (smp_call_function_many(wait=true)); {Name} has not re-enabled IRQs since (mode {mode.Peek()})";

    public override string ToString() => Name;

    /// <summary>local_irq_enable(): a pending kick IPI is taken now (ack_kick).</summary>
    public readonly struct IrqEnableAction(KernelVcpu v) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            bool pending = v.IpiPending;
            v.ipisAcked = v.ipisSent;
            if (rt.IsTracing) rt.Log(pending ? "local_irq_enable(): takes the kick IPI (ack_kick)" : "local_irq_enable()");
            return default;
        }
    }
}

public static partial class Linux
{
    /// <summary>kvm_make_request(req, vcpu): smp_wmb(); set_bit() (a locked RMW).</summary>
    public static SchedulingPoint<SharedVar<bool>.CompareExchangeAction, bool> kvm_make_request(KvmRequest req, KernelVcpu vcpu) =>
        vcpu.RequestBit(req).Exchange(true);

    /// <summary>kvm_check_request(req, vcpu): test, then clear_bit + smp_mb__after_atomic; only the vCPU's own thread clears,
    /// so test-and-clear is one atomic step here.</summary>
    public static SchedulingPoint<SharedVar<bool>.CompareExchangeAction, bool> kvm_check_request(KvmRequest req, KernelVcpu vcpu) =>
        vcpu.RequestBit(req).Exchange(false);

    /// <summary>kvm_test_request(req, vcpu): READ_ONCE of the bit.</summary>
    public static SchedulingPoint<SharedVar<bool>.ReadAction, bool> kvm_test_request(KvmRequest req, KernelVcpu vcpu) =>
        vcpu.RequestBit(req).Read();

    /// <summary>kvm_vcpu_exiting_guest_mode(): smp_mb__before_atomic(); cmpxchg(&amp;vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE).</summary>
    public static SchedulingPoint<SharedVar<VcpuMode>.CompareExchangeAction, VcpuMode> kvm_vcpu_exiting_guest_mode(KernelVcpu vcpu) =>
        vcpu.mode.CompareExchange(VcpuMode.EXITING_GUEST_MODE, VcpuMode.IN_GUEST_MODE);

    /// <summary>local_irq_enable() on the vCPU's own thread: takes any pending kick IPI.</summary>
    public static SchedulingPoint<KernelVcpu.IrqEnableAction, Unit> local_irq_enable(KernelVcpu self) => self.LocalIrqEnable();

    /// <summary>
    /// kvm_make_all_cpus_request(kvm, req) (kvm_main.c): set the bit on every vCPU; for each one that
    /// kvm_request_needs_ipi() (cmpxchg IN_GUEST->EXITING; with KVM_REQUEST_WAIT also any mode but
    /// OUTSIDE) send a kick IPI, except to the caller's own vCPU (cpu != me); with KVM_REQUEST_WAIT
    /// wait until every kicked vCPU acknowledged it. <paramref name="wait"/> overrides req.Wait (for mutants).
    /// </summary>
    public static async Task kvm_make_all_cpus_request(IReadOnlyList<KernelVcpu> vcpus, KvmRequest req, bool? wait = null)
    {
        ControlledRuntime rt = ControlledRuntime.Current ?? throw new InvalidOperationException("kvm_make_all_cpus_request outside the engine");
        bool mustWait = wait ?? req.Wait;
        Operation me = rt.CurrentOperation;
        List<(KernelVcpu Vcpu, int Ticket)>? kicked = null;
        for (int i = 0; i < vcpus.Count; i++)
        {
            KernelVcpu v = vcpus[i];
            await kvm_make_request(req, v);
            if (ReferenceEquals(v.Thread, me)) continue;
            VcpuMode old = await kvm_vcpu_exiting_guest_mode(v);
            bool needsIpi = req.Wait ? old != VcpuMode.OUTSIDE_GUEST_MODE : old == VcpuMode.IN_GUEST_MODE;
            if (!needsIpi) continue;
            int ticket = v.SendIpi();
            if (rt.IsTracing) rt.Log($"kick {v.Name}: IPI sent ({v.Name} was {old})");
            (kicked ??= new()).Add((v, ticket));
        }
        if (!mustWait || kicked is null) return;
        foreach ((KernelVcpu v, int ticket) in kicked)
        {
            v.WaitFor(me, ticket);
            await rt.Point(v, AccessKind.Other, v);
            if (rt.IsTracing) rt.Log($"{v.Name} acknowledged the kick IPI");
        }
    }
}

public static partial class Linux
{
    /// <summary>kvm_vcpu_block() (kvm_main.c) on the vCPU's own thread: waits (rcuwait) for a WakeUp, Kick or Ipi event.</summary>
    public static SchedulingPoint<Actor.ReceiveAction, Event> kvm_vcpu_block(KernelVcpu vcpu) =>
        (vcpu.ThreadActor ?? throw new InvalidOperationException($"{vcpu.Name} has no thread to block")).kvm_vcpu_block();

    /// <summary>kvm_vcpu_wake_up() (kvm_main.c): wakes the vCPU's thread from kvm_vcpu_block (queued if it is not blocked yet).</summary>
    public static void kvm_vcpu_wake_up(KernelVcpu vcpu, string why)
    {
        ControlledRuntime rt = ControlledRuntime.Current ?? throw new InvalidOperationException("kvm_vcpu_wake_up outside the engine");
        rt.SendEvent(vcpu.ThreadId ?? throw new InvalidOperationException($"{vcpu.Name} has no thread to wake"), new WakeUp(why));
    }

    /// <summary>An IPI to <paramref name="target"/>'s APIC (kvm_apic_send_ipi -> __apic_accept_irq -> kvm_vcpu_kick): wakes it if blocked.</summary>
    public static void kvm_apic_send_ipi(KernelVcpu source, KernelVcpu target, int vector)
    {
        ControlledRuntime rt = ControlledRuntime.Current ?? throw new InvalidOperationException("kvm_apic_send_ipi outside the engine");
        rt.SendEvent(target.ThreadId ?? throw new InvalidOperationException($"{target.Name} has no thread"), new Ipi(source.vcpu_id, vector));
    }

    /// <summary>kvm_request_pending(vcpu): READ_ONCE(vcpu->requests) != 0, one load of the whole word.</summary>
    public static SchedulingPoint<KernelVcpu.PendingAction, bool> kvm_request_pending(KernelVcpu vcpu) => vcpu.RequestPending();
}
