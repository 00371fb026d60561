using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>
/// The exhaustive strategy (dfs: optimal DPOR) on the Protocol A model: it finds every bug
/// variant with the expected invariant, and its schedules replay. (The proof run on the merged
/// 2-vCPU model takes 147,780 executions, so it is a CLI run documented in README, not a unit test.)
/// </summary>
public class MemslotExhaustiveTests
{
    /// <summary>Executions allowed per variant: MA9, the deepest, needs 14,851 (measured 2026-12-01).</summary>
    private const int Budget = 100_000;

    [Theory]
    [MemberData(nameof(MemslotModelTests.BugVariants), MemberType = typeof(MemslotModelTests))]
    public void DfsFindsEveryBugVariant(string name)
    {
        TestCase test = MemslotModelTests.Get(name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs", Iterations = Budget, MaxSteps = 2000 });
        Assert.True(report.Bug is not null, $"{name}: dfs found no bug ({report.Coverage})");
        Assert.True(test.Meets(report.Bug), $"{name}: expected {test.ExpectationText}, got {report.Bug}");
        Assert.True(TestingEngine.Replay(test, report.Schedule!).Reproduces(report.Bug));
    }
}
