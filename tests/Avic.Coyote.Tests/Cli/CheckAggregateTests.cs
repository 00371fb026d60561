using System.Text.Json;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Cli;

/// <summary>`coyote check --seeds A..B`: median and worst over the seeds, with the seeds that found no bug.</summary>
public class CheckAggregateTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Theory]
    [InlineData(new double[] { 3, 1, 2 }, 2.0, 3.0)]          // odd count: the middle value
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5, 4.0)]       // even count: the mean of the two middle values
    [InlineData(new double[] { 7 }, 7.0, 7.0)]
    [InlineData(new double[] { 10, 10, 1, 10 }, 10.0, 10.0)]
    public void MedianAndWorstOfFoundBugs(double[] values, double median, double worst)
    {
        (double? m, double? w) = CheckAggregate.Stats(values.Select(v => (double?)v));

        Assert.Equal(median, m);
        Assert.Equal(worst, w);
    }

    [Fact]
    public void ANotFoundSeedCountsAsLargerThanEveryFigure()
    {
        // 1, 5, not found: the median is 5 (not 3, as dropping the seed would give); the worst is not found.
        Assert.Equal((5.0, (double?)null), CheckAggregate.Stats([5, null, 1]));
        // Even count, the middle pair 2 and 7: 4.5; the not-found seed only makes the worst.
        Assert.Equal((4.5, (double?)null), CheckAggregate.Stats([7, null, 2, 1]));
        // Even count with a not-found seed in the middle pair: the median itself is not found.
        Assert.Equal(((double?)null, (double?)null), CheckAggregate.Stats([1, null, null, 2]));
    }

    [Fact]
    public void AggregateCountsAndShowsTheSeedsThatFoundNoBug()
    {
        TestCase test = TestCase.From("Area.Bug", _ => Task.CompletedTask, Expectation.AssertionFailure);
        var agg = new CheckAggregate(test,
        [
            new SeedRun(1, 4, 0.010, 4, "AssertionFailure", true),
            new SeedRun(2, null, 0.500, 1000, "none", false),
            new SeedRun(3, 2, 0.004, 2, "AssertionFailure", true),
            new SeedRun(4, 9, 0.020, 9, "AssertionFailure", true),
            new SeedRun(5, null, 0.600, 1000, "none", false),
        ]);

        Assert.Equal([2UL, 5UL], agg.NotFoundSeeds);
        Assert.Equal((9.0, (double?)null), agg.IterationsToFirstBug);   // 2, 4, 9, -, -: median 9
        Assert.Equal((0.020, (double?)null), agg.SecondsToFirstBug);
        Assert.Equal((0.020, 0.600), agg.RunSeconds);
        Assert.Equal("AssertionFailure 3/5, none 2/5", agg.FoundText);
        Assert.Equal(2015, agg.IterationsExplored);

        var text = new StringWriter();
        CheckAggregate.Table([agg]).Write(text);
        Assert.Matches(@"Area\.Bug +bug: AssertionFailure +AssertionFailure 3/5, none 2/5 +2 \(seeds 2, 5\) +9 +not found +20\.0 ms +not found +2,015 in all +3/5 FAIL", text.ToString());
    }

    [Fact]
    public void ACorrectVariantShowsItsRunTimesAndIterationsExplored()
    {
        TestCase test = TestCase.From("Area.Fixed", _ => Task.CompletedTask);
        var agg = new CheckAggregate(test,
        [
            new SeedRun(1, null, 0.3, 1000, "none", true),
            new SeedRun(2, null, 0.1, 1000, "none", true),
        ]);

        Assert.False(agg.ShowsBugFinding);
        var text = new StringWriter();
        CheckAggregate.Table([agg]).Write(text);
        Assert.Matches(@"Area\.Fixed +pass +none 2/2 +- +- +- +200\.0 ms +300\.0 ms +2 × 1,000 +2/2 ok", text.ToString());
    }

    [Fact]
    public void CheckOverSeedsPrintsOneRowPerTestWithNotFoundSeeds()
    {
        // PCT without change points never preempts a worker: no seed can find the lost update.
        CliRunner.Result r = cli.Run("check", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-s", "prioritization", "-sv", "0", "-i", "20", "--seeds", "1..3");

        Assert.Equal(1, r.Exit);
        Assert.Matches(@"Toys\.LostUpdate +bug: AssertionFailure \(LOST-UPDATE\) +none 3/3 +3 \(seeds 1, 2, 3\) +not found +not found +not found +not found +3 × 20 +0/3 FAIL", r.Out);
        Assert.DoesNotContain("(seed 1)", r.Out);   // the per-seed rows go to the files only
        Assert.Contains("3 NOT as expected", r.Out);
        string md = File.ReadAllText(cli.Path_("coyote-out/check.md"));
        Assert.Contains("seeds 1..3", md);
        Assert.Contains("| Toys.LostUpdate (seed 2) | bug: AssertionFailure (LOST-UPDATE) | none |", md);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(cli.Path_("coyote-out/check.json")));
        JsonElement agg = json.RootElement.GetProperty("aggregates")[0];
        Assert.Equal([1, 2, 3], agg.GetProperty("notFoundSeeds").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(JsonValueKind.Null, agg.GetProperty("iterationsToFirstBug").GetProperty("median").ValueKind);
        Assert.Equal(3, json.RootElement.GetProperty("rows").GetArrayLength());
    }

    [Fact]
    public void CheckOverSeedsAggregatesWhatEachSeedFound()
    {
        // One random iteration per seed: some seeds hit the lost update, some do not.
        CliRunner.Result r = cli.Run("check", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-s", "random", "-i", "1", "--seeds", "1..9");

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(cli.Path_("coyote-out/check.json")));
        List<JsonElement> rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        List<int> found = rows.Where(e => e.TryGetProperty("iterationsToFirstBug", out _)).Select(e => e.GetProperty("seed").GetInt32()).ToList();
        List<int> notFound = rows.Select(e => e.GetProperty("seed").GetInt32()).Except(found).ToList();
        Assert.NotEmpty(found);      // the premise of this test: a mix of found and not found
        Assert.NotEmpty(notFound);

        JsonElement agg = json.RootElement.GetProperty("aggregates")[0];
        Assert.Equal(9, agg.GetProperty("seeds").GetInt32());
        Assert.Equal(found.Count, agg.GetProperty("bugFoundSeeds").GetInt32());
        Assert.Equal(notFound, agg.GetProperty("notFoundSeeds").EnumerateArray().Select(e => e.GetInt32()));
        // 9 seeds, each found in iteration 1 or not at all: the median (the 5th smallest) is 1 exactly when 5 or more found it.
        JsonElement median = agg.GetProperty("iterationsToFirstBug").GetProperty("median");
        if (found.Count >= 5) Assert.Equal(1, median.GetDouble());
        else Assert.Equal(JsonValueKind.Null, median.ValueKind);
        Assert.Equal(JsonValueKind.Null, agg.GetProperty("iterationsToFirstBug").GetProperty("worst").ValueKind);
        Assert.Equal(notFound.Count == 0 ? 0 : 1, r.Exit);
        Assert.Contains($"{notFound.Count} (seeds {string.Join(", ", notFound)})", r.Out);
    }
}
