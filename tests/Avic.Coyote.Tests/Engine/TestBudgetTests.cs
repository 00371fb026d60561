using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

/// <summary>A test's own iteration budget ([Test(Iterations = N)]): used when larger than the configured one.</summary>
public class TestBudgetTests
{
    private static TestCase Clean(int iterations) => new()
    {
        Name = "Budget.Clean", Description = "", Expect = Expectation.Pass, AssemblyName = "(inline)", Iterations = iterations,
        Entry = async rt =>
        {
            var x = new SharedVar<int>((ControlledRuntime)rt, "x", 0);
            await x.Write(1);
        },
    };

    [Theory]
    [InlineData(0, 10, 10)]      // no budget of its own: the configured one
    [InlineData(50, 10, 50)]     // its own is larger: it wins
    [InlineData(50, 80, 80)]     // the configured one is larger: it wins
    public void TheLargerBudgetIsExplored(int own, int configured, int explored)
    {
        TestReport report = TestingEngine.Run(Clean(own), new Configuration { Iterations = configured, Strategy = "random", Seed = 1 });
        Assert.Null(report.Bug);
        Assert.Equal(explored, report.Iterations);
    }
}
