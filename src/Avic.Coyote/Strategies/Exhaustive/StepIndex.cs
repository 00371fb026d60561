namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// The steps of the current execution by the object they touched, so race detection looks only at steps that
/// can conflict with a new one; steps that touched everything (a random choice) are kept apart. Shared by both
/// exhaustive strategies; the lists are kept across executions and cleared, so steady state allocates nothing.
/// </summary>
internal sealed class StepIndex
{
    // Keys are small: resource ids count up from 0 in creation order, operations are -2 - id, the operation table -1.
    // They index an array (zigzag: 0, -1, 1, -2, ... → 0, 1, 2, 3, ..., doubled: a key's steps, then the steps that
    // wrote it) instead of a dictionary; a key too far out for that goes to the dictionaries.
    private const int DenseLimit = 1 << 16;
    private List<int>?[] dense = new List<int>?[64];
    private readonly List<List<int>> lists = new(); // every list made, for Clear
    private readonly List<List<int>> added = new(); // the list each entry went to, in step order, for TruncateTo
    private readonly Dictionary<long, List<int>> byKey = new();
    private readonly Dictionary<long, List<int>> writesByKey = new();
    private readonly List<int> wildcards = new();

    /// <summary>Steps that touched everything, in order.</summary>
    public List<int> Wildcards => wildcards;

    public void Clear()
    {
        foreach (List<int> list in lists) list.Clear();
        added.Clear();
        wildcards.Clear();
    }

    /// <summary>Forgets the steps from <paramref name="count"/> on (an execution that replays the first ones keeps them).</summary>
    public void TruncateTo(int count)
    {
        // Entries go in in step order, so the ones to drop are the last ones added: only their lists are touched.
        int a = added.Count;
        while (a > 0 && added[a - 1] is var list && list[^1] >= count)
        {
            list.RemoveAt(list.Count - 1);
            a--;
        }
        added.RemoveRange(a, added.Count - a);
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
            AddTo(Find(a.Key, writes: false) ?? NewList(a.Key, writes: false), step);
            if (a.IsWrite) AddTo(Find(a.Key, writes: true) ?? NewList(a.Key, writes: true), step);
        }
    }

    private void AddTo(List<int> list, int step)
    {
        if (list.Count > 0 && list[^1] == step) return;
        list.Add(step);
        added.Add(list);
    }

    /// <summary>The latest step before <paramref name="before"/> that touched <paramref name="key"/> (or everything) and
    /// matches, or -1.</summary>
    public int LastBefore(int before, long key, Predicate<int> match)
    {
        int found = -1;
        if (TryGet(key, out List<int> touching))
            for (int t = touching.Count - 1; t >= 0 && found < 0; t--)
                if (touching[t] < before && match(touching[t])) found = touching[t];
        for (int t = wildcards.Count - 1; t >= 0 && wildcards[t] > found; t--)
            if (wildcards[t] < before && match(wildcards[t])) return wildcards[t];
        return found;
    }

    /// <summary>The steps that touched the object <paramref name="key"/>, in order.</summary>
    public bool TryGet(long key, out List<int> steps)
    {
        steps = Find(key, writes: false)!;
        return steps is not null;
    }

    /// <summary>The steps that wrote the object <paramref name="key"/> (a subsequence of <see cref="TryGet"/>'s), in order.</summary>
    public bool TryGetWrites(long key, out List<int> steps)
    {
        steps = Find(key, writes: true)!;
        return steps is not null;
    }

    // -1 (not dense) for a key far out: multiplying it could wrap around onto a small slot.
    private static long Slot(long key, bool writes) =>
        key >= DenseLimit || key <= -DenseLimit ? -1 : 2 * (key >= 0 ? 2 * key : -2 * key - 1) + (writes ? 1 : 0);

    private List<int>? Find(long key, bool writes)
    {
        long slot = Slot(key, writes);
        if (slot >= 0 && slot < DenseLimit) return slot < dense.Length ? dense[slot] : null;
        return (writes ? writesByKey : byKey).GetValueOrDefault(key);
    }

    private List<int> NewList(long key, bool writes)
    {
        var list = new List<int>();
        lists.Add(list);
        long slot = Slot(key, writes);
        if (slot >= 0 && slot < DenseLimit)
        {
            if (slot >= dense.Length) Array.Resize(ref dense, (int)Math.Min(DenseLimit, Math.Max(slot + 1, 2L * dense.Length)));
            dense[slot] = list;
        }
        else (writes ? writesByKey : byKey)[key] = list;
        return list;
    }
}
