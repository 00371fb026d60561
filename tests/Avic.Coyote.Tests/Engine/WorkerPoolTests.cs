using System.Threading;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

public class WorkerPoolTests
{
    [Fact]
    public void Every_item_runs_once()
    {
        int[] runs = new int[100];
        WorkerPool.ForEach(Enumerable.Range(0, 100).ToList(), 4, i => Interlocked.Increment(ref runs[i]), "test");
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void A_worker_failure_reaches_the_caller_with_its_message()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            WorkerPool.Run(3, slot => { if (slot == 1) throw new ArgumentException("boom"); }, "a test worker"));
        Assert.Equal("a test worker failed: boom", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
    }
}
