using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>
/// The exhaustive strategy (dfs: DPOR + sleep sets) on the Protocol A model: it finds every bug
/// variant with the expected invariant, and its schedules replay. (The proof run on the merged
/// 2-vCPU model takes ~21 s and ~300,000 executions, so it is a CLI run documented in README,
/// not a unit test.)
/// </summary>
public class MemslotExhaustiveTests
{
    /// <summary>Executions allowed per variant: MA9, the deepest, needs about 32,000.</summary>
    private const int Budget = 100_000;

    /// <summary>The bug variants of the configurations dfs covers within the budget: in the 3-vCPU +
    /// hotplug + SMM configuration depth-first search spends 100,000 executions on the last decisions
    /// of a few long prefixes and finds none of them (bench/results/2026-12-01-budgets); PCT does.</summary>
    public static TheoryData<string> DfsBugVariants() =>
        new(TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Memslot.MemslotVariants).Assembly)
            .Where(t => t.Name.StartsWith("Memslot.", StringComparison.Ordinal) && t.Expect is not (Expectation.Pass or Expectation.Explore))
            .Select(t => t.Name).Where(n => !n.EndsWith(".3vcpu.hotplug.smm", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(DfsBugVariants))]
    public void DfsFindsEveryBugVariant(string name)
    {
        TestCase test = MemslotModelTests.Get(name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs", Iterations = Budget, MaxSteps = 2000 });
        Assert.True(report.Bug is not null, $"{name}: dfs found no bug ({report.Coverage})");
        Assert.True(test.Meets(report.Bug), $"{name}: expected {test.ExpectationText}, got {report.Bug}");
        Assert.True(TestingEngine.Replay(test, report.Schedule!).Reproduces(report.Bug));
    }
}
