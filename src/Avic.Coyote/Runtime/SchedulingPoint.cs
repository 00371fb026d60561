using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// The awaitable every scheduling point is made of: awaiting it hands control back to the
/// scheduler, which later resumes the continuation directly on the engine thread.
/// It never completes synchronously, so every await is a real decision of the strategy.
/// </summary>
/// <remarks>Its awaiter is a struct of its own (the point's action lives in the awaiting frame): resuming calls
/// its GetResult directly. A <c>ValueTaskAwaiter</c> over a reusable source saved a suspended Task frame its
/// continuation delegate (allocated once per frame), but cost every step type checks and interface calls in the
/// ValueTask machinery, polymorphic across a model's pooled frames (bench/results/2026-12-02-actorcost: 18% more
/// instructions per step on a script-only synthetic).</remarks>
public readonly struct SchedulingPoint
{
    private readonly ControlledRuntime runtime;
    private readonly bool drainStoreBuffer;

    internal SchedulingPoint(ControlledRuntime runtime, bool drainStoreBuffer = false)
    {
        this.runtime = runtime;
        this.drainStoreBuffer = drainStoreBuffer;
    }

    public Awaiter GetAwaiter() => new(runtime, drainStoreBuffer);

    public readonly struct Awaiter(ControlledRuntime runtime, bool drainStoreBuffer) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => false;

        public void GetResult()
        {
            runtime.OnResumed(drainStoreBuffer);
            runtime.OnActionDone();
        }

        public void OnCompleted(Action continuation) => runtime.Pause(continuation);

        public void UnsafeOnCompleted(Action continuation) => runtime.Pause(continuation);
    }
}

/// <summary>A scheduling point whose result is computed when the operation is resumed
/// (e.g. the value a shared read returns at the moment it is scheduled).</summary>
public readonly struct SchedulingPoint<TAction, TResult>
    where TAction : struct, IResumeAction<TResult>
{
    private readonly ControlledRuntime runtime;
    private readonly TAction action;

    internal SchedulingPoint(ControlledRuntime runtime, TAction action)
    {
        this.runtime = runtime;
        this.action = action;
    }

    public Awaiter GetAwaiter() => new(runtime, action);

    public readonly struct Awaiter(ControlledRuntime runtime, TAction action) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => false;

        public TResult GetResult()
        {
            runtime.OnResumed();
            TResult result = action.Run(runtime);
            runtime.OnActionDone();
            return result;
        }

        public void OnCompleted(Action continuation) => runtime.Pause(continuation);

        public void UnsafeOnCompleted(Action continuation) => runtime.Pause(continuation);
    }
}

/// <summary>What a scheduling point does when its operation is resumed. A struct so that
/// the awaitable, and so every step, allocates nothing.</summary>
public interface IResumeAction<TResult>
{
    TResult Run(ControlledRuntime runtime);
}

/// <summary>The result of a scheduling point that returns nothing.</summary>
public readonly struct Unit
{
}
