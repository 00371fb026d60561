using Avic.Coyote.Runtime;

using Avic.Coyote.Strategies;
using Avic.Coyote.Strategies.Exhaustive.Parallel;

namespace Avic.Coyote.Testing;

/// <summary>
/// Runs a search for the parallel driver: under the search's own name (schedule files say what
/// found the bug), with at most <paramref name="budget"/> executions, and, with a split depth, cut
/// short where a new choice point with two or more options would start after <paramref name="splitDepth"/>
/// such choices (<see cref="Cut"/>), so the subtree there can be explored by a worker. Counting only real
/// choices keeps a model's single-option start-up steps from eating the depth.
/// </summary>
internal sealed class SubtreeRun(ISchedulingStrategy inner, int budget, ISplittableSearch? splitAt = null, int splitDepth = int.MaxValue, string? name = null)
    : ISchedulingStrategy
{
    private int started;
    private int choices; // real choices (two or more options) so far in this execution

    /// <summary>The last execution stopped at a new choice point past the split depth.</summary>
    public bool Cut { get; private set; }

    public string Name => name ?? inner.Name;

    public bool PrepareIteration(int iteration)
    {
        Cut = false;
        choices = 0;
        if (started == budget) return false;
        started++;
        return inner.PrepareIteration(iteration);
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        if (enabled.Length > 1)
        {
            if (splitAt is { } s && choices >= splitDepth && s.Depth == s.PathLength)
            {
                Cut = true;
                return -1;
            }
            choices++;
        }
        return inner.NextOperation(enabled, current, step);
    }

    public bool NextBoolean(int step)
    {
        choices++;
        return inner.NextBoolean(step);
    }

    public int NextInteger(int maxValue, int step)
    {
        if (maxValue > 1) choices++;
        return inner.NextInteger(maxValue, step);
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome)
    {
        if (!Cut) inner.OnIterationEnd(steps, outcome);
    }

    public bool NeedsFootprints => inner.NeedsFootprints;

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) => inner.OnStepCompleted(op, accesses, global);

    public bool IsFair => inner.IsFair;

    public bool IsExhausted => inner.IsExhausted;
}
