using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Toys;

/// <summary>The toy [Test]s of this assembly, found the way the CLI finds tests.</summary>
public static class ToyCatalog
{
    public static readonly IReadOnlyList<TestCase> All = TestCatalog.FromAssembly(typeof(ToyCatalog).Assembly);

    public static TestCase Get(string name) => All.Single(t => t.Name == name);

    /// <summary>Runs a toy with a small, fixed configuration unless told otherwise.</summary>
    public static TestReport Run(string name, string strategy = "random", int iterations = 1000, ulong seed = 7,
        Func<Configuration, Configuration>? tweak = null)
    {
        var config = new Configuration { Iterations = iterations, MaxSteps = 500, Strategy = strategy, Seed = seed };
        return TestingEngine.Run(Get(name), tweak is null ? config : tweak(config));
    }
}
