using System.Threading;
using System.Diagnostics;
using Avic.Coyote.Minimization;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;

namespace Avic.Coyote.Testing;

/// <summary>What replaying a schedule gave.</summary>
public sealed record ReplayResult(BugReport? Bug, IReadOnlyList<TraceEntry> Trace, string? Divergence, int Steps)
{
    /// <summary>True when the replay hit the recorded bug: same kind and invariant (<see cref="BugSignature"/>), at the recorded step.</summary>
    public bool Reproduces(BugReport? expected) =>
        expected is not null && Bug is not null && Bug.Step == expected.Step && BugSignature.Of(expected).Matches(Bug);
}

/// <summary>
/// Explores a test: runs iterations under a strategy until a bug, the iteration budget or the time
/// budget; on a bug, keeps the schedule and replays it once with tracing on to get the trace.
/// </summary>
public static class TestingEngine
{
    /// <summary>Runs <paramref name="test"/>; <paramref name="progress"/> is called about once a second.</summary>
    public static TestReport Run(TestCase test, Configuration config, Action<TestReport>? progress = null,
        CancellationToken cancellation = default, ISchedulingStrategy? strategy = null)
    {
        int maxSteps = test.MaxSteps > 0 ? test.MaxSteps : config.MaxSteps;
        strategy ??= (config with { MaxSteps = maxSteps }).CreateStrategy();
        var memoryModel = config.MemoryModel ?? test.MemoryModel;
        var report = new TestReport { Test = test, Configuration = config, StrategyName = strategy.Name };
        var runtime = new ControlledRuntime();
        var clock = Stopwatch.StartNew();
        long nextProgress = Stopwatch.Frequency;

        int iterations = Math.Max(config.Iterations, test.Iterations);
        for (int i = 0; i < iterations; i++)
        {
            if (cancellation.IsCancellationRequested) break;
            if (config.TimeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= config.TimeoutSeconds) break;
            if (!strategy.PrepareIteration(i)) break;

            ExecutionOutcome outcome = runtime.RunExecution(test.Entry, strategy, maxSteps, memoryModel, config.LivenessThreshold, tracing: false);
            report.Iterations++;
            report.TotalSteps += runtime.Step;
            strategy.OnIterationEnd(runtime.Step, outcome);
            if (outcome == ExecutionOutcome.Pruned) report.PrunedIterations++;

            if (outcome == ExecutionOutcome.MaxStepsReached) report.MaxStepsHits++;
            BugReport? bug = BugOf(runtime, outcome, maxSteps, config.FailOnMaxSteps);
            if (bug is not null)
            {
                report.Bug = bug;
                report.BugIteration = i;
                report.Schedule = new ScheduleFile
                {
                    Test = test.Name,
                    Assembly = test.AssemblyName,
                    MaxSteps = maxSteps,
                    MemoryModel = memoryModel,
                    LivenessThreshold = config.LivenessThreshold,
                    FailOnMaxSteps = config.FailOnMaxSteps,
                    Strategy = strategy.Name,
                    StrategyValue = config.StrategyValue,
                    Seed = config.Seed,
                    Iteration = i,
                    Bug = bug,
                    Operations = runtime.OperationNames(),
                    Decisions = runtime.RecordedDecisions(),
                };
                break;
            }

            if (progress is not null && clock.ElapsedTicks >= nextProgress)
            {
                report.Elapsed = clock.Elapsed;
                progress(report);
                nextProgress = clock.ElapsedTicks + Stopwatch.Frequency;
            }
        }

        report.Elapsed = clock.Elapsed;
        report.Exhausted = strategy.IsExhausted && report.Bug is null;
        if (strategy is DfsStrategy dfs) report.Coverage = dfs.Describe(report.Bug is not null);
        if (report.Schedule is not null)
        {
            ReplayResult replay = Replay(test, report.Schedule);
            report.Trace = replay.Trace;
            if (!replay.Reproduces(report.Bug))
                report.Trace = [.. replay.Trace, new TraceEntry(replay.Steps, "-", $"*** NONDETERMINISM: replaying the recorded decisions gave {(replay.Bug?.ToString() ?? replay.Divergence ?? "no bug")}; " +
                                                 "the model depends on something the engine does not control")];
        }
        return report;
    }

    /// <summary>Re-executes <paramref name="schedule"/> with tracing on.</summary>
    public static ReplayResult Replay(TestCase test, ScheduleFile schedule)
    {
        if (!string.Equals(test.Name, schedule.Test, StringComparison.Ordinal))
            throw new ScheduleFormatException($"the schedule is for test '{schedule.Test}', not '{test.Name}'");
        var strategy = new ReplayStrategy(schedule.Decisions);
        strategy.PrepareIteration(0);
        var runtime = new ControlledRuntime();
        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, strategy, schedule.MaxSteps, schedule.MemoryModel,
            schedule.LivenessThreshold, tracing: true);
        var trace = runtime.Trace ?? [];

        string? divergence = runtime.Divergence?.Message ?? CompareOperations(runtime, schedule.Operations);
        BugReport? bug = BugOf(runtime, outcome, schedule.MaxSteps, schedule.FailOnMaxSteps);
        if (divergence is null && bug is null && !strategy.Finished)
            divergence = $"the schedule diverges from the model at step {runtime.Step}: the execution ended with decisions of the schedule left over";
        return new ReplayResult(divergence is null ? bug : null, trace, divergence, runtime.Step);
    }

    private static string? CompareOperations(ControlledRuntime runtime, string[] recorded)
    {
        IReadOnlyList<Operation> model = runtime.Operations;
        for (int i = 0; i < Math.Min(model.Count, recorded.Length); i++)
            if (model[i].Name != recorded[i])
                return $"the schedule diverges from the model at step {model[i].CreatedAtStep}: operation {i} is '{model[i].Name}' in the model " +
                       $"but '{recorded[i]}' in the schedule; the model has changed since the schedule was recorded";
        return null;
    }

    /// <summary>The bug an execution ended with: the runtime's, or reaching the step bound when that counts as one.</summary>
    internal static BugReport? BugOf(ControlledRuntime runtime, ExecutionOutcome outcome, int maxSteps, bool failOnMaxSteps) =>
        outcome == ExecutionOutcome.MaxStepsReached && failOnMaxSteps
            ? new BugReport(BugKind.MaxStepsReached, $"the execution reached the step bound ({maxSteps}) and --fail-on-max-steps is set", runtime.Step, null)
            : runtime.Bug;
}
