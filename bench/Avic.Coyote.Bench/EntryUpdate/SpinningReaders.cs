using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>
/// Reader threads that spin on <c>READ_ONCE(table[index])</c> (<see cref="PlainPhysicalIdTable.Read"/>),
/// standing in for the IPI senders whose AVIC hardware reads the target's physical ID entry.
/// Each reader publishes its read count every <see cref="Batch"/> reads into its own cache line.
/// </summary>
public sealed class SpinningReaders : IDisposable
{
    private const int Batch = 256;
    private const int Stride = 16;            // longs: 128 bytes between published slots
    private const int StopSlot = Stride;      // slot 0 region left as padding
    private const int SinkSlot = 2 * Stride;

    private readonly PlainPhysicalIdTable _table;
    private readonly int _index;
    private readonly long[] _slots;            // stop flag, sink, one counter per reader, padded
    private readonly Thread[] _threads;
    private readonly int[] _cpus;
    private int _pinnedCount;

    public SpinningReaders(PlainPhysicalIdTable table, int index, int readerCount, int[] cpus)
    {
        _table = table;
        _index = index;
        _cpus = cpus;
        _slots = new long[(4 + readerCount) * Stride];
        _threads = new Thread[readerCount];
        for (int r = 0; r < readerCount; r++)
        {
            int reader = r;
            _threads[r] = new Thread(() => Spin(reader))
            {
                IsBackground = true,
                Name = "EntryUpdate reader " + r,
                Priority = ThreadPriority.AboveNormal,
            };
        }
    }

    public int Count => _threads.Length;

    /// <summary>True if every reader thread was pinned to its CPU.</summary>
    public bool AllPinned => Volatile.Read(ref _pinnedCount) == _threads.Length;

    private static int CounterSlot(int reader) => (3 + reader) * Stride;

    public void Start()
    {
        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    /// <summary>Sum of the published counts (may lag by up to <see cref="Batch"/> per reader).</summary>
    public long TotalReads()
    {
        long sum = 0;
        for (int r = 0; r < _threads.Length; r++)
        {
            sum += Volatile.Read(ref _slots[CounterSlot(r)]);
        }

        return sum;
    }

    /// <summary>Reads/s over <paramref name="milliseconds"/> of wall time.</summary>
    public double MeasureRate(int milliseconds)
    {
        long r0 = TotalReads();
        long t0 = Stopwatch.GetTimestamp();
        Thread.Sleep(milliseconds);
        long r1 = TotalReads();
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (r1 - r0) / seconds;
    }

    public void Dispose()
    {
        Volatile.Write(ref _slots[StopSlot], 1);
        foreach (var t in _threads)
        {
            t.Join();
        }
    }

    private void Spin(int reader)
    {
        if (reader < _cpus.Length && ThreadAffinity.TryPinCurrentThread(_cpus[reader]))
        {
            Interlocked.Increment(ref _pinnedCount);
        }

        PlainPhysicalIdTable table = _table;
        int index = _index;
        int counter = CounterSlot(reader);
        long reads = 0;
        ulong sink = 0;
        while (Volatile.Read(ref _slots[StopSlot]) == 0)
        {
            for (int k = 0; k < Batch; k++)
            {
                sink += table.Read(index);
            }

            reads += Batch;
            Volatile.Write(ref _slots[counter], reads);
        }

        Volatile.Write(ref _slots[SinkSlot], (long)sink);
    }
}

/// <summary>Pins the calling thread to one CPU (Linux <c>sched_setaffinity(0, …)</c>); .NET has no managed API for it.</summary>
public static class ThreadAffinity
{
    public static bool TryPinCurrentThread(int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= 64)
        {
            return false;
        }

        try
        {
            ulong mask = 1UL << cpu;
            return sched_setaffinity(0, (nuint)sizeof(ulong), ref mask) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Allows the calling thread to run on every CPU again.</summary>
    public static bool TryUnpinCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            int n = Math.Min(Environment.ProcessorCount, 64);
            ulong mask = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
            return sched_setaffinity(0, (nuint)sizeof(ulong), ref mask) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nuint cpusetsize, ref ulong mask);
}
