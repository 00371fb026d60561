using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests;

/// <summary>
/// `-s dfs` over the whole catalogue of both models: every bug variant is found within its declared budget
/// (executions, measured and then about doubled) with the expected bug, and no correct variant is reported buggy.
/// </summary>
public class CatalogueExhaustiveTests
{
    private static readonly IReadOnlyList<TestCase> Catalogue =
        TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly)
            .Where(t => t.Name.StartsWith("Doorbell.", StringComparison.Ordinal) || t.Name.StartsWith("Memslot.", StringComparison.Ordinal))
            .ToList();

    /// <summary>Bug variant → executions dfs may take to find it: the execution that found it with `./coyote test -m NAME
    /// -s dfs -i 100000 -t 60` on 2026-12-02 (bench/results/2026-12-02-merge6/dfs-catalogue.txt: the tick following the
    /// search, draws local to their step, passes with at most 0–3 preemptions before the unbounded one), about doubled;
    /// MB3, B-4, MB18 and MB18.NonStrict, which those passes missed, from bench/results/2026-12-02-dfsorder/dfs-catalogue.txt
    /// (a pass with at most 5 preemptions, and each bounded pass for at most 30,000 executions).</summary>
    private static readonly Dictionary<string, int> Budgets = new()
    {
        ["Doorbell.B-1"] = 100,                   // 12 (the pass with at most 1 preemptions)
        ["Doorbell.B-2"] = 2_000,                 // 990 (the pass with at most 2 preemptions)
        ["Doorbell.B-3"] = 5_900,                 // 2,915 (the pass with at most 3 preemptions)
        ["Doorbell.B-4"] = 95_300,                // 47,665 (the pass with at most 5 preemptions)
        ["Doorbell.B-5a"] = 100,                  // 8 (the pass with at most 1 preemptions)
        ["Doorbell.B-5b"] = 16_000,               // 7,991 (the pass with at most 3 preemptions)
        ["Doorbell.B-5b.IsRunning"] = 400,        // 155 (the pass with at most 2 preemptions)
        ["Doorbell.B-6"] = 100,                   // 25 (the pass with at most 1 preemptions)
        ["Doorbell.B-7"] = 300,                   // 139 (the pass with at most 1 preemptions)
        ["Doorbell.B-7.IrListLock"] = 4_700,      // 2,347 (the pass with at most 2 preemptions)
        ["Doorbell.B-8"] = 800,                   // 384 (the pass with at most 3 preemptions)
        ["Doorbell.MB1"] = 100,                   // 4 (the pass with at most 1 preemptions)
        ["Doorbell.MB11"] = 100,                  // 10 (the pass with at most 1 preemptions)
        ["Doorbell.MB12"] = 100,                  // 42 (the pass with at most 1 preemptions)
        ["Doorbell.MB13"] = 100,                  // 8 (the pass with at most 1 preemptions)
        ["Doorbell.MB14"] = 100,                  // 25 (the pass with at most 1 preemptions)
        ["Doorbell.MB15"] = 50_300,               // 25,129 (the pass with at most 1 preemptions)
        ["Doorbell.MB17"] = 100,                  // 1 (the pass with at most 0 preemptions)
        ["Doorbell.MB18"] = 21_200,               // 10,582 (the pass with at most 5 preemptions)
        ["Doorbell.MB18.IpivOff"] = 100,          // 1 (the pass with at most 0 preemptions)
        ["Doorbell.MB18.NonStrict"] = 21_800,     // 10,875 (the pass with at most 5 preemptions)
        ["Doorbell.MB2"] = 18_500,                // 9,228 (the pass with at most 3 preemptions)
        ["Doorbell.MB20"] = 100,                  // 13 (the pass with at most 1 preemptions)
        ["Doorbell.MB20.Delivery"] = 100,         // 15 (the pass with at most 1 preemptions)
        ["Doorbell.MB3"] = 95_300,                // 47,665 (the pass with at most 5 preemptions)
        ["Doorbell.MB4"] = 100,                   // 11 (the pass with at most 1 preemptions)
        ["Doorbell.MB5"] = 2_000,                 // 990 (the pass with at most 2 preemptions)
        ["Doorbell.MB6"] = 800,                   // 362 (the pass with at most 2 preemptions)
        ["Doorbell.MB6.Quiescent"] = 800,         // 362 (the pass with at most 2 preemptions)
        ["Doorbell.MB8"] = 900,                   // 445 (the pass with at most 3 preemptions)
        ["Doorbell.MB9"] = 5_900,                 // 2,915 (the pass with at most 3 preemptions)
        ["Memslot.A2"] = 100,                     // 1 (the pass with at most 0 preemptions)
        ["Memslot.A3"] = 300,                     // 110 (the pass with at most 2 preemptions; 10 with 1 while every zap kicked, 2026-12-02-msrace)
        ["Memslot.A5i"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.A5ii"] = 100,                   // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA1"] = 100,                    // 4 (the pass with at most 1 preemptions)
        ["Memslot.MA1.3vcpu.hotplug.smm"] = 200,  // 52 (the pass with at most 1 preemptions)
        ["Memslot.MA11"] = 200,                   // 56 (the pass with at most 2 preemptions)
        ["Memslot.MA11.4vcpu"] = 500,             // 212 (the pass with at most 2 preemptions)
        ["Memslot.MA12"] = 100,                   // 5 (the pass with at most 1 preemptions)
        ["Memslot.MA13.icr-warn"] = 200,          // 53 (the pass with at most 2 preemptions)
        ["Memslot.MA13.late-flip"] = 2_800,       // 1,355 (the pass with at most 3 preemptions)
        ["Memslot.MA13.never-onlined"] = 200,     // 53 (the pass with at most 2 preemptions)
        ["Memslot.MA13.onlined"] = 1_100,         // 532 (the pass with at most 3 preemptions)
        ["Memslot.MA14"] = 100,                   // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA15"] = 100,                   // 21 (the pass with at most 1 preemptions)
        ["Memslot.MA15.3vcpu.hotplug.smm"] = 400, // 171 (the pass with at most 1 preemptions)
        ["Memslot.MA2"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA3"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA4"] = 100,                    // 4 (the pass with at most 1 preemptions)
        ["Memslot.MA4.3vcpu.hotplug.smm"] = 200,  // 52 (the pass with at most 1 preemptions)
        ["Memslot.MA5"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA7"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA8"] = 100,                    // 1 (the pass with at most 0 preemptions)
        ["Memslot.MA9"] = 100,                    // 21 (the pass with at most 1 preemptions)
        ["Memslot.MA9.3vcpu.hotplug.smm"] = 400,  // 169 (the pass with at most 1 preemptions)
    };

    public static TheoryData<string> BugVariantsWithABudget() => new(Budgets.Keys.OrderBy(n => n, StringComparer.Ordinal));

    public static TheoryData<string> CorrectVariants() =>
        new(Catalogue.Where(t => t.Expect == Expectation.Pass).Select(t => t.Name));

    [Fact]
    public void EveryBugVariantHasABudget()
    {
        // "Explore" configurations (e.g. Memslot.MA13) declare no verdict: neither a bug to find nor a pass.
        var declared = Catalogue.Where(t => t.Expect is not (Expectation.Pass or Expectation.Explore)).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(declared, Budgets.Keys.OrderBy(n => n, StringComparer.Ordinal));
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
