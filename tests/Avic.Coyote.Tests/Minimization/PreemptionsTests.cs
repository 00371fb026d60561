using Avic.Coyote.Minimization;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Minimization;

public sealed class PreemptionsTests
{
    [Fact]
    public void Only_switches_away_from_a_still_enabled_operation_count()
    {
        int[] ops = [0, 1, 1, 2, 1, 0];
        bool[] prevEnabled = [false, false, true, true, false, true];
        // step 2: 0 -> 1 but 0 was blocked: free; step 4: 1 -> 2 while 1 could go on: preemption;
        // step 5: 2 -> 1, 2 done: free; step 6: 1 -> 0 while 1 could go on: preemption.
        Assert.Equal([4, 6], Preemptions.Steps(ops, prevEnabled));
    }

    [Fact]
    public void Value_decisions_are_not_steps()
    {
        Decision[] decisions = [new(DecisionKind.Operation, 0), new(DecisionKind.Boolean, 1), new(DecisionKind.Operation, 1), new(DecisionKind.Integer, 3)];
        Assert.Equal(1, Preemptions.Count(decisions, [false, true]));
        Assert.Throws<ArgumentException>(() => Preemptions.Count(decisions, [false]));
    }

    [Fact]
    public void A_non_preemptive_run_of_the_lost_update_has_no_preemption_and_no_bug()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        var runtime = new ControlledRuntime();
        var observer = new PreemptionObserver(PrefixThenSuffix.NonPreemptiveAfter([]));
        observer.PrepareIteration(0);
        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, observer, 100, MemoryModel.SequentialConsistency, 0, tracing: false);

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Empty(Preemptions.Steps(observer.Chosen, observer.PreviousStillEnabled));
        // main blocks on its join; worker1 runs to completion; main (lowest id) joins it and blocks on worker2.
        Assert.Equal([0, 1, 1, 1, 0, 2, 2, 2, 0], observer.Chosen);
    }

    [Fact]
    public void The_prefix_is_followed_and_decisions_that_cannot_run_are_skipped()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        var runtime = new ControlledRuntime();
        // o9 does not exist and is skipped; o1 o1 then o2 preempts worker1 after its read: the lost update.
        var strategy = PrefixThenSuffix.NonPreemptiveAfter([new(DecisionKind.Operation, 0), new(DecisionKind.Operation, 9),
            new(DecisionKind.Integer, 4), new(DecisionKind.Operation, 1), new(DecisionKind.Operation, 1), new(DecisionKind.Operation, 2)]);
        strategy.PrepareIteration(0);
        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, strategy, 100, MemoryModel.SequentialConsistency, 0, tracing: false);

        Assert.Equal(ExecutionOutcome.Bug, outcome);
        Assert.True(((LenientReplayPrefix)strategy.Prefix).Consumed);
        Assert.Contains("lost update", runtime.Bug!.Message);
    }

    [Fact]
    public void Recount_from_a_schedule_file_matches_the_exploration()
    {
        TestCase test = MinimizationToys.LostUpdate(2, noise: 1, noiseWrites: 3);
        ScheduleFile found = MinimizationToys.FindBug(test, 5);
        int[] steps = Preemptions.Steps(test, found);
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.InRange(s, 2, found.Bug!.Step));
    }
}
