using Avic.Coyote.Models.Doorbell;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Doorbell;

/// <summary>
/// Monitors and metrics observe the Doorbell model without ordering its steps: a proof (dfs-proof, optimal DPOR) of a
/// small configuration explores the same number of classes whether the liveness monitors run or not
/// (bench/results/2026-12-02-dbproof: INV-B4's per-vCPU part once ordered every post to a vCPU against its blocking).
/// </summary>
public class DoorbellFootprintTests
{
    private static TestReport Prove(Invariant checks) =>
        TestingEngine.Run(
            TestCase.From("inline", rt => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig
            {
                Programs = ["IH", "H"], Preemptions = 0, Tick = TickLanding.Scheduled, HaltPoll = false, Checks = checks,
            })),
            new Configuration { Strategy = "dfs-proof", Iterations = 100_000, MaxSteps = 2000 });

    [Fact]
    public void LivenessMonitorsAddNoClasses()
    {
        TestReport without = Prove(Invariant.None);
        TestReport with = Prove(Invariant.NoLostWakeup);
        Assert.True(without.Exhausted && with.Exhausted, $"{without.Coverage} / {with.Coverage}");
        Assert.Null(with.Bug);
        Assert.Equal(without.Iterations - without.PrunedIterations, with.Iterations - with.PrunedIterations);
    }
}
