namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// Checkpoints: the search's whole state between two executions, written as it is held — the path's choice points
/// (options, chosen, sleepers on entry, transitions explored, wakeup trees, value nodes, free choice, bound state)
/// and the last execution's step records (footprints and happens-before clocks), which the next execution keeps for the
/// prefix it replays. Restored, the search is the one that wrote it, so the next execution and everything after are
/// those of the uninterrupted run: nothing is recomputed, so there is no re-analysis that could differ. Operation ids
/// and footprint keys are numbers the runtime hands out in creation order in every execution (operation table index,
/// <c>NewResourceId</c>), so they mean the same objects in another process.
/// </summary>
public sealed partial class OptimalDporStrategy
{
    // 2: the progress estimate's counts follow the step records.
    private const int StateVersion = 2;

    public void Save(CheckpointWriter w)
    {
        w.Int(StateVersion);
        w.Int(maxSteps);
        w.Int(bound?.Limit ?? -1);
        w.Bool(started);
        w.Bool(exhausted);
        w.Int(CompleteExecutions);
        w.Int(PrunedExecutions);
        w.Int(BoundHits);
        w.Int(InfeasibleBranches);
        w.Int(RacesCovered);
        w.Int(RacesInserted);
        w.Int(SymmetryHeldBack);
        w.Int(SymmetricOperations);
        w.Int(bound?.Skips ?? 0);
        w.Int(clockWidth);
        w.Int(path.Count);
        foreach (Node node in path) SaveNode(w, node);
        w.Int(steps.Count);
        foreach (StepRecord s in steps)
        {
            w.Int(s.Node);
            w.Int(s.Operation);
            w.Int(s.Index);
            w.Footprint(s.Footprint);
            w.Bool(s.Releases);
            w.Ints(s.Clock);
        }
        SaveProgress(w);
    }

    private static void SaveNode(CheckpointWriter w, Node n)
    {
        w.Bool(n.IsValue);
        w.Int(n.Chosen);
        if (n.IsValue)
        {
            w.Int(n.ValueCount);
            w.Bool(n.Fixed);
            SaveTree(w, n.Guide);
            return;
        }
        w.Ints(n.Options);
        w.Int(n.Slot);
        w.Sleepers(n.SleepOnEntry);
        w.Sleepers(n.Explored);
        SaveTree(w, n.Wakeup);
        w.Int(n.FreeOp);
        w.Ints(n.BranchValues);
        w.Int(n.Previous);
        w.Int(n.PreemptionsBefore);
    }

    private static void SaveTree(CheckpointWriter w, List<WakeupNode>? tree)
    {
        if (tree is null) { w.Int(-1); return; }
        w.Int(tree.Count);
        foreach (WakeupNode n in tree)
        {
            w.Int(n.Operation);
            w.Footprint(n.Footprint);
            w.Bool(n.Free);
            SaveTree(w, n.Children);
        }
    }

    public void Restore(CheckpointReader r)
    {
        if (started || path.Count > 0) throw new InvalidOperationException("a checkpoint is restored into a search that has not started");
        int version = r.Int();
        if (version is > 0 and < StateVersion)
            throw r.Error($"a state of an older {Name} (version {version}, before the progress estimate's counts); this build reads version {StateVersion}: start the search again");
        if (version != StateVersion) throw r.Error($"not a state of {Name} (version {StateVersion})");
        int savedMaxSteps = r.Int();
        if (savedMaxSteps != maxSteps) throw r.Error($"the search was saved with a step bound of {savedMaxSteps}, not {maxSteps}");
        int savedBound = r.Int(-1);
        if (savedBound != (bound?.Limit ?? -1))
            throw r.Error($"the search was saved with {(savedBound < 0 ? "no preemption bound" : $"a preemption bound of {savedBound}")}, " +
                          $"not {(bound is null ? "none" : bound.Limit.ToString())}");
        started = r.Bool();
        exhausted = r.Bool();
        CompleteExecutions = r.Int();
        PrunedExecutions = r.Int();
        BoundHits = r.Int();
        InfeasibleBranches = r.Int();
        RacesCovered = r.Long();
        RacesInserted = r.Long();
        SymmetryHeldBack = r.Int();
        SymmetricOperations = r.Int();
        int skips = r.Int();
        if (bound is not null) bound.AddSkips(skips);
        else if (skips != 0) throw r.Error("bound skips in a search without a bound");
        clockWidth = r.Int();
        int nodes = r.Count();
        for (int i = 0; i < nodes; i++) path.Add(RestoreNode(r));
        int count = r.Count();
        for (int j = 0; j < count; j++)
        {
            var s = new StepRecord
            {
                Node = r.Int(0, path.Count - 1),
                Operation = r.Int(),
                Index = r.Int(1),
                Footprint = r.Footprint(),
                Releases = r.Bool(),
            };
            s.Clock = r.Ints() ?? throw r.Error("a step without its clock");
            steps.Add(s);
            stepIndex.Add(j, s.Footprint);
        }
        RestoreProgress(r);
        r.End();
    }

    private static Node RestoreNode(CheckpointReader r)
    {
        var n = new Node { IsValue = r.Bool(), Chosen = r.Int() };
        if (n.IsValue)
        {
            n.ValueCount = r.Int(1);
            if (n.Chosen >= n.ValueCount) throw r.Error($"value {n.Chosen} chosen of {n.ValueCount}");
            n.Fixed = r.Bool();
            n.Guide = RestoreTree(r);
            return n;
        }
        n.Options = r.Ints() ?? throw r.Error("a choice point without options");
        if (n.Chosen >= n.Options.Length) throw r.Error($"option {n.Chosen} chosen of {n.Options.Length}");
        n.Slot = r.Int();
        n.SleepOnEntry = r.Sleepers();
        n.Explored.AddRange(r.Sleepers());
        n.Wakeup = RestoreTree(r) ?? throw r.Error("a choice point without its wakeup tree");
        n.FreeOp = r.Int(-1);
        n.BranchValues = r.Ints();
        n.Previous = r.Int(-1);
        n.PreemptionsBefore = r.Int();
        return n;
    }

    private static List<WakeupNode>? RestoreTree(CheckpointReader r)
    {
        int n = r.Int(-1);
        if (n < 0) return null;
        var tree = new List<WakeupNode>(n);
        for (int i = 0; i < n; i++)
        {
            var node = new WakeupNode { Operation = r.Int(), Footprint = r.Footprint(), Free = r.Bool() };
            node.Children = RestoreTree(r) ?? throw r.Error("a wakeup branch without its children");
            tree.Add(node);
        }
        return tree;
    }
}
