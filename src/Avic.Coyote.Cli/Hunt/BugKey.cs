using System.Text.RegularExpressions;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>
/// When two bugs found by the hunt are "the same": same test, same <see cref="BugKind"/>, and the same
/// failing-step signature — the bug message and the failing operation's name with their varying
/// numbers replaced by '#'. Varying numbers are what differ between schedules of one bug: standalone
/// numbers (step counts, counter values), 0x-hex values, and the index at the end of a lower-case
/// name ('vcpu0' vs 'vcpu1': symmetric operations failing the same check). Invariant ids (INV-A4,
/// INV-B1-NS) and names such as x2APIC keep their digits. The step is not part of the key: the same
/// bug at step 40 and at step 90 is one bug.
/// </summary>
public readonly partial record struct BugKey(string Test, BugKind Kind, string Operation, string Message)
{
    public static BugKey Of(string test, BugReport bug) =>
        new(test, bug.Kind, Normalize(bug.Operation ?? "-"), Normalize(bug.Message));

    public static string Normalize(string text) =>
        Varying().Replace(text, m => m.Groups["id"].Success ? m.Value : "#");

    /// <summary>The key without the test, as stored in report.json: "Kind @ operation: message".</summary>
    public string Signature => $"{Kind} @ {Operation}: {Message}";

    // First alternative: an invariant id, kept as is. Then the varying numbers.
    [GeneratedRegex(@"(?<id>\bINV-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)|\b0[xX][0-9a-fA-F]+\b|\b\d+\b|(?<=[a-z_])\d+\b")]
    private static partial Regex Varying();
}
