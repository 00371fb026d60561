namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>A strategy that reduces by footprints and already knows the footprint of some steps (those of a prefix it
/// replays), so the runtime need not record them (<see cref="Runtime.FootprintRecorder"/>).</summary>
internal interface IKnowsFootprints
{
    /// <summary>The step about to run is one whose footprint the strategy has: it needs only
    /// <see cref="ISchedulingStrategy.OnStepCompleted"/>'s operation, not its accesses.</summary>
    bool KnowsNextFootprint { get; }
}
