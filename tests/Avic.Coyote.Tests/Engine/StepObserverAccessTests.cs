using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Tests.Engine;

/// <summary>
/// The runtime works out a step's access keys only when some observer listens (<see cref="StepObserver.IgnoresAccesses"/>):
/// alone, an observer that ignores them hears none; one that listens hears them all, even beside one that ignores them.
/// </summary>
public sealed class StepObserverAccessTests
{
    private sealed class First : ISchedulingStrategy
    {
        public string Name => "first";
        public bool PrepareIteration(int iteration) => true;
        public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) => 0;
        public bool NextBoolean(int step) => false;
        public int NextInteger(int maxValue, int step) => 0;
    }

    private sealed class Counting(bool ignores) : StepObserver
    {
        public int Accesses;
        public int Steps;
        public override bool IgnoresAccesses => ignores;
        public override void OnStepStarting(Operation op) => Steps++;
        public override void OnAccess(Access access) => Accesses++;
    }

    // Spawns (an access to the operation table each) and peeks (an access beyond the step's declared one each).
    private static async Task Readers(IActorRuntime runtime)
    {
        var x = new SharedVar<int>("x", 0);
        Operation a = runtime.Spawn("a", async () => { await x.Read(); x.Peek(); x.Peek(); });
        Operation b = runtime.Spawn("b", async () => { await x.Read(); x.Peek(); });
        await runtime.WhenCompleted(a);
        await runtime.WhenCompleted(b);
    }

    private static void Run(params StepObserver[] observers)
    {
        var runtime = new ControlledRuntime();
        foreach (StepObserver o in observers) runtime.Extensions.AddObserver(o);
        runtime.RunExecution(Readers, new First(), 1000, MemoryModel.SequentialConsistency, 0, tracing: false);
    }

    [Fact]
    public void AnObserverThatIgnoresAccessesHearsNone()
    {
        var listening = new Counting(ignores: false);
        Run(listening);
        var ignoring = new Counting(ignores: true);
        Run(ignoring);
        Assert.True(listening.Accesses > 0);
        Assert.Equal(0, ignoring.Accesses);
        Assert.Equal(listening.Steps, ignoring.Steps);
    }

    [Fact]
    public void OneListeningObserverHearsEveryAccess()
    {
        var alone = new Counting(ignores: false);
        Run(alone);
        var ignoring = new Counting(ignores: true);
        var listening = new Counting(ignores: false);
        Run(ignoring, listening);
        Assert.True(alone.Accesses > 0);
        Assert.Equal(alone.Accesses, listening.Accesses);
    }
}
