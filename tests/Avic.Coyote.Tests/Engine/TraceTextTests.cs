using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

/// <summary>Interpolated trace lines are formatted only while tracing (the replay that writes the trace).</summary>
public class TraceTextTests
{
    private sealed class Counted
    {
        public int Formatted;
        public override string ToString() => (++Formatted).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void HolesAreNotEvaluatedWhileExploringButAppearInTheTrace()
    {
        var counted = new Counted();
        TestCase test = TestCase.From("log", async rt =>
        {
            rt.Log($"value {counted}");
            await rt.Interleave("step");
            rt.Assert(false, "stop");
        });

        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 10 });

        Assert.Equal(1, counted.Formatted); // only the replay that builds the trace formatted it
        Assert.Contains(report.Trace!, e => e.Text == "value 1");
    }

    [Fact]
    public void AnAssertionsInterpolatedMessageIsFormattedOnlyWhenItFails()
    {
        var counted = new Counted();
        TestCase test = TestCase.From("assert", async rt =>
        {
            await rt.Interleave("step");
            Specification.Assert(true, "HOLDS", $"never shown {counted}");
            Specification.Assert(counted.Formatted == 0, $"holes of a holding assertion were evaluated {counted}");
            Specification.Assert(false, "FAILS", $"counter at {counted}");
        });

        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 10 });

        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Equal("FAILS", report.Bug?.Invariant);
        // The first execution's failing assertion formatted it once; the replay that builds the trace once more.
        Assert.StartsWith("counter at ", report.Bug?.Message);
        Assert.Equal(2, counted.Formatted);
    }
}
