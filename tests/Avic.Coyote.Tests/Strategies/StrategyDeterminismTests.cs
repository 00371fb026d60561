using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;
using Xunit.Abstractions;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Same seed and strategy, same schedules: a fingerprint of every decision of the first executions of
/// each strategy, pinned to what the engine gave before strategies became registry entries and fair
/// PCT a composition (the values were computed on commit 6b1ef14 with this same code).
/// </summary>
public class StrategyDeterminismTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("random", "Toys.LostUpdateFixed", 0xC556409A6C2FF94CUL)]
    [InlineData("prioritization", "Toys.LostUpdateFixed", 0x5604FE5742B621A9UL)]
    [InlineData("fair-prioritization", "Toys.LostUpdateFixed", 0x188FF184E72C9EF9UL)]
    [InlineData("fair-prioritization", "Toys.RandomChoice", 0x8329FC7389D4E9C3UL)]
    [InlineData("prioritization", "Toys.RandomChoice", 0x8329FC7389D4E9C3UL)]
    [InlineData("fair-prioritization", "Toys.Spin", 0x217CB75EEFC56B41UL)]
    [InlineData("random", "Toys.RandomChoice", 0x4C11CFBB1D7F0BB3UL)]
    [InlineData("dfs-proof", "Toys.LostUpdateFixed", 0xE643A4CAA0EEAC1EUL)] // the single pass (called dfs before 2026-12-02)
    [InlineData("dfs", "Toys.LostUpdateFixed", 0x79640CC7D99AFC33UL)] // bounded passes first (2026-12-02)
    [InlineData("dfs-sleepsets", "Toys.LostUpdateFixed", 0x7A0D193F6340E6EBUL)]
    [InlineData("dfs-bounded-full", "Toys.LostUpdateFixed", 0x159601D596D28A2BUL)] // the plain bounded search (called dfs-bounded on 6b1ef14)
    public void A_strategy_takes_the_same_decisions_as_before(string strategy, string toy, ulong expected)
    {
        TestCase test = ToyCatalog.Get(toy);
        // A short step bound: fair PCT hands over to its random suffix at step 5.
        const int maxSteps = 10;
        ISchedulingStrategy s = new Configuration { Strategy = strategy, Seed = 11, StrategyValue = 2, MaxSteps = maxSteps, Iterations = 1 }.CreateStrategy();
        var runtime = new ControlledRuntime();
        ulong hash = 14695981039346656037UL;
        for (int i = 0; i < 60 && s.PrepareIteration(i); i++)
        {
            ExecutionOutcome outcome = runtime.RunExecution(test.Entry, s, maxSteps, test.MemoryModel, 0, tracing: false);
            s.OnIterationEnd(runtime.Step, outcome);
            foreach (Decision d in runtime.RecordedDecisions())
                hash = (hash ^ (ulong)((int)d.Kind * 1_000_003 + d.Value)) * 1099511628211UL;
            hash = (hash ^ (ulong)outcome) * 1099511628211UL;
        }
        output.WriteLine($"{strategy} {toy}: 0x{hash:X16}");
        Assert.Equal(expected, hash);
    }
}
