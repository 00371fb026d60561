using Avic.Coyote.Minimization;
using Avic.Coyote.Models.Samples;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Xunit.Abstractions;

namespace Avic.Coyote.Tests.Minimization;

public sealed class ScheduleMinimizerTests(ITestOutputHelper output)
{
    private static TestCase Sample(string name) =>
        TestCatalog.FromAssembly(typeof(LostUpdate).Assembly).Single(t => t.Name == name);

    private static void AssertReplaysToItsBug(TestCase test, MinimizeResult result)
    {
        ReplayResult replay = TestingEngine.Replay(test, result.Minimized);
        Assert.Null(replay.Divergence);
        Assert.True(replay.Reproduces(result.Minimized.Bug), $"replay gave {replay.Bug}, expected {result.Minimized.Bug}");
        Assert.Equal(result.StepsAfter, replay.Steps);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(7UL)]
    [InlineData(42UL)]
    public void Sample_lost_update_shrinks_to_one_preemption_and_replays(ulong seed)
    {
        TestCase test = Sample("Samples.LostUpdate");
        ScheduleFile found = MinimizationToys.FindBug(test, seed);

        MinimizeResult result = ScheduleMinimizer.Minimize(test, found);

        AssertReplaysToItsBug(test, result);
        Assert.Equal(BugSignature.Of(found.Bug!), BugSignature.Of(result.Bug));
        Assert.Equal(1, result.PreemptionsAfter);
        Assert.Equal(1, Preemptions.Count(test, result.Minimized)); // recounted independently by replaying the file
        Assert.True(result.StepsAfter <= result.StepsBefore);
    }

    [Theory]
    [InlineData(2, 3UL)]
    [InlineData(3, 5UL)]
    [InlineData(4, 11UL)]
    public void N_worker_lost_update_needs_exactly_one_preemption(int workers, ulong seed)
    {
        TestCase test = MinimizationToys.LostUpdate(workers);
        MinimizeResult result = ScheduleMinimizer.Minimize(test, MinimizationToys.FindBug(test, seed));

        AssertReplaysToItsBug(test, result);
        Assert.Equal(1, result.PreemptionsAfter);
        // main's first step, then the fewest worker steps: each worker starts, reads and writes (3 steps),
        // and main needs a step per join; nothing shorter can lose an update.
        Assert.Equal(1 + 3 * workers + workers, result.StepsAfter);
    }

    [Fact]
    public void Noisy_random_schedule_shrinks_substantially()
    {
        // 2 racing workers and 4 busy operations doing 20 unrelated shared writes each.
        TestCase test = MinimizationToys.LostUpdate(workers: 2, noise: 4, noiseWrites: 20);
        ScheduleFile found = MinimizationToys.FindBug(test, seed: 2026);

        MinimizeResult result = ScheduleMinimizer.Minimize(test, found);
        output.WriteLine($"noisy toy: steps {result.StepsBefore} -> {result.StepsAfter}, preemptions {result.PreemptionsBefore} -> {result.PreemptionsAfter}, {result.Replays} replays");

        AssertReplaysToItsBug(test, result);
        Assert.True(result.PreemptionsBefore > 5, $"the random schedule should be noisy ({result.PreemptionsBefore} preemptions)");
        Assert.Equal(1, result.PreemptionsAfter);
        Assert.True(result.StepsAfter < result.StepsBefore / 2, $"{result.StepsBefore} -> {result.StepsAfter} steps");
        Assert.Equal(1 + 3 * 2 + 2, result.StepsAfter); // the noise is gone entirely
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    public void Minimization_never_increases_steps_or_preemptions(ulong seed)
    {
        TestCase test = MinimizationToys.LostUpdate(workers: 3, noise: 2, noiseWrites: 5);
        ScheduleFile found = MinimizationToys.FindBug(test, seed);
        int before = Preemptions.Count(test, found);

        MinimizeResult result = ScheduleMinimizer.Minimize(test, found);

        Assert.Equal(before, result.PreemptionsBefore);
        Assert.Equal(found.Bug!.Step, result.StepsBefore);
        Assert.True(result.PreemptionsAfter <= result.PreemptionsBefore);
        Assert.True(result.StepsAfter <= result.StepsBefore);
        AssertReplaysToItsBug(test, result);
    }

    [Fact]
    public void Keeps_the_same_invariant_even_when_another_needs_fewer_preemptions()
    {
        TestCase test = MinimizationToys.TwoInvariants();
        ScheduleFile t1 = Enumerable.Range(1, 200).Select(s => MinimizationToys.FindBug(test, (ulong)s, iterations: 1))
            .First(s => s.Bug!.Invariant == "INV-T1");

        MinimizeResult result = ScheduleMinimizer.Minimize(test, t1);

        Assert.Equal("INV-T1", result.Bug.Invariant);
        Assert.Equal(1, result.PreemptionsAfter); // INV-T2 is reachable with 0 but is another bug
        AssertReplaysToItsBug(test, result);
    }

    [Fact]
    public void Keeps_the_random_choices_the_bug_needs()
    {
        TestCase test = MinimizationToys.LostUpdateBehindChoice();
        MinimizeResult result = ScheduleMinimizer.Minimize(test, MinimizationToys.FindBug(test, seed: 9));

        Assert.Contains(new Decision(DecisionKind.Boolean, 1), result.Minimized.Decisions);
        Assert.Equal(1, result.PreemptionsAfter);
        AssertReplaysToItsBug(test, result);
    }

    [Fact]
    public void A_schedule_without_a_bug_is_refused()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        ScheduleFile found = MinimizationToys.FindBug(test, 1);
        var e = Assert.Throws<MinimizationException>(() => ScheduleMinimizer.Minimize(test, found with { Bug = null }));
        Assert.Contains("records no bug", e.Message);
    }

    [Fact]
    public void A_schedule_that_no_longer_reproduces_is_refused()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        ScheduleFile found = MinimizationToys.FindBug(test, 1);
        ScheduleFile stale = found with { Bug = found.Bug! with { Step = found.Bug.Step + 3 } };
        var e = Assert.Throws<MinimizationException>(() => ScheduleMinimizer.Minimize(test, stale));
        Assert.Contains("does not reproduce", e.Message);
    }

    [Fact]
    public void The_replay_budget_is_respected()
    {
        TestCase test = MinimizationToys.LostUpdate(workers: 2, noise: 4, noiseWrites: 20);
        MinimizeResult result = ScheduleMinimizer.Minimize(test, MinimizationToys.FindBug(test, seed: 2026), maxReplays: 10);
        Assert.True(result.Replays <= 10, $"{result.Replays} replays");
        AssertReplaysToItsBug(test, result);
    }
}
