using Avic.Coyote.Runtime;

namespace Avic.Coyote.Testing;

/// <summary>
/// What makes two bugs "the same" for minimization and replay: the same <see cref="BugKind"/> and
/// the same invariant id, as declared where the bug was asserted (<see cref="BugReport.Invariant"/>).
/// The message is never read: its numbers and names vary between schedules of one bug. A bug whose
/// check declares no invariant is identified by its kind alone.
/// </summary>
public readonly record struct BugSignature(BugKind Kind, string? Invariant)
{
    public static BugSignature Of(BugReport bug)
    {
        ArgumentNullException.ThrowIfNull(bug);
        return new BugSignature(bug.Kind, bug.Invariant);
    }

    public bool Matches(BugReport? bug) => bug is not null && Of(bug) == this;

    public override string ToString() => Invariant is null ? Kind.ToString() : $"{Kind} {Invariant}";
}
