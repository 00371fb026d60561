// The Protocol B model (kvm-protocols.md §2): one VM with 2–3 vCPUs on 2–4 pCPUs. Threads:
//   vcpuN      KVM_RUN: guest entries, AVIC IPIs (the sender's AVIC runs on its pCPU, in this thread),
//              exit handling, HLT → kvm_vcpu_halt/kvm_vcpu_block, preemption via the notifiers;
//   sched      the host scheduler tick (Kernel/Sched.cs): preempts/migrates at preemptible points;
//   inhibitor  optional: sets then clears an APICv inhibit (B-INHIBITOR → B-REFRESH on each vCPU).
// Every execution is bounded by the guest programs (a fixed number of IPIs and halts per vCPU).
// This file: state, set-up, the helpers; the kernel functions are in KvmMain.cs (x86.c,
// kvm_main.c), Avic.cs (svm/avic.c, svm.c) and AvicHardware.cs (the AVIC itself).
using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Models.Doorbell;

public sealed partial class AvicKvm : IPreemptNotifier
{
    private const int APICV_INHIBIT_REASON_BLOCKIRQ = 1 << 6;

    private readonly ControlledRuntime rt;
    private readonly HostScheduler sched;
    private readonly DoorbellMetrics metrics = DoorbellMetrics.Current;

    /// <summary>kvm->arch.apicv_inhibit_reasons.</summary>
    private readonly SharedVar<int> apicvInhibitReasons;

    /// <summary>kvm->arch.apicv_update_lock.</summary>
    private readonly RwSemaphore apicvUpdateLock;

    /// <summary>The physical APIC ID table (kvm_svm->avic_physical_id_table), one entry per vCPU.</summary>
    internal ControlledPhysicalIdTable Table;

    /// <summary>INV-B7 is judged (some guest waits for interrupts in guest mode).</summary>
    private readonly bool checkDelivery;

    private AvicKvm(ControlledRuntime rt, DoorbellConfig config)
    {
        this.rt = rt;
        Config = config;
        checkDelivery = config.Checking(Invariant.Delivery) && config.HasSpinningGuest;
        sched = new HostScheduler(rt, config.Pcpus);
        apicvInhibitReasons = new SharedVar<int>(rt, "kvm->arch.apicv_inhibit_reasons", 0);
        apicvUpdateLock = new RwSemaphore(rt, null, "kvm->arch.apicv_update_lock");

        // B-INIT (avic_init_backing_page): entry = backing page | VALID, IsRunning 0.
        var initial = new ulong[config.Vcpus];
        for (int i = 0; i < initial.Length; i++) initial[i] = AvicPhysicalIdEntry.Create(0x100000UL + 0x1000UL * (ulong)i);
        Table = new ControlledPhysicalIdTable(rt, initial);

        string[] programs = config.Programs ?? config.DefaultPrograms();
        Vcpus = new Vcpu[config.Vcpus];
        for (int i = 0; i < Vcpus.Length; i++)
        {
            HostTask task = sched.AddTask($"vcpu{i}", cpu: i);
            task.Notifier = this;
            Vcpus[i] = new Vcpu(rt, this, i, programs[i], task) { Shadow = initial[i] };
        }
    }

    public DoorbellConfig Config { get; }

    public Vcpu[] Vcpus { get; }

    /// <summary>Builds the VM described by <paramref name="config"/> and runs it to the end.</summary>
    public static Task Run(IActorRuntime runtime, DoorbellConfig config)
    {
        config.Validate();
        var rt = runtime as ControlledRuntime ?? throw new ArgumentException("the doorbell model runs under the engine's ControlledRuntime");
        return new AvicKvm(rt, config).RunAsync();
    }

    private async Task RunAsync()
    {
        metrics.Executions++;
        if (Config.Checking(Invariant.IsRunning)) rt.RegisterMonitor<IsRunningConsistency>();
        if (Config.Checking(Invariant.NoLostWakeup)) rt.RegisterMonitor<NoLostWakeup>();
        if (checkDelivery) rt.RegisterMonitor<InterruptDelivery>();

        var threads = new List<Operation>();
        foreach (Vcpu v in Vcpus) threads.Add(v.Thread = rt.Spawn(v.Name, () => kvm_vcpu_thread(v)));
        if (Config.Preemptions > 0) threads.Add(sched.StartTick(Config.Preemptions));
        if (Config.Inhibitor)
        {
            sched.AddWaker();
            threads.Add(rt.Spawn("inhibitor", apicv_inhibitor));
        }
        if (Config.DeviceIrqs > 0)
        {
            sched.AddWaker();
            var irte = new Irte(rt, 0);
            threads.Add(rt.Spawn("device", () => device_thread(irte, Vcpus[0])));
        }
        foreach (Operation t in threads) await rt.WhenCompleted(t);

        if (Config.Inhibitor && Config.Checking(Invariant.NoLostIrq))
        {
            // INV-B5: an IRQ left in IRR is delivered at the next KVM_RUN only if AVIC is on (VMRUN evaluates
            // IRR) or KVM will inject it (KVM_REQ_EVENT pending and irr_pending set).
            // (A vCPU asleep with an IRR KVM can see is INV-B4's case.)
            foreach (Vcpu v in Vcpus)
            {
                if (v.Irr.Peek() == 0 || v.ApicvActive.Peek()) continue;
                Specification.Assert(v.IrrPending.Peek(),
                    "INV-B5", $"INV-B5: {v} has IRR={Vcpu.Bits(v.Irr.Peek())} with APICv off but irr_pending is false: KVM never searches IRR, the IRQ is lost");
                bool eventPending = (v.Requests.Peek() & (Vcpu.KVM_REQ_EVENT | Vcpu.KVM_REQ_APICV_UPDATE)) != 0;
                Specification.Assert(v.SleepsForever || eventPending,
                    "INV-B5", $"INV-B5: {v} has IRR={Vcpu.Bits(v.Irr.Peek())} with APICv off and no KVM_REQ_EVENT pending: the IRQ is stuck until some other event");
            }
        }

        if (Config.Checking(Invariant.NoLostWakeupAtQuiescence))
        {
            foreach (Vcpu v in Vcpus)
                Specification.Assert(!(v.SleepsForever && v.Irr.Peek() != 0),
                    "INV-B4", $"INV-B4: every thread has finished, but {v} sleeps in kvm_vcpu_block with IRR={Vcpu.Bits(v.Irr.Peek())} and nobody will wake it");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Vcpu VcpuOf(HostTask t)
    {
        foreach (Vcpu v in Vcpus) if (ReferenceEquals(v.Task, t)) return v;
        throw new InvalidOperationException($"{t} is not a vCPU thread");
    }

    /// <summary>The IPI target of a guest ICR write by <paramref name="sender"/>: the next vCPU.</summary>
    private Vcpu TargetOf(Vcpu sender) => Vcpus[(sender.Id + 1) % Vcpus.Length];

    /// <summary>A full barrier (smp_mb, or a serializing instruction): a scheduling point only under
    /// x86-TSO, where it drains the store buffer; under SC it has nothing to order.</summary>
    private async Task smp_mb(string label)
    {
        if (rt.MemoryModel == MemoryModel.X86Tso) await rt.Fence(label);
    }

    /// <summary>A kernel WARN: an INV-B6 assertion named after it, or (INV-B6 off) a counted, traced splat.
    /// Returns the condition, like WARN_ON().</summary>
    private bool WARN_ON(bool condition, string what)
    {
        if (!condition) return false;
        if (Config.Checking(Invariant.NoWarn)) throw rt.Violation(BugKind.AssertionFailure, "INV-B6", "INV-B6: " + what);
        metrics.NonFatalWarns++;
        if (rt.IsTracing) rt.Log($"WARNING (not fatal in this variant): {what}");
        return true;
    }

    /// <summary>Lets the IsRunning monitor re-judge <paramref name="v"/> after a change it depends on.</summary>
    private void Changed(Vcpu v)
    {
        if (Config.Checking(Invariant.IsRunning)) rt.Monitor<IsRunningConsistency>(v.Changed);
    }

    private void Notify(Event e)
    {
        if (Config.Checking(Invariant.NoLostWakeup)) rt.Monitor<NoLostWakeup>(e);
    }

    /// <summary>An IRR bit was set for <paramref name="v"/> (INV-B4, INV-B7).</summary>
    private void IrqPostedTo(Vcpu v)
    {
        Notify(v.Posted);
        NotifyDelivery(v.Posted);
    }

    /// <summary><paramref name="v"/> took its IRR bits (VMRUN, a doorbell in guest mode, KVM's injection).</summary>
    private void IrqTakenBy(Vcpu v)
    {
        v.Accepts++;
        Notify(v.Accepted);
        NotifyDelivery(v.Accepted);
    }

    /// <summary>set_bit()/atomic_or(): one locked RMW. The comparand is seeded from memory and
    /// validated by the cmpxchg itself (retried if another CPU changed the word in between).</summary>
    private static async Task<int> atomic_fetch_or(SharedVar<int> word, int bits)
    {
        while (true)
        {
            int old = word.Peek();
            if (await word.CompareExchange(old | bits, old) == old) return old;
        }
    }

    /// <summary>clear_bit()/atomic_andnot(): as <see cref="atomic_fetch_or"/>.</summary>
    private static async Task<int> atomic_fetch_andnot(SharedVar<int> word, int bits)
    {
        while (true)
        {
            int old = word.Peek();
            if (await word.CompareExchange(old & ~bits, old) == old) return old;
        }
    }
}
