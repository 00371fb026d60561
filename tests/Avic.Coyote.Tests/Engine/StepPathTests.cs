using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using ExecutionContext = System.Threading.ExecutionContext;

namespace Avic.Coyote.Tests.Engine;

/// <summary>What the per-step path's shortcuts must keep: the caller's thread as it was, and what model code sees.</summary>
public class StepPathTests
{
    private static readonly System.Threading.AsyncLocal<string?> Ambient = new();

    [Fact]
    public void AnExecutionSuppressesContextFlowOnlyWhileItRunsAndKeepsTheCallersAsyncLocals()
    {
        // Our loop resumes every continuation inline, so the execution context does not flow with it; model code still
        // sees the caller's async-local values (it runs on the caller's thread), and the caller gets its thread back as it was.
        Ambient.Value = "caller";
        var seen = new List<(bool Suppressed, string? Ambient)>();
        TestCase test = TestCase.From("flow", async rt =>
        {
            var x = new SharedVar<int>("x", 0);
            seen.Add((ExecutionContext.IsFlowSuppressed(), Ambient.Value));
            Operation t1 = rt.Spawn("t1", async () =>
            {
                await x.Write(1);
                seen.Add((ExecutionContext.IsFlowSuppressed(), Ambient.Value));
            });
            await rt.WhenCompleted(t1);
            seen.Add((ExecutionContext.IsFlowSuppressed(), Ambient.Value));
        }, Expectation.Pass);
        var runtime = new ControlledRuntime();

        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, new RandomStrategy(1), 1000, MemoryModel.SequentialConsistency, 0, tracing: false);

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal(new (bool, string?)[] { (true, "caller"), (true, "caller"), (true, "caller") }, seen.ToArray());
        Assert.False(ExecutionContext.IsFlowSuppressed());
        Assert.Equal("caller", Ambient.Value);
    }

    [Fact]
    public void ACallerThatSuppressedFlowItselfKeepsItSuppressed()
    {
        TestCase test = TestCase.From("flow", async rt => await rt.Interleave(), Expectation.Pass);
        var runtime = new ControlledRuntime();
        using (ExecutionContext.SuppressFlow())
        {
            Assert.Equal(ExecutionOutcome.Quiescent,
                runtime.RunExecution(test.Entry, new RandomStrategy(1), 1000, MemoryModel.SequentialConsistency, 0, tracing: false));
            Assert.True(ExecutionContext.IsFlowSuppressed());
        }
        Assert.False(ExecutionContext.IsFlowSuppressed());
    }

    [Fact]
    public void ACheckThatJudgesNoStepIsNotCalledAfterStepsButStillJudgesTheEnd()
    {
        var quiet = new CountingCheck(eachStep: false);
        var eachStep = new CountingCheck(eachStep: true);
        TestCase test = TestCase.From("checks", async rt =>
        {
            ExtensionPoints extensions = ((ControlledRuntime)rt).Extensions;
            extensions.AddCheck(quiet);
            extensions.AddCheck(eachStep);
            await rt.Interleave();
            await rt.Interleave();
        }, Expectation.Pass);
        var runtime = new ControlledRuntime();

        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, new RandomStrategy(1), 1000, MemoryModel.SequentialConsistency, 0, tracing: false);

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal(3, runtime.Step);
        Assert.Equal(0, quiet.AfterSteps);
        Assert.Equal(3, eachStep.AfterSteps); // added in the first step, judged after each of the three
        Assert.Equal((1, 1), (quiet.AtEnds, eachStep.AtEnds));
    }

    private sealed class CountingCheck(bool eachStep) : IExecutionCheck
    {
        public int AfterSteps;
        public int AtEnds;

        public bool ChecksEachStep => eachStep;

        public bool AfterStep(ControlledRuntime runtime)
        {
            AfterSteps++;
            return false;
        }

        public void AtStepBound(ControlledRuntime runtime) { }

        public void AtEnd(ControlledRuntime runtime) => AtEnds++;
    }
}
