using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using BenchmarkDotNet.Attributes;

namespace Avic.Coyote.Bench.Engine;

/// <summary>
/// Shows that the engine allocates nothing per scheduling step: one execution of two operations
/// doing <see cref="Increments"/> locked increments each (4 steps an increment). If a step allocated,
/// the Allocated column would grow a hundredfold from 1,000 to 100,000 increments; it stays at the
/// per-execution cost (operations, closures, the async state machines of the two bodies).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class StepAllocationBenchmarks
{
    [Params(1_000, 100_000)]
    public int Increments { get; set; }

    private readonly ControlledRuntime runtime = new();
    private ISchedulingStrategy strategy = null!;
    private Func<IActorRuntime, Task> test = null!;
    private int iteration;

    [GlobalSetup]
    public void Setup()
    {
        strategy = new RandomStrategy(1);
        int n = Increments;
        test = rt =>
        {
            var counter = new SharedVar<int>("counter");
            var mutex = new Avic.Coyote.Sync.Mutex("lock");
            for (int w = 0; w < 2; w++)
            {
                rt.Spawn($"w{w}", async () =>
                {
                    for (int i = 0; i < n; i++)
                    {
                        await mutex.Lock();
                        int v = await counter.Read();
                        await counter.Write(v + 1);
                        await mutex.Unlock();
                    }
                });
            }
            return Task.CompletedTask;
        };
        Execution(); // grows the decision log to its steady size
    }

    /// <summary>One execution; returns its steps so nothing is optimised away.</summary>
    [Benchmark]
    public int Execution()
    {
        strategy.PrepareIteration(iteration++);
        runtime.RunExecution(test, strategy, int.MaxValue, MemoryModel.SequentialConsistency, 0, tracing: false);
        return runtime.Step;
    }
}
