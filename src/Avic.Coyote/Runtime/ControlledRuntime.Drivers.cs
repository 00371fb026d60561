namespace Avic.Coyote.Runtime;

/// <summary>The loop as another engine drives it (<see cref="IExecutionDriver"/>, e.g. Microsoft.Coyote's scheduler):
/// it picks the operation, the runtime takes the step and checks it exactly as its own loop does.</summary>
public sealed partial class ControlledRuntime
{
    /// <summary>The driver of the running execution; null on our engine. Plug-ins above the runtime ask it for
    /// what they need (actors: whether the driver hosts them on another actor runtime).</summary>
    internal IExecutionDriver? Driver => driver;

    /// <summary>
    /// For an <see cref="IExecutionDriver"/>: takes one step of <paramref name="op"/> (which must be enabled:
    /// <see cref="Operation.IsEnabled"/>) on the calling thread, then checks for bugs. Returns false, with how the
    /// execution ended, when it must stop (a bug, or the step bound). Only one thread may step at a time.
    /// </summary>
    public bool TryStep(Operation op, out ExecutionOutcome end)
    {
        ownerThread = Environment.CurrentManagedThreadId;
        if (step >= MaxSteps)
        {
            end = AtStepBound();
            return false;
        }
        return TakeStep(op, out end);
    }

    /// <summary>For an <see cref="IExecutionDriver"/>: true while some operation can take a step.</summary>
    public bool AnyEnabled() => operations.AnyEnabled();

    /// <summary>For an <see cref="IExecutionDriver"/> that steps operations on threads of its own: makes
    /// <see cref="Current"/> this runtime on the calling thread and lets model awaits resume inline on it.</summary>
    public void EnterThread()
    {
        current = this;
        System.Threading.SynchronizationContext.SetSynchronizationContext(null);
    }
}
