using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>rw_semaphore: readers share, a writer excludes everyone.</summary>
public class RwSemaphoreTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void AWriterExcludesReadersAndWriters(string strategy)
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var sem = new RwSemaphore(rt, null, "kvm->arch.apicv_update_lock");
            int readers = 0, writers = 0, maxReaders = 0;
            var ops = new List<Operation>();
            for (int i = 0; i < 2; i++)
                ops.Add(rt.Spawn($"reader{i}", async () =>
                {
                    await down_read(sem);
                    readers++;
                    maxReaders = Math.Max(maxReaders, readers);
                    await rt.Interleave();
                    rt.Assert(writers == 0, "a reader runs while a writer holds the semaphore");
                    readers--;
                    await up_read(sem);
                }));
            for (int i = 0; i < 2; i++)
                ops.Add(rt.Spawn($"writer{i}", async () =>
                {
                    await down_write(sem);
                    writers++;
                    await rt.Interleave();
                    rt.Assert(writers == 1 && readers == 0, $"a writer shares the semaphore (writers={writers}, readers={readers})");
                    writers--;
                    await up_write(sem);
                }));
            foreach (Operation op in ops) await rt.WhenCompleted(op);
        }, strategy, iterations: 300);
        Assert.Null(report.Bug);
    }

    [Fact]
    public void ReadersDoShare()
    {
        // Two readers can be inside together: found in some schedule.
        bool shared = false;
        KernelHarness.Explore(async rt =>
        {
            var sem = new RwSemaphore(rt, null, "sem");
            Operation other = rt.Spawn("reader1", async () => { await down_read(sem); await rt.Interleave(); await up_read(sem); });
            await down_read(sem);
            await rt.Interleave();
            if (sem.Readers == 2) shared = true;
            await up_read(sem);
            await rt.WhenCompleted(other);
        }, iterations: 100);
        Assert.True(shared);
    }

    [Fact]
    public void UpReadWithoutDownReadIsABug()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var sem = new RwSemaphore(rt, null, "sem");
            await up_read(sem);
        }, iterations: 1);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("up_read(&sem) without holding it", report.Bug!.Message);
    }
}
