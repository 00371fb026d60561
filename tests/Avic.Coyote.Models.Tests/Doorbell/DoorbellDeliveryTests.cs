using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Doorbell;

/// <summary>
/// INV-B7 (an IRQ reaches a guest waiting for it in guest mode) and INV-B1's converse (IsRunning=1 at
/// every VMRUN with AVIC on): the 'S' guest's bound, the paths that deliver to it, and the traces of
/// the variants that break them.
/// </summary>
public class DoorbellDeliveryTests
{
    private static readonly IReadOnlyList<TestCase> Catalog = TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly);

    private static TestCase Variant(string name) => Catalog.Single(t => t.Name == name);

    private static TestCase Inline(DoorbellConfig config) => TestCase.From("inline", rt => AvicKvm.Run<AvicKvm_v5_18>(rt, config));

    private static string[] TraceOf(TestReport report) => report.Trace!.Select(l => l.ToString()!).ToArray();

    private static int Find(string[] lines, string text, int from = 0)
    {
        int i = Array.FindIndex(lines, from, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(i >= 0, $"trace lacks '{text}' after line {from}:\n{string.Join('\n', lines)}");
        return i;
    }

    [Fact]
    public void WaitingGuestsThatNobodySignalsGiveUpWithoutABug()
    {
        // Both guests wait and nobody sends: each stops waiting once nothing else can act, and the run ends.
        TestReport report = TestingEngine.Run(Inline(new DoorbellConfig { Programs = ["S", "SH"] }),
            new Configuration { Iterations = 200, Strategy = "random", Seed = 4 });
        Assert.Null(report.Bug);
        Assert.Equal(200, report.Iterations);
        Assert.Equal(0, report.MaxStepsHits);
    }

    [Fact]
    public void WithIpivOffEveryIpiToAWaitingGuestExitsAndKvmRingsTheDoorbell()
    {
        DoorbellMetrics.Current.Reset();
        TestReport report = TestingEngine.Run(Variant("Doorbell.Strict.IpivOff.Spin"), new Configuration { Iterations = 300, Strategy = "random", Seed = 2 });
        Assert.Null(report.Bug);
        // The table never has IsRunning: no AVIC doorbell, every IPI exits, KVM's doorbells deliver.
        Assert.True(DoorbellMetrics.Current.IncompleteIpiExits >= 300 * 3, DoorbellMetrics.Current.ToString());
        Assert.True(DoorbellMetrics.Current.Doorbells > 0, DoorbellMetrics.Current.ToString());
        Assert.Equal(0, DoorbellMetrics.Current.HardwareDoorbellsToPcpuNotRunningTarget);
    }

    [Fact]
    public void MB18IpivOffTraceShowsTheIrqThatNoDoorbellDelivers()
    {
        TestCase test = Variant("Doorbell.MB18.IpivOff");
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 100, Strategy = "random", Seed = 1 });
        Assert.Equal(BugKind.Liveness, report.Bug?.Kind);
        Assert.StartsWith("INV-B7", report.Bug!.Message);
        string[] lines = TraceOf(report);
        int waits = Find(lines, "the guest spins in guest mode, waiting for an interrupt");
        int notRunning = Find(lines, "-> valid not-running", 0);
        Find(lines, "monitor InterruptDelivery enters hot state", Math.Min(waits, notRunning));
        Assert.DoesNotContain(lines, l => l.Contains("avic_ring_doorbell()", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Doorbell.Strict.Spin")]            // the AVIC's doorbells (IsRunning=1 in guest mode)
    [InlineData("Doorbell.Strict.IpivOff.Spin")]    // only KVM's avic_ring_doorbell (the table never says IsRunning)
    [InlineData("Doorbell.NonStrict.Spin")]
    public void DoorbellsDeliverToGuestsWaitingInGuestMode(string name)
    {
        DoorbellMetrics.Current.Reset();
        TestReport report = TestingEngine.Run(Variant(name), new Configuration { Iterations = 300, Strategy = "random", Seed = 5 });
        Assert.Null(report.Bug);
        Assert.True(DoorbellMetrics.Current.DoorbellDeliveriesInGuestMode > 0, DoorbellMetrics.Current.ToString());
    }

    [Fact]
    public void MB20EntersTheGuestWithIsRunningClear()
    {
        TestReport report = TestingEngine.Run(Variant("Doorbell.MB20"), new Configuration { Iterations = 200, Strategy = "random", Seed = 1 });
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.StartsWith("INV-B1 (converse): ", report.Bug!.Message);
        Assert.Contains("not-running", report.Bug.Message);
        string[] lines = TraceOf(report);
        int skipped = Find(lines, "kvm_arch_vcpu_load skipped (MB20)");
        Find(lines, "*** BUG: AssertionFailure: INV-B1 (converse)", skipped);
    }

    [Fact]
    public void TheConverseHoldsAtEveryVmrunOfTheCorrectModels()
    {
        // Every correct configuration checks INV-B1 in both directions, under both strategies (the theory in
        // DoorbellModelTests runs all of them; these are the ones where the converse has windows to fall into).
        foreach (string name in new[] { "Doorbell.Strict.Inhibitor", "Doorbell.NonStrict.Spin", "Doorbell.Strict.IpivOff.Spin", "Doorbell.Strict.Iommu" })
        {
            TestReport report = TestingEngine.Run(Variant(name), new Configuration { Iterations = 300, Strategy = "prioritization", Seed = 7 });
            Assert.True(report.Bug is null, $"{name}: {report.Bug}");
        }
    }

    [Fact]
    public void RareBugVariantsCarryTheirOwnBudget()
    {
        // [Test(Iterations = ...)] reaches the catalogue, and only bug variants declare one.
        Assert.Equal(DoorbellVariants.RareBugBudget, Variant("Doorbell.B-5b").Iterations);
        Assert.Equal(DoorbellVariants.RareBugBudget, Variant("Doorbell.MB18").Iterations);
        Assert.Equal(0, Variant("Doorbell.MB1").Iterations);
        Assert.All(Catalog.Where(t => t.Iterations > 0), t => Assert.NotEqual(Expectation.Pass, t.Expect));
    }

    [Fact]
    public void SpinningGuestsAreAcceptedByTheConfiguration()
    {
        new DoorbellConfig { Programs = ["S", "ISH"] }.Validate();
        Assert.True(new DoorbellConfig { Programs = ["S", "I"] }.HasSpinningGuest);
        Assert.False(new DoorbellConfig().HasSpinningGuest);
        Assert.Throws<ArgumentException>(() => new DoorbellConfig { Programs = ["S", "W"] }.Validate());
    }
}
