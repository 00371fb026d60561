using Avic.Coyote.Testing;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Tests.Minimization;

public sealed class BugSignatureTests
{
    private static BugSignature S(string message, string? invariant, BugKind kind = BugKind.AssertionFailure) =>
        BugSignature.Of(new BugReport(kind, message, 10, "vcpu1", invariant));

    [Fact]
    public void Numbers_and_names_in_the_message_do_not_matter()
    {
        Assert.Equal(S("lost update: counter is 1 after 2 increments", "LOST-UPDATE"), S("lost update: counter is 2 after 3 increments", "LOST-UPDATE"));
        Assert.Equal(S("INV-A7: dest=-1", "INV-A7"), S("INV-A7: dest=0", "INV-A7"));
    }

    [Fact]
    public void The_declared_invariant_decides_not_the_message()
    {
        Assert.Equal("INV-A1", S("AvicMonitor: INV-A2: text naming another id", "INV-A1").Invariant);
        Assert.Equal(S("M: INV-A1: vcpu2 x", "INV-A1"), S("entirely different words", "INV-A1"));
        Assert.NotEqual(S("same text", "INV-A1"), S("same text", "INV-A2"));
        Assert.NotEqual(S("INV-B1: x", "INV-B1"), S("INV-B1: x", "INV-B1-NS"));
        Assert.NotEqual(S("INV-A1: x", "INV-A1"), S("INV-A1: x", null)); // undeclared: kind alone
    }

    [Fact]
    public void The_kind_always_matters()
    {
        Assert.NotEqual(S("x", "INV-A1", BugKind.AssertionFailure), S("x", "INV-A1", BugKind.Liveness));
        Assert.False(S("x", null).Matches(null));
    }
}
