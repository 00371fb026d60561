using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Samples;

/// <summary>
/// The tutorial example: two threads increment a shared counter. With a plain read-then-write the
/// increments can interleave and one is lost; holding a mutex around the increment fixes it.
/// </summary>
public static class LostUpdate
{
    private const int Workers = 2;

    [Test(Name = "Samples.LostUpdate", Expect = Expectation.AssertionFailure, Invariant = "LOST-UPDATE",
        Description = "two workers do counter = counter + 1 without a lock; an increment is lost")]
    public static Task Racy(IActorRuntime runtime) => Run(runtime, locked: false);

    [Test(Name = "Samples.LostUpdateFixed",
        Description = "the same increments under a mutex; the counter always ends at 2")]
    public static Task Fixed(IActorRuntime runtime) => Run(runtime, locked: true);

    private static async Task Run(IActorRuntime runtime, bool locked)
    {
        var counter = new SharedVar<int>("counter", 0);
        var mutex = new Mutex("counter_lock");
        var workers = new Operation[Workers];
        for (int i = 0; i < Workers; i++)
        {
            workers[i] = runtime.Spawn($"worker{i + 1}", async () =>
            {
                if (locked) await mutex.Lock();
                int value = await counter.Read();
                await counter.Write(value + 1);
                if (locked) await mutex.Unlock();
            });
        }
        foreach (Operation worker in workers) await runtime.WhenCompleted(worker);
        Specification.Assert(counter.Peek() == Workers, "LOST-UPDATE", $"lost update: counter is {counter.Peek()} after {Workers} increments");
    }
}
