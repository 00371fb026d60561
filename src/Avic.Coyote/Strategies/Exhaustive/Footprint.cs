using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>What one step touched (recorded by the runtime), for the exhaustive strategies' reduction.
/// <paramref name="Global"/>: the step made a nondeterministic choice and depends on every other step.</summary>
internal readonly record struct Footprint(Access[] Accesses, bool Global)
{
    /// <summary>The steps do not commute (a shared object, one writes it).</summary>
    public bool ConflictsWith(Footprint other) =>
        Global || other.Global || Access.Conflict(Accesses, other.Accesses);

    /// <summary>The conflict can be reversed (a lock release never races; see <see cref="Access.Race"/>).</summary>
    public bool RacesWith(Footprint other) =>
        Global || other.Global || Access.Race(Accesses, other.Accesses);

    /// <summary>A step that conflicts with every other (a random choice, or an object without a stable id).</summary>
    public bool IsWildcard
    {
        get
        {
            if (Global) return true;
            foreach (Access a in Accesses) if (a.Key == Access.Unknown) return true;
            return false;
        }
    }
}

/// <summary>An operation that sleeps at a choice point: its step from there, already explored, is
/// independent of everything run since; running it now would only repeat an explored class.</summary>
internal readonly record struct Sleeper(int OperationId, Footprint Footprint);
