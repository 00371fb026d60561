// The parts of struct kvm_vcpu that the kernel primitives touch: vcpu->mode, vcpu->requests and
// the kick IPI (virt/kvm/kvm_main.c kvm_make_vcpu_request / kvm_kick_many_cpus / ack_kick,
// include/linux/kvm_host.h kvm_make_request / kvm_check_request / kvm_vcpu_exiting_guest_mode).
// Models derive their vCPU from it. The kick IPI is smp_call_function_many(cpus, ack_kick, NULL, wait)
// (kernel/smp.c smp_call_function_many_cond): the sender locks its csd for the target CPU and queues it
// on the target's call_single_queue; the target takes the queue when it re-enables IRQs
// (local_irq_enable after leaving guest mode; __flush_smp_call_function_queue) and csd_unlock()s each
// csd with a store-release; a KVM_REQUEST_WAIT sender waits in csd_lock_wait (a load-acquire).
using System.Runtime.CompilerServices;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A vCPU as the kernel primitives see it. As a resource it is its CPU's call_single_queue (the pending kick IPIs).</summary>
public class KernelVcpu : IControlledResource
{
    /// <summary>Operations that may kick this vCPU: each has its own csd for it (see <see cref="Csd"/>).</summary>
    private const int MaxSenders = 64;

    private readonly SharedVar<bool>[] requests = new SharedVar<bool>[KvmRequest.Count];
    private readonly RequestsWord requestsWord;
    /// <summary>Made on the first kick (most executions of most models send none); indexed by the sender's operation id.</summary>
    private Csd?[]? csds;
    private readonly int firstCsdId;
    private readonly List<Csd> callSingleQueue = new();

    public KernelVcpu(ControlledRuntime runtime, int vcpuId, string? name = null)
    {
        Runtime = runtime;
        ResourceId = runtime.NewResourceId();
        vcpu_id = vcpuId;
        Names = FieldNames.Of(name, vcpuId);
        Name = Names.Vcpu;
        mode = new SharedVar<VcpuMode>(runtime, Names.Mode, VcpuMode.OUTSIDE_GUEST_MODE);
        for (int i = 0; i < requests.Length; i++) requests[i] = new SharedVar<bool>(runtime, Names.RequestBits[i], false);
        requestsWord = new RequestsWord(runtime.NewResourceId(), Names.Requests);
        // The csds are made on first use, but their ids are taken now: an object must have the same id in every
        // execution (exhaustive search tells objects apart by id), whichever sender kicks first.
        firstCsdId = runtime.NewResourceId();
        for (int i = 1; i < MaxSenders; i++) runtime.NewResourceId();
    }

    protected ControlledRuntime Runtime { get; }

    /// <summary>
    /// The names of a vCPU's fields ("vcpu0->mode", "vcpu0->requests.KVM_REQ_EVENT", ...), made once per vCPU and kept
    /// across executions: a model builds its vCPUs anew in every execution, and the names never change.
    /// </summary>
    protected sealed class FieldNames
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, FieldNames> ById = new();
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FieldNames> ByName = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> fields = new();

        private FieldNames(string vcpu)
        {
            Vcpu = vcpu;
            Mode = vcpu + "->mode";
            Requests = vcpu + "->requests";
            RequestBits = new string[KvmRequest.Count];
            for (int i = 0; i < RequestBits.Length; i++) RequestBits[i] = $"{vcpu}->requests.{KvmRequest.NameOf(i)}";
        }

        public string Vcpu { get; }
        public string Mode { get; }
        public string Requests { get; }
        public string[] RequestBits { get; }

        /// <summary>"{vcpu}{field}": Field("->apic->IRR") is "vcpu0->apic->IRR" (a model's own fields).</summary>
        public string Field(string field) => fields.GetOrAdd(field, static (f, vcpu) => vcpu + f, Vcpu);

        /// <summary>The names of vCPU <paramref name="vcpuId"/> called <paramref name="name"/> (null: "vcpu{id}").</summary>
        public static FieldNames Of(string? name, int vcpuId) => name is null
            ? ById.GetOrAdd(vcpuId, static id => new FieldNames($"vcpu{id}"))
            : ByName.GetOrAdd(name, static n => new FieldNames(n));
    }

    /// <summary>This vCPU's field names (kept across executions, see <see cref="FieldNames"/>).</summary>
    protected FieldNames Names { get; }

#pragma warning disable CA1707, IDE1006 // kernel field names
    public readonly int vcpu_id;
    /// <summary>vcpu->mode.</summary>
    public readonly SharedVar<VcpuMode> mode;
#pragma warning restore CA1707, IDE1006

    /// <summary>Identifies this object to exhaustive search (creation order).</summary>
    public int ResourceId { get; }

    ResourceKind IControlledResource.ResourceKind => ResourceKind.Synchronization;

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

    /// <summary>True when a kick IPI has been sent and not yet taken.</summary>
    public bool IpiPending => callSingleQueue.Count > 0;

    /// <summary>
    /// The csd (call_single_data) a sender uses for this vCPU's CPU: per_cpu_ptr(cfd->csd, cpu) in the sender's
    /// cfd_data (kernel/smp.c smp_call_function_many_cond), so one per (sender, target). Only the sender's
    /// csd_lock_wait and the target's csd_unlock touch it, and the unlock is a release the wait acquires: the
    /// wait is ordered after the unlock that let it through and never races with it (it cannot pass first).
    /// A csd shared by all senders would also order a wait after another sender's later unlock, which is false.
    /// </summary>
    internal sealed class Csd(KernelVcpu target, Operation sender, int resourceId) : Blocker, IControlledResource
    {
        public KernelVcpu Target => target;

        /// <summary>CSD_FLAG_LOCK.</summary>
        public bool Locked;

        /// <summary>CSD_TYPE_SYNC: the sender waits for this call (wait=true).</summary>
        public bool Sync;

        public int ResourceId => resourceId;

        public override bool CanProceed(Operation op) => !Locked;

        public override string Describe(Operation op) =>
            $"the kick IPI to {target.Name} to be acknowledged (smp_call_function_many(wait=true)); {target.Name} has not re-enabled IRQs since (mode {target.mode.Peek()})";

        public override string ToString() => $"csd({sender.Name}->{target.Name})";
    }

    private Csd CsdOf(Operation sender)
    {
        if (sender.Id >= MaxSenders)
            throw new InvalidOperationException($"{sender.Name} (operation {sender.Id}) kicks {Name}, but a vCPU has csds for operations 0..{MaxSenders - 1} only (KernelVcpu.MaxSenders)");
        return (csds ??= new Csd?[MaxSenders])[sender.Id] ??= new Csd(this, sender, firstCsdId + sender.Id);
    }

    /// <summary>Part of the sender's step after kvm_vcpu_exiting_guest_mode: csd_lock(csd); llist_add() to this CPU's
    /// call_single_queue; the IPI. The csd needs no access here: the queue orders it before the target's csd_unlock.</summary>
    internal Csd SendIpi(Operation sender, bool wait)
    {
        Runtime.RecordAccess(this, write: true); // llist_add: the target's local_irq_enable must see it as a conflict
        Csd csd = CsdOf(sender);
        csd.Locked = true;
        csd.Sync |= wait;
        if (!callSingleQueue.Contains(csd)) callSingleQueue.Add(csd);
        return csd;
    }

    public SchedulingPoint<PendingAction, bool> RequestPending() =>
        Runtime.Point<PendingAction, bool>(new PendingAction(this), requestsWord, AccessKind.Read);

    /// <summary>vcpu->requests as one word, for kvm_request_pending's single load: what it conflicts with are the bits
    /// it reads (recorded by the load), not the vCPU object, which stands for the IPI queue a kick writes.</summary>
    private sealed class RequestsWord(int resourceId, string name) : IControlledResource
    {
        public int ResourceId => resourceId;

        ResourceKind IControlledResource.ResourceKind => ResourceKind.Memory;

        public override string ToString() => name;
    }

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

    /// <summary>
    /// local_irq_enable() on the vCPU's own thread: a pending kick IPI is taken now. One step takes the queue
    /// (llist_del_all in __flush_smp_call_function_queue) and unlocks the csds nobody waits for; then each waited-for
    /// csd gets its own step: ack_kick() (empty) and csd_unlock(), the store-release its sender's csd_lock_wait acquires.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]   // on every VM-exit: its frame is pooled
    internal async ValueTask LocalIrqEnable()
    {
        await Runtime.Point<IrqEnableAction, Unit>(new IrqEnableAction(this), this, AccessKind.Other);
        for (int i = 0; i < taken.Count; i++) await csd_unlock(taken[i]);
        taken.Clear();
    }

    /// <summary>The waited-for csds the running local_irq_enable() took off the queue (only this vCPU's thread uses it).</summary>
    private readonly List<Csd> taken = new();

    /// <summary>csd_unlock(csd): smp_store_release(&amp;csd->node.u_flags, 0).</summary>
    private async Task csd_unlock(Csd csd)
    {
        await Runtime.Point(csd, AccessKind.Unlock);
        (csd.Locked, csd.Sync) = (false, false);
        if (Runtime.IsTracing) Runtime.Log($"ack_kick(); csd_unlock({csd})");
    }

    /// <summary>The step of local_irq_enable() that takes the IPI: llist_del_all(call_single_queue); the csds of
    /// senders that do not wait are unlocked in it (no one acquires them), the others go to <see cref="taken"/>.</summary>
    private readonly struct IrqEnableAction(KernelVcpu v) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            bool pending = v.IpiPending;
            foreach (Csd csd in v.callSingleQueue)
            {
                if (csd.Sync) v.taken.Add(csd);
                else csd.Locked = false;
            }
            v.callSingleQueue.Clear();
            if (rt.IsTracing) rt.Log(pending ? "local_irq_enable(): takes the kick IPI (__flush_smp_call_function_queue)" : "local_irq_enable()");
            return default;
        }
    }

    public override string ToString() => Name;
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

    /// <summary>local_irq_enable() on the vCPU's own thread: takes any pending kick IPI (and acknowledges it: ack_kick).</summary>
    public static ValueTask local_irq_enable(KernelVcpu self) => self.LocalIrqEnable();

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
        List<KernelVcpu.Csd>? kicked = null;
        for (int i = 0; i < vcpus.Count; i++)
        {
            KernelVcpu v = vcpus[i];
            await kvm_make_request(req, v);
            if (ReferenceEquals(v.Thread, me)) continue;
            VcpuMode old = await kvm_vcpu_exiting_guest_mode(v);
            bool needsIpi = req.Wait ? old != VcpuMode.OUTSIDE_GUEST_MODE : old == VcpuMode.IN_GUEST_MODE;
            if (!needsIpi) continue;
            KernelVcpu.Csd csd = v.SendIpi(me, mustWait);
            if (rt.IsTracing) rt.Log($"kick {v.Name}: IPI sent ({v.Name} was {old})");
            (kicked ??= new()).Add(csd);
        }
        if (!mustWait || kicked is null) return;
        // csd_lock_wait(csd) for each kicked CPU: smp_cond_load_acquire(&csd->node.u_flags, !(VAL & CSD_FLAG_LOCK)).
        foreach (KernelVcpu.Csd csd in kicked)
        {
            await rt.Point(csd, AccessKind.Read, csd);
            if (rt.IsTracing) rt.Log($"{csd.Target.Name} acknowledged the kick IPI");
        }
    }
}

public static partial class Linux
{
    /// <summary>kvm_vcpu_block() (kvm_main.c) on the vCPU's own thread: waits (rcuwait) for a WakeUp, Kick or Ipi event.</summary>
    public static SchedulingPoint<Actor.ReceiveAction, Event> kvm_vcpu_block(KernelVcpu vcpu) =>
        (vcpu.ThreadActor ?? throw new InvalidOperationException($"{vcpu.Name} has no thread to block")).kvm_vcpu_block();

    /// <summary>static_call(kvm_x86_vcpu_run)(vcpu) in vcpu_enter_guest(): VMRUN; the vCPU's thread goes to guest mode.</summary>
    public static void kvm_x86_vcpu_run(KernelVcpu vcpu) =>
        (vcpu.ThreadActor ?? throw new InvalidOperationException($"{vcpu.Name} has no thread to run")).kvm_x86_vcpu_run();

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
