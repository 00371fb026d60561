using Avic.Coyote.Models.Memslot;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>
/// Holds every Memslot.* [Test] of the model to its declared verdict: correct variants give no bug
/// under random and prioritization for a fixed budget; every bug variant is found by
/// prioritization within 1000 iterations for each of 5 seeds, names the expected invariant, and replays.
/// The cases come from the test catalog, so a new variant is covered without editing this file.
/// </summary>
public class MemslotModelTests
{
    /// <summary>Change points for prioritization (Coyote's --strategy-value) used by default.</summary>
    public const int ChangePoints = 3;
    public const int BugBudget = 1000;
    public static readonly ulong[] Seeds = [1, 2, 3, 4, 5];

    private static readonly IReadOnlyList<TestCase> Catalog =
        TestCatalog.FromAssembly(typeof(MemslotVariants).Assembly).Where(t => t.Name.StartsWith("Memslot.", StringComparison.Ordinal)).ToList();

    internal static TestCase Get(string name) => Catalog.Single(t => t.Name == name);

    public static TheoryData<string> CorrectVariants() => new(Catalog.Where(t => t.Expect == Expectation.Pass).Select(t => t.Name));

    public static TheoryData<string> BugVariants() => new(BugVariantNames());

    internal static IEnumerable<string> BugVariantNames() =>
        Catalog.Where(t => t.Expect is not (Expectation.Pass or Expectation.Explore)).Select(t => t.Name);

    [Theory]
    [MemberData(nameof(CorrectVariants))]
    public void CorrectVariantHasNoBug(string name)
    {
        TestCase test = Get(name);
        foreach (string strategy in new[] { "random", "prioritization" })
        {
            foreach (ulong seed in new ulong[] { 1, 2 })
            {
                TestReport report = TestingEngine.Run(test, Config(strategy, seed, iterations: 300));
                Assert.True(report.Bug is null, $"{name} ({strategy}, seed {seed}): {report.Bug}");
                Assert.Equal(300, report.Iterations);
                Assert.Equal(0, report.MaxStepsHits);
            }
        }
    }

    [Theory]
    [MemberData(nameof(BugVariants))]
    public void BugVariantIsFoundByPrioritizationForEverySeedAndReplays(string name)
    {
        TestCase test = Get(name);
        Assert.False(string.IsNullOrEmpty(test.Invariant), $"{name} must name the invariant it breaks");
        foreach (ulong seed in Seeds)
        {
            TestReport report = TestingEngine.Run(test, Config("prioritization", seed, BugBudget));
            Assert.True(report.Bug is not null, $"{name}: no bug in {BugBudget} iterations with seed {seed}");
            Assert.True(test.Meets(report.Bug), $"{name} seed {seed}: expected {test.ExpectationText}, got {report.Bug}");
            Assert.Equal(test.Invariant, report.Bug!.Invariant);
            Assert.Contains(test.Invariant!, report.Bug.Message); // the message still names it for readers

            ReplayResult replay = TestingEngine.Replay(test, report.Schedule!);
            Assert.Null(replay.Divergence);
            Assert.True(replay.Reproduces(report.Bug), $"{name} seed {seed}: replay gave {replay.Bug}, recorded {report.Bug}");
        }
    }

    [Fact]
    public void EveryMemslotTestIsCovered()
    {
        Assert.Equal(Catalog.Count, CorrectVariants().Count + BugVariants().Count + Catalog.Count(t => t.Expect == Expectation.Explore));
        Assert.Contains(Catalog, t => t.Name == "Memslot.Merged.3vcpu.hotplug.smm");
        // Every kernel variant (a subclass of Kvm) has a test of its own name.
        foreach (Type v in typeof(Models.Memslot.Kvm).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Models.Memslot.Kvm))))
        {
            string name = v == typeof(FaultSeqLate) ? "Merged.fault-seq-late" : v.Name;   // a what-if of the merged code
            Assert.Contains(Catalog, t => t.Name == $"Memslot.{name}" || t.Name.StartsWith($"Memslot.{name}.", StringComparison.Ordinal));
        }
    }

    /// <summary>A vCPU is a state machine driven by events: the trace names the VMM's ioctl, the thread's states
    /// (InUserspace -> InKvmRun -> InGuestMode and back) and the guest's exits, beside the kernel functions.</summary>
    [Fact]
    public void VcpuThreadTraceShowsStatesAndEventsBesideTheKernelFunctions()
    {
        TestReport report = TestingEngine.Run(Get("Memslot.MA1"), Config("prioritization", 1, BugBudget));
        string trace = string.Join('\n', report.Trace!.Select(e => e.ToString()));
        Assert.Contains("send KvmRun to vcpu0", trace);
        Assert.Contains("dequeue KvmRun", trace);
        Assert.Contains("vcpu0 goes from InUserspace to InKvmRun", trace);
        Assert.Contains("vcpu0 goes from InKvmRun to InGuestMode", trace);
        Assert.Contains("vcpu0 goes from InGuestMode to InKvmRun", trace);
        // KVM_RUN's handler raises vcpu_run()'s goto before kvm_arch_vcpu_ioctl_run() runs: the goto is taken only when
        // the call returns, after its vcpu->mutex (the creation's mutex_lock precedes the VMM's KvmRun).
        int run = trace.IndexOf("vcpu0 goes from InUserspace to InKvmRun", StringComparison.Ordinal);
        int ioctlLock = trace.LastIndexOf("mutex_lock(&vcpu0->mutex)", run, StringComparison.Ordinal);
        Assert.True(trace.IndexOf("send KvmRun to vcpu0", StringComparison.Ordinal) < ioctlLock, "KVM_RUN takes vcpu->mutex before vcpu_run()");
        int entry = trace.IndexOf("vcpu0 goes from InKvmRun to InGuestMode", StringComparison.Ordinal);
        Assert.True(trace.IndexOf("VMRUN vcpu0", StringComparison.Ordinal) < entry, "VMRUN is the last step of vcpu_enter_guest before guest mode");
        Assert.Contains("vcpu0's guest does EnableX2apic", trace);
        Assert.Contains("__kvm_apic_set_base: vcpu0 apic_base |= X2APIC_ENABLE", trace);
    }

    [Fact]
    public void MA1TraceTellsTheKernelStory()
    {
        TestCase test = Get("Memslot.MA1");
        TestReport report = TestingEngine.Run(test, Config("prioritization", 1, BugBudget));
        string trace = string.Join('\n', report.Trace!.Select(e => e.ToString()));
        string reader = report.Bug!.Operation!;
        Assert.Contains("kvm_inhibit_apic_access_page: ", trace);
        Assert.Contains("deletes the APIC access memslot", trace);
        Assert.Contains("WRITE_ONCE(kvm->arch.apic_access_memslot_enabled, false)", trace);
        Assert.Contains($"kvm_inhibit_apic_access_page: {reader} reads apic_access_memslot_enabled == false", trace);
        Assert.Contains("VMRUN", trace);
        // The false read comes after the early clear and before the deletion finished.
        int clear = trace.IndexOf("WRITE_ONCE(kvm->arch.apic_access_memslot_enabled, false)", StringComparison.Ordinal);
        int read = trace.IndexOf($"{reader} reads apic_access_memslot_enabled == false", StringComparison.Ordinal);
        Assert.True(clear < read);
        Assert.DoesNotContain("vm_munmap", trace[..read]);
    }

    /// <summary>The exploratory H-A1 runs (docs/findings/memslot-h-a1-late-allocation.md): the merged code lets a
    /// late-created memslot stay mapped for an x2APIC vCPU.</summary>
    [Fact]
    public void HA1ExplorationFindsTheLateAllocation()
    {
        TestReport a1 = TestingEngine.Run(Get("Memslot.MA13"), Config("prioritization", 1, BugBudget));
        Assert.StartsWith("INV-A1", a1.Bug?.Message);
        Assert.Contains("creates the memslot after", a1.Bug!.Message);

        TestReport a3 = TestingEngine.Run(Get("Memslot.MA13.inv-a3"), Config("prioritization", 1, BugBudget));
        Assert.StartsWith("INV-A3 (strong form", a3.Bug?.Message);
        Assert.Contains("while the memslot is VALID", a3.Bug!.Message);
        Assert.True(TestingEngine.Replay(Get("Memslot.MA13.inv-a3"), a3.Schedule!).Reproduces(a3.Bug));
    }

    /// <summary>Never onlined, the access ordered after the hotplug: the access that gets through is the boot vCPU's
    /// own x2APIC-mode access, through an SPTE installed by a fault taken while it was already in x2APIC mode.</summary>
    [Fact]
    public void HA1NeverOnlinedAccessReachesTheVapicPageAfterTheHotplug()
    {
        TestReport r = TestingEngine.Run(Get("Memslot.MA13.never-onlined"), Config("prioritization", 1, BugBudget));
        Assert.StartsWith("INV-A3 (weak form", r.Bug?.Message);
        string trace = string.Join('\n', r.Trace!.Select(e => e.ToString()));
        int hotplugged = trace.IndexOf("guest event: the hotplug ioctl returned: the boot vCPUs are woken", StringComparison.Ordinal);
        int woke = trace.IndexOf("vcpu0 wakes up: the hotplug ioctl returned", StringComparison.Ordinal);
        Assert.True(hotplugged >= 0 && woke > hotplugged, "the access is ordered after the hotplug");
        // The HLT exit took the thread to Blocked (kvm_vcpu_block), where it dequeued the VMM's WakeUp.
        int blocked = trace.IndexOf("vcpu0 goes from InGuestMode to Blocked", StringComparison.Ordinal);
        Assert.True(blocked >= 0 && blocked < woke && trace.IndexOf("dequeue WakeUp", blocked, StringComparison.Ordinal) < woke);
        Assert.DoesNotContain("VMRUN vcpu1", trace);
        Assert.Contains("AVIC redirects it to the vAPIC backing page", trace[woke..]);
    }

    /// <summary>The ICR/WARN path: the redirected ICR write to the never-run hotplugged vCPU exits with
    /// TARGET_NOT_RUNNING and avic_kick_target_vcpus_fast() reads ICR2 as a 32-bit x2APIC destination.</summary>
    [Fact]
    public void HA1IcrWriteHitsTheWarnInAvicKickTargetVcpusFast()
    {
        TestReport r = TestingEngine.Run(Get("Memslot.MA13.icr-warn"), Config("prioritization", 1, BugBudget));
        Assert.StartsWith("INV-A7", r.Bug?.Message);
        Assert.Contains("dest = ICR2 = 0x1000000", r.Bug!.Message);
        Assert.Contains("reported index 1", r.Bug.Message);
        string trace = string.Join('\n', r.Trace!.Select(e => e.ToString()));
        Assert.Contains("#VMEXIT(AVIC_INCOMPLETE_IPI, TARGET_NOT_RUNNING)", trace);
    }

    internal static Configuration Config(string strategy, ulong seed, int iterations) => new()
    {
        Strategy = strategy,
        StrategyValue = ChangePoints,
        Seed = seed,
        Iterations = iterations,
        MaxSteps = 5000,
    };
}
