using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>
/// Runs executions of one test with one set of run settings on one reused runtime: the layer under
/// the testing engine, replay, the minimizer and the engine benchmark (they differ in what they do
/// between executions, not in how an execution runs).
/// </summary>
/// <param name="exhaustiveSearch">The runtime's <see cref="ControlledRuntime.IsExhaustiveSearch"/>: the run's strategy
/// (or the one that found the schedule it re-runs) is exhaustive.</param>
public sealed class ExecutionRunner(TestCase test, int maxSteps, MemoryModel memoryModel, int livenessThreshold, bool exhaustiveSearch = false)
{
    public TestCase Test => test;

    public int MaxSteps => maxSteps;

    public MemoryModel MemoryModel => memoryModel;

    public ControlledRuntime Runtime { get; } = new() { IsExhaustiveSearch = exhaustiveSearch };

    /// <summary>Steps of the last execution.</summary>
    public int Steps => Runtime.Step;

    /// <summary>The runner of <paramref name="test"/> under <paramref name="config"/>: the test's own step bound
    /// wins over the configured one, the configured memory model over the test's.</summary>
    public static ExecutionRunner For(TestCase test, Configuration config) =>
        new(test, test.MaxSteps > 0 ? test.MaxSteps : config.MaxSteps, config.MemoryModel ?? test.MemoryModel, config.LivenessThreshold,
            StrategyRegistry.Find(config.Strategy)?.IsExhaustive == true);

    /// <summary>The runner that re-runs <paramref name="schedule"/> (replay, minimization, traces) as it was found: its
    /// settings, and exhaustive when the strategy that found it is.</summary>
    public static ExecutionRunner For(TestCase test, ScheduleFile schedule) =>
        new(test, schedule.MaxSteps, schedule.MemoryModel, schedule.LivenessThreshold, schedule.FoundByExhaustiveSearch);

    /// <summary>The configuration's strategy, built for this runner's step bound.</summary>
    public ISchedulingStrategy CreateStrategy(Configuration config) => (config with { MaxSteps = maxSteps }).CreateStrategy();

    /// <summary>Iteration <paramref name="iteration"/>: prepares the strategy, runs one execution and tells the strategy
    /// how it ended. False (and no execution) when the strategy has nothing left to explore.</summary>
    public bool TryRun(ISchedulingStrategy strategy, int iteration, out ExecutionOutcome outcome, bool tracing = false)
    {
        if (!strategy.PrepareIteration(iteration))
        {
            outcome = default;
            return false;
        }
        outcome = Runtime.RunExecution(test.Entry, strategy, maxSteps, memoryModel, livenessThreshold, tracing);
        strategy.OnIterationEnd(Runtime.Step, outcome);
        return true;
    }

    /// <summary>Iterations 0..<paramref name="count"/>-1 (or until the strategy is done); returns their steps and
    /// counts the outcomes in <paramref name="outcomes"/> (indexed by <see cref="ExecutionOutcome"/>) when given.</summary>
    public long RunIterations(ISchedulingStrategy strategy, int count, int[]? outcomes = null)
    {
        long steps = 0;
        for (int i = 0; i < count && TryRun(strategy, i, out ExecutionOutcome outcome); i++)
        {
            steps += Runtime.Step;
            if (outcomes is not null) outcomes[(int)outcome]++;
        }
        return steps;
    }

    /// <summary>The bug the last execution ended with: the runtime's, or reaching the step bound when that counts as one.</summary>
    public BugReport? BugOf(ExecutionOutcome outcome, bool failOnMaxSteps) => TestingEngine.BugOf(Runtime, outcome, maxSteps, failOnMaxSteps);
}
