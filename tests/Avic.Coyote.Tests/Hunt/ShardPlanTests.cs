using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Hunt;

public class ShardPlanTests
{
    private static readonly TestCase[] Tests = new[] { "t.c", "t.a", "t.e", "t.b", "t.d", "t.g", "t.f" }
        .Select(n => TestCase.From(n, _ => Task.CompletedTask)).ToArray();

    private static IReadOnlyList<HuntUnit> Plan(int workers) => ShardPlan.Units(Tests, workers, new Configuration { Seed = 100 });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void EveryUnitIsInExactlyOneShardAndTheShardsMakeUpThePlan(int n)
    {
        IReadOnlyList<HuntUnit> all = Plan(workers: 3);
        var shards = Enumerable.Range(1, n).Select(i => ShardPlan.Take(all, new Shard(i, n))).ToList();

        var numbers = shards.SelectMany(s => s.Select(u => u.Number)).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());                       // no unit twice
        Assert.Equal(all.Select(u => u.Number).Order(), numbers.Order());             // union = unsharded plan
        Assert.All(shards, s => Assert.InRange(s.Count, all.Count / n, all.Count / n + 1)); // balanced
    }

    [Fact]
    public void UnitsAreTestsByNameThenWorkerWithNonOverlappingSeeds()
    {
        IReadOnlyList<HuntUnit> all = Plan(workers: 3);

        Assert.Equal(21, all.Count);
        Assert.Equal(Enumerable.Range(0, 21), all.Select(u => u.Number));
        Assert.Equal(["t.a", "t.a", "t.a", "t.b"], all.Take(4).Select(u => u.Test.Name));
        Assert.Equal([0, 1, 2, 0], all.Take(4).Select(u => u.Worker));
        Assert.Equal(["prioritization", "random", "fair-prioritization"], all.Take(3).Select(u => u.Spec.Strategy));
        // base + w, then + W per re-run: 100, 103, 106 ... for worker 0; 101, 104 ... for worker 1.
        Assert.Equal([100UL, 103UL, 106UL], Enumerable.Range(0, 3).Select(r => all[0].Seed(r)));
        var seeds = all.Take(3).SelectMany(u => Enumerable.Range(0, 50).Select(u.Seed)).ToList();
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
    }

    [Fact]
    public void ShardIsUnitNumberModN()
    {
        IReadOnlyList<HuntUnit> second = ShardPlan.Take(Plan(workers: 2), new Shard(2, 3));
        Assert.Equal([1, 4, 7, 10, 13], second.Select(u => u.Number));
    }

    [Theory]
    [InlineData("1/1", 1, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData("4/4", 4, 4)]
    public void ValidShardSpecsParse(string text, int index, int count) =>
        Assert.Equal(new Shard(index, count), Shard.TryParse(text, out _));

    [Theory]
    [InlineData("0/4")]
    [InlineData("5/4")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("1/2/3")]
    [InlineData("a/b")]
    [InlineData(" 1/2")]
    [InlineData("1/1001")]
    [InlineData("")]
    public void BadShardSpecsAreRejectedWithAMessage(string text)
    {
        Assert.Null(Shard.TryParse(text, out string? error));
        Assert.Contains("--shard needs i/N", error);
    }
}
