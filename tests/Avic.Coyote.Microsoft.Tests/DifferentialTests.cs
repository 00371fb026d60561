using Avic.Coyote.Testing;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>
/// Every bundled variant runs on both engines with a fixed seed: Microsoft.Coyote's TestingEngine (through
/// <see cref="CoyoteTestRunner"/>, as Coyote's unit-testing docs show) and ours. Each must give the variant's
/// declared verdict, and both must find the same kind of bug. A variant on which they disagree is a defect,
/// so none is skipped.
///
/// Budgets: a bug run stops at the first bug, so a bug variant gets a generous budget. With prioritization
/// seed 2, the slowest bundled bug (Doorbell.MB8, x86-TSO) took 561 Coyote iterations on 2026-12-01. A
/// passing variant costs its whole budget. Coyote runs about 10² iterations/s here, so a pass gets
/// <see cref="PassIterations"/>. Only our engine, which is 11–1,000× faster, explores it more deeply in this test.
/// </summary>
public class DifferentialTests
{
    private const uint Seed = 2;
    private const int BugIterations = 1500;
    private const int PassIterations = 20;
    private const int ExploreIterations = 5;

    [Theory]
    [MemberData(nameof(Bundled.Names), MemberType = typeof(Bundled))]
    public void BothEnginesGiveTheDeclaredVerdict(string name)
    {
        TestCase test = Bundled.Find(name);
        int iterations = test.Expect switch
        {
            Expectation.Pass => PassIterations,
            Expectation.Explore => ExploreIterations,
            _ => BugIterations,
        };

        CoyoteRunResult coyote = CoyoteTestRunner.Run(test, new CoyoteRunSettings
        {
            Iterations = iterations, Strategy = "prioritization", Seed = Seed,
        });
        TestReport ours = TestingEngine.Run(test, new Configuration
        {
            Iterations = test.Expect == Expectation.Pass ? 1000 : iterations, Strategy = "prioritization", Seed = Seed,
            MaxSteps = CoyoteExecution.DefaultMaxSteps,
        });

        // Every bug Coyote reports must be one our runtime found; otherwise Coyote itself saw something wrong with the adapter.
        if (coyote.CoyoteBugText is { } text) Assert.Equal(coyote.Bug!.ToString(), text);
        Assert.Equal(0, coyote.LostControl);
        Assert.True(coyote.MeetsExpectation,
            $"Microsoft.Coyote: expected {test.ExpectationText}, got {coyote.Bug?.ToString() ?? "no bug"} in {coyote.Iterations} iterations");
        Assert.True(ours.MeetsExpectation,
            $"ours: expected {test.ExpectationText}, got {ours.Bug?.ToString() ?? "no bug"} in {ours.Iterations} iterations");
        if (test.Expect != Expectation.Explore) Assert.Equal(ours.Bug?.Kind, coyote.Bug?.Kind);
        Assert.True(coyote.Iterations > 0 && coyote.TotalSteps > 0);
    }
}
