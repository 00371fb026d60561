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

    /// <summary>All 512 entries in turn; exactly 1 load in 16 migrates to another pCPU (fixed pseudo-random pattern).</summary>
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
        AddColumn(new ReaderRateColumn(control: false), new ReaderRateColumn(control: true));
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
    private double _asleepReadRate;
    private double _controlReadRate;
    private long _readsDuringWrites;
    private long _writerTicks;
    private EntryWritePolicy _policy;
    private bool _writerPinned;
    private ulong _sink;

    [GlobalSetup(Target = nameof(AlwaysWrite))]
    public void SetupAlwaysWrite() => Setup(EntryWritePolicy.AlwaysWrite);

    [GlobalSetup(Target = nameof(ElidedWrite))]
    public void SetupElidedWrite() => Setup(EntryWritePolicy.ElidedWrite);

    [GlobalSetup(Target = nameof(CompareExchange))]
    public void SetupCompareExchange() => Setup(EntryWritePolicy.CompareExchange);

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
        string method = _policy.ToString();
        Console.WriteLine($"// EntryUpdate: {method}/{Scenario}: readers {busyRate / 1e6:N1} M reads/s while the writer ran " +
                          $"({seconds:N2} s of writer time); control (writer on a private line) {_controlReadRate / 1e6:N1}, " +
                          $"writer asleep {_asleepReadRate / 1e6:N1} M reads/s");
        ReaderRateLog.Append(method, Scenario.ToString(), _readers.Count, _readers.AllPinned && _writerPinned,
            _asleepReadRate, _controlReadRate, busyRate, seconds);
        _readers = null;
    }

    private void Setup(EntryWritePolicy policy)
    {
        _policy = policy;
        var entries = GC.AllocateArray<ulong>(TableSize, pinned: true);
        _table = new PlainPhysicalIdTable(entries);
        FillTable(entries);

        _mixHosts = BuildMix(out double migrateFraction);
        if (Scenario == EntryScenario.Table512Mix)
        {
            // Steady state: start from the table as the pattern leaves it.
            var t = _table;
            RunMix(ref t, EntryWritePolicy.AlwaysWrite);
            // Cross-check on a copy: how many of the elided-write policy's loads really store.
            var copy = new PlainPhysicalIdTable((ulong[])_table.Entries.Clone());
            int stores = 0;
            for (int j = 0; j < _mixHosts.Length; j++)
            {
                stores += AvicEntryUpdate.Load(ref copy, j & (TableSize - 1), _mixHosts[j], EntryWritePolicy.ElidedWrite).Stored ? 1 : 0;
            }

            Console.WriteLine($"// EntryUpdate: Table512Mix migrating loads = {migrateFraction:P2} of {Ops}; " +
                              $"ElidedWrite stores {stores} of {Ops}");
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
            _asleepReadRate = _readers.MeasureRate(300);

            // Control: the writer runs the same loop with the same policy on a private table
            // (another cache line), so its CPU is as busy as in the benchmark but the readers'
            // line is untouched. Busy-vs-control isolates the shared-cache-line effect from
            // effects of the writer merely running (SMT siblings, vCPU scheduling, frequency).
            var privateTable = new PlainPhysicalIdTable(GC.AllocateArray<ulong>(TableSize, pinned: true));
            FillTable(privateTable.Entries);
            long r0 = _readers.TotalReads();
            long t0 = Stopwatch.GetTimestamp();
            long deadline = t0 + Stopwatch.Frequency * 3 / 10;
            ulong sink = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                sink += Scenario == EntryScenario.Contended
                    ? RunSame(ref privateTable, policy)
                    : RunAlternating(ref privateTable, policy);
            }

            _controlReadRate = (_readers.TotalReads() - r0) / Stopwatch.GetElapsedTime(t0).TotalSeconds;
            _sink = sink;
            Console.WriteLine($"// EntryUpdate: {n} reader(s), pinned={_readers.AllPinned}, writer pinned={_writerPinned}, " +
                              $"reader rate: writer asleep {_asleepReadRate / 1e6:N1}, writer on private line {_controlReadRate / 1e6:N1} M reads/s");
        }
    }

    private static void FillTable(ulong[] entries)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            // B-INIT then a first load on pCPU 3: valid | running | host 3 | own backing page.
            entries[i] = AvicEntryUpdate.ComputeLoadEntry(AvicPhysicalIdEntry.Create(PageBase + ((ulong)i << 12)), 3);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public ulong AlwaysWrite() => Run(EntryWritePolicy.AlwaysWrite);

    [Benchmark(OperationsPerInvoke = Ops)]
    public ulong ElidedWrite() => Run(EntryWritePolicy.ElidedWrite);

    [Benchmark(OperationsPerInvoke = Ops)]
    public ulong CompareExchange() => Run(EntryWritePolicy.CompareExchange);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Run(EntryWritePolicy policy)
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
                return RunContended(ref table, policy);
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
    private ulong RunContended(ref PlainPhysicalIdTable table, EntryWritePolicy policy)
    {
        var readers = _readers!;
        long r0 = readers.TotalReads();
        long t0 = Stopwatch.GetTimestamp();
        ulong acc = Scenario == EntryScenario.Contended
            ? RunSame(ref table, policy)
            : RunAlternating(ref table, policy);
        _writerTicks += Stopwatch.GetTimestamp() - t0;
        _readsDuringWrites += readers.TotalReads() - r0;
        return acc;
    }

    /// <summary>
    /// The mix: 8 passes over the 512 entries (8 × 512 = <see cref="Ops"/> loads). A fixed pseudo-random
    /// quarter of the entries (128) migrate once per cycle: at pass p1 the vCPU moves from pCPU 3 to
    /// another pCPU (host ids 0..63) and at a later pass p2 it moves back, so the pattern repeats
    /// cyclically with exactly 2 × 128 changed loads out of 4096 = 1 in 16; every other load finds its
    /// entry unchanged. Positions and hosts come from a fixed-seed xorshift.
    /// </summary>
    private static int[] BuildMix(out double migrateFraction)
    {
        const int passes = Ops / TableSize;
        const int home = 3;
        var hosts = new int[Ops];
        Array.Fill(hosts, home);
        uint x = 0x2545F491;
        uint Next()
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            return x;
        }

        // Fisher-Yates over the entry indices; the first quarter migrate.
        var order = new int[TableSize];
        for (int i = 0; i < TableSize; i++)
        {
            order[i] = i;
        }

        for (int i = TableSize - 1; i > 0; i--)
        {
            int k = (int)(Next() % (uint)(i + 1));
            (order[i], order[k]) = (order[k], order[i]);
        }

        for (int m = 0; m < TableSize / 4; m++)
        {
            int entry = order[m];
            int p1 = (int)(Next() % passes);
            int p2 = (int)(Next() % passes);
            while (p2 == p1)
            {
                p2 = (int)(Next() % passes);
            }

            if (p2 < p1)
            {
                (p1, p2) = (p2, p1);
            }

            int away = (home + 1 + (int)(Next() % 63)) & 63; // a different pCPU
            for (int p = p1; p < p2; p++)
            {
                hosts[p * TableSize + entry] = away;
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
