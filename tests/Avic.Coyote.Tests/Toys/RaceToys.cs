using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Toys;

/// <summary>Small programs with a known race, and their fixed twins. They are [Test]s so the CLI tests can load this assembly too.</summary>
public static class RaceToys
{
    [Test(Name = "Toys.LostUpdate", Expect = Expectation.AssertionFailure, Invariant = "LOST-UPDATE",
        Description = "two workers increment a shared counter without a lock")]
    public static Task LostUpdate(IActorRuntime rt) => Increment(rt, locked: false);

    [Test(Name = "Toys.LostUpdateFixed", Description = "the increments under a mutex")]
    public static Task LostUpdateFixed(IActorRuntime rt) => Increment(rt, locked: true);

    private static async Task Increment(IActorRuntime rt, bool locked)
    {
        var counter = new SharedVar<int>("counter", 0);
        var mutex = new Mutex("lock");
        Operation[] workers = new Operation[2];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = rt.Spawn($"worker{i + 1}", async () =>
            {
                if (locked) await mutex.Lock();
                int v = await counter.Read();
                await counter.Write(v + 1);
                if (locked) await mutex.Unlock();
            });
        }
        foreach (Operation w in workers) await rt.WhenCompleted(w);
        Specification.Assert(counter.Peek() == 2, "LOST-UPDATE", $"lost update: counter is {counter.Peek()}");
    }

    [Test(Name = "Toys.AbbaDeadlock", Expect = Expectation.Deadlock,
        Description = "two threads take locks A and B in opposite orders")]
    public static Task AbbaDeadlock(IActorRuntime rt) => TwoLocks(rt, sameOrder: false);

    [Test(Name = "Toys.AbbaDeadlockFixed", Description = "both threads take A before B")]
    public static Task AbbaDeadlockFixed(IActorRuntime rt) => TwoLocks(rt, sameOrder: true);

    private static async Task TwoLocks(IActorRuntime rt, bool sameOrder)
    {
        var a = new Mutex("A");
        var b = new Mutex("B");
        Operation t1 = rt.Spawn("t1", () => LockBoth(a, b));
        Operation t2 = rt.Spawn("t2", () => sameOrder ? LockBoth(a, b) : LockBoth(b, a));
        await rt.WhenCompleted(t1);
        await rt.WhenCompleted(t2);
    }

    private static async Task LockBoth(Mutex first, Mutex second)
    {
        await first.Lock();
        await second.Lock();
        await second.Unlock();
        await first.Unlock();
    }

    /// <summary>Fails only for one value of a nondeterministic integer and boolean: shows they are explored and recorded.</summary>
    [Test(Name = "Toys.RandomChoice", Expect = Expectation.AssertionFailure, Invariant = "UNLUCKY",
        Description = "fails when RandomInteger(4) gives 3 and RandomBoolean() gives true")]
    public static async Task RandomChoice(IActorRuntime rt)
    {
        int n = rt.RandomInteger(4);
        await rt.Interleave("after RandomInteger");
        bool b = rt.RandomBoolean();
        rt.Assert(!(n == 3 && b), "UNLUCKY", $"unlucky: {n} and {b}");
    }

    /// <summary>Never ends: spins forever (a test of the step bound).</summary>
    [Test(Name = "Toys.Spin", Expect = Expectation.Pass, MaxSteps = 200,
        Description = "an operation that never stops; the step bound cuts it, which is not a bug")]
    public static async Task Spin(IActorRuntime rt)
    {
        var flag = new SharedVar<bool>("flag", false);
        while (!await flag.Read()) { }
    }

    // The README's "Writing a test" example, kept here so that it compiles and finds its bug.
    [Test(Name = "Toys.CheckThenAct", Expect = Expectation.AssertionFailure, Invariant = "INV-1",
        Description = "two vCPUs claim a slot with check-then-act; both can win")]
    public static async Task CheckThenAct(IActorRuntime rt)
    {
        var owner = new SharedVar<int>("owner", 0);
        var claims = new SharedVar<int>("claims", 0);
        var vcpus = new Operation[2];
        for (int i = 0; i < vcpus.Length; i++)
        {
            int id = i + 1;
            vcpus[i] = rt.Spawn($"vcpu{id}", async () =>
            {
                if (await owner.Read() == 0)
                {
                    await owner.Write(id);
                    await claims.Write(await claims.Read() + 1);
                }
            });
        }
        foreach (Operation v in vcpus) await rt.WhenCompleted(v);
        Specification.Assert(claims.Peek() == 1, "INV-1", $"INV-1: {claims.Peek()} vCPUs own the slot");
    }
}
