using Avic.Coyote.Runtime;
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
}
