namespace Avic.Coyote.Specifications;

/// <summary>
/// What handling one event does to a monitor's state, as the notifying step's footprint for exhaustive search (a monitor
/// declares it per event in <see cref="Monitor.AccessOf"/>). Two notifications may run in either order only if both
/// orders leave the monitor in the same state with the same assertions passing or failing, so:
/// <list type="bullet">
/// <item><see cref="Whole"/> (the default, always sound): reads and writes all of the monitor; it conflicts with every
/// other notification of the monitor.</item>
/// <item><see cref="Part"/>(key): the handler reads and writes only the key's share of the monitor's fields (e.g. one
/// worker's flags), asserts only on that share, its payload and model state (read with <c>Peek</c>, or owned by the
/// notifying operation), and any state it moves the monitor to is a function of all shares, not of the order they were
/// set in (as "hot while some worker has both flags"). Different keys commute; the same key conflicts; a <see cref="Whole"/>
/// event conflicts with every key.</item>
/// <item><see cref="Observation"/>: the handler changes nothing in the monitor (checked: it may not change the monitor's
/// state) and reads only what <see cref="Whole"/> events write, its payload and model state as above; it commutes with
/// every other observation and every <see cref="Part"/> event, and must be handled alike in every state those move the
/// monitor between.</item>
/// </list>
/// The engine cannot check the fields a handler touches: a wrong declaration can hide a bug from `-s dfs` (never invent
/// one). Liveness judged at the end of an execution (hot at the end) is a function of the final state and keeps its
/// verdict; <c>--liveness-threshold</c> counts steps, which no reduction preserves.
/// </summary>
public readonly struct MonitorAccess
{
    // 0: whole (the default value), -1: observation, k + 1: part k.
    private readonly int code;

    private MonitorAccess(int code) => this.code = code;

    /// <summary>Reads and writes the whole monitor (the default).</summary>
    public static MonitorAccess Whole => default;

    /// <summary>Only reads the monitor: changes neither its fields nor its state.</summary>
    public static MonitorAccess Observation => new(-1);

    /// <summary>Reads and writes only the share of the monitor named by <paramref name="key"/> (0 or more, e.g. a worker's index).</summary>
    public static MonitorAccess Part(int key) =>
        key is >= 0 and < int.MaxValue ? new(key + 1) : throw new ArgumentOutOfRangeException(nameof(key), key, "a monitor's part key is 0 or more");

    public bool IsWhole => code == 0;

    public bool IsObservation => code == -1;

    /// <summary>The part key, or -1 for <see cref="Whole"/> and <see cref="Observation"/>.</summary>
    public int Key => code > 0 ? code - 1 : -1;

    public override string ToString() => code switch { 0 => "whole", -1 => "observation", _ => $"part {code - 1}" };
}
