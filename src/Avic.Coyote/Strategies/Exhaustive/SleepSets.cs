using System.Runtime.InteropServices;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>Sleep sets (Godefroid 1996), shared by both exhaustive strategies: after operation p was explored at a
/// choice point, p sleeps in the later branches until a step that conflicts with p's step runs.</summary>
internal static class SleepSets
{
    // The sets are walked as spans: a list's enumerator costs a call and a version check per sleeper, at every new step.
    public static bool IsAsleep(List<Sleeper> set, int id)
    {
        foreach (Sleeper s in CollectionsMarshal.AsSpan(set)) if (s.OperationId == id) return true;
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

    /// <summary>The empty set of sleepers, shared: for sets never changed once made, and for a caller with no second
    /// list (`more ?? []` would build a new empty list at every call; FirstAwake asks per choice).</summary>
    public static readonly List<Sleeper> Empty = new();

    /// <summary>Optimal DPOR's sleepers are transitions (an operation and the values its step drew, <see cref="Draws"/>):
    /// true when those of <paramref name="set"/> and <paramref name="more"/> together cover every transition of
    /// <paramref name="id"/> whose values begin with <paramref name="prefix"/>[0..<paramref name="length"/>) (length 0:
    /// whatever it draws). A transition that drew nothing covers them all (the same state, the same step); a draw's
    /// count is known from any transition that made it (the same state offers the same count).</summary>
    public static bool Covers(List<Sleeper> set, List<Sleeper>? more, int id, int[]? prefix, int length)
    {
        int longest = -1;
        for (int l = 0; l < 2; l++)
            foreach (Sleeper s in CollectionsMarshal.AsSpan(l == 0 ? set : more))
            {
                if (s.OperationId != id) continue;
                if (s.Footprint.Drew is not { } d) { if (length == 0) return true; }
                else longest = Math.Max(longest, d.Values.Length);
            }
        if (longest < length) return false;
        int[] values = new int[longest + 1];
        prefix?.AsSpan(0, length).CopyTo(values);
        return CoversFrom(set, more, id, values, length);
    }

    private static bool CoversFrom(List<Sleeper> set, List<Sleeper>? more, int id, int[] values, int length)
    {
        int count = -1;
        for (int l = 0; l < 2; l++)
            foreach (Sleeper s in CollectionsMarshal.AsSpan(l == 0 ? set : more))
            {
                if (s.OperationId != id || s.Footprint.Drew is not { } d || d.Values.Length < length
                    || !d.Values.AsSpan(0, length).SequenceEqual(values.AsSpan(0, length))) continue;
                if (d.Values.Length == length) return true;
                count = d.Counts[length];
            }
        if (count < 0) return false;
        for (int w = 0; w < count; w++)
        {
            values[length] = w;
            if (!CoversFrom(set, more, id, values, length + 1)) return false;
        }
        return true;
    }

    /// <summary><see cref="After(List{Sleeper}, Dictionary{int, Footprint}, int, Footprint)"/> for transitions: the
    /// explored siblings are every transition taken at the choice point (an operation once per values drawn); those
    /// of <paramref name="op"/> itself wake (its step has run).</summary>
    public static List<Sleeper> After(List<Sleeper> onEntry, List<Sleeper> explored, int op, Footprint footprint)
    {
        // Counted first: no sleeper left is the shared empty set, and a new set is made at its size (one per new step).
        int count = 0;
        foreach (Sleeper s in CollectionsMarshal.AsSpan(onEntry))
            if (s.OperationId != op && !s.Footprint.ConflictsWith(footprint)) count++;
        foreach (Sleeper s in CollectionsMarshal.AsSpan(explored))
            if (s.OperationId != op && !s.Footprint.ConflictsWith(footprint)) count++;
        if (count == 0) return Empty;
        var next = new List<Sleeper>(count);
        foreach (Sleeper s in CollectionsMarshal.AsSpan(onEntry))
            if (s.OperationId != op && !s.Footprint.ConflictsWith(footprint)) next.Add(s);
        foreach (Sleeper s in CollectionsMarshal.AsSpan(explored))
            if (s.OperationId != op && !s.Footprint.ConflictsWith(footprint)) next.Add(s);
        return next;
    }
}
