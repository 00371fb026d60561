namespace Avic.Coyote.Runtime;

/// <summary>
/// Nondeterministic values (RandomBoolean, RandomInteger): the strategy decides, the schedule records the decision,
/// the trace shows it. Its own room: a value is a decision like a scheduling one but no part of the loop.
/// </summary>
internal sealed class Choices(ControlledRuntime runtime, DecisionLog decisions)
{
    public int Choose(ISchedulingStrategy strategy, DecisionKind kind, int bound, Operation? op)
    {
        runtime.Extensions.Chose();
        int value;
        try { value = kind == DecisionKind.Boolean ? (strategy.NextBoolean(runtime.Step) ? 1 : 0) : strategy.NextInteger(bound, runtime.Step); }
        catch (ScheduleDivergenceException e)
        {
            runtime.Bugs.Diverged(e);
            throw new ExecutionCanceledException(e.Message);
        }
        decisions.Add(new Decision(kind, value));
        runtime.Tracer?.Add(op, TraceEventKind.Choice,
            kind == DecisionKind.Boolean ? $"RandomBoolean() -> {(value != 0 ? "true" : "false")}" : $"RandomInteger({bound}) -> {value}");
        return value;
    }
}
