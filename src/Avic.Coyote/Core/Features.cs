namespace Avic.Coyote;

/// <summary>
/// Typed state of features on one object (an operation, an execution): one slot per feature type, so a feature keeps
/// its own state without a field for it on the object. A mutable struct: use it as a field, never copy it.
/// </summary>
internal struct FeatureTable
{
    private object?[]? slots;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public readonly T? Get<T>() where T : class
    {
        int i = FeatureSlot<T>.Index;
        return slots is { } s && i < s.Length ? (T?)s[i] : null;
    }

    public void Set<T>(T? value) where T : class
    {
        int i = FeatureSlot<T>.Index;
        if (slots is null || i >= slots.Length) Array.Resize(ref slots, Math.Max(i + 1, FeatureSlots.Count));
        slots[i] = value;
    }

    public readonly void Clear()
    {
        if (slots is not null) Array.Clear(slots);
    }
}

/// <summary>The slot of feature type <typeparamref name="T"/>, the same in every table of the process.</summary>
internal static class FeatureSlot<T> where T : class
{
    public static readonly int Index = FeatureSlots.Next();
}

internal static class FeatureSlots
{
    private static int count;

    /// <summary>Slots handed out so far (a hint for sizing tables).</summary>
    public static int Count => System.Threading.Volatile.Read(ref count);

    public static int Next() => System.Threading.Interlocked.Increment(ref count) - 1;
}
