using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Doorbell;

/// <summary>
/// The exhaustive strategy (dfs: optimal DPOR) on the Doorbell model: regressions (what it finds per variant, with
/// budgets, and what it misses is CatalogueExhaustiveTests).
/// </summary>
public class DoorbellExhaustiveTests
{
    private static readonly IReadOnlyList<TestCase> Catalog =
        TestCatalog.FromAssembly(typeof(DoorbellVariants).Assembly).Where(t => t.Name.StartsWith("Doorbell.", StringComparison.Ordinal)).ToList();

    [Fact]
    public void DfsNeverClaimsAProofOfAKnownMissWithinTheBudget()
    {
        // A bug or the budget ends these searches; were one to end by itself, dfs would claim a proof of a buggy
        // variant — what it did for MB14 before the Sched model recorded the tick's fields. (Both are found within 25
        // executions since the tick follows the search: CatalogueExhaustiveTests.)
        foreach (string name in new[] { "Doorbell.MB14", "Doorbell.B-6" })
        {
            TestReport report = TestingEngine.Run(Catalog.Single(t => t.Name == name), new Configuration { Strategy = "dfs", Iterations = 2_000 });
            Assert.False(report.Exhausted, $"{name}: {report.Coverage}");
        }
    }
}
