using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests;

/// <summary>
/// `-s dfs` over the whole catalogue of both models: every bug variant is either found within its declared budget
/// (executions, measured 2026-12-02 in bench/results/2026-12-02-dfscat with the Doorbell tick following the search —
/// TickLanding.BySearch, the scheduled tick under dfs — then about doubled; the Memslot ones from
/// bench/results/2026-12-01-kickack/catalogue-memslot.txt) with the expected bug, or listed as a known miss with what
/// was measured; and no correct variant is reported buggy.
/// </summary>
public class CatalogueExhaustiveTests
{
    private static readonly IReadOnlyList<TestCase> Catalogue =
        TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly)
            .Where(t => t.Name.StartsWith("Doorbell.", StringComparison.Ordinal) || t.Name.StartsWith("Memslot.", StringComparison.Ordinal))
            .ToList();

    /// <summary>Bug variant → executions dfs may take to find it (the measured figure is in the comment).</summary>
    private static readonly Dictionary<string, int> Budgets = new()
    {
        // Doorbell: the figure is the execution that found it (bench/results/2026-12-02-dfscat/after-*.txt); in brackets,
        // dfs with the drawn tick (the default before BySearch) where it differs.
        ["Doorbell.MB1"] = 100,             // 4 (6,746 with the drawn tick)
        ["Doorbell.MB4"] = 100,             // 20 (32)
        ["Doorbell.MB8"] = 500,             // 208
        ["Doorbell.MB11"] = 1_000,          // 72 (scheduled tick; not in 14,599 with the drawn one)
        ["Doorbell.MB13"] = 1_000,          // 40 (scheduled tick; not in 17,689 with the drawn one)
        ["Doorbell.MB15"] = 1_000,          // 415 (keeps the drawn tick: not in 46,232 with the scheduled one)
        ["Doorbell.MB17"] = 100,            // 1
        ["Doorbell.B-1"] = 100,             // 21 (33)
        ["Doorbell.B-5a"] = 100,            // 14 (30)
        ["Doorbell.B-5b.IsRunning"] = 4_000, // 1,729 (33,432)
        ["Doorbell.B-6"] = 100_000,         // 51,207 (not in 45,335)
        ["Doorbell.B-8"] = 400,             // 171
        ["Doorbell.MB18.IpivOff"] = 100,    // 1
        ["Doorbell.MB20"] = 1_000,          // 170 (scheduled tick; not in 32,134 with the drawn one)
        ["Doorbell.MB20.Delivery"] = 27_000, // 13,217 (scheduled tick; not in 45,777 with the drawn one)
        ["Memslot.MA1"] = 1_000,            // 6
        ["Memslot.MA2"] = 100,              // 1
        ["Memslot.MA3"] = 100,              // 1
        ["Memslot.MA4"] = 1_000,            // 6
        ["Memslot.MA5"] = 100,              // 1
        ["Memslot.MA7"] = 100,              // 1
        ["Memslot.MA8"] = 100,              // 1
        ["Memslot.MA9"] = 30_000,           // 14,047 (10,426 with the csd ack alone)
        ["Memslot.MA11"] = 1_000,           // 6
        ["Memslot.MA11.4vcpu"] = 1_000,     // 6
        ["Memslot.MA12"] = 1_000,           // 5
        ["Memslot.MA14"] = 100,             // 1
        ["Memslot.MA15"] = 30_000,          // 15,487 (11,416 with the csd ack alone)
        ["Memslot.A2"] = 100,               // 1
        ["Memslot.A3"] = 1_000,             // 5 (9 before the kick-ack csd)
        ["Memslot.A5i"] = 100,              // 1
        ["Memslot.A5ii"] = 100,             // 1
        ["Memslot.MA13.never-onlined"] = 1_000, // 40
        ["Memslot.MA13.icr-warn"] = 1_000,  // 40
    };

    /// <summary>Bug variants dfs does not find within a unit-test budget: depth-first order changes the late choices
    /// first, and these need an early one (PCT finds them all: DoorbellModelTests, MemslotModelTests). Measured
    /// 2026-12-02 (bench/results/2026-12-02-dfscat, 30 s each for Doorbell, 90 s for Memslot, load 7–16): the Doorbell
    /// ones with the tick dfs now gets (scheduled), then with the drawn one; most need no tick preemption at all
    /// (PCT's minimized schedules), so the landing is not what hides them. Before: the H-A1 races were found after
    /// 390,306 and 798,505 executions before the non-preemptive free choice.</summary>
    private static readonly Dictionary<string, string> KnownMisses = new()
    {
        ["Doorbell.MB2"] = "not in 27,387; drawn tick: not in 109,610", ["Doorbell.MB3"] = "not in 28,630; drawn: 119,780",
        ["Doorbell.MB5"] = "not in 38,612; drawn: 85,590", ["Doorbell.MB6"] = "not in 46,843; drawn: 70,508",
        ["Doorbell.MB6.Quiescent"] = "not in 37,720; drawn: 72,394", ["Doorbell.MB9"] = "not in 19,124; drawn: 36,611",
        ["Doorbell.MB12"] = "not in 47,687; drawn: 81,577", ["Doorbell.MB14"] = "not in 32,714; drawn: 66,111",
        ["Doorbell.B-2"] = "not in 41,624; drawn: 32,943", ["Doorbell.B-3"] = "not in 34,273; drawn: 38,591",
        ["Doorbell.B-4"] = "not in 43,901; drawn: 31,202", ["Doorbell.B-5b"] = "not in 86,603; drawn: 26,873",
        ["Doorbell.B-7"] = "not in 56,841; drawn: 21,946", ["Doorbell.B-7.IrListLock"] = "not in 19,467; drawn: 28,597",
        ["Doorbell.MB18"] = "not in 36,040; drawn: 44,378", ["Doorbell.MB18.NonStrict"] = "not in 102,428; drawn: 61,783",
        ["Memslot.MA9.3vcpu.hotplug.smm"] = "not in 99,470", ["Memslot.MA15.3vcpu.hotplug.smm"] = "not in 33,351",
        ["Memslot.MA4.3vcpu.hotplug.smm"] = "not in 36,272", ["Memslot.MA1.3vcpu.hotplug.smm"] = "not in 28,792",
        ["Memslot.MA13.onlined"] = "not in 48,434", ["Memslot.MA13.late-flip"] = "not in 89,698",
    };

    /// <summary>Known misses the preemption-bounded search finds (`-s dfs-bounded -sv BOUND`): what dfs's depth-first
    /// order lacks is exploring the schedules with few preemptions first (iterative context bounding). Measured
    /// executions in bench/results/2026-12-02-dfscat/after-bysearch-dfs-bounded-*.txt, then about doubled.</summary>
    public static TheoryData<string, int, int> KnownMissesBoundedSearchFinds() => new()
    {
        { "Doorbell.MB12", 1, 300 },            // 144
        { "Doorbell.MB14", 1, 200 },            // 80
        { "Doorbell.B-7", 1, 2_000 },           // 841
        { "Doorbell.B-7.IrListLock", 1, 7_000 }, // 3,307
        { "Doorbell.MB5", 2, 7_000 },           // 3,188 (bound 1: none in its 386)
        { "Doorbell.MB6", 2, 6_000 },           // 2,699 (bound 1: none in its 1,203)
        { "Doorbell.MB6.Quiescent", 2, 6_000 }, // 2,699
        { "Doorbell.B-2", 2, 7_000 },           // 3,188
        { "Doorbell.MB9", 3, 4_000 },           // 1,996 (bound 2: none in its 6,441)
        { "Doorbell.B-3", 3, 4_000 },           // 1,996
        { "Memslot.MA9.3vcpu.hotplug.smm", 1, 400 },  // 169
        { "Memslot.MA15.3vcpu.hotplug.smm", 1, 400 }, // 171
        { "Memslot.MA4.3vcpu.hotplug.smm", 1, 200 },  // 52
        { "Memslot.MA1.3vcpu.hotplug.smm", 1, 200 },  // 52
        { "Memslot.MA13.onlined", 3, 1_000 },   // 428 (bound 2: none in its 114)
        { "Memslot.MA13.late-flip", 3, 2_000 }, // 943 (bound 2: none in its 414)
    };

    [Theory]
    [MemberData(nameof(KnownMissesBoundedSearchFinds))]
    public void DfsBoundedFindsTheKnownMissWithFewPreemptions(string name, int bound, int budget)
    {
        Assert.True(KnownMisses.ContainsKey(name), $"{name} is no known miss of dfs any more: give it a budget instead");
        TestCase test = Catalogue.Single(t => t.Name == name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs-bounded", StrategyValue = bound, Iterations = budget, MaxSteps = 2000 });
        Assert.True(report.Bug is not null, $"{name}: dfs-bounded {bound} found no bug in {budget} executions ({report.Coverage})");
        Assert.True(test.Meets(report.Bug), $"{name}: expected {test.ExpectationText}, got {report.Bug}");
        Assert.True(TestingEngine.Replay(test, report.Schedule!).Reproduces(report.Bug));
    }

    public static TheoryData<string> BugVariantsWithABudget() => new(Budgets.Keys.OrderBy(n => n, StringComparer.Ordinal));

    public static TheoryData<string> CorrectVariants() =>
        new(Catalogue.Where(t => t.Expect == Expectation.Pass).Select(t => t.Name));

    [Fact]
    public void EveryBugVariantHasABudgetOrIsAKnownMiss()
    {
        // "Explore" configurations (e.g. Memslot.MA13) declare no verdict: neither a bug to find nor a pass.
        var declared = Catalogue.Where(t => t.Expect is not (Expectation.Pass or Expectation.Explore)).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal);
        var classified = Budgets.Keys.Concat(KnownMisses.Keys).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(declared, classified);
    }

    [Theory]
    [MemberData(nameof(BugVariantsWithABudget))]
    public void DfsFindsTheBugVariantWithinItsBudget(string name)
    {
        TestCase test = Catalogue.Single(t => t.Name == name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs", Iterations = Budgets[name], MaxSteps = 2000 });
        Assert.True(report.Bug is not null, $"{name}: dfs found no bug in {Budgets[name]} executions ({report.Coverage})");
        Assert.True(test.Meets(report.Bug), $"{name}: expected {test.ExpectationText}, got {report.Bug}");
        Assert.True(TestingEngine.Replay(test, report.Schedule!).Reproduces(report.Bug));
    }

    /// <summary>A correct variant is never reported buggy (nor, within this budget, called verified unless it is).</summary>
    [Theory]
    [MemberData(nameof(CorrectVariants))]
    public void DfsReportsNoBugInACorrectVariant(string name)
    {
        TestCase test = Catalogue.Single(t => t.Name == name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs", Iterations = 300, MaxSteps = 2000 });
        Assert.True(report.Bug is null, $"{name}: {report.Bug}");
    }
}
