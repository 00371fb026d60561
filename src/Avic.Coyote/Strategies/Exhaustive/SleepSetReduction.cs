using System.Text;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// The depth-first walk's partial-order reduction (`-s dfs-sleepsets`), two classic reductions working together:
/// <list type="bullet">
/// <item>Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005): a choice point only branches where the
/// execution showed a race — two conflicting steps of different operations not ordered by happens-before (vector
/// clocks); then the later step's operation is tried first at the earlier step's choice point (or, if it could not
/// run there, every operation that could).</item>
/// <item>Sleep sets (Godefroid 1996, <see cref="SleepSets"/>): after exploring operation p at a choice point, p
/// sleeps in the sibling branches until a step that conflicts with p's step runs; executions in which every enabled
/// operation sleeps are cut short, and no two complete executions are equivalent.</item>
/// </list>
/// Steps conflict when they touch the same object and one writes it (their footprints). Not every class is reached:
/// backtracking only at the last race of each step loses a class when that choice point already sleeps the racing
/// operation (one writer, two readers: 3 of the 4 classes), which is why `-s dfs` is optimal DPOR and this is kept
/// for comparison.
/// </summary>
internal sealed class SleepSetReduction : ChoiceFilter
{
    /// <summary>A scheduling point with the sleep set on arrival, the footprints explored, and what must be explored.</summary>
    private sealed class Point : ChoicePoint
    {
        public List<Sleeper> SleepOnEntry = [];
        public readonly Dictionary<int, Footprint> Explored = new();
        public readonly HashSet<int> Backtrack = new();

        public override ChoicePoint Copy(bool subtree)
        {
            Point copy = CopyTo(new Point { SleepOnEntry = SleepOnEntry });
            foreach ((int id, Footprint f) in Explored) copy.Explored[id] = f;
            // A subtree's race detection only adds to the backtrack sets above it, which commute: it starts them empty.
            if (!subtree) copy.Backtrack.UnionWith(Backtrack);
            return copy;
        }

        public override void Absorb(ChoicePoint fromSubtree) => Backtrack.UnionWith(((Point)fromSubtree).Backtrack);
    }

    /// <summary>An executed step of the current execution, for race detection.</summary>
    private sealed class StepRecord
    {
        public required Point Point;    // the choice point the step was taken at
        public required int Operation;
        public required int Index;      // the step's position in its operation (1-based), its own vector-clock entry
        public required Footprint Footprint;
        public required int[] Clock;    // happens-before clock after the step
        public required bool Releases;  // the footprint has a release (only then can it hand an object over)
    }

    private readonly List<StepRecord> steps = new();
    private readonly Dictionary<int, int[]> operationClocks = new();
    private int[] scratch = new int[16];
    private int clockWidth; // longest clock of this execution: operation ids seen so far + 1
    private readonly StepIndex stepIndex = new(); // steps of this execution by object touched
    private readonly HandOvers handOvers = new(); // for the step being added
    private readonly Func<int, (int, int, Footprint)> stepAt;
    private List<Sleeper> sleep = new();
    private Point? last; // where the running step was chosen
    private bool tookWaits; // the running step waits on something (its scheduling point declared a blocker)

    public override bool NeedsFootprints => true;

    public SleepSetReduction() => stepAt = j => (steps[j].Operation, steps[j].Index, steps[j].Footprint);

    public override ChoiceFilter Fork() => new SleepSetReduction();

    public override void StartExecution()
    {
        sleep = new List<Sleeper>();
        steps.Clear();
        operationClocks.Clear();
        clockWidth = 0;
        stepIndex.Clear();
        last = null;
    }

    public override ChoicePoint Enter(int[] options, int previous) => new Point { Options = options, SleepOnEntry = sleep };

    public override int First(ChoicePoint point)
    {
        var p = (Point)point;
        for (int k = 0; k < p.Options.Length; k++)
            if (!SleepSets.IsAsleep(p.SleepOnEntry, p.Options[k]))
            {
                p.Backtrack.Add(p.Options[k]);
                return k;
            }
        return -1; // every enabled operation sleeps: all continuations were explored in a sibling branch
    }

    public override Verdict Allows(ChoicePoint point, int id)
    {
        var p = (Point)point;
        return SleepSets.IsAsleep(p.SleepOnEntry, id) || !p.Backtrack.Contains(id) ? Verdict.NotNow : Verdict.Explore;
    }

    public override void Took(ChoicePoint point, Operation op)
    {
        last = (Point)point;
        tookWaits = op.Blocker is not null;
        // An operation's first step happens after the step that created it.
        if (operationClocks.ContainsKey(op.Id)) return;
        int creatingStep = op.CreatedAtStep - 1;
        operationClocks[op.Id] = creatingStep >= 0 && creatingStep < steps.Count ? (int[])steps[creatingStep].Clock.Clone() : [];
    }

    public override void StepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
    {
        Point point = last!;
        var footprint = new Footprint(accesses.ToArray(), global);
        point.Explored[op.Id] = footprint;
        DetectRaces(point, op.Id, footprint, op.EnabledByStep - 1);
        sleep = SleepSets.After(point.SleepOnEntry, point.Explored, op.Id, footprint);
    }

    /// <summary>
    /// Finds the steps this one races with (reversibly conflicting, other operation, not happens-before it) and
    /// schedules the reversal: at the choice point before the latest racing step, this operation
    /// must be tried (or every enabled one, if it could not run there). Then advances the clocks.
    /// </summary>
    private void DetectRaces(Point point, int op, Footprint footprint, int enabledBy)
    {
        int[] clock = operationClocks.TryGetValue(op, out int[]? c) ? c : [];
        // The new clock is built in a scratch buffer and copied once: this runs after every step.
        int width = Math.Max(clockWidth, op + 1);
        clockWidth = width;
        if (scratch.Length < width) scratch = new int[width * 2];
        Array.Clear(scratch, 0, width);
        clock.CopyTo(scratch, 0);

        int lastRace = -1;
        // A release this step waits for: what its operation did after taking the object is no race with this step.
        handOvers.Clear();
        bool releases = footprint.Releases;
        void NoteHandOver(int j)
        {
            StepRecord r = steps[j];
            if (r.Operation != op && (r.Releases || releases) && r.Footprint.HandOverKey(footprint) is long key) handOvers.Note(stepIndex, j, key, r.Operation, r.Index, stepAt);
        }
        foreach (int j in stepIndex.Wildcards) NoteHandOver(j);
        foreach (Access a in footprint.Accesses)
            if (stepIndex.TryGet(a.Key, out List<int> touching))
                foreach (int j in touching) NoteHandOver(j);
        // A step that waits may be unable to pass its last race (the up() after the down() it would have to pass first),
        // unless a typed hand-over says which step lets it through and it drew nothing: it backtracks at every race.
        bool waitsUntyped = tookWaits && (footprint.IsWildcard || !handOvers.Any);

        void Consider(int j)
        {
            StepRecord earlier = steps[j];
            if (earlier.Operation == op || !earlier.Footprint.RacesWith(footprint)) return;
            // The step that unblocked this one cannot be reversed with it: not the race to backtrack for.
            bool ordered = j == enabledBy || (earlier.Operation < clock.Length && clock[earlier.Operation] >= earlier.Index)
                || handOvers.Hides(earlier.Operation, earlier.Index);
            if (!ordered && waitsUntyped) BacktrackAt(steps[j].Point, op);
            else if (!ordered && j > lastRace) lastRace = j;
            int[] e = earlier.Clock;
            for (int k = 0; k < e.Length; k++) if (e[k] > scratch[k]) scratch[k] = e[k];
        }

        // Only steps that touched one of this step's objects (or touched everything) can race with it.
        if (footprint.IsWildcard)
        {
            for (int j = steps.Count - 1; j >= 0; j--) Consider(j);
        }
        else
        {
            foreach (int j in stepIndex.Wildcards) Consider(j);
            foreach (Access a in footprint.Accesses)
                if (stepIndex.TryGet(a.Key, out List<int> touching))
                    foreach (int j in touching) Consider(j);
        }
        if (lastRace >= 0) BacktrackAt(steps[lastRace].Point, op);

        int index = (op < clock.Length ? clock[op] : 0) + 1;
        scratch[op] = index;
        int[] updated = scratch.AsSpan(0, width).ToArray();
        operationClocks[op] = updated;
        steps.Add(new StepRecord { Point = point, Operation = op, Index = index, Footprint = footprint, Clock = updated, Releases = releases });
        stepIndex.Add(steps.Count - 1, footprint);
    }

    /// <summary>Operation <paramref name="op"/> must be tried at <paramref name="at"/> (every enabled one, if it could not run there).</summary>
    private static void BacktrackAt(Point at, int op)
    {
        if (Array.IndexOf(at.Options, op) >= 0) at.Backtrack.Add(op);
        else foreach (int id in at.Options) at.Backtrack.Add(id);
    }

    /// <summary>A subtree's exploration reads the sleep set it starts with.</summary>
    public override void AppendKey(StringBuilder key)
    {
        foreach (Sleeper s in sleep.OrderBy(s => s.OperationId))
        {
            key.Append(s.OperationId).Append(s.Footprint.Global ? "g" : "").Append('[');
            foreach (Access a in s.Footprint.Accesses) key.Append(a.Key).Append(a.IsWrite ? 'w' : 'r').Append(a.IsRelease ? "R" : "").Append(',');
            key.Append(']');
        }
    }

    public override string Covers => " (one per equivalence class)";

    public override string CutShort(int executions) => $", {executions} more cut short as equivalent (DPOR + sleep sets)";
}
