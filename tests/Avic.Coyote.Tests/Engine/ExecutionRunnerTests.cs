using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

public class ExecutionRunnerTests
{
    [Fact]
    public void The_runner_explores_exactly_what_the_testing_engine_explores()
    {
        TestCase test = ToyCatalog.Get("Toys.LostUpdateFixed");
        var config = new Configuration { Iterations = 300, Seed = 4 };
        TestReport report = TestingEngine.Run(test, config);

        var runner = ExecutionRunner.For(test, config);
        var outcomes = new int[Enum.GetValues<ExecutionOutcome>().Length];
        long steps = runner.RunIterations(runner.CreateStrategy(config), config.Iterations, outcomes);

        Assert.Equal(report.TotalSteps, steps);
        Assert.Equal(report.Iterations, outcomes.Sum());
        Assert.Equal(report.MaxStepsHits, outcomes[(int)ExecutionOutcome.MaxStepsReached]);
    }

    [Fact]
    public void An_exhaustive_strategy_stops_the_runner_when_its_tree_is_covered()
    {
        TestCase test = ToyCatalog.Get("Toys.LostUpdateFixed");
        var config = new Configuration { Strategy = "dfs", Iterations = 1_000_000 };
        var runner = ExecutionRunner.For(test, config);
        var outcomes = new int[Enum.GetValues<ExecutionOutcome>().Length];
        runner.RunIterations(runner.CreateStrategy(config), config.Iterations, outcomes);
        Assert.Equal(TestingEngine.Run(test, config).Iterations, outcomes.Sum());
        Assert.True(outcomes.Sum() < config.Iterations);
    }

    [Fact]
    public void A_test_step_bound_wins_and_the_configured_memory_model_wins()
    {
        TestCase spin = ToyCatalog.Get("Toys.Spin");
        var runner = ExecutionRunner.For(spin, new Configuration { MaxSteps = 7, MemoryModel = MemoryModel.X86Tso });
        Assert.Equal(spin.MaxSteps, runner.MaxSteps);
        Assert.Equal(MemoryModel.X86Tso, runner.MemoryModel);
    }
}
