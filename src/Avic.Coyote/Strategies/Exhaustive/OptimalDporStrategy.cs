using System.Runtime.InteropServices;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// Exhaustive, stateless search with optimal dynamic partial-order reduction: source sets and wakeup
/// trees (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014 / JACM 2017). Every execution it runs to the
/// end is a new equivalence class (Mazurkiewicz trace) of complete executions, and none is started
/// and then abandoned as equivalent — unlike DPOR with sleep sets alone (<see cref="DfsStrategy"/>),
/// which throws away the executions whose every enabled operation sleeps.
/// <para>
/// Each choice point keeps a <b>wakeup tree</b>: the continuations that must still be explored from
/// there, as sequences of operations. When a step e' of one execution races with an earlier step e
/// (they conflict, belong to different operations, and nothing else orders e before e'), the search
/// computes v = the steps between e and e' that do not happen after e, followed by e'. Running v
/// at the choice point of e reverses the race. v is inserted in that point's wakeup tree unless an
/// operation sleeping there is a weak initial of v (that class was explored already) or the tree
/// already holds a branch that v extends up to equivalence. Branches are explored leftmost first;
/// a branch's subtree guides the choices below it; past its leaf the search picks freely.
/// </para>
/// Dependence is the runtime's step footprints: a shared key touched by both steps with a write.
/// Happens-before includes every conflict; races exclude a lock release (a later acquire cannot move
/// before it), so the reversal that matters is between two acquires of the same lock, and readers
/// (read-side locks: AccessKind.Read acquires, ReadUnlock releases) commute. A step that waits for a release races
/// neither with it nor with what the releasing operation did since its acquire (<see cref="HandOvers"/>): only with
/// that acquire.
/// <para>
/// <b>Draws are local nondeterminism.</b> A step that draws values (RandomInteger/RandomBoolean) is the
/// <i>transition</i> (operation, values drawn): its footprint is what it touched, not everything. How many values a draw
/// offers depends only on what the step read before it (recorded) and the values drawn before it, so from equivalent
/// states an operation offers the same transitions. Executions are equivalent when they run the same transitions and
/// order every conflicting pair alike; a transition commutes with the steps that touch nothing it touched, whatever it
/// drew. Every value is still explored: at a point where the search chooses freely, the value node after the chosen
/// step goes through every value (each a new transition, all of them explored at that choice point). A wakeup branch
/// replays the execution whose race it reverses, so its steps draw the values they drew there (their value nodes are
/// fixed): with another value a step is another transition, and the branch is not that execution. The exception is the
/// racing step e′ that ends the branch: moved before the step it raced with, it may read otherwise and offer other
/// values, so its values are free (all explored). Sleepers and the transitions explored at a choice point carry their
/// values: a sleeping transition skips only its own value (a value node passes over the values whose transition sleeps
/// or was explored there), an operation sleeps only when all its transitions do (the counts come from the sleepers),
/// and the weak-initial and "already in the tree" checks match an operation's step in v only with the same values, the
/// free e′ only with all its transitions (the operation chosen freely there, or every value explored or asleep). A
/// sibling transition that drew and has no step in v covers v only when every transition of its operation there is
/// known and commutes with v (after v the operation may draw another value: the step it raced with is one). The cost:
/// e′'s values that commute with e lead into classes e's branch explored, and sleep sets cut those short.
/// dfs-sleepsets keeps treating a draw as a conflict with every step (<see cref="Footprint.Global"/>).
/// </para>
/// </summary>
public sealed partial class OptimalDporStrategy : IExhaustiveStrategy, Symmetry.ITarget, IKnowsFootprints, ICheckpointable
{
    /// <summary>A step of a continuation still to explore: its operation and the footprint it had when observed.</summary>
    private sealed class WakeupNode
    {
        public required int Operation;
        public required Footprint Footprint;
        /// <summary>The racing step that ends a reversal: its values are free (every one is explored there).</summary>
        public bool Free;
        public List<WakeupNode> Children = new();

        public WakeupNode Clone()
        {
            var copy = new WakeupNode { Operation = Operation, Footprint = Footprint, Free = Free };
            foreach (WakeupNode c in Children) copy.Children.Add(c.Clone());
            return copy;
        }
    }

    /// <summary>One choice point on the current path.</summary>
    private sealed class Node
    {
        public bool IsValue;
        /// <summary>Scheduling node: operation ids enabled here. Value node: number of values.</summary>
        public int[] Options = [];
        public int ValueCount;
        public int Chosen;
        /// <summary>Scheduling node: where the chosen operation was in the enabled list when it was last taken (a replay
        /// finds it there without a scan).</summary>
        public int Slot;
        /// <summary>Scheduling node: sleepers on arrival; transitions explored here (an operation once per values its
        /// step drew), with their step's footprint (they sleep in the later branches); branches still to explore.</summary>
        public List<Sleeper> SleepOnEntry = [];
        public readonly List<Sleeper> Explored = new();
        public List<WakeupNode> Wakeup = new();
        /// <summary>Scheduling node: the operation chosen freely here (its value nodes go through every value that does
        /// not sleep), or -1; the values the chosen wakeup branch drew (its value nodes draw just those), or null.</summary>
        public int FreeOp = -1;
        public int[]? BranchValues;
        /// <summary>Value node: draws the one value of a wakeup branch (never another).</summary>
        public bool Fixed;
        /// <summary>Scheduling node: the operation that ran the step before (-1 at the start) and the preemptions
        /// on the path up to here (for a preemption bound).</summary>
        public int Previous = -1;
        public int PreemptionsBefore;
        /// <summary>Value node: the wakeup subtree the scheduling point after it starts from, for every value.</summary>
        public List<WakeupNode>? Guide;

        /// <summary>Makes a choice point dropped from the path a new one (no allocation for the ones taken after it).</summary>
        public void Reset(bool isValue)
        {
            IsValue = isValue;
            ValueCount = 0;
            Chosen = 0;
            Slot = 0;
            SleepOnEntry = SleepSets.Empty;
            Explored.Clear();
            Wakeup.Clear();
            FreeOp = -1;
            BranchValues = null;
            Fixed = false;
            Previous = -1;
            PreemptionsBefore = 0;
            Guide = null;
        }
    }

    /// <summary>An executed step of the current execution.</summary>
    private sealed class StepRecord
    {
        public int Node;
        public int Operation;
        public int Index;      // the step's position in its operation (1-based): its vector-clock entry
        public Footprint Footprint;
        public bool Releases;       // the footprint has a release (only then can it hand an object over)
        public int[] Clock = [];    // happens-before clock after the step

        /// <summary>This step happens before <paramref name="later"/>.</summary>
        public bool HappensBefore(StepRecord later) => Operation < later.Clock.Length && later.Clock[Operation] >= Index;
    }

    private readonly int maxSteps;
    private readonly List<Node> path = new();
    // The steps of this execution; those of the replayed prefix are kept from the execution before (a prefix run again
    // takes the same steps, with the same footprints and clocks), so only the new suffix is analysed.
    private readonly List<StepRecord> steps = new();
    private int stepCount; // steps taken in this execution (≤ steps.Count while the prefix is replayed)
    // By operation id: its clock after its last step (null: no step yet); ids below clocksUsed may be set. Written at every
    // step: an array of structs, since storing an array in an array (or a list) of arrays goes through the covariance check.
    private ClockSlot[] operationClocks = new ClockSlot[16];
    private int clocksUsed;

    private struct ClockSlot
    {
        public int[]? Clock;
    }
    private readonly StepIndex stepIndex = new(); // steps by object touched
    // Choice points and step records dropped by a backtrack, reused for the new ones (nothing else refers to them).
    private readonly Stack<Node> spareNodes = new();
    private readonly Stack<StepRecord> spareSteps = new();
    private readonly List<int> candidates = new();
    private readonly List<int> races = new();
    private readonly List<StepRecord> reversal = new(); // the continuation of the race being reversed
    private readonly HandOvers handOvers = new(); // for the step being added
    private readonly Func<int, (int, int, Footprint)> stepAt;
    private int[] hbScratch = new int[16];
    // By step position, what the scan of the step being added found (valid when a stamp equals scanStamp): the keyed scan
    // saw the step conflict with it; the hand-over look found whether it hands an object over. The race loop asks again
    // only about candidates they did not settle.
    private ScanMark[] marks = new ScanMark[64];
    private int scanStamp;

    private struct ScanMark
    {
        public int Conflicts;
        public int HandOverLooked;
        public bool HandsOver;
    }

    private int[] raceScratch = new int[16];
    private int clockWidth; // operation ids seen so far + 1
    private List<Sleeper> sleep = new();
    private List<WakeupNode>? pendingGuide; // wakeup subtree for the next new scheduling point
    private int depth;
    private int lastSchedulingNode = -1;
    private int replayedNodes; // choice points this execution replays unchanged: their races were handled before
    private bool started;
    private bool exhausted;
    private readonly PreemptionBound? bound;
    private int preemptions; // on the path so far (with a bound)
    // Symmetry: the interchangeable sets declared in this execution, how many members of each have opened (always a
    // prefix: they open in declaration order), and the step index of each opened member's opening step.
    private readonly List<int[]> symmetricSets = new();
    private readonly List<int> membersOpened = new();
    private readonly Dictionary<int, int> openingOf = new();
    private int batonStep = -1; // for the step being taken: the opening step of the member declared before it
    private bool chosenWaits; // the step being taken waits on something (its scheduling point declared a blocker)

    /// <param name="preemptionBound">-1: every class; k ≥ 0: only executions with at most k preemptions (see
    /// <see cref="PreemptionBound"/>), non-preemptive choices first. A bounded search is never reported complete when
    /// the bound cut a branch; it runs a subset of the unbounded search's classes, each at most once.</param>
    /// <param name="name">The name schedules record (default: dfs, or dfs-bounded with a bound).</param>
    public OptimalDporStrategy(int maxSteps, int preemptionBound = -1, string? name = null)
    {
        this.maxSteps = maxSteps;
        Name = name ?? (preemptionBound >= 0 ? "dfs-bounded" : "dfs");
        stepAt = j => (steps[j].Operation, steps[j].Index, steps[j].Footprint);
        if (preemptionBound >= 0) bound = new PreemptionBound(preemptionBound);
    }

    public string Name { get; }

    public bool NeedsFootprints => true;

    /// <summary>The step just chosen replays one of the unchanged prefix: its record is kept (see <see cref="OnStepCompleted"/>).</summary>
    bool IKnowsFootprints.KnowsNextFootprint => lastSchedulingNode >= 0 && lastSchedulingNode < replayedNodes;

    public bool IsExhausted => exhausted && BoundHits == 0 && (bound is null || bound.Skips == 0);

    /// <summary>Choice points at which symmetry held back an interchangeable operation (it may open only after the one before it).</summary>
    public int SymmetryHeldBack { get; private set; }

    /// <summary>Operations declared interchangeable in the last execution (0: no declaration).</summary>
    public int SymmetricOperations { get; private set; }

    public int CompleteExecutions { get; private set; }

    /// <summary>Executions in which every enabled operation slept (0 unless a footprint changed between runs).</summary>
    public int PrunedExecutions { get; private set; }

    /// <summary>Choices the preemption bound skipped (0 without a bound): while non-zero the search is not a proof.</summary>
    public int BoundSkips => bound?.Skips ?? 0;

    /// <summary>Executions cut by the step bound: while non-zero the search is not a proof.</summary>
    public int BoundHits { get; private set; }

    /// <summary>Wakeup-tree branches dropped because their operation could not run where they were to start.</summary>
    public int InfeasibleBranches { get; private set; }

    /// <summary>Races found whose reversal was already covered (a sleeper or an existing branch).</summary>
    public long RacesCovered { get; private set; }

    /// <summary>Races whose reversal became a new wakeup-tree branch.</summary>
    public long RacesInserted { get; private set; }

    public bool PrepareIteration(int iteration)
    {
        depth = 0;
        preemptions = 0;
        symmetricSets.Clear();
        membersOpened.Clear();
        openingOf.Clear();
        lastSchedulingNode = -1;
        sleep = SleepSets.Empty;
        stepCount = 0;
        operationClocks.AsSpan(0, clocksUsed).Clear();
        clocksUsed = 0;
        pendingGuide = null;
        replayedNodes = 0;
        if (!started)
        {
            started = true;
            return true;
        }
        if (!Backtrack())
        {
            exhausted = true;
            return false;
        }
        KeepReplayedSteps();
        return true;
    }

    /// <summary>Keeps the steps of the choice points this execution replays unchanged (their records stay valid) and
    /// drops the rest.</summary>
    private void KeepReplayedSteps()
    {
        int keep = steps.Count;
        while (keep > 0 && steps[keep - 1].Node >= replayedNodes) keep--;
        for (int k = keep; k < steps.Count; k++) spareSteps.Push(steps[k]);
        steps.RemoveRange(keep, steps.Count - keep);
        stepIndex.TruncateTo(keep);
        clockWidth = keep > 0 ? steps[keep - 1].Clock.Length : 0;
    }

    /// <summary>Moves the deepest choice point with something left (a value, a wakeup branch) to it; false when none is left.</summary>
    private bool Backtrack()
    {
        for (int i = path.Count - 1; i >= 0; i--)
        {
            Node node = path[i];
            if (node.IsValue)
            {
                if (node.Fixed) continue;
                int next = NextAwakeValue(i, node.Chosen + 1);
                if (next < 0) continue;
                node.Chosen = next;
                pendingGuide = Clone(node.Guide);
            }
            else
            {
                int k = TakeBranch(node);
                if (k < 0) continue;
                node.Chosen = k;
            }
            OnBranchTaken(i);
            for (int k = i + 1; k < path.Count; k++) spareNodes.Push(path[k]);
            path.RemoveRange(i + 1, path.Count - i - 1);
            // A new value changes the step that drew it: that step's races are looked at again.
            replayedNodes = i;
            while (replayedNodes > 0 && path[replayedNodes].IsValue) replayedNodes--;
            return true;
        }
        path.Clear();
        steps.Clear();
        stepIndex.TruncateTo(0);
        return false;
    }

    /// <summary>Removes the leftmost runnable branch of the node's wakeup tree and returns its option index
    /// (its subtree becomes the guide below); -1 when the tree is empty.</summary>
    private int TakeBranch(Node node)
    {
        while (node.Wakeup.Count > 0)
        {
            WakeupNode branch = node.Wakeup[0];
            node.Wakeup.RemoveAt(0);
            int k = Array.IndexOf(node.Options, branch.Operation);
            int[]? values = branch.Free ? null : branch.Footprint.Drew?.Values;
            // A branch that drew values replays them; one that drew none (or whose values are free: the racing step
            // that ends a reversal) is covered only when every transition of its operation is.
            if (k < 0 || node.FreeOp == branch.Operation
                || SleepSets.Covers(node.SleepOnEntry, node.Explored, branch.Operation, values, values?.Length ?? 0)
                || (bound is not null && !bound.Allows(node.PreemptionsBefore, node.Previous, node.Options, branch.Operation)))
            {
                InfeasibleBranches++;
                continue;
            }
            pendingGuide = branch.Children.Count > 0 ? branch.Children : null;
            node.BranchValues = values;
            return k;
        }
        return -1;
    }

    private static List<WakeupNode>? Clone(List<WakeupNode>? tree) => tree?.ConvertAll(n => n.Clone());

    private static bool IsAsleep(List<Sleeper> set, int id) => SleepSets.Covers(set, null, id, null, 0);

    /// <summary>For the free value node at path index <paramref name="at"/>: the first value from <paramref name="from"/>
    /// whose transition neither sleeps at the scheduling point of the step drawing it nor was explored there by an
    /// earlier branch, or -1. Such a transition's classes were explored in an earlier branch, as a sleeping operation's.</summary>
    private int NextAwakeValue(int at, int from)
    {
        Node node = path[at];
        int s = at - 1;
        while (s >= 0 && path[s].IsValue) s--;
        if (s < 0 || path[s].SleepOnEntry.Count == 0 && path[s].Explored.Count == 0) return from < node.ValueCount ? from : -1;
        Node scheduling = path[s];
        int op = scheduling.Options[scheduling.Chosen];
        int length = at - s;
        int[] prefix = new int[length];
        for (int k = 0; k < length - 1; k++) prefix[k] = path[s + 1 + k].Chosen;
        for (int w = from; w < node.ValueCount; w++)
        {
            prefix[length - 1] = w;
            if (!SleepSets.Covers(scheduling.SleepOnEntry, scheduling.Explored, op, prefix, length)) return w;
        }
        return -1;
    }

    void Symmetry.ITarget.DeclareSymmetric(IReadOnlyList<Operation> members)
    {
        int[] ids = new int[members.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = members[i].Id;
        symmetricSets.Add(ids);
        membersOpened.Add(0);
        SymmetricOperations = 0;
        foreach (int[] set in symmetricSets) SymmetricOperations += set.Length;
    }

    /// <summary>Symmetry: an interchangeable operation's first step that touches something (its <i>opening</i> step: the
    /// first with a declared access) waits for the opening step of the one declared before it. Steps before it touch
    /// nothing, so they commute with everything and order nothing.</summary>
    private bool IsHeldBack(Operation op)
    {
        if (symmetricSets.Count == 0 || op.PendingAccess == AccessKind.None || openingOf.ContainsKey(op.Id)) return false;
        for (int s = 0; s < symmetricSets.Count; s++)
        {
            int at = Array.IndexOf(symmetricSets[s], op.Id);
            if (at >= 0) return at > membersOpened[s];
        }
        return false;
    }

    /// <summary>Symmetry: notes a member's opening step, and which step (the opening of the member before it) it comes after.</summary>
    private void OnChosen(Operation op)
    {
        batonStep = -1;
        if (symmetricSets.Count == 0 || op.PendingAccess == AccessKind.None || openingOf.ContainsKey(op.Id)) return;
        for (int s = 0; s < symmetricSets.Count; s++)
        {
            int at = Array.IndexOf(symmetricSets[s], op.Id);
            if (at < 0) continue;
            if (at > 0) batonStep = openingOf[symmetricSets[s][at - 1]];
            openingOf[op.Id] = stepCount;
            membersOpened[s] = at + 1;
            return;
        }
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        if (depth == 0) Symmetry.Attach(this, ControlledRuntime.Current);
        int count = enabled.Length;
        if (symmetricSets.Count > 0)
        {
            count = 0;
            foreach (Operation op in enabled) if (!IsHeldBack(op)) count++;
        }
        Node node;
        if (depth < path.Count)
        {
            node = path[depth];
            if (node.IsValue || node.Options.Length != count)
                throw StepDiffers(step);
        }
        else if (NewSchedulingNode(enabled, current, count) is { } added) node = added;
        else return -1;
        lastSchedulingNode = depth;
        depth++;
        int chosenId = node.Options[node.Chosen];
        if (bound is not null) preemptions = node.PreemptionsBefore + PreemptionBound.Cost(node.Previous, node.Options, chosenId);
        int slot = node.Slot < enabled.Length && enabled[node.Slot].Id == chosenId ? node.Slot : -1;
        for (int i = 0; slot < 0 && i < enabled.Length; i++)
            if (enabled[i].Id == chosenId) slot = node.Slot = i;
        if (slot >= 0)
        {
            SeedClock(enabled[slot]);
            OnChosen(enabled[slot]);
            chosenWaits = enabled[slot].Blocker is not null;
            return slot;
        }
        throw NotEnabled(chosenId, step);
    }

    // The messages are built out of line: an interpolated string in a per-step method gives it a large stack frame that
    // its prologue zeroes at every call.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static InvalidOperationException StepDiffers(int step) =>
        new($"exhaustive search: the test is not deterministic (step {step} differs from an earlier run of the same path)");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static InvalidOperationException NotEnabled(int operation, int step) =>
        new($"exhaustive search: the test is not deterministic (operation {operation} not enabled at step {step})");

    /// <summary>A choice point past the replayed prefix (kept out of <see cref="NextOperation"/>, whose every replayed
    /// step takes the short way); null when every enabled operation sleeps.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private Node? NewSchedulingNode(ReadOnlySpan<Operation> enabled, Operation? current, int count)
    {
        Node node = NewNode(isValue: false);
        if (node.Options.Length != count) node.Options = new int[count];
        node.SleepOnEntry = sleep;
        node.Previous = current?.Id ?? -1;
        node.PreemptionsBefore = preemptions;
        int n = 0;
        foreach (Operation op in enabled) if (!IsHeldBack(op)) node.Options[n++] = op.Id;
        if (count < enabled.Length) SymmetryHeldBack++;
        int chosen = -1;
        if (pendingGuide is { } guide)
        {
            pendingGuide = null;
            node.Wakeup = guide;
            chosen = TakeBranch(node);
        }
        if (chosen < 0)
        {
            chosen = FirstAwake(node);
            if (chosen >= 0) node.FreeOp = node.Options[chosen];
        }
        if (chosen < 0)
        {
            // Every enabled operation sleeps (all continuations were explored in a sibling branch), or the
            // preemption bound forbids the awake ones.
            PrunedExecutions++;
            spareNodes.Push(node);
            return null;
        }
        node.Chosen = chosen;
        path.Add(node);
        OnOpened(path.Count - 1);
        return node;
    }

    private Node NewNode(bool isValue)
    {
        if (!spareNodes.TryPop(out Node? node)) return new Node { IsValue = isValue };
        node.Reset(isValue);
        return node;
    }

    /// <summary>The free choice at a new choice point: any awake operation keeps the search optimal, so the one that ran
    /// the step before goes on if it can (no preemption: runs with few preemptions come first, where most bugs are),
    /// else the first awake one.</summary>
    private int FirstAwake(Node node)
    {
        int k0 = Array.IndexOf(node.Options, node.Previous);
        if (k0 >= 0 && !IsAsleep(node.SleepOnEntry, node.Previous)) return k0;
        for (int k = 0; k < node.Options.Length; k++)
            if (!IsAsleep(node.SleepOnEntry, node.Options[k]) &&
                (bound is null || bound.Allows(node.PreemptionsBefore, node.Previous, node.Options, node.Options[k]))) return k;
        return -1;
    }

    /// <summary>An operation's first step happens after the step that created it.</summary>
    private void SeedClock(Operation op)
    {
        if (op.Id >= operationClocks.Length) Array.Resize(ref operationClocks, Math.Max(op.Id + 1, 2 * operationClocks.Length));
        if (op.Id >= clocksUsed) clocksUsed = op.Id + 1;
        if (operationClocks[op.Id].Clock is not null) return;
        int creatingStep = op.CreatedAtStep - 1;
        operationClocks[op.Id].Clock = creatingStep >= 0 && creatingStep < stepCount ? steps[creatingStep].Clock : [];
    }

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
    {
        if (lastSchedulingNode < replayedNodes)
        {
            // A step of the replayed prefix: its record, races and the sleep set after it are those of the run that made it.
            StepRecord kept = steps[stepCount];
            if (kept.Operation != op.Id || kept.Node != lastSchedulingNode)
                throw StepDiffers(stepCount + 1);
            operationClocks[op.Id].Clock = kept.Clock;
            stepCount++;
            return;
        }
        AddNewStep(op, accesses);
    }

    /// <summary>A step past the replayed prefix: recorded, its races reversed, the sleep set after it computed (out of
    /// line: most steps are replayed, and take the short way above).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void AddNewStep(Operation op, ReadOnlySpan<Access> accesses)
    {
        Node node = path[lastSchedulingNode];
        // A draw is local: the step is the transition (operation, values drawn), and depends only on what it touched
        // (the runtime's global flag says only that it drew; the values are those of the value nodes after its node).
        var footprint = new Footprint(accesses.ToArray(), false, DrawsOfStep());
        node.Explored.Add(new Sleeper(op.Id, footprint));
        AddStep(op.Id, footprint, op.EnabledByStep - 1);
        // A race between two steps of the replayed prefix was reversed (or found covered) by the run that made it.
        if (lastSchedulingNode >= replayedNodes)
            foreach (int j in races) Reverse(j);

        // Nothing sleeps after the first branch of a choice point entered with no sleepers (most new steps): no new list.
        sleep = node.SleepOnEntry.Count == 0 && node.Explored.Count == 1 ? SleepSets.Empty : SleepSets.After(node.SleepOnEntry, node.Explored, op.Id, footprint);
    }

    /// <summary>The values drawn by the step being completed: those of the value nodes after its scheduling point.</summary>
    private Draws? DrawsOfStep()
    {
        int n = depth - lastSchedulingNode - 1;
        if (n <= 0) return null;
        int[] values = new int[n], counts = new int[n];
        for (int k = 0; k < n; k++)
        {
            Node v = path[lastSchedulingNode + 1 + k];
            (values[k], counts[k]) = (v.Chosen, v.ValueCount);
        }
        return new Draws(values, counts);
    }

    /// <summary>
    /// Records the step with its happens-before clock, and collects in <see cref="races"/> the earlier steps it
    /// races with: reversibly conflicting, of another operation, and not ordered before it by anything else
    /// (conflicting steps are visited latest first, so one ordered through a later one is not a race).
    /// </summary>
    private void AddStep(int op, Footprint footprint, int enabledBy)
    {
        if (steps.Count != stepCount)
            throw StepDiffers(stepCount + 1);
        int[] own = operationClocks[op].Clock ?? [];
        int width = Math.Max(clockWidth, op + 1);
        clockWidth = width;
        if (hbScratch.Length < width)
        {
            hbScratch = new int[width * 2];
            raceScratch = new int[width * 2];
        }
        // Spans: Array.Clear and Array.CopyTo take the untyped path, with type checks, for these few ints per step.
        hbScratch.AsSpan(0, width).Clear();
        own.AsSpan().CopyTo(hbScratch);
        raceScratch.AsSpan(0, width).Clear();
        own.AsSpan().CopyTo(raceScratch);
        // Symmetry: an opening step always comes after the opening of the member declared before it (a program
        // order of the reduced search), so nothing ordered before that one races with it.
        if (batonStep >= 0) Join(raceScratch, steps[batonStep].Clock);

        // Only steps that touched one of this step's objects (or touched everything) can conflict with it.
        // Per object, the scan stops at the latest acquire-or-write: what came before on that object is
        // ordered before it, so neither races with this step nor adds to its clock. Likewise for the
        // latest step that touched everything.
        candidates.Clear();
        NewScan();
        bool wildcard = footprint.IsWildcard;
        bool releases = footprint.Releases;
        // A step that touched everything and released something (an object without a stable id, and it completed its operation) is a
        // candidate too, but the scan goes on past it: a release does not hide what came before it.
        // A step that waits looks at every earlier step it conflicts with (see waitsUntyped below).
        int floor = -1;
        for (int w = stepIndex.Wildcards.Count - 1; w >= 0 && !wildcard; w--)
        {
            int j = stepIndex.Wildcards[w];
            candidates.Add(j);
            if (!steps[j].Releases && !chosenWaits) { floor = j; break; }
        }
        if (wildcard)
        {
            for (int j = 0; j < steps.Count; j++) candidates.Add(j);
        }
        else CollectByObject(op, footprint, floor);
        // A release this step waits for hides what its operation did under the lock, but not the acquire: that one is
        // a candidate even when the scan stopped before it.
        handOvers.Clear();
        int scanned = candidates.Count;
        for (int n = 0; n < scanned; n++)
        {
            int j = candidates[n];
            StepRecord r = steps[j];
            if (r.Operation == op || !(r.Releases || releases)) continue;
            long? handOverKey = r.Footprint.HandOverKey(footprint);
            (marks[j].HandOverLooked, marks[j].HandsOver) = (scanStamp, handOverKey is not null);
            if (handOverKey is long key && handOvers.Note(stepIndex, j, key, r.Operation, r.Index, stepAt) is int acquire and >= 0)
                candidates.Add(acquire);
        }
        if (candidates.Count > 1) candidates.Sort();

        races.Clear();
        // A step that waits (its scheduling point declared a blocker) may be unable to pass a race: the step that would
        // let it through can be that one (an up() after the down() it would have to pass first; the wait's reversal is
        // then dropped as infeasible). Only a typed hand-over (a release it waits for, Footprint.HandOverKey) says which
        // step that is; without one, or when the step touched an object without a stable id (it conflicts with all the holder did), a race hides
        // nothing before it and the earlier ones are reversed too (the down(): who goes first).
        bool waitsUntyped = chosenWaits && (wildcard || !handOvers.Any);
        int previous = -1;
        for (int n = candidates.Count - 1; n >= 0; n--)
        {
            int j = candidates[n];
            if (j == previous) continue;
            previous = j;
            StepRecord earlier = steps[j];
            if (earlier.Operation == op || (marks[j].Conflicts != scanStamp && !earlier.Footprint.ConflictsWith(footprint))) continue;
            // The step that unblocked this one orders them without being a race (as a lock release does).
            // A conflict races unless it hands an object over (Footprint.RacesWith).
            bool handOver = (earlier.Releases || releases)
                && (marks[j].HandOverLooked == scanStamp ? marks[j].HandsOver : earlier.Footprint.HandOverKey(footprint) is not null);
            if (j != enabledBy && !handOver)
            {
                // A step under a released lock is ordered before this one by the release (its clock is in there).
                if (handOvers.Hides(earlier.Operation, earlier.Index)) { Join(hbScratch, earlier.Clock); continue; }
                if (raceScratch[earlier.Operation] < earlier.Index) races.Add(j);
                if (!waitsUntyped) Join(raceScratch, earlier.Clock);
            }
            else if (handOver)
            {
                // This step cannot run before the release, so nothing ordered before the release races with it (a step
                // that touched an object without a stable id conflicts with all the holder did under the lock) but the holder's acquire: the
                // reversal is who takes the lock first.
                int from = handOvers.AcquiredBefore(earlier.Operation, earlier.Index);
                for (int k = 0; k < earlier.Clock.Length; k++)
                {
                    int c = k == earlier.Operation && from > 0 ? Math.Min(earlier.Clock[k], from - 1) : earlier.Clock[k];
                    if (c > raceScratch[k]) raceScratch[k] = c;
                }
            }
            Join(hbScratch, earlier.Clock);
        }

        // Being unblocked by a step orders after it even if no object says so; so does, for an interchangeable
        // operation's first step, the first step of the one declared before it (symmetry).
        if (enabledBy >= 0 && enabledBy < stepCount) Join(hbScratch, steps[enabledBy].Clock);
        if (batonStep >= 0) Join(hbScratch, steps[batonStep].Clock);
        int index = (op < own.Length ? own[op] : 0) + 1;
        hbScratch[op] = index;
        StepRecord record = spareSteps.TryPop(out StepRecord? spare) ? spare : new StepRecord();
        // A dropped step's clock array is no one else's (clocks are shared only within an execution's steps).
        int[] clock = record.Clock.Length == width ? record.Clock : new int[width];
        hbScratch.AsSpan(0, width).CopyTo(clock);
        operationClocks[op].Clock = clock;
        (record.Node, record.Operation, record.Index, record.Footprint, record.Clock) = (lastSchedulingNode, op, index, footprint, clock);
        record.Releases = releases;
        steps.Add(record);
        stepIndex.Add(stepCount, footprint);
        stepCount++;
    }

    /// <summary>The candidates among the steps that touched one of the objects of step <paramref name="footprint"/> (of
    /// operation <paramref name="op"/>, no wildcard) after <paramref name="floor"/>. Its own method: inlined into AddStep,
    /// the span and flag accessors would not be (AddStep is past the JIT's inlining budget).</summary>
    private void CollectByObject(int op, Footprint footprint, int floor)
    {
        ReadOnlySpan<StepRecord> recorded = CollectionsMarshal.AsSpan(steps);
        ScanMark[] scanMarks = marks;
        int stamp = scanStamp;
        bool stopsAtOrder = !chosenWaits;
        // A step whose one access reads an object conflicts only with the steps that wrote it, and the scan stops
        // only at one of those: it walks just them.
        bool onlyReads = footprint.Accesses.Length == 1 && !footprint.Accesses[0].IsWrite;
        // The keys this step touched and wrote, as bits (a key's low six bits): a look at an earlier footprint skips the
        // accesses whose key cannot be one of them.
        ulong touchedBits = 0, writtenBits = 0;
        foreach (Access y in footprint.Accesses)
        {
            touchedBits |= KeyBit(y.Key);
            if (y.IsWrite) writtenBits |= KeyBit(y.Key);
        }
        foreach (Access a in footprint.Accesses)
        {
            if (stepIndex.Entries(a.Key, writes: onlyReads) is not { } touching) continue;
            ReadOnlySpan<int> touched = touching.Steps;
            ReadOnlySpan<byte> flags = touching.Flags;
            for (int t = touched.Length - 1; t >= 0; t--)
            {
                int j = touched[t];
                if (j <= floor) break;
                // A write of the object comes after every earlier access to it in happens-before; unless it is a
                // release (and this access is not), it also hides those accesses from race detection.
                int wrote = flags[t];
                bool writes = (wrote & StepIndex.KeyList.Wrote) != 0;
                StepRecord earlier = recorded[j];
                // The loops after the scan skip a step of this operation or one that does not conflict: not a candidate.
                if (earlier.Operation != op && (a.IsWrite || writes || SharesWrittenKey(earlier.Footprint.Accesses, footprint.Accesses, touchedBits, writtenBits)))
                {
                    candidates.Add(j);
                    scanMarks[j].Conflicts = stamp;
                }
                if (stopsAtOrder && ((wrote & StepIndex.KeyList.WroteWithoutRelease) != 0 || (writes && a.IsRelease))) break;
            }
        }
    }

    private static ulong KeyBit(long key) => 1UL << (int)(key & 63);

    /// <summary><see cref="Footprint.ConflictsWith"/> for two footprints without a wildcard (what the by-object scan
    /// compares): a key both touched, one of them with a write. <paramref name="touchedBits"/>, <paramref name="writtenBits"/>:
    /// the <see cref="KeyBit"/>s of <paramref name="accesses"/>' keys and written keys.</summary>
    private static bool SharesWrittenKey(Access[] earlier, Access[] accesses, ulong touchedBits, ulong writtenBits)
    {
        foreach (Access x in earlier)
        {
            if (((x.IsWrite ? touchedBits : writtenBits) & KeyBit(x.Key)) == 0) continue;
            foreach (Access y in accesses)
                if (y.Key == x.Key && (x.IsWrite || y.IsWrite)) return true;
        }
        return false;
    }

    /// <summary>Starts the scan of a new step's candidates: marks of earlier scans no longer count.</summary>
    private void NewScan()
    {
        if (marks.Length < steps.Count) Array.Resize(ref marks, Math.Max(steps.Count, 2 * marks.Length));
        if (++scanStamp == int.MaxValue)
        {
            Array.Clear(marks);
            scanStamp = 1;
        }
    }

    private static void Join(int[] into, int[] clock)
    {
        for (int k = 0; k < clock.Length; k++) if (clock[k] > into[k]) into[k] = clock[k];
    }

    /// <summary>
    /// The race between step <paramref name="j"/> (e) and the last step (e'): at e's choice point, the
    /// continuation v = (steps after e that do not happen after it) · e' must be explored, unless an
    /// explored or sleeping operation there already starts an equivalent one, or the wakeup tree holds it.
    /// </summary>
    private void Reverse(int j)
    {
        if (ReverseAt(j) || bound is null) return;
        // With a preemption bound the reversal's first step may need a preemption the bound forbids there. The class
        // may then be missed (so the search is not a proof), but as Coons, Musuvathi and McKinley's bounded POR does,
        // the operation is also tried at the latest earlier choice point where it runs within the bound.
        bound.CountSkip();
        int op = steps[^1].Operation;
        for (int k = j - 1; k >= 0; k--)
        {
            Node node = path[steps[k].Node];
            if (Array.IndexOf(node.Options, op) >= 0 && node.PreemptionsBefore + PreemptionBound.Cost(node.Previous, node.Options, op) <= bound.Limit)
            {
                ReverseAt(k);
                return;
            }
        }
    }

    /// <summary>Inserts, at the choice point of step <paramref name="j"/>, the continuation that runs the last step
    /// before it (or finds it covered); false only when a preemption bound forbids its first step there.</summary>
    private bool ReverseAt(int j)
    {
        StepRecord e = steps[j];
        StepRecord last = steps[^1];
        List<StepRecord> v = reversal; // Insert copies what it keeps
        v.Clear();
        bool enabledByV = false;
        for (int k = j + 1; k < steps.Count - 1; k++)
        {
            StepRecord s = steps[k];
            if (e.HappensBefore(s)) continue;
            v.Add(s);
            if (s.HappensBefore(last)) enabledByV = true;
        }
        v.Add(last);

        Node at = path[e.Node];
        // e' would start v; if it could not run at e's choice point, the race cannot be reversed
        // (e.g. an up_read and the down_write it let through).
        if (!enabledByV && Array.IndexOf(at.Options, last.Operation) < 0) return true;
        if (bound is not null && at.PreemptionsBefore + PreemptionBound.Cost(at.Previous, at.Options, v[0].Operation) > bound.Limit) return false;

        foreach (Sleeper s in at.SleepOnEntry)
            if (IsWeakInitial(s.OperationId, s.Footprint, v, last) && (s.Footprint.Drew is null || AllCommute(at, s.OperationId, v))) { RacesCovered++; return true; }
        foreach (Sleeper s in at.Explored)
            if (IsWeakInitial(s.OperationId, s.Footprint, v, last) && (s.Footprint.Drew is null || AllCommute(at, s.OperationId, v))) { RacesCovered++; return true; }
        // The operation chosen freely there goes through all its values: whatever v's step of it draws is explored. So
        // is the racing step when every transition of its operation there was explored or sleeps.
        if (at.FreeOp >= 0 && FirstOf(v, at.FreeOp) is int first and >= 0 && IsInitial(v, first)) { RacesCovered++; return true; }
        if (FirstOf(v, last.Operation) == v.Count - 1 && IsInitial(v, v.Count - 1)
            && SleepSets.Covers(at.SleepOnEntry, at.Explored, last.Operation, null, 0)) { RacesCovered++; return true; }

        if (Insert(at.Wakeup, v, last)) RacesInserted++;
        else RacesCovered++;
        return true;
    }

    /// <summary>A transition that drew, of an operation with no step in v, commutes with v: that covers v only when every
    /// transition of the operation there is known (explored or asleep) and commutes with all of v. After v the operation
    /// may draw any of its values, and one that does not commute (the step the race was with, another value) starts
    /// classes no commuting sibling's subtree holds. With a step in v, the weak-initial match is exact (same values).</summary>
    private static bool AllCommute(Node at, int op, List<StepRecord> v)
    {
        if (FirstOf(v, op) >= 0) return true;
        if (!SleepSets.Covers(at.SleepOnEntry, at.Explored, op, null, 0)) return false;
        for (int l = 0; l < 2; l++)
            foreach (Sleeper t in l == 0 ? at.SleepOnEntry : at.Explored)
                if (t.OperationId == op)
                    foreach (StepRecord s in v) if (t.Footprint.ConflictsWith(s.Footprint)) return false;
        return true;
    }

    /// <summary>The transition of operation <paramref name="op"/> whose step has footprint <paramref name="f"/> (and drew
    /// f.Drew) can start a continuation equivalent to <paramref name="v"/>: its operation's first step in v is the same
    /// transition and depends on nothing before it in v, or it has no step in v and commutes with all of v. v's racing
    /// step <paramref name="free"/> draws every value: only a transition that drew nothing is all of it.</summary>
    private static bool IsWeakInitial(int op, Footprint f, List<StepRecord> v, StepRecord free)
    {
        int at = FirstOf(v, op);
        if (at >= 0) return SameTransition(f.Drew, v[at], free) && IsInitial(v, at);
        foreach (StepRecord s in v) if (f.ConflictsWith(s.Footprint)) return false;
        return true;
    }

    /// <summary>A transition that drew <paramref name="drew"/> is step <paramref name="s"/> of a reversal: both drew the
    /// same values, and <paramref name="s"/> is not the racing step (whose values are free) unless neither drew.</summary>
    private static bool SameTransition(Draws? drew, StepRecord s, StepRecord free) =>
        ReferenceEquals(s, free) ? drew is null : Draws.Same(drew, s.Footprint.Drew);

    private static int FirstOf(List<StepRecord> v, int op)
    {
        for (int i = 0; i < v.Count; i++) if (v[i].Operation == op) return i;
        return -1;
    }

    private static bool IsInitial(List<StepRecord> v, int at)
    {
        for (int i = 0; i < at; i++) if (v[i].HappensBefore(v[at])) return false;
        return true;
    }

    /// <summary>
    /// Inserts <paramref name="v"/> in a wakeup tree: walks down the leftmost branch compatible with v
    /// (an operation that starts v's remainder up to equivalence: taken out of v; or one that commutes
    /// with all of it), and hangs what is left of v there. False when v was covered: the walk reached a
    /// leaf (exploring it already yields v's class) or used up v.
    /// </summary>
    private static bool Insert(List<WakeupNode> tree, List<StepRecord> v, StepRecord free)
    {
        List<WakeupNode> level = tree;
        bool root = true;
        while (true)
        {
            if ((!root && level.Count == 0) || v.Count == 0) return false;
            WakeupNode? next = null;
            foreach (WakeupNode child in level)
            {
                int at = FirstOf(v, child.Operation);
                if (at >= 0)
                {
                    // The same operation drawing other values is another transition: not this branch. A branch whose
                    // values are free (or that drew none) is every transition of its operation there.
                    if (!child.Free && !SameTransition(child.Footprint.Drew, v[at], free) || !IsInitial(v, at)) continue;
                    v.RemoveAt(at);
                    next = child;
                    break;
                }
                // A branch that drew, with no step in v, may draw otherwise after v (see AllCommute): not a weak initial.
                if (child.Footprint.Drew is null && IsWeakInitial(child.Operation, child.Footprint, v, free))
                {
                    next = child;
                    break;
                }
            }
            if (next is null)
            {
                List<WakeupNode> into = level;
                foreach (StepRecord s in v)
                {
                    // The racing step's values are free: before the step it raced with, it may draw others.
                    var n = new WakeupNode { Operation = s.Operation, Footprint = s.Footprint, Free = ReferenceEquals(s, free) };
                    into.Add(n);
                    into = n.Children;
                }
                return true;
            }
            level = next.Children;
            root = false;
        }
    }

    public bool NextBoolean(int step) => NextValue(2) == 1;

    public int NextInteger(int maxValue, int step) => NextValue(maxValue);

    private int NextValue(int count)
    {
        Node node;
        if (depth < path.Count)
        {
            node = path[depth];
            if (!node.IsValue || node.ValueCount != count)
                throw new InvalidOperationException("exhaustive search: the test is not deterministic (a random choice differs from an earlier run of the same path)");
        }
        else
        {
            node = NewNode(isValue: true);
            node.ValueCount = count;
            path.Add(node);
            if (lastSchedulingNode >= 0 && path[lastSchedulingNode].BranchValues is { } recorded)
            {
                // A wakeup branch replays the execution whose race it reverses: its step draws the value it drew there.
                int k = depth - lastSchedulingNode - 1;
                if (k >= recorded.Length || recorded[k] >= count)
                    throw new InvalidOperationException("exhaustive search: the test is not deterministic (a random choice differs from the run whose race is reversed)");
                node.Fixed = true;
                node.Chosen = recorded[k];
            }
            else
            {
                // Free exploration: every value that does not sleep starts its own subtree (each a new transition).
                node.Guide = Clone(pendingGuide);
                node.Chosen = Math.Max(0, NextAwakeValue(depth, 0));
            }
            OnOpened(depth);
        }
        depth++;
        return node.Chosen;
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome)
    {
        if (outcome == ExecutionOutcome.Pruned) return;
        if (outcome == ExecutionOutcome.MaxStepsReached) BoundHits++;
        CompleteExecutions++;
    }

    public string Describe(bool bugFound)
    {
        string pruned = PrunedExecutions > 0 ? $", {PrunedExecutions} more cut short as equivalent" : "";
        string symmetry = SymmetricOperations > 0
            ? $"; symmetry: {SymmetricOperations} interchangeable operations open in declaration order (held back at {SymmetryHeldBack} choice points)"
            : "";
        if (bugFound) return $"bug found after {CompleteExecutions} executions{pruned}{symmetry}";
        if (exhausted && bound is { Skips: > 0 })
            return $"incomplete: explored the classes optimal DPOR reaches with at most {bound.Limit} preemptions ({CompleteExecutions} executions{pruned}), no bug; " +
                   $"{bound.Skips} choices beyond the bound were skipped{symmetry}";
        if (IsExhausted)
            return $"complete: all {CompleteExecutions} schedules (one per equivalence class, optimal DPOR) explored{pruned}, no bug: this configuration is verified up to {maxSteps} steps{symmetry}";
        if (exhausted)
            return $"incomplete: the tree was explored, but {BoundHits} of {CompleteExecutions} executions hit the step bound ({maxSteps})";
        return $"incomplete: stopped by the iteration or time budget after {CompleteExecutions} executions{pruned}, about {EstimatedDone:P1} of the tree done (estimate){symmetry}";
    }
}
