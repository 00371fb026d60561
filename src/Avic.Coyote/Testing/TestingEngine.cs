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
    /// <param name="checkpoint">`--checkpoint`/`--resume` (a strategy that is <see cref="ICheckpointable"/>): the search goes on
    /// from the checkpoint, with global iteration numbers, and writes its state now and then and when it stops. The time
    /// budget and Ctrl-C then stop it between executions (one is short), never inside one, so that what is written is a
    /// state the uninterrupted run passes through. A <see cref="CheckpointException"/> when the checkpoint cannot be used.</param>
    public static TestReport Run(TestCase test, Configuration config, Action<TestReport>? progress = null,
        CancellationToken cancellation = default, ISchedulingStrategy? strategy = null, CheckpointOptions? checkpoint = null)
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
        var guard = new Deadline(strategy, clock, config.TimeoutSeconds, cancellation, betweenExecutions: checkpoint is not null);
        int first = checkpoint is null ? 0 : StartCheckpointing(test, config, runner, strategy, checkpoint, report);
        long nextCheckpoint = checkpoint is null ? long.MaxValue : (long)(checkpoint.IntervalSeconds * Stopwatch.Frequency);

        int iterations = Math.Max(config.Iterations, test.Iterations);
        for (int i = first; i - first < iterations; i++)
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
            if (clock.ElapsedTicks >= nextCheckpoint)
            {
                report.Elapsed = clock.Elapsed;
                WriteCheckpoint(test, config, runner, strategy, checkpoint!, report, finished: false);
                nextCheckpoint = clock.ElapsedTicks + (long)(checkpoint!.IntervalSeconds * Stopwatch.Frequency);
            }
        }

        report.Elapsed = clock.Elapsed;
        report.Canceled = cancellation.IsCancellationRequested && report.Bug is null;
        report.Exhausted = strategy.IsExhausted && report.Bug is null && !guard.CutShort;
        if (strategy is IExhaustiveStrategy exhaustive) report.Coverage = exhaustive.Describe(report.Bug is not null);
        if (checkpoint is not null) WriteCheckpoint(test, config, runner, strategy, checkpoint, report, finished: report.Bug is not null || report.StrategyEnded);
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

    /// <summary>`--checkpoint`: the strategy must be able to save its search. `--resume`: restores it from the checkpoint
    /// (after checking it is one of this test, model build, engine build, strategy and settings, and not finished).
    /// Returns the global number of the next iteration (0 for a new search).</summary>
    private static int StartCheckpointing(TestCase test, Configuration config, ExecutionRunner runner, ISchedulingStrategy strategy,
        CheckpointOptions options, TestReport report)
    {
        if (strategy is not ICheckpointable saving)
            throw new CheckpointException($"strategy {strategy.Name} cannot checkpoint its search; {StrategyRegistry.CheckpointingNames} can");
        report.CheckpointPath = options.Path;
        if (options.ResumeFrom is not { } from) return 0;
        var watch = Stopwatch.StartNew();
        Checkpoint saved = Checkpoint.Load(from);
        if (saved.Mismatch(Checkpoint.For(test, config, runner, strategy.Name, CheckpointTotals.None)) is { } why)
            throw new CheckpointException($"{from}: cannot resume: {why}");
        if (saved.Finished)
            throw new CheckpointException($"{from}: the search is finished, nothing to resume ({Count(saved.Totals.Executions)} executions in " +
                                          $"{saved.Totals.Pieces} piece{(saved.Totals.Pieces == 1 ? "" : "s")}): {saved.Result}");
        saving.Restore(new CheckpointReader(saved.State, from));
        report.ResumedFrom = from;
        report.Before = saved.Totals;
        report.ResumeTime = watch.Elapsed;
        return saved.Totals.Executions;
    }

    private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes the search's state (or, <paramref name="finished"/>, its result) to the checkpoint file, whole or not
    /// at all; a failed write is noted in the report and leaves the file as it was.</summary>
    private static void WriteCheckpoint(TestCase test, Configuration config, ExecutionRunner runner, ISchedulingStrategy strategy,
        CheckpointOptions options, TestReport report, bool finished)
    {
        var watch = Stopwatch.StartNew();
        string? state = null;
        if (!finished)
        {
            var writer = new CheckpointWriter();
            ((ICheckpointable)strategy).Save(writer);
            state = writer.ToString();
        }
        Checkpoint file = Checkpoint.For(test, config, runner, strategy.Name, report.Totals) with
        {
            Finished = finished,
            Result = finished ? (report.Bug is { } bug ? $"bug in iteration {Count(report.BugIteration + 1)}: {bug}" : report.Coverage) : null,
            State = state ?? "",
        };
        string json = file.ToJson();
        try
        {
            options.Write(options.Path, json);
            report.CheckpointWrites++;
            report.CheckpointBytes = System.Text.Encoding.UTF8.GetByteCount(json);
            report.CheckpointError = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.CheckpointError = $"cannot write {options.Path}: {e.Message}";
        }
        report.CheckpointWriteTime = watch.Elapsed;
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
    private sealed class Deadline(ISchedulingStrategy inner, Stopwatch clock, double timeoutSeconds, CancellationToken cancellation,
        bool betweenExecutions = false) : ISchedulingStrategy, IKnowsFootprints
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
            if (step % CheckEvery == CheckEvery - 1 && !betweenExecutions && Expired())
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
