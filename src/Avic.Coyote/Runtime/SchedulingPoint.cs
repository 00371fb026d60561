using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Avic.Coyote.Runtime;

/// <summary>
/// The awaitable every scheduling point is made of: awaiting it hands control back to the
/// scheduler, which later resumes the continuation directly on the engine thread.
/// It never completes synchronously, so every await is a real decision of the strategy.
/// </summary>
/// <remarks>Its awaiter is a <see cref="ValueTaskAwaiter"/> over the awaiting operation's reusable
/// <see cref="PointSource{TAction, TResult}"/>: the async method builders hand such an awaiter their frame directly,
/// where any other awaiter costs every suspended Task frame a continuation delegate.</remarks>
public readonly struct SchedulingPoint
{
    private readonly ControlledRuntime runtime;
    private readonly bool drainStoreBuffer;

    internal SchedulingPoint(ControlledRuntime runtime, bool drainStoreBuffer = false)
    {
        this.runtime = runtime;
        this.drainStoreBuffer = drainStoreBuffer;
    }

    public ValueTaskAwaiter GetAwaiter()
    {
        PointSource<NoAction, Unit> source = runtime.PointSourceOf<NoAction, Unit>();
        short token = source.Arm(default, drainStoreBuffer);
        return new ValueTask(source.Awaited, token).GetAwaiter();
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

    public ValueTaskAwaiter<TResult> GetAwaiter()
    {
        PointSource<TAction, TResult> source = runtime.PointSourceOf<TAction, TResult>();
        short token = source.Arm(action, drainStoreBuffer: false);
        return new ValueTask<TResult>(source.Awaited, token).GetAwaiter();
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

/// <summary>The resume action of a scheduling point that only resumes.</summary>
internal readonly struct NoAction : IResumeAction<Unit>
{
    public Unit Run(ControlledRuntime runtime) => default;
}

/// <summary>
/// What an awaited scheduling point of one operation is while the operation waits at it: the await parks the
/// operation's frame here (<see cref="OnCompleted"/>), and resuming the frame takes the point's result
/// (<see cref="GetResult"/>), which runs the armed resume action. An operation waits at one point at a time, so each
/// operation slot of the runtime has one per result type, reused by every await of every execution; the token tells
/// one await from the next. One class per result type (not per action type): the ValueTask machinery's interface
/// calls on it (GetStatus, OnCompleted, GetResult) then see one type at each call site, not one per kind of point
/// (a polymorphic interface call goes through the runtime's resolve stub, a hash lookup, at every await).
/// </summary>
internal sealed class PointAwait<TResult>(ControlledRuntime runtime) : IValueTaskSource<TResult>, IValueTaskSource
{
    private PointAction<TResult>? armed;
    private bool drainStoreBuffer;
    private short token;

    /// <summary>Readies the source for one await of <paramref name="action"/>'s point; returns its token.</summary>
    public short Arm(PointAction<TResult> action, bool drainStoreBuffer)
    {
        armed = action;
        this.drainStoreBuffer = drainStoreBuffer;
        return ++token;
    }

    public ValueTaskSourceStatus GetStatus(short awaited) => ValueTaskSourceStatus.Pending;

    public void OnCompleted(Action<object?> continuation, object? state, short awaited, ValueTaskSourceOnCompletedFlags flags)
    {
        Check(awaited);
        runtime.Pause(continuation, state);
    }

    public TResult GetResult(short awaited)
    {
        Check(awaited);
        // Spent before the action runs: an exception from it leaves the source ready for the operation's next await.
        token++;
        PointAction<TResult> action = armed!;
        armed = null;
        runtime.OnResumed(drainStoreBuffer);
        TResult result = action.Run();
        runtime.OnActionDone();
        return result;
    }

    void IValueTaskSource.GetResult(short awaited) => GetResult(awaited);

    private void Check(short awaited)
    {
        if (awaited != token) throw new InvalidOperationException("a scheduling point was awaited twice, or after its operation moved on");
    }
}

/// <summary>A resume action armed in a <see cref="PointAwait{TResult}"/> (one virtual call per step, to the action's type).</summary>
internal abstract class PointAction<TResult>
{
    public abstract TResult Run();
}

/// <summary>The resume action of one kind of scheduling point of one operation (see
/// <see cref="ControlledRuntime.PointSourceOf{TAction, TResult}"/>): holds the armed action's value (a struct, so the
/// await allocates nothing) and arms the operation's <see cref="PointAwait{TResult}"/> with it.</summary>
internal sealed class PointSource<TAction, TResult>(ControlledRuntime runtime, PointAwait<TResult> awaited) : PointAction<TResult>
    where TAction : struct, IResumeAction<TResult>
{
    private TAction action;

    /// <summary>What the await waits on: the operation's source for <typeparamref name="TResult"/>.</summary>
    public PointAwait<TResult> Awaited => awaited;

    /// <summary>Readies the point for one await; returns its token.</summary>
    public short Arm(TAction pending, bool drainStoreBuffer)
    {
        action = pending;
        return awaited.Arm(this, drainStoreBuffer);
    }

    public override TResult Run()
    {
        TAction pending = action;
        action = default;
        return pending.Run(runtime);
    }
}
