using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Probabilistic concurrency testing (PCT, Burckhardt et al., ASPLOS 2010): every operation gets a
/// random priority when it first appears; the highest-priority enabled operation always runs; at
/// <c>changePoints</c> randomly chosen steps the running operation drops to the lowest priority.
/// A bug of depth d is found with probability at least 1/(n·k^(d-1)) per iteration.
/// The fair variant (<see cref="StrategyRegistry.FairPrioritization"/>) is this strategy as the prefix
/// of a <see cref="PrefixThenSuffix"/> whose random suffix continues this generator
/// (<see cref="IRandomSource"/>), so an operation starved by priorities eventually runs.
/// </summary>
public sealed class PrioritizationStrategy : ISchedulingStrategy, IRandomSource
{
    private readonly ulong seed;
    private readonly int changePoints;
    private readonly List<Operation> priorities = new();
    private readonly List<int> changeSteps = new();
    // Index of the first change step not below the last step asked about: steps only grow within an execution, so
    // the per-step question "is this a change point?" is a cursor moving forward, not a binary search.
    private int changeCursor;
    private Rng rng;
    private int iterationTag;
    private int[] seenIn = new int[16];
    private int estimatedLength = 32;

    /// <param name="changePoints">Number of priority change points (Coyote's --strategy-value).</param>
    public PrioritizationStrategy(ulong seed, int changePoints)
    {
        if (changePoints < 0) throw new ArgumentOutOfRangeException(nameof(changePoints));
        this.seed = seed;
        this.changePoints = changePoints;
    }

    public string Name => "prioritization";

    public ref Rng Random => ref rng;

    public bool PrepareIteration(int iteration)
    {
        rng.Reseed(Rng.IterationSeed(seed, iteration));
        priorities.Clear();
        changeSteps.Clear();
        iterationTag++;
        // Change points are spread over the length of the longest execution seen so far, at most one
        // draw per step of it: an absurd value then costs no more per iteration than the execution
        // itself (below the cap the draws, and so every schedule, are unchanged).
        int draws = Math.Min(changePoints, estimatedLength);
        for (int i = 0; i < draws; i++) changeSteps.Add(rng.Next(estimatedLength));
        changeSteps.Sort();
        changeCursor = 0;
        return true;
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome)
    {
        if (steps > estimatedLength) estimatedLength = steps;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        // Operations seen for the first time get a random place in the priority order.
        foreach (Operation op in enabled)
        {
            // The strategy's own record of the operations it has placed in this iteration, by id.
            if (op.Id >= seenIn.Length) Array.Resize(ref seenIn, Math.Max(op.Id + 1, seenIn.Length * 2));
            if (seenIn[op.Id] != iterationTag)
            {
                seenIn[op.Id] = iterationTag;
                // A store buffer starts at the lowest priority: its stores stay invisible until a
                // fence, a change point or nothing else can run — the delays that store-buffering
                // bugs need. Change points still move it like any other operation.
                if (op.IsStoreBuffer) priorities.Add(op);
                else priorities.Insert(rng.Next(priorities.Count + 1), op);
            }
        }

        int best = HighestEnabled(enabled);
        if (IsChangePoint(step))
        {
            // Demote the operation that would run now to the lowest priority.
            Operation demoted = enabled[best];
            priorities.Remove(demoted);
            priorities.Add(demoted);
            best = HighestEnabled(enabled);
        }
        return best;
    }

    /// <summary>True when <paramref name="step"/> is one of the sorted change steps.</summary>
    private bool IsChangePoint(int step)
    {
        // Asked about an earlier step than last time (not our loop's order): look from the start again.
        if (changeCursor > 0 && changeSteps[changeCursor - 1] >= step) changeCursor = 0;
        while (changeCursor < changeSteps.Count && changeSteps[changeCursor] < step) changeCursor++;
        return changeCursor < changeSteps.Count && changeSteps[changeCursor] == step;
    }

    private int HighestEnabled(ReadOnlySpan<Operation> enabled)
    {
        foreach (Operation op in priorities)
        {
            int index = enabled.IndexOf(op);
            if (index >= 0) return index;
        }
        return 0;
    }

    public bool NextBoolean(int step) => rng.NextBool();

    public int NextInteger(int maxValue, int step) => rng.Next(maxValue);
}
