using System.Threading;

namespace Avic.Coyote.Testing;

/// <summary>
/// The threads every parallel run uses (portfolio workers, hunt slots, hunt minimization, the parallel
/// exhaustive search): one engine per thread, each deterministic on its own, on stacks big enough for the
/// engine's deep executions.
/// A worker's failure is not lost on its thread: the first one is rethrown on the caller's.
/// </summary>
public static class WorkerPool
{
    /// <summary>Long executions of the models recurse deeply through continuations; the default 1.5 MB overflows.</summary>
    public const int StackSize = 16 * 1024 * 1024;

    /// <summary>For workers that nest runs: a parallel search's thread that waits for a subtree explores queued
    /// subtrees meanwhile, each of which may wait and explore in turn, one deep execution at the innermost.</summary>
    public const int NestingStackSize = 64 * 1024 * 1024;

    /// <summary>Runs <paramref name="work"/>(slot) for slot 0..<paramref name="threads"/>-1, each on its own thread,
    /// and waits for all; <paramref name="tick"/> runs on the calling thread about once a second meanwhile.
    /// The first exception of a worker is rethrown as an <see cref="InvalidOperationException"/> naming <paramref name="what"/>.
    /// <paramref name="stackSize"/>: each thread's (<see cref="StackSize"/> unless the work nests, <see cref="NestingStackSize"/>).</summary>
    public static void Run(int threads, Action<int> work, string what, Action? tick = null, int stackSize = StackSize)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "at least one thread");
        Exception? failure = null;
        var workers = Enumerable.Range(0, threads).Select(slot => new Thread(() =>
        {
            try { work(slot); }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
        }, stackSize) { IsBackground = true, Name = $"{what}-{slot}" }).ToList();
        workers.ForEach(t => t.Start());
        foreach (Thread t in workers)
            while (!t.Join(TimeSpan.FromSeconds(1))) tick?.Invoke();
        tick?.Invoke();
        if (failure is not null) throw new InvalidOperationException($"{what} failed: {failure.Message}", failure);
    }

    /// <summary>Runs <paramref name="action"/> on each item, up to <paramref name="parallel"/> at once, in list order of start.</summary>
    public static void ForEach<T>(IReadOnlyList<T> items, int parallel, Action<T> action, string what)
    {
        if (items.Count == 0) return;
        int next = -1;
        Run(Math.Max(1, Math.Min(parallel, items.Count)), _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < items.Count;) action(items[i]);
        }, what);
    }
}
