using Avic.Coyote.Runtime;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>
/// When two bugs found by the hunt are "the same": same test, same <see cref="BugKind"/>, same invariant
/// id (declared where the bug was asserted; null when the check names none) and the same role of the
/// failing operation: its name without a trailing index ('vcpu0' and 'vcpu1' are symmetric operations
/// failing the same check). The message is never read, so its varying numbers (counter values,
/// dest=-1 vs dest=0) cannot split one bug in two; the step is not part of the key either.
/// </summary>
public readonly record struct BugKey(string Test, BugKind Kind, string? Invariant, string Operation)
{
    public static BugKey Of(string test, BugReport bug) =>
        new(test, bug.Kind, bug.Invariant, Role(bug.Operation));

    /// <summary>An operation's name without its trailing instance number; "-" for bugs of the whole execution.</summary>
    public static string Role(string? operation) =>
        operation is null ? "-" : operation.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') is { Length: > 0 } role ? role : operation;

    /// <summary>The key without the test, as stored in report.json: "Kind INV-A1 @ operation".</summary>
    public string Signature => $"{Kind}{(Invariant is null ? "" : " " + Invariant)} @ {Operation}";
}
