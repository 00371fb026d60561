using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

/// <summary>
/// x86-TSO litmus tests for the engine's store buffers (Sewell et al., "x86-TSO", CACM 2010):
/// each test runs a classic two-thread program for many seeded iterations and collects the set of
/// outcomes, then checks that exactly the outcomes x86 allows appear. Every test can fail: a
/// missing relaxed outcome (buffers never used) or a forbidden one (wrong drain order, missing
/// forwarding, fence not draining) both change the set.
/// </summary>
public class TsoTests
{
    private const int Iterations = 400;

    private static HashSet<(int, int)> Outcomes(Func<IActorRuntime, HashSet<(int, int)>, Task> program,
        MemoryModel model, string strategy = "random", ulong seed = 7)
    {
        var seen = new HashSet<(int, int)>();
        TestCase test = TestCase.From("litmus", rt => program(rt, seen), Expectation.Pass, model);
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = Iterations, Strategy = strategy, Seed = seed });
        Assert.Null(report.Bug);
        Assert.Equal(Iterations, report.Iterations);
        return seen;
    }

    /// <summary>SB: T1: x = 1; r1 = y.  T2: y = 1; r2 = x.  With <paramref name="fence"/>, smp_mb() between store and load.</summary>
    private static async Task StoreBuffering(IActorRuntime rt, HashSet<(int, int)> seen, bool fence)
    {
        var x = new SharedVar<int>("x", 0);
        var y = new SharedVar<int>("y", 0);
        int r1 = -1, r2 = -1;
        Operation t1 = rt.Spawn("t1", async () =>
        {
            await x.Write(1);
            if (fence) await rt.Fence();
            r1 = await y.Read();
        });
        Operation t2 = rt.Spawn("t2", async () =>
        {
            await y.Write(1);
            if (fence) await rt.Fence();
            r2 = await x.Read();
        });
        await rt.WhenCompleted(t1);
        await rt.WhenCompleted(t2);
        seen.Add((r1, r2));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void StoreBufferingShowsBothZeroUnderTso(string strategy)
    {
        var seen = Outcomes((rt, s) => StoreBuffering(rt, s, fence: false), MemoryModel.X86Tso, strategy);
        Assert.Contains((0, 0), seen);
        Assert.Equal(new[] { (0, 0), (0, 1), (1, 0), (1, 1) }, seen.Order().ToArray());
    }

    [Fact]
    public void StoreBufferingNeverBothZeroUnderSequentialConsistency()
    {
        var seen = Outcomes((rt, s) => StoreBuffering(rt, s, fence: false), MemoryModel.SequentialConsistency);
        Assert.Equal(new[] { (0, 1), (1, 0), (1, 1) }, seen.Order().ToArray());
    }

    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void FenceBetweenStoreAndLoadForbidsBothZeroUnderTso(string strategy)
    {
        var seen = Outcomes((rt, s) => StoreBuffering(rt, s, fence: true), MemoryModel.X86Tso, strategy);
        Assert.Equal(new[] { (0, 1), (1, 0), (1, 1) }, seen.Order().ToArray());
    }

    [Fact]
    public void LockedExchangeDrainsLikeAFence()
    {
        // SB with xchg as the store (a locked instruction is a full barrier on x86).
        var seen = Outcomes(async (rt, s) =>
        {
            var x = new SharedVar<int>("x", 0);
            var y = new SharedVar<int>("y", 0);
            int r1 = -1, r2 = -1;
            Operation t1 = rt.Spawn("t1", async () => { await x.Exchange(1); r1 = await y.Read(); });
            Operation t2 = rt.Spawn("t2", async () => { await y.Exchange(1); r2 = await x.Read(); });
            await rt.WhenCompleted(t1);
            await rt.WhenCompleted(t2);
            s.Add((r1, r2));
        }, MemoryModel.X86Tso);
        Assert.DoesNotContain((0, 0), seen);
        Assert.Equal(3, seen.Count);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void MessagePassingNeverSeesFlagWithoutDataUnderTso(string strategy)
    {
        // MP: T1: data = 1; flag = 1.  T2: r1 = flag; r2 = data.  TSO keeps stores in order (FIFO buffer).
        var seen = Outcomes(async (rt, s) =>
        {
            var data = new SharedVar<int>("data", 0);
            var flag = new SharedVar<int>("flag", 0);
            int r1 = -1, r2 = -1;
            Operation t1 = rt.Spawn("t1", async () => { await data.Write(1); await flag.Write(1); });
            Operation t2 = rt.Spawn("t2", async () => { r1 = await flag.Read(); r2 = await data.Read(); });
            await rt.WhenCompleted(t1);
            await rt.WhenCompleted(t2);
            s.Add((r1, r2));
        }, MemoryModel.X86Tso, strategy);
        Assert.DoesNotContain((1, 0), seen);
        Assert.Equal(new[] { (0, 0), (0, 1), (1, 1) }, seen.Order().ToArray());
    }

    [Fact]
    public void ThreadReadsItsOwnBufferedStore()
    {
        // Forwarding: T1 always reads back its own store, even while memory (what T2 reads) still has 0.
        // Outcome = (T1's read, whether memory still held 0 when T1 read).
        var seen = Outcomes(async (rt, s) =>
        {
            var x = new SharedVar<int>("x", 0);
            int own = -1, memoryAtRead = -1, other = -1;
            Operation t1 = rt.Spawn("t1", async () =>
            {
                await x.Write(1);
                own = await x.Read();
                memoryAtRead = x.Peek();
            });
            Operation t2 = rt.Spawn("t2", async () => { other = await x.Read(); });
            await rt.WhenCompleted(t1);
            await rt.WhenCompleted(t2);
            s.Add((own, memoryAtRead));
            if (own == 1 && memoryAtRead == 0 && other == 0) s.Add((-1, -1)); // T2 saw 0 while T1 saw 1
        }, MemoryModel.X86Tso);
        Assert.DoesNotContain((0, 0), seen);
        Assert.DoesNotContain((0, 1), seen);
        Assert.Contains((1, 0), seen); // forwarded from the buffer
        Assert.Contains((1, 1), seen); // already flushed
        Assert.Contains((-1, -1), seen);
    }

    [Fact]
    public void StoresReachMemoryBeforeTheExecutionEnds()
    {
        // Quiescence drains every buffer: a store is never lost because its thread finished first.
        var seen = new HashSet<(int, int)>();
        SharedVar<int>? x = null;
        TestCase test = TestCase.From("drain", async rt =>
        {
            x = new SharedVar<int>("x", 0);
            Operation t1 = rt.Spawn("t1", async () => await x.Write(1));
            await rt.WhenCompleted(t1);
        }, Expectation.Pass, MemoryModel.X86Tso);
        var strategy = new global::Avic.Coyote.Strategies.RandomStrategy(3);
        var runtime = new ControlledRuntime();
        for (int i = 0; i < 50; i++)
        {
            strategy.PrepareIteration(i);
            Assert.Equal(ExecutionOutcome.Quiescent, runtime.RunExecution(test.Entry, strategy, 1000, MemoryModel.X86Tso, 0, tracing: false));
            seen.Add((x!.Peek(), 0));
        }
        Assert.Equal(new[] { (1, 0) }, seen.ToArray());
    }
}
