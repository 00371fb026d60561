namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// A preemption bound for an exhaustive search (iterative context bounding's observation: most bugs need few
/// preemptions). A preemption is a switch away from an operation that could have continued. The search asks
/// <see cref="Allows"/> before every choice and counts what the bound cut; it never calls a cut search complete.
/// </summary>
internal sealed class PreemptionBound(int limit)
{
    public int Limit => limit;

    /// <summary>Choices left unexplored because they would exceed the bound.</summary>
    public int Skips { get; private set; }

    /// <summary>Running <paramref name="id"/> after <paramref name="previous"/> preempts it if it could continue.</summary>
    public static int Cost(int previous, int[] enabled, int id) =>
        previous >= 0 && id != previous && Array.IndexOf(enabled, previous) >= 0 ? 1 : 0;

    public void CountSkip() => Skips++;

    /// <summary>Takes in the skips of a subtree explored by another thread (parallel search).</summary>
    public void AddSkips(int skips) => Skips += skips;

    /// <summary>True when running <paramref name="id"/> keeps the path within the bound; otherwise the choice is counted as skipped.</summary>
    public bool Allows(int preemptionsBefore, int previous, int[] enabled, int id)
    {
        if (preemptionsBefore + Cost(previous, enabled, id) <= limit) return true;
        Skips++;
        return false;
    }
}

/// <summary>
/// The depth-first walk with a preemption bound (`-s dfs-bounded-full`): every schedule with at most
/// <see cref="PreemptionBound.Limit"/> preemptions, non-preemptive choices first. Never combined with a reduction.
/// </summary>
internal sealed class BoundedChoices(int limit) : ChoiceFilter
{
    /// <summary>A scheduling point with the operation that ran the step before and the preemptions up to it.</summary>
    private sealed class Point : ChoicePoint
    {
        public int Previous = -1;
        public int PreemptionsBefore;

        public override ChoicePoint Copy(bool subtree) => CopyTo(new Point { Previous = Previous, PreemptionsBefore = PreemptionsBefore });
    }

    private readonly PreemptionBound bound = new(limit);
    private int preemptions; // of the running execution so far

    public override bool CutSchedules => bound.Skips > 0;

    public override ChoiceFilter Fork() => new BoundedChoices(limit);

    public override void StartExecution() => preemptions = 0;

    public override ChoicePoint Enter(int[] options, int previous) =>
        new Point { Options = options, Previous = previous, PreemptionsBefore = preemptions };

    /// <summary>The previous operation if it can continue, else the first choice within the bound.</summary>
    public override int First(ChoicePoint point)
    {
        var p = (Point)point;
        int previous = Array.IndexOf(p.Options, p.Previous);
        if (previous >= 0) return previous;
        for (int k = 0; k < p.Options.Length; k++)
            if (bound.Allows(p.PreemptionsBefore, p.Previous, p.Options, p.Options[k])) return k;
        return -1;
    }

    public override Verdict Allows(ChoicePoint point, int id)
    {
        var p = (Point)point;
        return bound.Allows(p.PreemptionsBefore, p.Previous, p.Options, id) ? Verdict.Explore : Verdict.Never;
    }

    public override void Took(ChoicePoint point, Operation op)
    {
        var p = (Point)point;
        preemptions = p.PreemptionsBefore + PreemptionBound.Cost(p.Previous, p.Options, op.Id);
    }

    public override void Absorb(ChoiceFilter fromSubtree) => bound.AddSkips(((BoundedChoices)fromSubtree).bound.Skips);

    public override string Incomplete(int executions) =>
        $"incomplete: explored every schedule with at most {limit} preemptions ({executions} executions), no bug; " +
        $"{bound.Skips} choices beyond the bound were skipped";
}
