namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// The steps of the current execution by the object they touched, so race detection looks only at steps that
/// can conflict with a new one; steps that touched everything (a random choice) are kept apart. Shared by both
/// exhaustive strategies; the lists are kept across executions and cleared, so steady state allocates nothing.
/// </summary>
internal sealed class StepIndex
{
    private readonly Dictionary<long, List<int>> byKey = new();
    private readonly List<int> wildcards = new();

    /// <summary>Steps that touched everything, in order.</summary>
    public List<int> Wildcards => wildcards;

    public void Clear()
    {
        foreach (List<int> list in byKey.Values) list.Clear();
        wildcards.Clear();
    }

    /// <summary>Forgets the steps from <paramref name="count"/> on (an execution that replays the first ones keeps them).</summary>
    public void TruncateTo(int count)
    {
        foreach (List<int> list in byKey.Values)
        {
            int n = list.Count;
            while (n > 0 && list[n - 1] >= count) n--;
            list.RemoveRange(n, list.Count - n);
        }
        int w = wildcards.Count;
        while (w > 0 && wildcards[w - 1] >= count) w--;
        wildcards.RemoveRange(w, wildcards.Count - w);
    }

    public void Add(int step, Footprint f)
    {
        if (f.IsWildcard)
        {
            wildcards.Add(step);
            return;
        }
        foreach (Access a in f.Accesses)
        {
            if (!byKey.TryGetValue(a.Key, out List<int>? list)) byKey[a.Key] = list = new List<int>();
            if (list.Count == 0 || list[^1] != step) list.Add(step);
        }
    }

    /// <summary>The steps that touched the object <paramref name="key"/>, in order.</summary>
    public bool TryGet(long key, out List<int> steps)
    {
        if (byKey.TryGetValue(key, out List<int>? list)) { steps = list; return true; }
        steps = null!;
        return false;
    }
}
