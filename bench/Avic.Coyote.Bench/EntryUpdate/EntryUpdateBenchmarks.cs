using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Avic.Kvm.Avic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Avic.Coyote.Bench.EntryUpdate;

/// <summary>Which situation the writer (<c>__avic_vcpu_load</c>) is in.</summary>
public enum EntryScenario
{
    /// <summary>Same pCPU every time: the entry already holds this host id and IS_RUNNING (seed 002's non-strict common path).</summary>
    Unchanged,

    /// <summary>Host id alternates 3/5, so every load changes the entry.</summary>
    Changed,

    /// <summary>All 512 entries in turn; about 1 load in 16 migrates to another pCPU (fixed pseudo-random pattern).</summary>
    Table512Mix,

    /// <summary>As <see cref="Unchanged"/>, while reader threads spin on the same entry (same cache line).</summary>
    Contended,

    /// <summary>As <see cref="Changed"/>, while reader threads spin on the same entry.</summary>
    ContendedChanged,
}

/// <summary>BenchmarkDotNet configuration for <see cref="EntryUpdateBenchmarks"/>.</summary>
public sealed class EntryUpdateConfig : ManualConfig
{
    public EntryUpdateConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new ReaderRateColumn(idle: false), new ReaderRateColumn(idle: true));
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByParams);
    }
}

/// <summary>
/// The physical APIC ID entry update of <c>__avic_vcpu_load</c> (arch/x86/kvm/svm/avic.c) under the
/// three write policies, through the same <see cref="AvicEntryUpdate.Load{TTable}"/> source the model
/// runs, on <see cref="PlainPhysicalIdTable"/>. The policies are benchmark methods (so that
/// BenchmarkDotNet can make <c>AlwaysWrite</c>, the pre-seed code, the [Baseline] of each scenario);
/// the scenario is a [Params], so one run covers the grid.
/// </summary>
[Config(typeof(EntryUpdateConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EntryUpdateBenchmarks
{
    /// <summary>Loads per benchmark invocation (inner loop).</summary>
    public const int Ops = 4096;

    private const int TableSize = 512;
    private const int HotIndex = 7;
    private const ulong PageBase = 0x1_2340_0000UL;

    [Params(EntryScenario.Unchanged, EntryScenario.Changed, EntryScenario.Table512Mix,
        EntryScenario.Contended, EntryScenario.ContendedChanged)]
    public EntryScenario Scenario { get; set; }

    private PlainPhysicalIdTable _table;
    private int[] _mixHosts = [];       // host id for op j of the mix (index j % 512)
    private SpinningReaders? _readers;
    private double _idleReadRate;
    private long _readsDuringWrites;
    private long _writerTicks;
    private string _lastMethod = "";
    private bool _writerPinned;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var entries = GC.AllocateArray<ulong>(TableSize, pinned: true);
        _table = new PlainPhysicalIdTable(entries);
        for (int i = 0; i < TableSize; i++)
        {
            // B-INIT then a first load on pCPU 3: valid | running | host 3 | own backing page.
            entries[i] = AvicEntryUpdate.ComputeLoadEntry(AvicPhysicalIdEntry.Create(PageBase + ((ulong)i << 12)), 3);
        }

        _mixHosts = BuildMix(out double migrateFraction);
        if (Scenario == EntryScenario.Table512Mix)
        {
            // Steady state: start from the table as the pattern leaves it.
            var t = _table;
            RunMix(ref t, EntryWritePolicy.AlwaysWrite);
            Console.WriteLine($"// EntryUpdate: Table512Mix migrating loads = {migrateFraction:P2} of {Ops}");
        }

        _writerPinned = ThreadAffinity.TryPinCurrentThread(0);
        if (Scenario is EntryScenario.Contended or EntryScenario.ContendedChanged)
        {
            int n = Math.Max(1, Environment.ProcessorCount - 1);
            var cpus = new int[n];
            for (int r = 0; r < n; r++)
            {
                cpus[r] = (r + 1) % Environment.ProcessorCount;
            }

            _readers = new SpinningReaders(_table, HotIndex, n, cpus);
            _readers.Start();
            _readers.MeasureRate(100); // let them start and pin
            _idleReadRate = _readers.MeasureRate(300);
            Console.WriteLine($"// EntryUpdate: {n} reader(s), pinned={_readers.AllPinned}, writer pinned={_writerPinned}, " +
                              $"idle reader rate = {_idleReadRate / 1e6:N1} M reads/s");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        if (_readers is null)
        {
            return;
        }

        _readers.Dispose();
        double seconds = (double)_writerTicks / Stopwatch.Frequency;
        double busyRate = seconds > 0 ? _readsDuringWrites / seconds : 0;
        Console.WriteLine($"// EntryUpdate: {_lastMethod}/{Scenario}: readers {busyRate / 1e6:N1} M reads/s while writing " +
                          $"({seconds:N2} s of writer time), {_idleReadRate / 1e6:N1} M reads/s idle");
        ReaderRateLog.Append(_lastMethod, Scenario.ToString(), _readers.Count, _readers.AllPinned && _writerPinned,
            _idleReadRate, busyRate, seconds);
        _readers = null;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public ulong AlwaysWrite() => Run(EntryWritePolicy.AlwaysWrite, nameof(AlwaysWrite));

    [Benchmark(OperationsPerInvoke = Ops)]
    public ulong ElidedWrite() => Run(EntryWritePolicy.ElidedWrite, nameof(ElidedWrite));

    [Benchmark(OperationsPerInvoke = Ops)]
    public ulong CompareExchange() => Run(EntryWritePolicy.CompareExchange, nameof(CompareExchange));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Run(EntryWritePolicy policy, string method)
    {
        var table = _table; // one array reference, enregistered
        switch (Scenario)
        {
            case EntryScenario.Unchanged:
                return RunSame(ref table, policy);
            case EntryScenario.Changed:
                return RunAlternating(ref table, policy);
            case EntryScenario.Table512Mix:
                return RunMix(ref table, policy);
            default:
                return RunContended(ref table, policy, method);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RunSame(ref PlainPhysicalIdTable table, EntryWritePolicy policy)
    {
        ulong acc = 0;
        for (int i = 0; i < Ops; i++)
        {
            acc += AvicEntryUpdate.Load(ref table, HotIndex, 3, policy).OldEntry;
        }

        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RunAlternating(ref PlainPhysicalIdTable table, EntryWritePolicy policy)
    {
        ulong acc = 0;
        for (int i = 0; i < Ops; i++)
        {
            acc += AvicEntryUpdate.Load(ref table, HotIndex, 3 + ((i & 1) << 1), policy).OldEntry;
        }

        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong RunMix(ref PlainPhysicalIdTable table, EntryWritePolicy policy)
    {
        int[] hosts = _mixHosts;
        ulong acc = 0;
        for (int j = 0; j < hosts.Length; j++)
        {
            acc += AvicEntryUpdate.Load(ref table, j & (TableSize - 1), hosts[j], policy).OldEntry;
        }

        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong RunContended(ref PlainPhysicalIdTable table, EntryWritePolicy policy, string method)
    {
        var readers = _readers!;
        long r0 = readers.TotalReads();
        long t0 = Stopwatch.GetTimestamp();
        ulong acc = Scenario == EntryScenario.Contended
            ? RunSame(ref table, policy)
            : RunAlternating(ref table, policy);
        _writerTicks += Stopwatch.GetTimestamp() - t0;
        _readsDuringWrites += readers.TotalReads() - r0;
        _lastMethod = method;
        return acc;
    }

    /// <summary>
    /// Per entry, 8 passes (8 × 512 = <see cref="Ops"/> loads); at each pass the vCPU moves to another
    /// pCPU (host ids 0..63) with probability 1/16 (xorshift, fixed seed), otherwise it stays.
    /// The pattern repeats, so the change fraction is counted cyclically.
    /// </summary>
    private static int[] BuildMix(out double migrateFraction)
    {
        const int passes = Ops / TableSize;
        var hosts = new int[Ops];
        uint x = 0x2545F491;
        uint Next()
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            return x;
        }

        for (int i = 0; i < TableSize; i++)
        {
            int cur = 3;
            for (int p = 0; p < passes; p++)
            {
                if ((Next() & 15) == 0)
                {
                    cur = (int)((uint)cur + 1 + (Next() % 63)) & 63; // a different pCPU
                }

                hosts[p * TableSize + i] = cur;
            }
        }

        int changes = 0;
        for (int j = 0; j < Ops; j++)
        {
            int prev = (j - TableSize + Ops) % Ops;
            changes += hosts[j] != hosts[prev] ? 1 : 0;
        }

        migrateFraction = (double)changes / Ops;
        return hosts;
    }
}
