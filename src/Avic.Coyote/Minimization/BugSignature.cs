using System.Text.RegularExpressions;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Minimization;

/// <summary>
/// What makes two bugs "the same" for minimization: the same <see cref="BugKind"/> and the same key.
/// The key is the first invariant id in the message (INV-A1, INV-B1-NS) when there is one;
/// otherwise the message up to its first digit or quote, where the parts that vary between
/// schedules of one bug start (counter values, step counts, operation names like 'vcpu1').
/// </summary>
public readonly partial record struct BugSignature(BugKind Kind, string Key)
{
    public static BugSignature Of(BugReport bug)
    {
        ArgumentNullException.ThrowIfNull(bug);
        Match id = InvariantId().Match(bug.Message);
        if (id.Success) return new BugSignature(bug.Kind, id.Value);
        int end = bug.Message.IndexOfAny(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '\'', '"']);
        string key = (end < 0 ? bug.Message : bug.Message[..end]).TrimEnd();
        return new BugSignature(bug.Kind, key);
    }

    public bool Matches(BugReport? bug) => bug is not null && Of(bug) == this;

    public override string ToString() => $"{Kind} \"{Key}\"";

    [GeneratedRegex(@"\bINV-[A-Z0-9]+(?:-[A-Z0-9]+)*")]
    private static partial Regex InvariantId();
}
