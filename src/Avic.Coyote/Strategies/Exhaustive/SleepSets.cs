namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>Sleep sets (Godefroid 1996), shared by both exhaustive strategies: after operation p was explored at a
/// choice point, p sleeps in the later branches until a step that conflicts with p's step runs.</summary>
internal static class SleepSets
{
    public static bool IsAsleep(List<Sleeper> set, int id)
    {
        foreach (Sleeper s in set) if (s.OperationId == id) return true;
        return false;
    }

    /// <summary>The sleep set after <paramref name="op"/>'s step (<paramref name="footprint"/>) at a choice point entered
    /// with <paramref name="onEntry"/>, where <paramref name="explored"/> ran before: the sleepers and explored
    /// siblings independent of the step.</summary>
    public static List<Sleeper> After(List<Sleeper> onEntry, Dictionary<int, Footprint> explored, int op, Footprint footprint)
    {
        var next = new List<Sleeper>();
        foreach (Sleeper s in onEntry)
            if (s.OperationId != op && !s.Footprint.ConflictsWith(footprint)) next.Add(s);
        foreach ((int id, Footprint f) in explored)
            if (id != op && !f.ConflictsWith(footprint) && !IsAsleep(next, id)) next.Add(new Sleeper(id, f));
        return next;
    }
}
