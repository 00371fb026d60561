using System.Threading;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Cli;

/// <summary>The time budget and Ctrl-C stop even one long execution, and no strategy value makes an iteration cost more than its steps.</summary>
public class BudgetTests
{
    /// <summary>Two operations that write a shared variable forever: one execution lasts until the step bound.</summary>
    private static readonly TestCase Endless = EndlessCalling(() => { });

    /// <summary><see cref="Endless"/>, calling <paramref name="beforeWrite"/> before each of the main operation's writes.</summary>
    private static TestCase EndlessCalling(Action beforeWrite) => TestCase.From("Endless", async rt =>
    {
        var x = new SharedVar<int>("x", 0);
        rt.Spawn("writer", async () => { while (true) await x.Write(1); });
        while (true)
        {
            beforeWrite();
            await x.Write(2);
        }
    });

    [Fact]
    public void TheTimeBudgetCutsOneLongExecutionShort()
    {
        var config = new Configuration { Iterations = 10, MaxSteps = 10_000_000, Strategy = "random", TimeoutSeconds = 0.05 };

        TestReport r = TestingEngine.Run(Endless, config);

        // Ten million steps take seconds; the budget ends the execution long before its step bound.
        Assert.Equal(0, r.Iterations);
        Assert.InRange(r.TotalSteps, 1, 9_999_999);
        Assert.Equal(0, r.MaxStepsHits);
        Assert.False(r.Canceled);
    }

    [Fact]
    public void CancellationCutsOneLongExecutionShortAndSaysSo()
    {
        // Ctrl-C arrives a few thousand steps into the execution. (A 50 ms timer came too late on a busy box: the
        // timer waits for a pool thread, and the engine ran all ten million steps first.)
        using var cancel = new CancellationTokenSource();
        int writes = 0;
        var config = new Configuration { Iterations = 10, MaxSteps = 10_000_000, Strategy = "prioritization" };

        TestReport r = TestingEngine.Run(EndlessCalling(() => { if (++writes == 2_000) cancel.Cancel(); }), config, cancellation: cancel.Token);

        Assert.Equal(0, r.Iterations);
        Assert.InRange(r.TotalSteps, 1, 9_999_999);
        Assert.True(r.Canceled);
    }

    [Fact]
    public async Task AHugeChangePointCountCostsNoMoreThanTheExecution()
    {
        // int.MaxValue change points once built a list of two billion entries per iteration (hours, gigabytes).
        var strategy = new PrioritizationStrategy(seed: 1, changePoints: int.MaxValue);
        Task<TestReport> run = Task.Run(() => TestingEngine.Run(Endless,
            new Configuration { Iterations = 20, MaxSteps = 1000, Strategy = "prioritization" }, strategy: strategy));

        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))) == run, "20 iterations of 1,000 steps did not finish");
        Assert.Equal(20, (await run).Iterations);
    }
}
