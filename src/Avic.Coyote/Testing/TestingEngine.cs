using System.Threading;
using System.Diagnostics;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive;

namespace Avic.Coyote.Testing;

/// <summary>An operation of a replayed execution as typed data, for reports: a store buffer and the operation whose step created it.</summary>
public sealed record TracedOperation(int Id, string Name, int CreatedBy, int CreatedAtStep, bool IsStoreBuffer);

/// <summary>Step <paramref name="Step"/> (1-based, as in the trace) ran <paramref name="Operation"/>, which touched
/// <paramref name="Resource"/> (<see cref="Access.KeyOf"/>) with <paramref name="Kind"/>.</summary>
public readonly record struct StepAccess(int Step, int Operation, long Resource, AccessKind Kind)
{
    public bool IsWrite => Kind is AccessKind.Write or AccessKind.ReadWrite or AccessKind.Flush;

    public bool IsMemoryAccess => Kind is AccessKind.Read or AccessKind.Write or AccessKind.ReadWrite or AccessKind.Flush;
}

/// <summary>What replaying a schedule gave.</summary>
public sealed record ReplayResult(BugReport? Bug, IReadOnlyList<TraceEntry> Trace, string? Divergence, int Steps)
{
    /// <summary>Every operation the replay created, in id order.</summary>
    public IReadOnlyList<TracedOperation> Operations { get; init; } = [];

    /// <summary>The shared access of each step, in order (steps without one are absent).</summary>
    public IReadOnlyList<StepAccess> Accesses { get; init; } = [];

    /// <summary>The shared objects the last step touched, peeks included: for a bug found there, what its check looked at.</summary>
    public IReadOnlyCollection<long> LastStepResources { get; init; } = [];

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
        var runner = ExecutionRunner.For(test, config);
        int maxSteps = runner.MaxSteps;
        strategy ??= runner.CreateStrategy(config);
        var memoryModel = runner.MemoryModel;
        var report = new TestReport { Test = test, Configuration = config, StrategyName = strategy.Name };
        var runtime = runner.Runtime;
        if (strategy is IExhaustiveStrategy) runtime.IsExhaustiveSearch = true; // one given directly, whatever the configuration names
        var clock = Stopwatch.StartNew();
        long nextProgress = Stopwatch.Frequency;
        var guard = new Deadline(strategy, clock, config.TimeoutSeconds, cancellation);

        int iterations = Math.Max(config.Iterations, test.Iterations);
        for (int i = 0; i < iterations; i++)
        {
            if (guard.Expired()) break;
            // The guard passes the strategy's end-of-iteration call on only for an execution it did not cut short.
            if (!runner.TryRun(guard, i, out ExecutionOutcome outcome))
            {
                report.StrategyEnded = true;
                break;
            }
            report.TotalSteps += runtime.Step;
            if (guard.CutShort) break; // an execution the budget or Ctrl-C cut off is not an explored one
            report.Iterations++;
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
                if (strategy is IExhaustiveStrategy search) report.Coverage = search.ProgressText; // until the final Describe
                progress(report);
                nextProgress = clock.ElapsedTicks + Stopwatch.Frequency;
            }
        }

        report.Elapsed = clock.Elapsed;
        report.Canceled = cancellation.IsCancellationRequested && report.Bug is null;
        report.Exhausted = strategy.IsExhausted && report.Bug is null && !guard.CutShort;
        if (strategy is IExhaustiveStrategy exhaustive) report.Coverage = exhaustive.Describe(report.Bug is not null);
        if (report.Schedule is not null)
        {
            ReplayResult replay = Replay(test, report.Schedule);
            report.Trace = replay.Trace;
            if (!replay.Reproduces(report.Bug))
                report.Trace = [.. replay.Trace, new TraceEntry(replay.Steps, "-", $"*** NONDETERMINISM: replaying the recorded decisions gave {(replay.Bug?.ToString() ?? replay.Divergence ?? "no bug")}; " +
                                                 "the model depends on something the engine does not control") { Kind = TraceEventKind.Bug }];
        }
        return report;
    }

    /// <summary>
    /// Re-executes <paramref name="schedule"/> with tracing on and checks the whole file against what ran:
    /// the step bound fits the decisions, every operation has the recorded name (and there are no more or
    /// fewer), and every decision is used, none left after the bug. Any mismatch is the divergence, saying
    /// exactly what differs.
    /// </summary>
    public static ReplayResult Replay(TestCase test, ScheduleFile schedule)
    {
        if (!string.Equals(test.Name, schedule.Test, StringComparison.Ordinal))
            throw new ScheduleFormatException($"the schedule is for test '{schedule.Test}', not '{test.Name}'");
        var strategy = new ReplayStrategy(schedule.Decisions);
        var runner = ExecutionRunner.For(test, schedule);
        var runtime = runner.Runtime;
        var recorder = new AccessRecorder(strategy);
        runner.TryRun(recorder, 0, out ExecutionOutcome outcome, tracing: true);
        var trace = runtime.Trace ?? [];

        BugReport? bug = BugOf(runtime, outcome, schedule.MaxSteps, schedule.FailOnMaxSteps);
        string? divergence = CompareOperations(runtime, schedule) ?? runtime.Divergence?.Message ?? CheckStepBound(schedule, outcome, runtime.Step);
        if (divergence is null && !strategy.Finished)
        {
            int left = schedule.Decisions.Length - strategy.Used;
            divergence = bug is not null
                ? $"the schedule has {left} decision{(left == 1 ? "" : "s")} after its bug at step {bug.Step} (from decision {strategy.Used} on): " +
                  "a recorded schedule ends at its bug, so this one was edited or does not belong to this model"
                : $"the schedule diverges from the model at step {runtime.Step}: the execution ended ({Describe(outcome)}) with {left} decision{(left == 1 ? "" : "s")} " +
                  $"of the schedule left over (from decision {strategy.Used} on)";
        }
        return new ReplayResult(divergence is null ? bug : null, trace, divergence, runtime.Step)
        {
            Operations = runtime.Operations.Select(o => new TracedOperation(o.Id, o.Name, o.CreatedBy, o.CreatedAtStep, o.IsStoreBuffer)).ToList(),
            Accesses = recorder.Accesses,
            LastStepResources = recorder.LastStepResources,
        };
    }

    /// <summary>
    /// Follows the replay and keeps the memory access each step declared at its scheduling point, and for
    /// a store buffer's step the store it made visible (from the runtime's footprint). Peeks by assertions
    /// and log lines are not accesses of the interleaving, so they are left out, as are locks and events;
    /// only the last step's objects, peeks included, are kept apart (what a failing check looked at).
    /// </summary>
    private sealed class AccessRecorder(ReplayStrategy inner) : ISchedulingStrategy
    {
        private int step;

        public List<StepAccess> Accesses { get; } = [];

        public string Name => inner.Name;

        public bool PrepareIteration(int iteration) => inner.PrepareIteration(iteration);

        public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
        {
            int index = inner.NextOperation(enabled, current, step);
            Operation op = enabled[index];
            this.step = step + 1;
            if (!op.IsStoreBuffer && op.PendingResource is { } resource &&
                op.PendingAccess is AccessKind.Read or AccessKind.Write or AccessKind.ReadWrite && Access.KeyOf(resource) is >= 0 and var key)
                Accesses.Add(new StepAccess(this.step, op.Id, key, op.PendingAccess));
            return index;
        }

        public bool NeedsFootprints => true;

        public HashSet<long> LastStepResources { get; } = [];

        public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
        {
            LastStepResources.Clear();
            foreach (Access a in accesses)
                if (a.Key >= 0) LastStepResources.Add(a.Key);
            if (!op.IsStoreBuffer) return;
            foreach (Access a in accesses)
                if (a.Key >= 0 && a.IsWrite) Accesses.Add(new StepAccess(step, op.Id, a.Key, AccessKind.Flush));
        }

        public bool NextBoolean(int step) => inner.NextBoolean(step);

        public int NextInteger(int maxValue, int step) => inner.NextInteger(maxValue, step);
    }

    /// <summary>Operation names in creation order, and their number once the whole schedule ran.</summary>
    private static string? CompareOperations(ControlledRuntime runtime, ScheduleFile schedule)
    {
        IReadOnlyList<Operation> model = runtime.Operations;
        string[] recorded = schedule.Operations;
        for (int i = 0; i < Math.Min(model.Count, recorded.Length); i++)
            if (model[i].Name != recorded[i])
                return $"the schedule diverges from the model at step {model[i].CreatedAtStep}: operation {i} is '{model[i].Name}' in the model " +
                       $"but '{recorded[i]}' in the schedule; the model, or the schedule's configuration ({Settings(schedule)}), is not what recorded it";
        if (model.Count > recorded.Length)
            return $"the execution created {model.Count} operations but the schedule lists {recorded.Length}: '{model[recorded.Length].Name}' " +
                   $"(created at step {model[recorded.Length].CreatedAtStep}) is not in it; the model, or the schedule's configuration ({Settings(schedule)}), is not what recorded it";
        if (runtime.Divergence is not null) return null; // the runtime's message says where it stopped
        if (model.Count < recorded.Length && runtime.Bug is not null)
            return $"the schedule lists {recorded.Length} operations but the execution created {model.Count}: '{recorded[model.Count]}' never appeared; " +
                   $"the model, or the schedule's configuration ({Settings(schedule)}), is not what recorded it";
        return null;
    }

    /// <summary>A step bound below the schedule's own scheduling steps cuts it short: say so, rather than blame the model.</summary>
    private static string? CheckStepBound(ScheduleFile schedule, ExecutionOutcome outcome, int steps)
    {
        int scheduled = schedule.Decisions.Count(d => d.Kind == DecisionKind.Operation);
        return outcome == ExecutionOutcome.MaxStepsReached && scheduled > schedule.MaxSteps
            ? $"the schedule's configuration.maxSteps is {schedule.MaxSteps} but its decisions take {scheduled} steps: " +
              $"the replay stopped at step {steps} (was maxSteps edited?)"
            : null;
    }

    private static string Settings(ScheduleFile s) =>
        $"memoryModel {s.MemoryModel}, maxSteps {s.MaxSteps}, livenessThreshold {s.LivenessThreshold}";

    private static string Describe(ExecutionOutcome outcome) => outcome switch
    {
        ExecutionOutcome.MaxStepsReached => "it reached the step bound",
        ExecutionOutcome.Bug => "with a bug",
        _ => "every operation finished or waits",
    };

    /// <summary>
    /// Passes every call to the exploring strategy and, every <see cref="CheckEvery"/> steps, checks the
    /// time budget and cancellation: past either, it abandons the execution (the runtime's "pruned"),
    /// so even one long execution stops within a moment of the budget.
    /// </summary>
    private sealed class Deadline(ISchedulingStrategy inner, Stopwatch clock, double timeoutSeconds, CancellationToken cancellation)
        : ISchedulingStrategy, IKnowsFootprints
    {
        private const int CheckEvery = 1024;
        private readonly IKnowsFootprints? knows = inner as IKnowsFootprints;

        // Passed on, so the runtime skips recording the footprints of a prefix the exhaustive search replays.
        public bool KnowsNextFootprint => knows is { KnowsNextFootprint: true };

        /// <summary>True when the last execution was abandoned for the budget or cancellation.</summary>
        public bool CutShort { get; private set; }

        public bool Expired() =>
            cancellation.IsCancellationRequested || (timeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= timeoutSeconds);

        public string Name => inner.Name;

        public bool PrepareIteration(int iteration) => inner.PrepareIteration(iteration);

        public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
        {
            if (step % CheckEvery == CheckEvery - 1 && Expired())
            {
                CutShort = true;
                return -1;
            }
            return inner.NextOperation(enabled, current, step);
        }

        public bool NextBoolean(int step) => inner.NextBoolean(step);

        public int NextInteger(int maxValue, int step) => inner.NextInteger(maxValue, step);

        public void OnIterationEnd(int steps, ExecutionOutcome outcome)
        {
            if (!CutShort) inner.OnIterationEnd(steps, outcome);
        }

        public bool NeedsFootprints => inner.NeedsFootprints;

        public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) => inner.OnStepCompleted(op, accesses, global);

        public bool IsFair => inner.IsFair;

        public bool IsExhausted => inner.IsExhausted;
    }

    /// <summary>The bug an execution ended with: the runtime's, or reaching the step bound when that counts as one.</summary>
    internal static BugReport? BugOf(ControlledRuntime runtime, ExecutionOutcome outcome, int maxSteps, bool failOnMaxSteps) =>
        outcome == ExecutionOutcome.MaxStepsReached && failOnMaxSteps
            ? new BugReport(BugKind.MaxStepsReached, $"the execution reached the step bound ({maxSteps}) and --fail-on-max-steps is set", runtime.Step, null)
            : runtime.Bug;
}
