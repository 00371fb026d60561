using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Doorbell;

/// <summary>
/// Holds the Protocol B variants to what they declare: the correct ones stay clean under random and
/// prioritization (and x86-TSO where declared); every bug variant is found within 1000 iterations for
/// each of five fixed seeds, with its invariant, and its schedule replays to the same bug and step.
/// </summary>
public class DoorbellModelTests
{
    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5];

    private static readonly IReadOnlyList<TestCase> Catalog = TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly)
        .Where(t => t.Name.StartsWith("Doorbell.", StringComparison.Ordinal)).ToList();

    private static TestCase Variant(string name) => Catalog.Single(t => t.Name == name);

    /// <summary>Every bug variant and the strategy that hunts it. Liveness bugs under SC use
    /// fair-prioritization; the store-buffering ones (MB8, B-8) random, also fair: PCT rarely delays
    /// a store-buffer drain for long enough.</summary>
    public static TheoryData<string, string> BugVariants => new()
    {
        { "Doorbell.MB1", "random" },
        { "Doorbell.MB2", "fair-prioritization" },
        { "Doorbell.MB3", "random" },
        { "Doorbell.MB4", "random" },
        { "Doorbell.MB5", "prioritization" },
        { "Doorbell.MB6", "fair-prioritization" },
        { "Doorbell.MB6.Quiescent", "prioritization" },
        { "Doorbell.MB8", "random" },
        { "Doorbell.MB9", "prioritization" },
        { "Doorbell.MB11", "random" },
        { "Doorbell.MB12", "fair-prioritization" },
        { "Doorbell.MB13", "random" },
        { "Doorbell.MB14", "random" },
        { "Doorbell.MB15", "fair-prioritization" },
        { "Doorbell.MB17", "random" },
        { "Doorbell.B-1", "prioritization" },
        { "Doorbell.B-2", "prioritization" },
        { "Doorbell.B-3", "prioritization" },
        { "Doorbell.B-4", "random" },
        { "Doorbell.B-5a", "prioritization" },
        { "Doorbell.B-5b", "fair-prioritization" },
        { "Doorbell.B-5b.IsRunning", "random" },
        { "Doorbell.B-6", "random" },
        { "Doorbell.B-7", "random" },
        { "Doorbell.B-7.IrListLock", "random" },
        { "Doorbell.B-8", "random" },
        { "Doorbell.MB18", "prioritization" },
        { "Doorbell.MB18.IpivOff", "random" },
        { "Doorbell.MB18.NonStrict", "prioritization" },
        { "Doorbell.MB20", "random" },
        { "Doorbell.MB20.Delivery", "random" },
    };

    public static TheoryData<string> CorrectVariants
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (TestCase t in Catalog.Where(t => t.Expect == Expectation.Pass)) data.Add(t.Name);
            return data;
        }
    }

    [Fact]
    public void EveryBugVariantIsHunted()
    {
        var hunted = BugVariants.Select(row => (string)row[0]).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var declared = Catalog.Where(t => t.Expect != Expectation.Pass).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(declared, hunted);
    }

    [Theory]
    [MemberData(nameof(BugVariants))]
    public void BugVariantIsFoundForEverySeedAndReplays(string name, string strategy)
    {
        TestCase test = Variant(name);
        foreach (ulong seed in Seeds)
        {
            TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1000, Strategy = strategy, Seed = seed });
            Assert.True(report.Bug is not null, $"{name}, {strategy}, seed {seed}: no bug in {report.Iterations} iterations");
            Assert.True(test.Meets(report.Bug), $"{name}, seed {seed}: expected {test.ExpectationText}, found {report.Bug}");

            ReplayResult replay = TestingEngine.Replay(test, report.Schedule!);
            Assert.Null(replay.Divergence);
            Assert.True(replay.Reproduces(report.Bug), $"{name}, seed {seed}: replay gave {replay.Bug}, recorded {report.Bug}");
        }
    }

    [Theory]
    [MemberData(nameof(CorrectVariants))]
    public void CorrectVariantIsClean(string name)
    {
        TestCase test = Variant(name);
        foreach (string strategy in new[] { "random", "prioritization" })
        {
            foreach (ulong seed in Seeds.Take(2))
            {
                TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 400, Strategy = strategy, Seed = seed });
                Assert.True(report.Bug is null, $"{name}, {strategy}, seed {seed}: {report.Bug}");
                Assert.Equal(0, report.MaxStepsHits);
                Assert.Equal(400, report.Iterations);
            }
        }
    }

    [Fact]
    public void StrictModelIsAlsoCleanUnderTso()
    {
        // Every correct DirectTable variant, forced to x86-TSO (the [Test]s with MemoryModel=X86Tso run in CorrectVariantIsClean).
        foreach (string name in new[] { "Doorbell.Strict.3Vcpus", "Doorbell.Strict.Inhibitor", "Doorbell.Strict.Shadow" })
        {
            TestReport report = TestingEngine.Run(Variant(name), new Configuration
            {
                Iterations = 400, Strategy = "random", Seed = 9, MemoryModel = Avic.Coyote.MemoryModel.X86Tso,
            });
            Assert.True(report.Bug is null, $"{name} under TSO: {report.Bug}");
        }
    }

    [Fact]
    public void NonStrictDoorbellsHitPcpusThatDoNotRunTheTarget()
    {
        // The RFC's cost: with IsRunning left set while a vCPU is scheduled out, the sender's AVIC
        // doorbells a pCPU running something else. Strict mode never does (INV-B3).
        long Run(string name)
        {
            DoorbellMetrics.Current.Reset();
            TestReport report = TestingEngine.Run(Variant(name), new Configuration { Iterations = 500, Strategy = "random", Seed = 3 });
            Assert.Null(report.Bug);
            Assert.Equal(500, DoorbellMetrics.Current.Executions);
            Assert.True(DoorbellMetrics.Current.Doorbells > 0);
            return DoorbellMetrics.Current.HardwareDoorbellsToPcpuNotRunningTarget;
        }

        Assert.Equal(0, Run("Doorbell.Strict"));
        Assert.True(Run("Doorbell.NonStrict") > 0);
    }

    [Fact]
    public void B5bTraceReadsAsTheKernelStory()
    {
        TestCase test = Variant("Doorbell.B-5b");
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1000, Strategy = "fair-prioritization", Seed = 1 });
        Assert.Equal(BugKind.Liveness, report.Bug?.Kind);
        string[] lines = report.Trace!.Select(l => l.ToString()!).ToArray();

        // In order: preempted in the window, sched-in sets IsRunning, the doorbell hits a host-mode pCPU, it sleeps with IRR set.
        int Find(string text, int from)
        {
            int i = Array.FindIndex(lines, from, l => l.Contains(text, StringComparison.Ordinal));
            Assert.True(i >= 0, $"trace lacks '{text}' after line {from}:\n{string.Join('\n', lines)}");
            return i;
        }
        int preempted = Find("preempted between kvm_arch_vcpu_blocking() and prepare_to_rcuwait()", 0);
        int load = Find("__avic_vcpu_load: table[0] (START_RUNNING", preempted);
        int blocking = Find("WRITE_ONCE(vcpu0->wait.task, true)", load);
        int doorbell = Find("'s AVIC: doorbell for vcpu0", blocking);
        Assert.Contains("host mode", lines[doorbell]);
        Find("vcpu0 never leaves kvm_vcpu_block(): IRR=", doorbell);
    }

    [Fact]
    public void ConfigurationsOutsideTheModelAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new DoorbellConfig { Vcpus = 4, Pcpus = 4 }.Validate());
        Assert.Throws<ArgumentException>(() => new DoorbellConfig { Vcpus = 3, Pcpus = 2 }.Validate());
        Assert.Throws<ArgumentException>(() => new DoorbellConfig { Programs = ["IH", "HZ"] }.Validate());
        new DoorbellConfig { Vcpus = 3, Pcpus = 3 }.Validate();
    }

    [Theory]
    [InlineData("2025", false, 0, true, "avic_doorbell_strict=0 is seed 002's RFC")]
    [InlineData("v5.18", true, 1, true, "IOMMU-posted IRTEs are modelled for the 2025 code")]
    [InlineData("v5.18", true, 0, false, "enable_ipiv is a parameter of the 2025 code")]
    public void EachKernelEraRejectsTheParametersItDoesNotHave(string era, bool strict, int deviceIrqs, bool enableIpiv, string reason)
    {
        var config = new DoorbellConfig { Strict = strict, DeviceIrqs = deviceIrqs, EnableIpiv = enableIpiv, Pcpus = 3 };
        TestCase test = TestCase.From(era, rt => era == "2025" ? AvicKvm.Run<AvicKvm>(rt, config) : AvicKvm.Run<AvicKvm_v5_18>(rt, config));
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1 });
        Assert.NotNull(report.Bug);
        Assert.Contains(reason, report.Bug!.Message, StringComparison.Ordinal);
    }
}
