using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>
/// Exhaustive search on an rw_semaphore: a writer that starts late must still be tried before the reader's
/// down_read. The reader's up_read conflicts with the down_write but cannot be reversed with it (the reader
/// holds the semaphore); taking that pair for the race hid the reversible one (down_read vs down_write), so
/// `-s dfs` never ran the writer first (the Memslot.MA13.onlined / late-flip miss: the hotplugged vCPU's
/// __kvm_vcpu_update_apicv reader vs the inhibitor's kvm_set_or_clear_apicv_inhibit writer).
/// </summary>
public class RwSemaphoreDporTests
{
    /// <summary>The reader reads x under down_read; the writer, spawned second, writes x under down_write.</summary>
    private static TestCase ReaderThenLateWriter() => TestCase.From("Kernel.RwsemReaderWriter", async runtime =>
    {
        var rt = (ControlledRuntime)runtime;
        var sem = new RwSemaphore(rt, null, "apicv_update_lock");
        var x = new SharedVar<int>(rt, "apicv_inhibit_reasons", 16);
        Operation reader = rt.Spawn("reader", async () =>
        {
            await down_read(sem);
            int seen = await x.Read();
            await up_read(sem);
            rt.Assert(seen != 0, "the reader saw the writer's store");
        });
        Operation writer = rt.Spawn("writer", async () =>
        {
            await down_write(sem);
            await x.Write(0);
            await up_write(sem);
        });
        await rt.WhenCompleted(reader);
        await rt.WhenCompleted(writer);
    }, Expectation.AssertionFailure);

    [Theory]
    [InlineData("dfs")]
    [InlineData("dfs-sleepsets")]
    public void TheWriterIsTriedBeforeTheReader(string strategy)
    {
        TestReport report = TestingEngine.Run(ReaderThenLateWriter(), new Configuration { Strategy = strategy, Iterations = 1000, MaxSteps = 200 });
        Assert.True(report.Bug is not null, $"{strategy}: the writer-first order was never explored ({report.Coverage})");
        Assert.Contains("the reader saw the writer's store", report.Bug!.Message);
    }

    [Fact]
    public void OptimalDporExploresExactlyTheTwoOrders()
    {
        // Without the assertion: reader first, or writer first; nothing else is distinguishable.
        TestCase test = TestCase.From("Kernel.RwsemOrders", async runtime =>
        {
            var rt = (ControlledRuntime)runtime;
            var sem = new RwSemaphore(rt, null, "sem");
            var x = new SharedVar<int>(rt, "x", 16);
            Operation reader = rt.Spawn("reader", async () => { await down_read(sem); await x.Read(); await up_read(sem); });
            Operation writer = rt.Spawn("writer", async () => { await down_write(sem); await x.Write(0); await up_write(sem); });
            await rt.WhenCompleted(reader);
            await rt.WhenCompleted(writer);
        });
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs-proof", Iterations = 1000, MaxSteps = 200 });
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Equal(2, report.Iterations - report.PrunedIterations);
    }
}
