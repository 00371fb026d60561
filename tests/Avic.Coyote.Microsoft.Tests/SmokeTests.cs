using Avic.Coyote.Microsoft;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Microsoft.Tests;

public class SmokeTests
{
    private static TestCase Find(string name) =>
        TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly).Single(t => t.Name == name);

    [Theory]
    [InlineData("Samples.LostUpdate")]
    [InlineData("Samples.LostUpdateFixed")]
    public void Smoke(string name)
    {
        var r = CoyoteTestRunner.Run(Find(name), new CoyoteRunSettings { Iterations = 200, Strategy = "prioritization", Seed = 1 });
        Assert.True(r.MeetsExpectation, $"{r.Iterations} it, {r.TotalSteps} steps, {r.Elapsed}, bug={r.Bug} coyote={r.CoyoteBugText}");
    }
}
