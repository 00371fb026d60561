using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>What a test is expected to give: no bug, or a bug of a given kind.</summary>
public enum Expectation
{
    /// <summary>No bug in any explored schedule.</summary>
    Pass,
    AssertionFailure,
    UnhandledException,
    Deadlock,
    Liveness,
    UncontrolledConcurrency,
    UnhandledEvent,
    /// <summary>Exploratory: no verdict is expected; the run reports what it finds.</summary>
    Explore,
}

/// <summary>
/// Marks a static method as a systematic test (Coyote's [Test]). The method takes an
/// <see cref="Runtime.IActorRuntime"/> and returns void or Task; it is the body of the first operation.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TestAttribute : Attribute
{
    /// <summary>The test's name on the command line; defaults to Class.Method.</summary>
    public string? Name { get; set; }

    /// <summary>One line saying what the test models and checks.</summary>
    public string Description { get; set; } = "";

    /// <summary>The verdict the test must give (tests and `coyote check` hold the engine to it).</summary>
    public Expectation Expect { get; set; } = Expectation.Pass;

    /// <summary>For a bug expectation: the invariant id the bug must carry, as declared where it is
    /// asserted (e.g. "INV-A1" for <c>Specification.Assert(cond, "INV-A1", message)</c>).</summary>
    public string? Invariant { get; set; }

    /// <summary>The memory model this test runs under.</summary>
    public MemoryModel MemoryModel { get; set; } = MemoryModel.SequentialConsistency;

    /// <summary>Overrides the step bound when non-zero (for tests whose executions are long by nature).</summary>
    public int MaxSteps { get; set; }

    /// <summary>The test's own iteration budget, used when it is larger than the configured one: a bug
    /// variant whose bug needs more executions than the default to be found on every seed.</summary>
    public int Iterations { get; set; }
}
