namespace Avic.Coyote.Runtime;

/// <summary>The scheduling points models and primitives build their awaits from: each declares what the next step
/// touches or waits for (<see cref="Prepare"/>) and hands control back to the loop when awaited.</summary>
public sealed partial class ControlledRuntime
{
    /// <summary>Declares what the running operation's next step touches or waits for; the next await parks it.</summary>
    public void Prepare(object? resource, AccessKind access, Blocker? blocker = null)
    {
        CheckThread();
        Operation op = running!;
        op.PendingResource = resource;
        op.PendingAccess = access;
        op.Blocker = blocker;
    }

    /// <summary>A scheduling point that touches <paramref name="resource"/> and may wait on <paramref name="blocker"/>;
    /// <paramref name="label"/> is its trace line.</summary>
    public SchedulingPoint Point(object? resource, AccessKind access, Blocker? blocker = null, string? label = null)
    {
        Prepare(resource, access, blocker);
        trace?.Label(running!, label);
        return new SchedulingPoint(this);
    }

    /// <summary>A scheduling point that runs <paramref name="action"/> when resumed and returns its result.</summary>
    public SchedulingPoint<TAction, TResult> Point<TAction, TResult>(TAction action, object? resource, AccessKind access, Blocker? blocker = null)
        where TAction : struct, IResumeAction<TResult>
    {
        Prepare(resource, access, blocker);
        return new SchedulingPoint<TAction, TResult>(this, action);
    }

    public SchedulingPoint Interleave(string? label = null) => Point(null, AccessKind.None, null, label);

    public SchedulingPoint Fence(string label = "smp_mb()")
    {
        Point(null, AccessKind.Fence, null, label);
        return new SchedulingPoint(this, drainStoreBuffer: true);
    }

    public SchedulingPoint WhenCompleted(Operation op)
    {
        Prepare(op, AccessKind.Other, op.Status == OperationStatus.Completed ? null : new CompletionBlocker(op));
        trace?.Label(running!, $"joins '{op.Name}' (completed)");
        return new SchedulingPoint(this);
    }

    /// <summary>Makes the running operation's buffered stores visible (a no-op unless the memory model buffers them).
    /// For primitives modelling locked instructions or fences; call it from a resume action.</summary>
    public void DrainStoreBuffer()
    {
        if (extensions.MemoryOrder is { } order && running is not null) order.Drain(running);
    }
}
