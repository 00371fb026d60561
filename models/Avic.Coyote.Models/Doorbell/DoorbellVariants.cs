// The Protocol B variants: the merged code (strict), the RFC (non-strict), and bug variants — hand-made
// mutants MBn and historical bugs B-n (kvm-protocols.md §3, §4). Each states what it must give.
// Where a bug breaks several invariants, the variant switches off the ones that would fire first so
// that it shows the consequence named in its description (e.g. the lost wakeup rather than the
// IsRunning inconsistency that causes it).
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Models.Doorbell.Mutants;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Doorbell;

public static partial class DoorbellVariants
{
    /// <summary>The liveness monitor's obligation, as it appears in Liveness bug messages.</summary>
    public const string LostWakeup = "INV-B4";

    /// <summary>The own budget of the bug variants whose worst seed of 1..30 needs more than half the default
    /// 1,000 iterations (bench/results/2026-12-01-budgets): at least 5 times that worst case.</summary>
    public const int RareBugBudget = 5_000;

    // ---- correct variants ------------------------------------------------------------------------------

    [Test(Name = "Doorbell.Strict", Description = "merged strict AVIC doorbells (v5.18-era table), 2 vCPUs / 2 pCPUs, preemption and migration: all invariants hold")]
    public static Task Strict(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Tick = TickLanding.Scheduled });

    [Test(Name = "Doorbell.Strict.IdlePull", Description = "Doorbell.Strict with migration by idle balancing (no draw): a pCPU going idle pulls a preempted vCPU thread")]
    public static Task StrictIdlePull(IActorRuntime rt) =>
        AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Tick = TickLanding.Scheduled, Migration = Migration.Pulled });

    [Test(Name = "Doorbell.Strict.Tso", MemoryModel = MemoryModel.X86Tso,
        Description = "strict doorbells under x86-TSO: the store-buffering handshakes (IsRunning=0 / IRR) are fenced")]
    public static Task StrictTso(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig());

    [Test(Name = "Doorbell.Strict.3Vcpus", Description = "strict doorbells, 3 vCPUs on 4 pCPUs (migration to an idle pCPU)")]
    public static Task Strict3(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Vcpus = 3, Pcpus = 4 });

    [Test(Name = "Doorbell.Strict.Inhibitor", Description = "strict doorbells while an APICv inhibit is set and cleared (B-REFRESH on each vCPU)")]
    public static Task StrictInhibitor(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Inhibitor = true, Pcpus = 3 });

    [Test(Name = "Doorbell.Strict.InhibitedForGood", Description = "strict doorbells, APICv inhibited and never re-enabled: no IRQ is stranded (INV-B5)")]
    public static Task StrictInhibitedForGood(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig
    {
        Inhibitor = true, InhibitorClears = false, Pcpus = 3, Programs = ["III", "IHI"],
    });

    [Test(Name = "Doorbell.Strict.Shadow", Description = "2025 code: shadow entry, enable_ipiv=1")]
    public static Task StrictShadow(IActorRuntime rt) => AvicKvm.Run<AvicKvm>(rt, new DoorbellConfig());

    [Test(Name = "Doorbell.Strict.Iommu", Description = "2025 code with an IOMMU-posted device IRQ to vCPU 0: IRTEs follow the shadow entry under ir_list_lock (INV-B2), the GA log wakes a blocked vCPU")]
    public static Task StrictIommu(IActorRuntime rt) => AvicKvm.Run<AvicKvm>(rt, new DoorbellConfig
    {
        Pcpus = 3, DeviceIrqs = 2, Programs = ["HHH", "IH"],
    });

    [Test(Name = "Doorbell.NonStrict", Description = "the RFC's avic_doorbell_strict=0 (seed 002): IsRunning stays set while scheduled out; INV-B1-NS holds")]
    public static Task NonStrict(IActorRuntime rt) => AvicKvm.Run<AvicKvm_rfc>(rt, new DoorbellConfig { Strict = false, Pcpus = 3, Tick = TickLanding.Scheduled });

    [Test(Name = "Doorbell.NonStrict.Tso", MemoryModel = MemoryModel.X86Tso, Description = "non-strict doorbells under x86-TSO")]
    public static Task NonStrictTso(IActorRuntime rt) => AvicKvm.Run<AvicKvm_rfc>(rt, new DoorbellConfig { Strict = false, Pcpus = 3 });

    // ---- hand-made mutants (kvm-protocols.md §4) ----------------------------------------------------

    [Test(Name = "Doorbell.MB1", Expect = Expectation.AssertionFailure, Invariant = "INV-B1",
        Description = "avic_vcpu_load ignores kvm_vcpu_is_blocking(): a blocked vCPU scheduled in gets IsRunning=1")]
    public static Task MB1(IActorRuntime rt) => AvicKvm.Run<LoadIgnoresBlocking>(rt, new DoorbellConfig());

    [Test(Name = "Doorbell.MB2", Iterations = RareBugBudget, Expect = Expectation.Liveness, Invariant = LostWakeup,
        Description = "no preempt_disable() around kvm_arch_vcpu_{un}blocking (before 18869f26df1a); INV-B1/B6 off to show the lost wakeup")]
    public static Task MB2(IActorRuntime rt) => AvicKvm.Run<PreemptibleBlockingAndUnblocking>(rt, new DoorbellConfig
    {
        Checks = Invariant.NoLostWakeup,
        Programs = ["HHHH", "IIII"], Preemptions = 3, HaltPoll = false,
    });

    [Test(Name = "Doorbell.MB3", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "no preempt_disable() in __kvm_vcpu_update_apicv: preempted between apicv_active=true and the refresh, the sched-in loads first; INV-B1 off")]
    public static Task MB3(IActorRuntime rt) => AvicKvm.Run<PreemptibleApicvUpdate>(rt, new DoorbellConfig
    {
        Inhibitor = true, Pcpus = 3, Programs = ["HHH", "III"], Preemptions = 2,
        Checks = Invariant.All & ~Invariant.IsRunning,   // a preemption in the deactivating half leaves IsRunning=1 while scheduled out (INV-B1) first
    });

    [Test(Name = "Doorbell.MB4", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "avic_vcpu_unblocking loads with READ_ONCE(vcpu->cpu) read before a preemptible point: the second load WARNs")]
    public static Task MB4(IActorRuntime rt) => AvicKvm.Run<StaleCpuInUnblocking>(rt, new DoorbellConfig
    {
        Pcpus = 3, Programs = ["H", "I"], Preemptions = 1,
    });

    [Test(Name = "Doorbell.MB5", Iterations = RareBugBudget, Expect = Expectation.AssertionFailure, Invariant = "INV-B5",
        Description = "the sender reads apicv_active before setting IRR and reading vcpu->mode: a doorbell to a vCPU whose AVIC was just turned off, no KVM_REQ_EVENT")]
    public static Task MB5(IActorRuntime rt) => AvicKvm.Run<ApicvActiveReadFirst>(rt, new DoorbellConfig
    {
        Inhibitor = true, InhibitorClears = false, Pcpus = 3,
        Programs = ["III", "IHI"], Preemptions = 0,
    });

    [Test(Name = "Doorbell.MB6", Expect = Expectation.Liveness, Invariant = LostWakeup,
        Description = "avic_vcpu_blocking does not clear IsRunning: an IPI after the last IRR check rings a host-mode pCPU; INV-B1/B6 off")]
    public static Task MB6(IActorRuntime rt) => AvicKvm.Run<BlockingKeepsIsRunning>(rt, new DoorbellConfig
    {
        Checks = Invariant.NoLostWakeup, HaltPoll = false,
    });

    [Test(Name = "Doorbell.MB6.Quiescent", Expect = Expectation.AssertionFailure, Invariant = "INV-B4",
        Description = "MB6 judged by INV-B4's quiescent-state safety form")]
    public static Task MB6Quiescent(IActorRuntime rt) => AvicKvm.Run<BlockingKeepsIsRunning>(rt, new DoorbellConfig
    {
        Checks = Invariant.NoLostWakeupAtQuiescence, HaltPoll = false,
    });

    [Test(Name = "Doorbell.MB8", Expect = Expectation.Liveness, Invariant = LostWakeup, MemoryModel = MemoryModel.X86Tso,
        Description = "the sender's AVIC reads IsRunning before its IRR store is visible (no store→load fence): store buffering loses the wakeup")]
    public static Task MB8(IActorRuntime rt) => AvicKvm.Run<HardwareIrrNotFenced>(rt, new DoorbellConfig { HaltPoll = false, Preemptions = 0 });

    [Test(Name = "Doorbell.MB8.Sc", Description = "MB8's hardware under sequential consistency: without store buffers the handshake holds")]
    public static Task MB8Sc(IActorRuntime rt) => AvicKvm.Run<HardwareIrrNotFenced>(rt, new DoorbellConfig { HaltPoll = false });

    [Test(Name = "Doorbell.MB9", Iterations = RareBugBudget, Expect = Expectation.AssertionFailure, Invariant = "INV-B5",
        Description = "kvm_apic_update_apicv recomputes irr_pending from IRR on deactivation: an AVIC that still sees IsRunning sets IRR after the scan")]
    public static Task MB9(IActorRuntime rt) => AvicKvm.Run<RecomputeIrrPending>(rt, new DoorbellConfig
    {
        Inhibitor = true, InhibitorClears = false, Pcpus = 3,
        Programs = ["III", "IHI"], Preemptions = 0,
        Checks = Invariant.All & ~Invariant.NoLostWakeup,   // the target may also sleep on the lost IRQ (INV-B4) before the end
    });

    [Test(Name = "Doorbell.MB11", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "non-strict RFC but __avic_vcpu_load keeps WARN_ON(IsRunning): every sched-in after a skipped put WARNs")]
    public static Task MB11(IActorRuntime rt) => AvicKvm.Run<NonStrictKeepsLoadWarn>(rt, new DoorbellConfig { Strict = false, Pcpus = 3, Tick = TickLanding.Scheduled });

    [Test(Name = "Doorbell.MB12", Expect = Expectation.Liveness, Invariant = LostWakeup,
        Description = "non-strict mode that also keeps IsRunning when blocking; INV-B1-NS off to show the lost wakeup")]
    public static Task MB12(IActorRuntime rt) => AvicKvm.Run<BlockingKeepsIsRunning_rfc>(rt, new DoorbellConfig
    {
        Strict = false, Pcpus = 3, Checks = Invariant.NoLostWakeup, HaltPoll = false,
    });

    [Test(Name = "Doorbell.MB13", Expect = Expectation.AssertionFailure, Invariant = "INV-B1",
        Description = "strict mode but svm_vcpu_put skips __avic_vcpu_put (the RFC unconditionally): IsRunning=1 while not loaded")]
    public static Task MB13(IActorRuntime rt) => AvicKvm.Run<StrictSkipsPut>(rt, new DoorbellConfig { Tick = TickLanding.Scheduled });

    [Test(Name = "Doorbell.MB13.NonStrictSpec", Description = "MB13's code judged by INV-B1-NS (non-strict spec): it holds; WARN off (the RFC drops it)")]
    public static Task MB13NonStrictSpec(IActorRuntime rt) => AvicKvm.Run<AvicKvm_rfc>(rt, new DoorbellConfig { Strict = false, Pcpus = 3, Checks = Invariant.IsRunning });

    [Test(Name = "Doorbell.MB14", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "avic_set_virtual_apic_mode does put+load with preemption enabled (before e0bead97e759)")]
    public static Task MB14(IActorRuntime rt) => AvicKvm.Run<SetVirtualApicModeReloads>(rt, new DoorbellConfig
    {
        Pcpus = 3, Programs = ["XXX", "HI"], Preemptions = 2,
    });

    [Test(Name = "Doorbell.MB15", Expect = Expectation.Liveness, Invariant = LostWakeup,
        Description = "the IRTE's GALogIntr is not set while blocking: the IOMMU posts to a sleeping vCPU and wakes nobody; INV-B2 off")]
    public static Task MB15(IActorRuntime rt) => AvicKvm.Run<NoGaLogIntr>(rt, new DoorbellConfig
    {
        Pcpus = 3, DeviceIrqs = 2, Programs = ["HHH", "IH"],
        Checks = Invariant.All & ~Invariant.EntryCoherence,
        // dfs finds it with the drawn tick (415 executions), not with the scheduled one (none in 46,232):
        // bench/results/2026-12-02-dfscat.
        Tick = TickLanding.Drawn,
    });

    [Test(Name = "Doorbell.MB17", Expect = Expectation.AssertionFailure, Invariant = "INV-B1",
        Description = "2025 code with enable_ipiv=0, but the table write does not mask IsRunning")]
    public static Task MB17(IActorRuntime rt) => AvicKvm.Run<IpivOffWritesIsRunning>(rt, new DoorbellConfig
    {
        EnableIpiv = false,
    });

    // ---- historical bugs (kvm-protocols.md §3) --------------------------------------------------------

    [Test(Name = "Doorbell.B-1", Expect = Expectation.AssertionFailure, Invariant = "INV-B1",
        Description = "7cfc5c653b07: the load picks the pCPU with preemption enabled; after a migration IsRunning=1 names the old pCPU (WARN off, as reported)")]
    public static Task B1(IActorRuntime rt) => AvicKvm.Run<StaleCpuInUnblocking>(rt, new DoorbellConfig
    {
        Pcpus = 3,
        Checks = Invariant.All & ~Invariant.NoWarn, Programs = ["H", "I"], Preemptions = 1,
    });

    [Test(Name = "Doorbell.B-2", Iterations = RareBugBudget, Expect = Expectation.AssertionFailure, Invariant = "INV-B5",
        Description = "66fa226c131f: the sender read a stale apicv_active=true while the target deactivated AVIC and re-entered; the doorbell is ignored, the IRQ sits in IRR")]
    public static Task B2(IActorRuntime rt) => MB5(rt);

    [Test(Name = "Doorbell.B-3", Iterations = RareBugBudget, Expect = Expectation.AssertionFailure, Invariant = "INV-B5",
        Description = "755c2bf87860: irr_pending recomputed on inhibit; a CPU still seeing AVIC sets IRR after the scan, the IRQ is lost")]
    public static Task B3(IActorRuntime rt) => MB9(rt);

    [Test(Name = "Doorbell.B-4", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "66c768d30e64: preempted in __kvm_vcpu_update_apicv after apicv_active=true: WARN IsRunning already set")]
    public static Task B4(IActorRuntime rt) => MB3(rt);

    [Test(Name = "Doorbell.B-5a", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "18869f26df1a (a): preempted between finish_rcuwait and kvm_arch_vcpu_unblocking: sched-in loads, unblocking loads again")]
    public static Task B5a(IActorRuntime rt) => AvicKvm.Run<PreemptibleUnblocking>(rt, new DoorbellConfig
    {
        Programs = ["H", "I"], Preemptions = 1,
    });

    [Test(Name = "Doorbell.B-5b", Iterations = RareBugBudget, Expect = Expectation.Liveness, Invariant = LostWakeup,
        Description = "18869f26df1a (b): preempted between kvm_arch_vcpu_blocking and prepare_to_rcuwait, sched-in sets IsRunning, the IPI rings a host-mode pCPU, the vCPU sleeps with IRR set")]
    public static Task B5b(IActorRuntime rt) => AvicKvm.Run<PreemptibleBlocking>(rt, new DoorbellConfig
    {
        Checks = Invariant.NoLostWakeup,   // INV-B1 and the WARN at unblocking would fire first
        Programs = ["HHHH", "IIII"], Preemptions = 3, HaltPoll = false,
    });

    [Test(Name = "Doorbell.B-5b.IsRunning", Expect = Expectation.AssertionFailure, Invariant = "INV-B1",
        Description = "18869f26df1a (b) judged by INV-B1: IsRunning=1 while blocking")]
    public static Task B5bIsRunning(IActorRuntime rt) => AvicKvm.Run<PreemptibleBlocking>(rt, new DoorbellConfig
    {
        Programs = ["H", "I"], Preemptions = 1, HaltPoll = false,
    });

    [Test(Name = "Doorbell.B-6", Expect = Expectation.AssertionFailure, Invariant = "INV-B6",
        Description = "e0bead97e759: avic_set_virtual_apic_mode put/load with preemption enabled, double load WARNs")]
    public static Task B6(IActorRuntime rt) => MB14(rt);

    [Test(Name = "Doorbell.B-7", Expect = Expectation.AssertionFailure, Invariant = "INV-B2",
        Description = "f3cebc75e742 + 4c08e737f056: the IRTE is programmed without the running vCPU's pCPU, and load/put race with avic_pi_update_irte outside ir_list_lock")]
    public static Task B7(IActorRuntime rt) => AvicKvm.Run<IrteWithoutCpu>(rt, new DoorbellConfig
    {
        Pcpus = 3, DeviceIrqs = 2, Programs = ["HHH", "IH"],
    });

    [Test(Name = "Doorbell.B-7.IrListLock", Expect = Expectation.AssertionFailure, Invariant = "INV-B2",
        Description = "4c08e737f056 alone: the entry update outside ir_list_lock lets avic_pi_update_irte program a stale IsRun")]
    public static Task B7IrListLock(IActorRuntime rt) => AvicKvm.Run<LoadPutWithoutIrListLock>(rt, new DoorbellConfig
    {
        Pcpus = 3, DeviceIrqs = 2, Programs = ["HHH", "IH"],
    });

    [Test(Name = "Doorbell.B-8", Expect = Expectation.Liveness, Invariant = LostWakeup, MemoryModel = MemoryModel.X86Tso,
        Description = "erratum #1235 on the 2025 code with enable_ipiv=1: the AVIC reads a stale IsRunning=1, no INCOMPLETE_IPI, the blocked target hangs")]
    public static Task B8(IActorRuntime rt) => AvicKvm.Run<HardwareIrrNotFenced_2025>(rt, new DoorbellConfig
    {
        HaltPoll = false, Preemptions = 0,
    });

    [Test(Name = "Doorbell.B-8.Fixed", MemoryModel = MemoryModel.X86Tso,
        Description = "the fix (d921665e01ba, 8de4a1c8164e): enable_ipiv=0 on erratum CPUs, IsRunning never reaches the table; every IPI exits")]
    public static Task B8Fixed(IActorRuntime rt) => AvicKvm.Run<HardwareIrrNotFenced_2025>(rt, new DoorbellConfig
    {
        EnableIpiv = false, HaltPoll = false,
    });
}
