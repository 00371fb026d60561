using Avic.Coyote.Runtime;

namespace Avic.Coyote.Testing;

/// <summary>What one `coyote test` run of one test found and how fast.</summary>
public sealed class TestReport
{
    public required TestCase Test { get; init; }
    public required Configuration Configuration { get; init; }
    public required string StrategyName { get; init; }
    public int Iterations { get; internal set; }
    public long TotalSteps { get; internal set; }
    public int MaxStepsHits { get; internal set; }
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>True when cancellation (Ctrl-C) stopped the run before its iterations or time budget were used up and before a bug.</summary>
    public bool Canceled { get; internal set; }

    /// <summary>True when an exhaustive strategy covered the whole space (no bound cut it).</summary>
    public bool Exhausted { get; internal set; }

    /// <summary>True when the strategy had no schedule left to run (a finished search; a bounded one is not <see cref="Exhausted"/>).</summary>
    public bool StrategyEnded { get; internal set; }

    /// <summary>Executions an exhaustive strategy cut short as equivalent to explored ones.</summary>
    public int PrunedIterations { get; internal set; }

    /// <summary>For exhaustive strategies: "complete: …" or "incomplete: …" (never complete when a bound cut the search).</summary>
    public string? Coverage { get; internal set; }

    /// <summary>The first bug found, or null.</summary>
    public BugReport? Bug { get; internal set; }

    /// <summary>The failing schedule, when a bug was found.</summary>
    public ScheduleFile? Schedule { get; internal set; }

    /// <summary>The readable trace of the failing schedule (made by replaying it with tracing on).</summary>
    public IReadOnlyList<TraceEntry>? Trace { get; internal set; }

    /// <summary>Iteration (0-based) in which the bug was found.</summary>
    public int BugIteration { get; internal set; } = -1;

    /// <summary>`--resume`: the checkpoint this run went on from (null: a new search), and the totals of the pieces before it.</summary>
    public string? ResumedFrom { get; internal set; }
    public CheckpointTotals Before { get; internal set; } = CheckpointTotals.None;

    /// <summary>How long reading and restoring the checkpoint took.</summary>
    public TimeSpan ResumeTime { get; internal set; }

    /// <summary>`--checkpoint`: the file, how often it was written in this run, the last write's time and size, and the
    /// error of a write that failed (the file then keeps the checkpoint before it).</summary>
    public string? CheckpointPath { get; internal set; }
    public int CheckpointWrites { get; internal set; }
    public TimeSpan CheckpointWriteTime { get; internal set; }
    public long CheckpointBytes { get; internal set; }
    public string? CheckpointError { get; internal set; }

    /// <summary>The totals over every piece of the search so far, this run included.</summary>
    public CheckpointTotals Totals => new(Before.Executions + Iterations, Before.CutShort + PrunedIterations, Before.Steps + TotalSteps,
        Before.MaxStepsHits + MaxStepsHits, Before.Seconds + Elapsed.TotalSeconds, Before.Pieces + 1);

    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? TotalSteps / Elapsed.TotalSeconds : 0;

    public double IterationsPerSecond => Elapsed.TotalSeconds > 0 ? Iterations / Elapsed.TotalSeconds : 0;

    /// <summary>Whether the outcome is what the test declares it should be.</summary>
    public bool MeetsExpectation => Test.Meets(Bug);
}
