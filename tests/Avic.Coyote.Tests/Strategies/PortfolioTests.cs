using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Strategies;

public class PortfolioTests
{
    private static TestCase Counter(bool locked) => ToyCatalog.Get(locked ? "Toys.LostUpdateFixed" : "Toys.LostUpdate");

    [Fact]
    public void WorkersUseDistinctStrategiesAndSeeds()
    {
        var config = new Configuration { Seed = 10, StrategyValue = 3 };
        var workers = Enumerable.Range(0, 6).Select(i => Portfolio.Worker(i, config)).ToList();
        Assert.Equal(6, workers.Select(w => (w.Strategy, w.StrategyValue, w.Seed)).Distinct().Count());
        Assert.Equal(["prioritization", "random", "fair-prioritization", "dfs"], workers.Take(4).Select(w => w.Strategy));
        Assert.All(workers, w => Assert.Equal(10UL + (ulong)w.Index, w.Seed));
    }

    [Fact]
    public void EveryBugFoundByAWorkerReplaysAlone()
    {
        TestCase test = Counter(locked: false);
        PortfolioReport r = Portfolio.Run(test, new Configuration { Iterations = 2000, Seed = 3 }, workers: 4, keepGoing: true);
        var buggy = r.Workers.Where(w => w.Report.Bug is not null).ToList();
        Assert.NotEmpty(buggy);
        Assert.NotNull(r.FirstBug);
        foreach (var (_, report) in buggy)
            Assert.True(TestingEngine.Replay(test, report.Schedule!).Reproduces(report.Bug));
    }

    [Fact]
    public void EachWorkerIsDeterministic()
    {
        TestCase test = Counter(locked: false);
        var config = new Configuration { Iterations = 2000, Seed = 5 };
        PortfolioReport a = Portfolio.Run(test, config, workers: 2, keepGoing: true);
        PortfolioReport b = Portfolio.Run(test, config, workers: 2, keepGoing: true);
        for (int i = 0; i < 2; i++)
            Assert.Equal(a.Workers[i].Report.Schedule?.ToJson(), b.Workers[i].Report.Schedule?.ToJson());
    }

    [Fact]
    public void ACorrectTestIsCleanInEveryWorkerAndDfsVerifiesIt()
    {
        PortfolioReport r = Portfolio.Run(Counter(locked: true), new Configuration { Iterations = 3000, MaxSteps = 500 }, workers: 4);
        Assert.Null(r.FirstBug);
        Assert.All(r.Workers, w => Assert.Null(w.Report.Bug));
        Assert.True(r.Verified); // the dfs worker explored every schedule of this small test
    }
}
