namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// The progress estimate: how much of the tree is explored, from the current path and the sizes of the subtrees
/// finished so far (a recursive estimator, after Kilby, Slaney, Thiébaux and Walsh, "Estimating search tree size",
/// AAAI 2006). Executions finished are counted exactly; what is left is estimated along the current path, deepest
/// choice point first:
/// <list type="bullet">
/// <item>the branch being explored: the executions it ran so far plus the estimate of what is left below it;</item>
/// <item>a value still to draw: as large as the average of the values drawn there (finished and current);</item>
/// <item>a wakeup branch still to explore: ρ × the size of the choice point's first branch. Later branches start with
/// more sleepers, so they are smaller than the first; ρ is learned from the choice points finished so far (their later
/// branches' executions over their first branch's, per branch), shrunk toward 1 with the weight of the branch being
/// sized, so a choice point larger than everything finished so far is not sized from small ones.</item>
/// </list>
/// Done = executions / (executions + left). Branches appear as races insert them, so the estimate can move back; it
/// reaches 1 only when nothing is left on the path. All of it is counts: deterministic, and saved in checkpoints.
/// </summary>
public sealed partial class OptimalDporStrategy
{
    // By depth on the current path: executions finished when the choice point there was reached and when its current
    // branch started, its branches finished, and (once its first branch finished) that branch's executions.
    private long[] openedAt = new long[64];
    private long[] branchAt = new long[64];
    private int[] branchesDone = new int[64];
    private long[] firstBranch = new long[64];
    // Finished choice points with more than one branch: executions of their later branches, and of their first branch
    // times the number of later branches (ρ is the ratio).
    private long laterBranches, firstBranches;

    private long Finished => (long)CompleteExecutions + PrunedExecutions;

    /// <summary>A choice point was added to the path at <paramref name="at"/>.</summary>
    private void OnOpened(int at)
    {
        MakeRoomFor(at);
        openedAt[at] = branchAt[at] = Finished;
        branchesDone[at] = 0;
    }

    private void MakeRoomFor(int at)
    {
        if (at < openedAt.Length) return;
        int size = Math.Max(at + 1, 2 * openedAt.Length);
        Array.Resize(ref openedAt, size);
        Array.Resize(ref branchAt, size);
        Array.Resize(ref branchesDone, size);
        Array.Resize(ref firstBranch, size);
    }

    /// <summary>The choice point at <paramref name="at"/> starts its next branch: its current one and every choice point
    /// below it are finished (those with later branches teach ρ).</summary>
    private void OnBranchTaken(int at)
    {
        long now = Finished;
        for (int k = at + 1; k < path.Count; k++)
            if (branchesDone[k] > 0 && !path[k].IsValue)
            {
                firstBranches += firstBranch[k] * branchesDone[k];
                laterBranches += now - openedAt[k] - firstBranch[k];
            }
        if (branchesDone[at] == 0) firstBranch[at] = now - openedAt[at];
        branchAt[at] = now;
        branchesDone[at]++;
    }

    /// <summary>Branches still to explore at path index <paramref name="at"/>: wakeup branches, or values still awake.</summary>
    private int Pending(int at)
    {
        Node node = path[at];
        if (!node.IsValue) return node.Wakeup.Count;
        if (node.Fixed) return 0;
        int n = 0;
        for (int v = NextAwakeValue(at, node.Chosen + 1); v >= 0; v = NextAwakeValue(at, v + 1)) n++;
        return n;
    }

    /// <summary>Estimated fraction of the tree explored, read between executions (see the class comment).</summary>
    public double EstimatedDone
    {
        get
        {
            long n = Finished;
            double left = 0; // below the choice point being sized
            for (int i = path.Count - 1; i >= 0; i--)
            {
                int pending = Pending(i);
                if (pending == 0) continue;
                double current = Math.Max(1, n - branchAt[i]) + left;
                double each;
                if (path[i].IsValue) each = (branchAt[i] - openedAt[i] + current) / (branchesDone[i] + 1);
                else
                {
                    double first = branchesDone[i] == 0 ? current : firstBranch[i];
                    each = (laterBranches + first) / (firstBranches + first) * first;
                }
                left += pending * each;
            }
            return n + left > 0 ? n / (n + left) : 0;
        }
    }

    public string? ProgressText => $"~{EstimatedDone:P1} of the tree done (estimate)";

    private void SaveProgress(CheckpointWriter w)
    {
        for (int i = 0; i < path.Count; i++)
        {
            w.Int(openedAt[i]);
            w.Int(branchAt[i]);
            w.Int(branchesDone[i]);
            w.Int(firstBranch[i]);
        }
        w.Int(laterBranches);
        w.Int(firstBranches);
    }

    private void RestoreProgress(CheckpointReader r)
    {
        for (int i = 0; i < path.Count; i++)
        {
            MakeRoomFor(i);
            openedAt[i] = r.Long();
            branchAt[i] = r.Long();
            branchesDone[i] = r.Int();
            firstBranch[i] = r.Long();
        }
        laterBranches = r.Long();
        firstBranches = r.Long();
    }
}
