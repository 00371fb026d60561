using System.Text;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>One choice point on the depth-first walk's path: a scheduling choice among <see cref="Options"/>, or a
/// nondeterministic value below <see cref="ValueCount"/>. A filter that keeps state per choice point extends it.</summary>
internal class ChoicePoint
{
    public bool IsValue;
    /// <summary>Operation ids enabled here (scheduling point).</summary>
    public int[] Options = [];
    /// <summary>Number of values (value point).</summary>
    public int ValueCount;
    public int Chosen;
    /// <summary>Options explored, or ruled out for good, at this scheduling point.</summary>
    public readonly HashSet<int> Tried = new();

    /// <summary>A copy for a forked search; <paramref name="subtree"/>: the copy is above the fork's root, which
    /// starts what it may add there empty (see <see cref="ChoiceFilter.Absorb"/>).</summary>
    public virtual ChoicePoint Copy(bool subtree) => CopyTo(new ChoicePoint());

    protected T CopyTo<T>(T copy) where T : ChoicePoint
    {
        (copy.IsValue, copy.Options, copy.ValueCount, copy.Chosen) = (IsValue, Options, ValueCount, Chosen);
        copy.Tried.UnionWith(Tried);
        return copy;
    }

    /// <summary>Takes in what a subtree search added to its copy of this point.</summary>
    public virtual void Absorb(ChoicePoint fromSubtree) { }
}

/// <summary>What a filter says about exploring an option when the walk backtracks to a scheduling point.</summary>
internal enum Verdict
{
    Explore,
    /// <summary>Not now; the rest of the tree may still make it worth exploring (a reduction's backtrack set grows).</summary>
    NotNow,
    /// <summary>Never: the walk marks it tried (a preemption bound's cut, counted once).</summary>
    Never,
}

/// <summary>
/// A rule the depth-first walk (<see cref="DfsStrategy"/>) consults at each scheduling choice point: which enabled
/// operations it explores there, and which first. <see cref="None"/> explores every schedule; sleep-set reduction
/// (<see cref="SleepSetReduction"/>) and the preemption bound (<see cref="BoundedChoices"/>) each narrow the tree.
/// A walk takes one filter and there is no combinator on purpose: those two do not compose soundly (a reduction keeps
/// one schedule per class, which may need more preemptions than another member), so the pair cannot be built.
/// </summary>
internal class ChoiceFilter
{
    /// <summary>The plain walk: every option at every choice point.</summary>
    public static readonly ChoiceFilter None = new();

    protected ChoiceFilter() { }

    /// <summary>True when the filter needs each step's footprint (<see cref="StepCompleted"/>).</summary>
    public virtual bool NeedsFootprints => false;

    /// <summary>True when the filter left out schedules it must not claim covered (the search is then no proof).</summary>
    public virtual bool CutSchedules => false;

    /// <summary>A fresh filter with the same parameters, for a forked search (the stateless <see cref="None"/> is its own).</summary>
    public virtual ChoiceFilter Fork() => this;

    /// <summary>An execution starts again from the root.</summary>
    public virtual void StartExecution() { }

    /// <summary>The point for a scheduling choice first reached with <paramref name="options"/> enabled after a step of
    /// <paramref name="previous"/> (-1: none).</summary>
    public virtual ChoicePoint Enter(int[] options, int previous) => new() { Options = options };

    /// <summary>The option (an index into the point's options) to explore first at a new point; -1 when none may run
    /// (the execution is cut short as a repeat of explored ones).</summary>
    public virtual int First(ChoicePoint point) => 0;

    /// <summary>Whether the walk may explore <paramref name="id"/> when it backtracks to <paramref name="point"/>.</summary>
    public virtual Verdict Allows(ChoicePoint point, int id) => Verdict.Explore;

    /// <summary>The running execution takes <paramref name="op"/> at <paramref name="point"/>.</summary>
    public virtual void Took(ChoicePoint point, Operation op) { }

    /// <summary>The step just taken (footprints only: <see cref="NeedsFootprints"/>).</summary>
    public virtual void StepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) { }

    /// <summary>Appends what a subtree starting at the next new point reads of this filter's state besides the path.</summary>
    public virtual void AppendKey(StringBuilder key) { }

    /// <summary>Takes in a finished subtree search's filter (its counts).</summary>
    public virtual void Absorb(ChoiceFilter fromSubtree) { }

    /// <summary>For reports: what one complete execution stands for, after "all N schedules".</summary>
    public virtual string Covers => "";

    /// <summary>For reports: the executions cut short (<see cref="First"/> = -1), after the complete ones.</summary>
    public virtual string CutShort(int executions) => "";

    /// <summary>For reports: the coverage of a walk that explored its tree while <see cref="CutSchedules"/>.</summary>
    public virtual string Incomplete(int executions) => "";
}
