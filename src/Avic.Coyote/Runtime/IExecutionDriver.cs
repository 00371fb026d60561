namespace Avic.Coyote.Runtime;

/// <summary>
/// The seam between <see cref="ControlledRuntime"/> and the engine that drives it, so that the same
/// model source runs on our engine and on Microsoft.Coyote.
/// <list type="bullet">
/// <item>The runtime owns the model's operations. It takes one step of an operation and checks for bugs after it
/// (<see cref="ControlledRuntime.TryStep"/>). It also decides how an execution with no enabled operation ends
/// (<see cref="ControlledRuntime.EndOfExecution"/>: quiescence, deadlock, or liveness).</item>
/// <item>The driver decides <b>which operation takes the next step</b> (<see cref="Drive"/>).</item>
/// <item><b>Random values</b> come from the execution's <see cref="ISchedulingStrategy"/>
/// (NextBoolean/NextInteger). The Coyote driver passes one that asks Microsoft.Coyote's generator.</item>
/// <item><b>Bugs</b> come back as the outcome of <see cref="ControlledRuntime.RunExecution(Func{IActorRuntime, Task}, ISchedulingStrategy, int, MemoryModel, int, bool, IExecutionDriver)"/>
/// and <see cref="ControlledRuntime.Bug"/>. The caller reports them: our TestingEngine keeps a schedule, and
/// the Coyote adapter calls Coyote's <c>Specification.Assert</c>.</item>
/// <item><b>Trace lines</b> go to <see cref="OnTraceLine"/> while tracing.</item>
/// </list>
/// Our engine's default driver is the strategy loop inside the runtime (one thread, no driver object).
/// Microsoft.Coyote's is <c>Avic.Coyote.Microsoft.CoyoteDriver</c>: one Coyote-controlled thread per operation.
/// </summary>
public interface IExecutionDriver
{
    /// <summary>An operation was added: the test's main operation, a spawn, an actor, or an x86-TSO store buffer.
    /// It has not run yet. Called on the thread that created it, before <see cref="Drive"/> for the main operation.</summary>
    void OnOperationAdded(ControlledRuntime runtime, Operation op);

    /// <summary>Runs the execution to its end: repeatedly picks an enabled operation and calls
    /// <see cref="ControlledRuntime.TryStep"/>. When no operation is enabled, it returns
    /// <see cref="ControlledRuntime.EndOfExecution"/>.</summary>
    ExecutionOutcome Drive(ControlledRuntime runtime);

    /// <summary>A trace line, as it is recorded (only while tracing).</summary>
    void OnTraceLine(TraceEntry line);
}
