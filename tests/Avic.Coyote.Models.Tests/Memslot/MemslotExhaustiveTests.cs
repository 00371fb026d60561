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

    /// <summary>Bug variants deeper than <see cref="Budget"/> for `-s dfs`: MA13.onlined (found after 390,306 executions)
    /// and MA13.late-flip (798,505), covered below by <see cref="DfsNoLongerProvesTheH_A1RacesAbsent"/>; and the
    /// 3-vCPU + hotplug + SMM variants, which the reduction found within the budget only while it wrongly never let the
    /// inhibitor's down_write overtake a vCPU's down_read (how deep they are now is not measured yet; the other
    /// strategies' tests in MemslotModelTests still find them).</summary>
    private static readonly string[] DeeperThanBudget =
    [
        "Memslot.MA13.onlined", "Memslot.MA13.late-flip", "Memslot.MA9.3vcpu.hotplug.smm", "Memslot.MA4.3vcpu.hotplug.smm",
        "Memslot.MA15.3vcpu.hotplug.smm", "Memslot.MA1.3vcpu.hotplug.smm",
    ];

    /// <summary>The bug variants dfs finds within <see cref="Budget"/>.</summary>
    public static TheoryData<string> DfsBugVariants() =>
        new(MemslotModelTests.BugVariantNames().Where(n => !DeeperThanBudget.Contains(n)));

    /// <summary>Regression: `-s dfs` reported these complete and bug-free ("verified") after 2,140 / 90,773 classes
    /// (dfs-sleepsets: 1,290 / 21,931) while a 1-preemption schedule fails: the hotplugged vCPU's up_read of
    /// apicv_update_lock was taken for the race with the inhibitor's down_write and hid the reversible one (its
    /// down_read), so the inhibitor never ran first and the memslot was never created. Both strategies now find the
    /// bugs (README has the counts); within this budget they must at least not claim a proof.</summary>
    [Theory]
    [InlineData("Memslot.MA13.onlined", "dfs", 5_000)]              // the false proof took 3,195 iterations
    [InlineData("Memslot.MA13.onlined", "dfs-sleepsets", 5_000)]
    [InlineData("Memslot.MA13.late-flip", "dfs-sleepsets", 40_000)]
    public void DfsNoLongerProvesTheH_A1RacesAbsent(string name, string strategy, int iterations)
    {
        TestCase test = MemslotModelTests.Get(name);
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = iterations, MaxSteps = 2000 });
        Assert.False(report.Exhausted && report.Bug is null, $"{name}: {strategy} claims a proof of a buggy configuration ({report.Coverage})");
        if (report.Bug is not null) Assert.True(test.Meets(report.Bug), $"{name}: expected {test.ExpectationText}, got {report.Bug}");
    }

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
