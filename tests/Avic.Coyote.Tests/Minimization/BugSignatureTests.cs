using Avic.Coyote.Minimization;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Tests.Minimization;

public sealed class BugSignatureTests
{
    private static BugSignature S(string message, BugKind kind = BugKind.AssertionFailure) =>
        BugSignature.Of(new BugReport(kind, message, 10, "vcpu1"));

    [Fact]
    public void Numbers_and_names_after_the_stable_text_do_not_matter()
    {
        Assert.Equal(S("lost update: counter is 1 after 2 increments"), S("lost update: counter is 2 after 3 increments"));
        Assert.Equal("lost update: counter is", S("lost update: counter is 1").Key);
        Assert.Equal(S("unhandled NullReferenceException in 'vcpu1': x"), S("unhandled NullReferenceException in 'vcpu2': y"));
    }

    [Fact]
    public void Invariant_ids_decide_when_present()
    {
        Assert.Equal("INV-A1", S("AvicMonitor: INV-A1: vcpu2 misses the IPI").Key);
        Assert.Equal(S("M: INV-A1: vcpu2 x"), S("M: INV-A1 vcpu1 y"));
        Assert.NotEqual(S("M: INV-A1: x"), S("M: INV-A2: x"));
        Assert.NotEqual(S("M: INV-B1: x"), S("M: INV-B1-NS: x"));
    }

    [Fact]
    public void The_kind_always_matters()
    {
        Assert.NotEqual(S("INV-A1", BugKind.AssertionFailure), S("INV-A1", BugKind.Liveness));
        Assert.False(S("x").Matches(null));
    }
}
