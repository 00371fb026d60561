using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

public class ReplayTests
{
    public static TheoryData<string, string> BugToys => new()
    {
        { "Toys.LostUpdate", "random" },
        { "Toys.LostUpdate", "prioritization" },
        { "Toys.AbbaDeadlock", "prioritization" },
        { "Toys.NoResponse", "random" },
        { "Toys.AssertInHandler", "random" },
        { "Toys.UnhandledEvent", "random" },
        { "Toys.HandlerThrows", "random" },
        { "Toys.TaskRunInHandler", "random" },
        { "Toys.RandomChoice", "random" },
    };

    [Theory]
    [MemberData(nameof(BugToys))]
    public void ReplayReproducesTheBugAtTheSameStep(string toy, string strategy)
    {
        TestReport report = ToyCatalog.Run(toy, strategy);
        ScheduleFile reloaded = ScheduleFile.Parse(report.Schedule!.ToJson(), "roundtrip.schedule");

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get(toy), reloaded);

        Assert.Null(replay.Divergence);
        Assert.True(replay.Reproduces(report.Bug), $"recorded {report.Bug}, replayed {replay.Bug}");
        Assert.Equal(report.Bug!.Step, replay.Bug!.Step);
        Assert.Equal(report.Bug.Message, replay.Bug.Message);
        Assert.DoesNotContain(report.Trace!, line => line.ToString()!.Contains("NONDETERMINISM"));
    }

    [Fact]
    public void TheTraceShowsEachSharedAccessAndEndsWithTheBug()
    {
        TestReport report = ToyCatalog.Run("Toys.LostUpdate");
        var lines = report.Trace!.Select(l => l.ToString()!).ToList();

        Assert.Contains(lines, l => l.Contains("READ_ONCE(counter) -> 0") && l.Contains("worker1"));
        Assert.Contains(lines, l => l.Contains("READ_ONCE(counter) -> 0") && l.Contains("worker2"));
        Assert.Contains("*** BUG: AssertionFailure", lines[^1]);
    }

    [Fact]
    public void ReplayOfAScheduleWhoseDecisionCannotRunNamesTheStep()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;
        Decision[] decisions = (Decision[])s.Decisions.Clone();
        decisions[1] = new Decision(DecisionKind.Operation, 99);

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { Decisions = decisions });

        Assert.Null(replay.Bug);
        Assert.Contains("at step 1", replay.Divergence);
        Assert.Contains("operation 99", replay.Divergence);
    }

    [Fact]
    public void ReplayOfATruncatedScheduleNamesTheStep()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { Decisions = s.Decisions[..3] });

        Assert.Null(replay.Bug);
        Assert.Contains("at step 3", replay.Divergence);
        Assert.Contains("after the last of its 3 decisions", replay.Divergence);
    }

    [Fact]
    public void ReplayOfAScheduleWithExtraDecisionsDoesNotPassSilently()
    {
        ScheduleFile s = RecordOneExecution("Toys.LostUpdateFixed");
        Decision[] longer = [.. s.Decisions, new Decision(DecisionKind.Operation, 0)];

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdateFixed"), s with { Decisions = longer });

        Assert.NotNull(replay.Divergence);
        Assert.Contains("step", replay.Divergence);
    }

    [Fact]
    public void DecisionsAfterTheBugAreNotAcceptedSilently()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;
        Decision[] longer = [.. s.Decisions, new Decision(DecisionKind.Operation, 0), new Decision(DecisionKind.Boolean, 1)];

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { Decisions = longer });

        Assert.Null(replay.Bug);
        Assert.Equal($"the schedule has 2 decisions after its bug at step {s.Bug!.Step} (from decision {s.Decisions.Length} on): " +
                     "a recorded schedule ends at its bug, so this one was edited or does not belong to this model", replay.Divergence);
    }

    [Fact]
    public void AnEditedMemoryModelIsNamedNotReproduced()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;
        Assert.Equal(MemoryModel.SequentialConsistency, s.MemoryModel);

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { MemoryModel = MemoryModel.X86Tso });

        Assert.Null(replay.Bug);
        Assert.Contains($"the schedule lists {s.Operations.Length}", replay.Divergence);
        Assert.Contains("memoryModel X86Tso", replay.Divergence);
    }

    [Fact]
    public void AStepBoundBelowTheSchedulesStepsIsNamedNotBlamedOnTheModel()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;
        int steps = s.Decisions.Count(d => d.Kind == DecisionKind.Operation);

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { MaxSteps = 3 });

        Assert.Null(replay.Bug);
        Assert.Equal($"the schedule's configuration.maxSteps is 3 but its decisions take {steps} steps: the replay stopped at step 3 (was maxSteps edited?)",
            replay.Divergence);
    }

    [Fact]
    public void ReplayOfAScheduleForAnotherTestIsRefused()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;

        var e = Assert.Throws<ScheduleFormatException>(() => TestingEngine.Replay(ToyCatalog.Get("Toys.AbbaDeadlock"), s));
        Assert.Contains("Toys.LostUpdate", e.Message);
    }

    [Fact]
    public void ReplayOfAScheduleWithRenamedOperationsSaysTheModelChangedAndNamesTheStep()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.LostUpdate").Schedule!;
        string[] renamed = (string[])s.Operations.Clone();
        renamed[1] = "vcpu0";

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.LostUpdate"), s with { Operations = renamed });

        Assert.Null(replay.Bug);
        Assert.Contains("'worker1' in the model but 'vcpu0' in the schedule", replay.Divergence);
        Assert.Matches("step [0-9]+", replay.Divergence);
    }

    [Fact]
    public void RandomValuesAreRecordedAndReplayed()
    {
        TestReport report = ToyCatalog.Run("Toys.RandomChoice");
        Decision[] d = report.Schedule!.Decisions;

        Assert.Contains(new Decision(DecisionKind.Integer, 3), d);
        Assert.Contains(new Decision(DecisionKind.Boolean, 1), d);
        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.RandomChoice"), report.Schedule);
        Assert.True(replay.Reproduces(report.Bug));
        Assert.Contains(replay.Trace, l => l.ToString()!.Contains("RandomInteger(4) -> 3"));
        Assert.Contains(replay.Trace, l => l.ToString()!.Contains("RandomBoolean() -> true"));
    }

    [Fact]
    public void ReplayedRandomValueOutOfRangeIsADivergence()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.RandomChoice").Schedule!;
        Decision[] d = s.Decisions.Select(x => x.Kind == DecisionKind.Integer ? new Decision(DecisionKind.Integer, 9) : x).ToArray();

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.RandomChoice"), s with { Decisions = d });

        Assert.Null(replay.Bug);
        Assert.Contains("integer 9", replay.Divergence);
        Assert.Contains("below 4", replay.Divergence);
    }

    [Fact]
    public void ReplayOfAChangedRandomValueRunsClean()
    {
        ScheduleFile s = ToyCatalog.Run("Toys.RandomChoice").Schedule!;
        Decision[] d = s.Decisions.Select(x => x.Kind == DecisionKind.Boolean ? new Decision(DecisionKind.Boolean, 0) : x).ToArray();

        ReplayResult replay = TestingEngine.Replay(ToyCatalog.Get("Toys.RandomChoice"), s with { Decisions = d });

        Assert.Null(replay.Bug);
        Assert.Null(replay.Divergence);
    }

    /// <summary>The schedule of one (bug-free) execution: the engine writes schedules only for bugs.</summary>
    private static ScheduleFile RecordOneExecution(string toy)
    {
        var runtime = new ControlledRuntime();
        var strategy = new RandomStrategy(3);
        strategy.PrepareIteration(0);
        Assert.Equal(ExecutionOutcome.Quiescent,
            runtime.RunExecution(ToyCatalog.Get(toy).Entry, strategy, 1000, MemoryModel.SequentialConsistency, 0, tracing: false));
        return new ScheduleFile
        {
            Test = toy, Assembly = "Avic.Coyote.Tests", MaxSteps = 1000, MemoryModel = MemoryModel.SequentialConsistency,
            Strategy = "random", Operations = runtime.OperationNames(), Decisions = runtime.RecordedDecisions(),
        };
    }
}
