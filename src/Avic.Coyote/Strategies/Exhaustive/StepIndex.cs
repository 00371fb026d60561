using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// The steps of the current execution by the object they touched, so race detection looks only at steps that
/// can conflict with a new one; steps that touched everything (a random choice) are kept apart. Shared by both
/// exhaustive strategies; the lists are kept across executions and cleared, so steady state allocates nothing.
/// </summary>
internal sealed class StepIndex
{
    /// <summary>A key's steps in order, each with how it wrote the key (<see cref="Wrote"/>, <see cref="WroteWithoutRelease"/>), so
    /// a scan over them needs no look at the steps' footprints to know where the earlier accesses are ordered.</summary>
    internal sealed class KeyList : List<int>
    {
        /// <summary>The step wrote the key.</summary>
        public const byte Wrote = 1;
        /// <summary>The step wrote the key with an access that is not a release.</summary>
        public const byte WroteWithoutRelease = 2;

        // By position; entries past Count are stale (a truncation leaves them) and overwritten by the next Add.
        private byte[] flags = new byte[8];

        /// <summary>The steps, in order.</summary>
        public ReadOnlySpan<int> Steps => CollectionsMarshal.AsSpan(this);

        /// <summary>How each of <see cref="Steps"/> wrote the key.</summary>
        public ReadOnlySpan<byte> Flags => flags.AsSpan(0, Count);

        public void Add(int step, byte stepFlags)
        {
            if (Count == flags.Length) Array.Resize(ref flags, 2 * flags.Length);
            flags[Count] = stepFlags;
            Add(step);
        }

        public void AddFlags(byte stepFlags) => flags[Count - 1] |= stepFlags;

        public static byte FlagsOf(Access a) => a.IsWrite ? (byte)(a.IsRelease ? Wrote : Wrote | WroteWithoutRelease) : (byte)0;
    }

    // Keys are small: resource ids count up from 0 in creation order, operations are -2 - id, the operation table -1.
    // They index an array (zigzag: 0, -1, 1, -2, ... → 0, 1, 2, 3, ..., doubled: a key's steps, then the steps that
    // wrote it) instead of a dictionary; a key too far out for that goes to the dictionaries.
    private const int DenseLimit = 1 << 16;
    private KeyList?[] dense = new KeyList?[64];
    private readonly List<KeyList> lists = new(); // every list made, for Clear
    private readonly List<KeyList> added = new(); // the list each entry went to, in step order, for TruncateTo
    private readonly Dictionary<long, KeyList> byKey = new();
    private readonly Dictionary<long, KeyList> writesByKey = new();
    private readonly List<int> wildcards = new();

    /// <summary>Steps that touched everything, in order.</summary>
    public List<int> Wildcards => wildcards;

    public void Clear()
    {
        foreach (KeyList list in lists) list.Clear();
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
            byte flags = KeyList.FlagsOf(a);
            AddTo(Find(a.Key, writes: false) ?? NewList(a.Key, writes: false), step, flags);
            if (a.IsWrite) AddTo(Find(a.Key, writes: true) ?? NewList(a.Key, writes: true), step, flags);
        }
    }

    private void AddTo(KeyList list, int step, byte flags)
    {
        if (list.Count > 0 && list[^1] == step)
        {
            list.AddFlags(flags);
            return;
        }
        list.Add(step, flags);
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

    /// <summary>The steps that touched the object <paramref name="key"/> (<paramref name="writes"/>: only those that wrote
    /// it), in order, with how each wrote it; null when none did.</summary>
    public KeyList? Entries(long key, bool writes) => Find(key, writes);

    // -1 (not dense) for a key far out: multiplying it could wrap around onto a small slot.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Slot(long key, bool writes) =>
        key >= DenseLimit || key <= -DenseLimit ? -1 : 2 * (key >= 0 ? 2 * key : -2 * key - 1) + (writes ? 1 : 0);

    // Inlined into the per-step scans; a key far out takes the dictionaries, out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private KeyList? Find(long key, bool writes)
    {
        long slot = Slot(key, writes);
        if (slot >= 0 && slot < DenseLimit) return slot < dense.Length ? dense[slot] : null;
        return FindFarOut(key, writes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private KeyList? FindFarOut(long key, bool writes) => (writes ? writesByKey : byKey).GetValueOrDefault(key);

    private KeyList NewList(long key, bool writes)
    {
        var list = new KeyList();
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
