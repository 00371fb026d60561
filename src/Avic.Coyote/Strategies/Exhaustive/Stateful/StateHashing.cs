using System.Runtime.CompilerServices;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive.Stateful;

/// <summary>
/// A 128-bit fingerprint of a model state, built from the values the model adds (two independent
/// 64-bit mixes, so two different states share a fingerprint with probability about 2^-128 per pair).
/// </summary>
public sealed class StateWriter
{
    private ulong a;
    private ulong b;

    internal StateWriter(ulong seed)
    {
        a = seed ^ 0x9E3779B97F4A7C15UL;
        b = seed + 0xC2B2AE3D27D4EB4FUL;
    }

    public void Add(long value)
    {
        a = Mix(a ^ (ulong)value) * 0xFF51AFD7ED558CCDUL;
        b = (b + (ulong)value) * 0x9FB21C651E98DF25UL;
        b ^= b >> 29;
    }

    public void Add(bool value) => Add(value ? 1L : 0L);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    internal (ulong, ulong) Value => (Mix(a), Mix(b ^ a));
}

/// <summary>
/// The hook a model gives for stateful search: a function that adds to a <see cref="StateWriter"/>
/// EVERYTHING its future depends on — every shared value, every lock's holder, every monitor's state,
/// and each operation's position in its code with the locals it still uses. The engine adds, per
/// operation, whether it exists, has finished, and can run. Register it in the test's first step
/// (each execution builds new objects); without one, stateful search prunes nothing. An incomplete
/// hash makes the search unsound: two different states would be taken for one.
/// </summary>
public static class StateHashing
{
    private static readonly ConditionalWeakTable<ControlledRuntime, Action<StateWriter>> Hashes = new();

    /// <summary>Registers <paramref name="hash"/> for the running execution of <paramref name="runtime"/>.</summary>
    public static void Register(IActorRuntime runtime, Action<StateWriter> hash)
    {
        if (runtime is ControlledRuntime rt) Hashes.AddOrUpdate(rt, hash);
    }

    internal static void Forget(ControlledRuntime runtime) => Hashes.Remove(runtime);

    /// <summary>The fingerprint of the current state of <paramref name="runtime"/>, or null when the model gave no hash.</summary>
    internal static (ulong, ulong)? Of(ControlledRuntime runtime)
    {
        if (!Hashes.TryGetValue(runtime, out Action<StateWriter>? hash)) return null;
        var w = new StateWriter(0);
        foreach (Operation op in runtime.Operations)
        {
            w.Add(op.Id);
            w.Add((long)op.Status);
            w.Add(op.IsEnabled);
        }
        hash(w);
        return w.Value;
    }
}
