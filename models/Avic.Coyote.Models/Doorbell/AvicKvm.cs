// The Protocol B model (kvm-protocols.md §2): one VM with 2–3 vCPUs on 2–4 pCPUs. Threads:
//   vcpuN      KVM_RUN: guest entries, AVIC IPIs (the sender's AVIC runs on its pCPU, in this thread),
//              exit handling, HLT → kvm_vcpu_halt/kvm_vcpu_block, preemption via the notifiers;
//   sched      the host scheduler tick (Kernel/Sched.cs; with TickLanding.Scheduled one tick:vcpuN per vCPU thread):
//              preempts/migrates at preemptible points;
//   inhibitor  optional: sets then clears an APICv inhibit (B-INHIBITOR → B-REFRESH on each vCPU).
// Every execution is bounded by the guest programs (a fixed number of IPIs and halts per vCPU).
// This file: state, set-up, the helpers; the kernel functions are in KvmMain.cs (x86.c,
// kvm_main.c), Avic.cs (svm/avic.c, svm.c) and AvicHardware.cs (the AVIC itself).
// AvicKvm is the 2025 kvm-x86 code; older code is a subclass overriding the functions that differ
// (AvicKvm_v5_18.cs: the v5.18-era table and seed 002's RFC); a bug variant is a subclass overriding
// exactly the function or step it changes (DoorbellMutants.cs). Kernel functions are therefore
// `protected internal virtual`; the merged bodies hold no variant checks.
using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Models.Doorbell;

public partial class AvicKvm : IPreemptNotifier
{
    private const int APICV_INHIBIT_REASON_BLOCKIRQ = 1 << 6;

    private protected readonly ControlledRuntime rt;
    private protected readonly HostScheduler sched;
    private protected readonly DoorbellMetrics metrics = DoorbellMetrics.Current;

    private static readonly KvmRun KvmRunIoctl = new();

    /// <summary>kvm->arch.apicv_inhibit_reasons.</summary>
    private protected readonly SharedVar<int> apicv_inhibit_reasons;

    /// <summary>kvm->arch.apicv_update_lock.</summary>
    private protected readonly RwSemaphore apicv_update_lock;

    /// <summary>The physical APIC ID table (kvm_svm->avic_physical_id_table), one entry per vCPU.</summary>
    internal ControlledPhysicalIdTable Table;

    /// <summary>INV-B7 is judged (some guest waits for interrupts in guest mode).</summary>
    private readonly bool checkDelivery;

    protected internal AvicKvm(ControlledRuntime rt, DoorbellConfig config)
    {
        this.rt = rt;
        Config = config;
        checkDelivery = config.Checking(Invariant.Delivery) && config.HasSpinningGuest;
        sched = new HostScheduler(rt, config.Pcpus, config.Migration);
        apicv_inhibit_reasons = new SharedVar<int>(rt, "kvm->arch.apicv_inhibit_reasons", 0);
        apicv_update_lock = new RwSemaphore(rt, null, "kvm->arch.apicv_update_lock");

        // B-INIT (avic_init_backing_page): entry = backing page | VALID, IsRunning 0.
        var initial = new ulong[config.Vcpus];
        for (int i = 0; i < initial.Length; i++) initial[i] = AvicPhysicalIdEntry.Create(0x100000UL + 0x1000UL * (ulong)i);
        Table = new ControlledPhysicalIdTable(rt, initial);

        string[] programs = config.Programs ?? config.DefaultPrograms();
        Vcpus = new Vcpu[config.Vcpus];
        for (int i = 0; i < Vcpus.Length; i++)
        {
            HostTask task = sched.AddTask(VcpuThreadNames[i], cpu: i);
            task.Notifier = this;
            Vcpus[i] = new Vcpu(rt, this, i, programs[i], task, initial[i]);
        }
    }

    // "vcpuN", the vCPU threads' names, made once (the VM is built anew in every execution).
    private static readonly string[] VcpuThreadNames = [.. Enumerable.Range(0, DoorbellConfig.MaxVcpus).Select(i => $"vcpu{i}")];

    public DoorbellConfig Config { get; }

    public Vcpu[] Vcpus { get; }

    /// <summary>Builds the VM described by <paramref name="config"/> on the kernel code <typeparamref name="TKernel"/>
    /// (<see cref="AvicKvm"/>, an older era, or a bug variant) and runs it to the end.</summary>
    public static Task Run<TKernel>(IActorRuntime runtime, DoorbellConfig config) where TKernel : AvicKvm
    {
        config.Validate();
        var rt = runtime as ControlledRuntime ?? throw new ArgumentException("the doorbell model runs under the engine's ControlledRuntime");
        TKernel kvm = KernelConstructor<TKernel, DoorbellConfig>.New(rt, config);
        kvm.ValidateFor(config);
        return kvm.RunAsync();
    }

    /// <summary>The 2025 code has no avic_doorbell_strict (seed 002 applies to the v5.18-era table) and
    /// no IRTEs before it; an era that differs overrides this.</summary>
    private protected virtual void ValidateFor(DoorbellConfig config)
    {
        if (!config.Strict) throw new ArgumentException("avic_doorbell_strict=0 is seed 002's RFC: run AvicKvm_rfc");
    }

    private async Task RunAsync()
    {
        metrics.Executions++;
        if (Config.Checking(Invariant.IsRunning)) rt.RegisterMonitor<IsRunningConsistency>();
        if (Config.Checking(Invariant.NoLostWakeup)) rt.RegisterMonitor<NoLostWakeup>();
        if (checkDelivery) rt.RegisterMonitor<InterruptDelivery>();

        // The VMM: a thread per vCPU (a DoorbellVcpuThread state machine), each given one KVM_RUN; the
        // explorer decides when each thread takes it. The environment threads below stay scripted: each
        // runs one fixed sequence whose every step already interleaves with the vCPUs'.
        var threads = new List<Operation>();
        foreach (Vcpu v in Vcpus)
        {
            ActorId thread = VcpuThread.Start<DoorbellVcpuThread>(rt, new AttachDoorbellVcpu(v, this));
            rt.SendEvent(thread, KvmRunIoctl);
            threads.Add(rt.Operations[thread.Value]);
        }
        if (Config.Preemptions > 0) threads.AddRange(sched.StartTick(Config.Preemptions, Config.Tick));
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
                if (v.irr.Peek() == 0 || v.apicv_active.Peek()) continue;
                if (!v.irr_pending.Peek()) Specification.Assert(false,
                    "INV-B5", $"INV-B5: {v} has IRR={Vcpu.Bits(v.irr.Peek())} with APICv off but irr_pending is false: KVM never searches IRR, the IRQ is lost");
                bool eventPending = v.PeekRequest(KvmRequest.KVM_REQ_EVENT) || v.PeekRequest(KvmRequest.KVM_REQ_APICV_UPDATE);
                if (!(v.SleepsForever || eventPending)) Specification.Assert(false,
                    "INV-B5", $"INV-B5: {v} has IRR={Vcpu.Bits(v.irr.Peek())} with APICv off and no KVM_REQ_EVENT pending: the IRQ is stuck until some other event");
            }
        }

        if (Config.Checking(Invariant.NoLostWakeupAtQuiescence))
        {
            foreach (Vcpu v in Vcpus)
                if (v.SleepsForever && v.irr.Peek() != 0) Specification.Assert(false,
                    "INV-B4", $"INV-B4: every thread has finished, but {v} sleeps in kvm_vcpu_block with IRR={Vcpu.Bits(v.irr.Peek())} and nobody will wake it");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private protected Vcpu VcpuOf(HostTask t)
    {
        foreach (Vcpu v in Vcpus) if (ReferenceEquals(v.Task, t)) return v;
        throw new InvalidOperationException($"{t} is not a vCPU thread");
    }

    /// <summary>The IPI target of a guest ICR write by <paramref name="sender"/>: the next vCPU.</summary>
    internal Vcpu TargetOf(Vcpu sender) => Vcpus[(sender.vcpu_id + 1) % Vcpus.Length];

    /// <summary>A full barrier (smp_mb, or a serializing instruction): a scheduling point only under
    /// x86-TSO, where it drains the store buffer; under SC it has nothing to order (and no frame).</summary>
    private protected Task smp_mb(string label) => rt.MemoryModel == MemoryModel.X86Tso ? fence(label) : Task.CompletedTask;

    private async Task fence(string label) => await rt.Fence(label);

    /// <summary>A kernel WARN: an INV-B6 assertion named after it, or (INV-B6 off) a counted, traced splat.
    /// Returns the condition, like WARN_ON().</summary>
    private protected bool WARN_ON(bool condition, string what)
    {
        if (!condition) return false;
        Specification.Assert(!Config.Checking(Invariant.NoWarn), "INV-B6", "INV-B6: " + what);
        metrics.NonFatalWarns++;
        if (rt.IsTracing) rt.Log($"WARNING (not fatal in this variant): {what}");
        return true;
    }

    /// <summary>Lets the IsRunning monitor re-judge <paramref name="v"/> after a change it depends on.</summary>
    private protected void Changed(Vcpu v)
    {
        if (Config.Checking(Invariant.IsRunning)) rt.Monitor<IsRunningConsistency>(v.Changed);
    }

    private void Notify(Event e)
    {
        if (Config.Checking(Invariant.NoLostWakeup)) rt.Monitor<NoLostWakeup>(e);
    }

    /// <summary>An IRR bit was set for <paramref name="v"/> (INV-B4, INV-B7).</summary>
    private protected void IrqPostedTo(Vcpu v)
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
    private protected static async Task<int> atomic_fetch_or(SharedVar<int> word, int bits)
    {
        while (true)
        {
            int old = word.Peek();
            if (await word.CompareExchange(old | bits, old) == old) return old;
        }
    }
}
