// Runs a small inline scenario under the engine for the kernel-primitive tests.
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Kernel;

internal static class KernelHarness
{
    /// <summary>Explores <paramref name="body"/> and returns the report (first bug or none).</summary>
    public static TestReport Explore(Func<ControlledRuntime, Task> body, string strategy = "random", int iterations = 200, ulong seed = 7) =>
        TestingEngine.Run(TestCase.From("Kernel.Inline", rt => body((ControlledRuntime)rt)),
            new Configuration { Iterations = iterations, Strategy = strategy, Seed = seed, MaxSteps = 2000 });
}
