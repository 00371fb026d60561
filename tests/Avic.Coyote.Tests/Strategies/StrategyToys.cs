using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>Small programs the strategy tests explore.</summary>
internal static class StrategyToys
{
    /// <summary>Lost update: <paramref name="workers"/> read-then-write increments (under a mutex when
    /// <paramref name="locked"/>); the main operation joins them and peeks at the counter.</summary>
    public static TestCase Counter(int workers, bool locked) => TestCase.From(locked ? "counter-locked" : "counter-racy", async rt =>
    {
        var counter = new SharedVar<int>("counter");
        var mutex = new Mutex("lock");
        var ops = new Operation[workers];
        for (int i = 0; i < ops.Length; i++)
        {
            ops[i] = rt.Spawn($"w{i}", async () =>
            {
                if (locked) await mutex.Lock();
                int v = await counter.Read();
                await counter.Write(v + 1);
                if (locked) await mutex.Unlock();
            });
        }
        foreach (Operation w in ops) await rt.WhenCompleted(w);
        rt.Assert(counter.Peek() == ops.Length, "lost update");
    });
}
