using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Minimization;

/// <summary>Small racy programs whose minimal failing schedules are known by hand.</summary>
internal static class MinimizationToys
{
    /// <summary>
    /// <paramref name="workers"/> threads do counter = counter + 1 (read; write) while
    /// <paramref name="noise"/> busy threads each do <paramref name="noiseWrites"/> writes to their own
    /// variable. The lost update needs exactly one preemption (a worker preempted between its read and write).
    /// </summary>
    public static TestCase LostUpdate(int workers, int noise = 0, int noiseWrites = 0) =>
        TestCase.From($"Toy.LostUpdate{workers}x{noise}x{noiseWrites}", async rt =>
        {
            var counter = new SharedVar<int>("counter", 0);
            var ops = new Operation[workers];
            for (int i = 0; i < workers; i++)
                ops[i] = rt.Spawn($"worker{i + 1}", async () =>
                {
                    int value = await counter.Read();
                    await counter.Write(value + 1);
                });
            for (int n = 0; n < noise; n++)
            {
                var busy = new SharedVar<int>($"busy{n + 1}", 0);
                rt.Spawn($"noise{n + 1}", async () =>
                {
                    for (int k = 1; k <= noiseWrites; k++) await busy.Write(k);
                });
            }
            foreach (Operation op in ops) await rt.WhenCompleted(op);
            Specification.Assert(counter.Peek() == workers, $"lost update: counter is {counter.Peek()} after {workers} increments");
        }, Expectation.AssertionFailure);

    /// <summary>
    /// Every schedule fails, in one of two ways: INV-T2 when no increment is lost (what a
    /// non-preemptive schedule gives) and INV-T1 when one is (needs a preemption). A minimizer that
    /// accepted "any bug" would turn an INV-T1 schedule into an INV-T2 one.
    /// </summary>
    public static TestCase TwoInvariants() =>
        TestCase.From("Toy.TwoInvariants", async rt =>
        {
            var counter = new SharedVar<int>("counter", 0);
            var a = rt.Spawn("worker1", async () => await counter.Write(await counter.Read() + 1));
            var b = rt.Spawn("worker2", async () => await counter.Write(await counter.Read() + 1));
            await rt.WhenCompleted(a);
            await rt.WhenCompleted(b);
            Specification.Assert(counter.Peek() != 2, "INV-T2", "INV-T2: both increments landed");
            Specification.Assert(false, "INV-T1", "INV-T1: an increment was lost");
        }, Expectation.AssertionFailure);

    /// <summary>The lost update happens only when a random choice enables the second worker's increment.</summary>
    public static TestCase LostUpdateBehindChoice() =>
        TestCase.From("Toy.LostUpdateBehindChoice", async rt =>
        {
            var counter = new SharedVar<int>("counter", 0);
            bool both = rt.RandomBoolean();
            var a = rt.Spawn("worker1", async () => await counter.Write(await counter.Read() + 1));
            var b = rt.Spawn("worker2", async () =>
            {
                await rt.Interleave("think");
                if (both) await counter.Write(await counter.Read() + 1);
            });
            await rt.WhenCompleted(a);
            await rt.WhenCompleted(b);
            Specification.Assert(counter.Peek() == (both ? 2 : 1), $"lost update: counter is {counter.Peek()}");
        }, Expectation.AssertionFailure);

    /// <summary>Finds a failing schedule with the random strategy (deterministic for a seed).</summary>
    public static ScheduleFile FindBug(TestCase test, ulong seed, int iterations = 2000)
    {
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "random", Iterations = iterations, Seed = seed, MaxSteps = 5000 });
        Assert.NotNull(report.Schedule);
        return report.Schedule!;
    }
}
