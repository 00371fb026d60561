using System.Runtime.InteropServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Collects what each step touched (its declared access, extra accesses, a random choice) and hands it to a strategy
/// that reduces by footprints (<see cref="ISchedulingStrategy.NeedsFootprints"/>: exhaustive search).
/// </summary>
internal sealed class FootprintRecorder : StepObserver
{
    private readonly List<Access> footprint = new();
    private bool global;
    private ISchedulingStrategy strategy = null!;
    private IKnowsFootprints? knows;
    private bool skip; // the running step's footprint is known to the strategy (a replayed prefix): not recorded

    public FootprintRecorder Start(ISchedulingStrategy strategy)
    {
        this.strategy = strategy;
        knows = strategy as IKnowsFootprints;
        footprint.Clear();
        global = false;
        skip = false;
        return this;
    }

    // Accesses between two steps (a blocker's CanProceed that Peeks, asked while the engine collects the enabled
    // operations) belong to no step: dropped here, they would otherwise land in whichever step runs next.
    public override void OnStepStarting(Operation op)
    {
        skip = knows is { KnowsNextFootprint: true };
        footprint.Clear();
        global = false;
    }

    public override void OnResumed(Operation op)
    {
        if (skip) return;
        if (op.PendingResource is { } resource && op.PendingAccess != AccessKind.None)
            footprint.Add(Access.Declared(resource, op.PendingAccess));
    }

    // A step whose footprint the strategy knows: the runtime need not work out its accesses' keys.
    public override bool IgnoresAccesses => skip;

    public override void OnAccess(Access access)
    {
        if (!skip) footprint.Add(access);
    }

    // The step drew a value: dfs-sleepsets treats that as a conflict with every step; dfs (optimal DPOR) ignores the
    // flag and takes the values from its own value nodes (a draw is local to the step there).
    public override void OnChoice() => global = true;

    public override void OnStepCompleted(Operation op)
    {
        if (skip)
        {
            strategy.OnStepCompleted(op, default, global);
            global = false;
            return;
        }
        // Completing is a release: a join waits for it, so the two never race (dfs reverses no such pair).
        if (op.Status == OperationStatus.Completed) footprint.Add(new Access(Access.KeyOf(op), true, IsRelease: true));
        strategy.OnStepCompleted(op, CollectionsMarshal.AsSpan(footprint), global);
        footprint.Clear();
        global = false;
    }
}

/// <summary>A strategy that reduces by footprints and already knows the footprint of some steps (those of a prefix it
/// replays, for exhaustive search), so <see cref="FootprintRecorder"/> need not record them.</summary>
internal interface IKnowsFootprints
{
    /// <summary>The step about to run is one whose footprint the strategy has: it needs only
    /// <see cref="ISchedulingStrategy.OnStepCompleted"/>'s operation, not its accesses.</summary>
    bool KnowsNextFootprint { get; }
}
