using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Avic.Kvm.Avic;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Tests.Avic;

public class AvicEntryUpdateTests
{
    private const ulong Page = 0x12345000UL;
    private const ulong Running = IsRunningMask;
    private const ulong GaLog = GaLogIntrMask;

    public static readonly EntryWritePolicy[] Policies =
        [EntryWritePolicy.AlwaysWrite, EntryWritePolicy.ElidedWrite, EntryWritePolicy.CompareExchange];

    public static TheoryData<EntryWritePolicy> AllPolicies => new(Policies);

    public static readonly int[] HostIds = [0, 1, 0xFE, 0xFF, 0x100, 0x1FF, 0xFFF, 0x1000, -1, int.MaxValue];

    // ---------------------------------------------------------------- pure computations

    [Theory]
    // old entry, host id, width, expected new entry
    [InlineData(0x8000_0000_1234_5000UL, 3, HostIdWidth.Bits12, 0xC000_0000_1234_5003UL)]
    [InlineData(0xC000_0000_1234_5003UL, 3, HostIdWidth.Bits12, 0xC000_0000_1234_5003UL)] // unchanged
    [InlineData(0xC000_0000_1234_5003UL, 5, HostIdWidth.Bits12, 0xC000_0000_1234_5005UL)] // migrate
    [InlineData(0x8000_0000_1234_5FFFUL, 0, HostIdWidth.Bits12, 0xC000_0000_1234_5000UL)]
    [InlineData(0x8000_0000_1234_5000UL, 0x1FF, HostIdWidth.Bits12, 0xC000_0000_1234_51FFUL)]
    [InlineData(0x8000_0000_1234_5000UL, 0x1000, HostIdWidth.Bits12, 0xC000_0000_1234_5000UL)]
    [InlineData(0x8000_0000_1234_5000UL, -1, HostIdWidth.Bits12, 0xC000_0000_1234_5FFFUL)]
    [InlineData(0x8000_0000_1234_5000UL, 0x1FF, HostIdWidth.Bits8Legacy, 0xC000_0000_1234_50FFUL)]
    [InlineData(0x8000_0000_1234_5F00UL, 0x100, HostIdWidth.Bits8Legacy, 0xC000_0000_1234_5F00UL)]
    [InlineData(0x0000_0000_0000_0000UL, 7, HostIdWidth.Bits12, 0x4000_0000_0000_0007UL)] // invalid stays invalid
    [InlineData(0xA000_0000_1234_5002UL, 3, HostIdWidth.Bits12, 0xE000_0000_1234_5003UL)] // seed era keeps bit 61
    public void ComputeLoadEntry_Examples(ulong old, int hostId, HostIdWidth width, ulong expected)
        => Assert.Equal(expected, AvicEntryUpdate.ComputeLoadEntry(old, hostId, width));

    [Fact]
    public void ComputeLoadEntry_PreservesBackingPageAndValid_SetsRunning()
    {
        foreach (ulong flags in AvicPhysicalIdEntryTests.FlagSets)
        foreach (ulong page in AvicPhysicalIdEntryTests.Pages)
        foreach (int oldId in new[] { 0, 0x5A, 0xFFF })
        foreach (int hostId in HostIds)
        foreach (HostIdWidth width in new[] { HostIdWidth.Bits8Legacy, HostIdWidth.Bits12 })
        {
            ulong old = flags | page | (uint)oldId;
            ulong n = AvicEntryUpdate.ComputeLoadEntry(old, hostId, width);
            Assert.True(IsRunning(n));
            Assert.Equal(Valid(old), Valid(n));
            Assert.Equal(GaLogIntr(old), GaLogIntr(n));
            Assert.Equal(page, BackingPage(n));
            Assert.Equal((int)((ulong)(long)hostId & HostIdMask(width)), HostPhysicalId(n, width));
            ulong fieldAndRunning = HostIdMask(width) | Running;
            Assert.Equal(old & ~fieldAndRunning, n & ~fieldAndRunning);
        }
    }

    [Theory]
    [InlineData(0xE000_0000_1234_5002UL, 3, 0xC000_0000_1234_5003UL)]
    [InlineData(0xA000_0000_1234_5002UL, 2, 0xC000_0000_1234_5002UL)]
    [InlineData(0x8000_0000_1234_5002UL, 2, 0xC000_0000_1234_5002UL)]
    public void ComputeLoadShadow_AlsoClearsGaLogIntr(ulong oldShadow, int hostId, ulong expected)
        => Assert.Equal(expected, AvicEntryUpdate.ComputeLoadShadow(oldShadow, hostId));

    [Fact]
    public void ComputePutEntry_ClearsRunning_KeepsHostIdPageValid()
    {
        Assert.Equal(0x8000_0000_1234_5003UL, AvicEntryUpdate.ComputePutEntry(0xC000_0000_1234_5003UL));
        Assert.Equal(0x800F_FFFF_FFFF_FFFFUL, AvicEntryUpdate.ComputePutEntry(0xC00F_FFFF_FFFF_FFFFUL));
        Assert.Equal(0x8000_0000_1234_5003UL, AvicEntryUpdate.ComputePutEntry(0x8000_0000_1234_5003UL));
        foreach (ulong flags in AvicPhysicalIdEntryTests.FlagSets)
        foreach (ulong page in AvicPhysicalIdEntryTests.Pages)
        foreach (int id in new[] { 0, 1, 0xFE, 0xFF, 0x100, 0x1FF, 0xFFF })
        {
            ulong old = flags | page | (uint)id;
            ulong n = AvicEntryUpdate.ComputePutEntry(old);
            Assert.False(IsRunning(n));
            Assert.Equal(id, HostPhysicalId(n)); // "Keep the previous APIC ID in the entry"
            Assert.Equal(page, BackingPage(n));
            Assert.Equal(Valid(old), Valid(n));
            Assert.Equal(GaLogIntr(old), GaLogIntr(n));
        }
    }

    [Theory]
    [InlineData(0xC000_0000_1234_5003UL, true, 0xA000_0000_1234_5003UL)]
    [InlineData(0xC000_0000_1234_5003UL, false, 0x8000_0000_1234_5003UL)]
    [InlineData(0x8000_0000_1234_5003UL, true, 0xA000_0000_1234_5003UL)]
    public void ComputePutShadow_SetsGaLogIntrOnlyWhenBlocking(ulong oldShadow, bool blocking, ulong expected)
        => Assert.Equal(expected, AvicEntryUpdate.ComputePutShadow(oldShadow, blocking));

    [Fact]
    public void TableValue_NeverExposesGaLogIntr_AndIsRunningOnlyWithIpiv()
    {
        Assert.Equal(0xC000_0000_1234_5003UL, AvicEntryUpdate.TableValue(0xE000_0000_1234_5003UL, enableIpiv: true));
        Assert.Equal(0x8000_0000_1234_5003UL, AvicEntryUpdate.TableValue(0xE000_0000_1234_5003UL, enableIpiv: false));
        foreach (ulong flags in AvicPhysicalIdEntryTests.FlagSets)
        foreach (ulong page in AvicPhysicalIdEntryTests.Pages)
        foreach (int id in new[] { 0, 0xFF, 0xFFF })
        {
            ulong shadow = flags | page | (uint)id;
            ulong withIpiv = AvicEntryUpdate.TableValue(shadow, enableIpiv: true);
            ulong noIpiv = AvicEntryUpdate.TableValue(shadow, enableIpiv: false);
            Assert.False(GaLogIntr(withIpiv));
            Assert.False(GaLogIntr(noIpiv));
            Assert.False(IsRunning(noIpiv));
            Assert.Equal(IsRunning(shadow), IsRunning(withIpiv));
            Assert.Equal(shadow & ~(GaLog | Running), noIpiv & ~(GaLog | Running)); // rest copied
        }
    }

    // ---------------------------------------------------------------- policies (stores counted)

    [Fact]
    public void ElidedWrite_DoesNotStoreWhenUnchanged_StoresWhenChanged()
    {
        var t = new CountingTable(4);
        t.Entries[1] = Create(Page) | Running | 3;

        var r = AvicEntryUpdate.Load(ref t, 1, 3, EntryWritePolicy.ElidedWrite);
        Assert.False(r.Stored);
        Assert.False(r.Changed);
        Assert.True(r.OldIsRunning); // non-strict load finds IsRunning=1: the WARN the RFC removed
        Assert.Equal(0, t.Writes);
        Assert.Equal(1, t.Reads);

        r = AvicEntryUpdate.Load(ref t, 1, 5, EntryWritePolicy.ElidedWrite);
        Assert.True(r.Stored);
        Assert.True(r.Changed);
        Assert.Equal(1, t.Writes);
        Assert.Equal(Create(Page) | Running | 5, t.Entries[1]);
        Assert.Equal(0, t.CompareExchanges);
    }

    [Fact]
    public void AlwaysWrite_StoresEvenWhenUnchanged()
    {
        var t = new CountingTable(4);
        t.Entries[1] = Create(Page) | Running | 3;
        var r = AvicEntryUpdate.Load(ref t, 1, 3, EntryWritePolicy.AlwaysWrite);
        Assert.True(r.Stored);
        Assert.False(r.Changed);
        Assert.Equal(1, t.Writes);
        Assert.Equal(0, t.CompareExchanges);
    }

    [Fact]
    public void CompareExchange_AlwaysIssuesOneLockedRmw()
    {
        var t = new CountingTable(4);
        t.Entries[1] = Create(Page) | Running | 3;
        Assert.True(AvicEntryUpdate.Load(ref t, 1, 3, EntryWritePolicy.CompareExchange).Stored);
        Assert.True(AvicEntryUpdate.Load(ref t, 1, 4, EntryWritePolicy.CompareExchange).Stored);
        Assert.Equal(2, t.CompareExchanges);
        Assert.Equal(0, t.FailedCompareExchanges);
        Assert.Equal(0, t.Writes);
        Assert.Equal(Create(Page) | Running | 4, t.Entries[1]);
    }

    [Fact]
    public void CompareExchange_RetriesFromTheValueAnotherWriterStored()
    {
        ulong[] entries = [0, Create(Page) | 3, 0];
        ulong other = Create(0x7777_7000UL) | 9; // someone else's store between our read and CAS
        var t = new InterferingTable(entries, other);
        var r = AvicEntryUpdate.Load(ref t, 1, 5, EntryWritePolicy.CompareExchange);
        Assert.Equal(2, t.CompareExchanges);
        Assert.Equal(other, r.OldEntry);
        Assert.Equal(Create(0x7777_7000UL) | Running | 5, entries[1]); // recomputed, other's page kept
        Assert.Equal(entries[1], r.NewEntry);
        Assert.Equal(0UL, entries[0] | entries[2]);
    }

    [Fact]
    public void AlwaysWrite_LosesTheConcurrentStore_ElidedToo()
    {
        // Documents the difference: plain writes overwrite a store that landed after the read.
        foreach (var policy in new[] { EntryWritePolicy.AlwaysWrite, EntryWritePolicy.ElidedWrite })
        {
            ulong[] entries = [Create(Page) | 3];
            var t = new InterferingTable(entries, Create(0x7777_7000UL) | 9);
            AvicEntryUpdate.Load(ref t, 0, 5, policy);
            Assert.Equal(Create(Page) | Running | 5, entries[0]);
        }
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void Put_ClearsRunning_KeepsHostId(EntryWritePolicy policy)
    {
        var t = new CountingTable(2);
        t.Entries[0] = Create(Page) | Running | 0x1FF;
        var r = AvicEntryUpdate.Put(ref t, 0, policy);
        Assert.Equal(Create(Page) | 0x1FF, t.Entries[0]);
        Assert.True(r.Stored);
        Assert.True(r.OldIsRunning);
        Assert.Equal(0x1FF, HostPhysicalId(t.Entries[0]));
        Assert.Equal(1, t.Stores);

        r = AvicEntryUpdate.Put(ref t, 0, policy); // already not running
        Assert.Equal(policy != EntryWritePolicy.ElidedWrite, r.Stored);
        Assert.Equal(policy == EntryWritePolicy.ElidedWrite ? 1 : 2, t.Stores);
    }

    [Fact]
    public void StrictMode_LoadAfterPutDoesNotWarn_LoadAfterLoadDoes()
    {
        var t = new CountingTable(1);
        t.Entries[0] = Create(Page);
        Assert.False(AvicEntryUpdate.Load(ref t, 0, 2, EntryWritePolicy.AlwaysWrite).OldIsRunning);
        AvicEntryUpdate.Put(ref t, 0, EntryWritePolicy.AlwaysWrite);
        Assert.False(AvicEntryUpdate.Load(ref t, 0, 3, EntryWritePolicy.AlwaysWrite).OldIsRunning);
        Assert.True(AvicEntryUpdate.Load(ref t, 0, 3, EntryWritePolicy.AlwaysWrite).OldIsRunning);
    }

    [Fact]
    public void UpdateTouchesOnlyItsIndex()
    {
        foreach (var policy in Policies)
        {
            var t = new PlainPhysicalIdTable(8);
            for (int i = 0; i < 8; i++)
            {
                t.Entries[i] = Create(Page + ((ulong)i << 12));
            }

            ulong[] before = (ulong[])t.Entries.Clone();
            AvicEntryUpdate.Load(ref t, 5, 0x42, policy);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(i == 5 ? before[i] | Running | 0x42 : before[i], t.Entries[i]);
            }
        }
    }

    [Fact]
    public void AllPolicies_GiveTheSameTableContents()
    {
        const int n = 64;
        var tables = Policies.Select(_ => new PlainPhysicalIdTable(n)).ToArray();
        var stores = new int[Policies.Length];
        var rng = new Random(12345);
        var ops = new (int Kind, int Index, int Host)[20_000];
        for (int k = 0; k < ops.Length; k++)
        {
            ops[k] = (rng.Next(3), rng.Next(n), rng.Next(4) == 0 ? rng.Next(-2, 0x1100) : rng.Next(4));
        }

        for (int p = 0; p < Policies.Length; p++)
        {
            ref var t = ref tables[p];
            for (int i = 0; i < n; i++)
            {
                t.Entries[i] = Create(0x10_0000UL + ((ulong)i << 12));
            }

            foreach (var (kind, index, host) in ops)
            {
                var r = kind == 0
                    ? AvicEntryUpdate.Put(ref t, index, Policies[p])
                    : AvicEntryUpdate.Load(ref t, index, host, Policies[p]);
                Assert.Equal(r.NewEntry, t.Entries[index]);
                stores[p] += r.Stored ? 1 : 0;
            }
        }

        Assert.Equal(tables[0].Entries, tables[1].Entries);
        Assert.Equal(tables[0].Entries, tables[2].Entries);
        Assert.Equal(ops.Length, stores[0]);
        Assert.Equal(ops.Length, stores[2]);
        Assert.InRange(stores[1], 1, ops.Length - 1000); // elision really skipped many stores
    }

    // ---------------------------------------------------------------- 2025 shadow

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void EnableIpivFalse_NeverExposesIsRunningOrGaLogIntr(EntryWritePolicy policy)
    {
        var t = new RecordingTable(4);
        ulong shadow = Create(Page);
        t.Entries[2] = shadow; // B-INIT: table := shadow
        var rng = new Random(7);
        bool running = false;
        for (int k = 0; k < 2000; k++)
        {
            if (!running)
            {
                var r = AvicEntryUpdate.LoadShadowed(ref t, 2, ref shadow, rng.Next(0x200), enableIpiv: false, policy);
                Assert.False(r.OldIsRunning); // WARN_ON_ONCE(e & IS_RUNNING) on the shadow
                Assert.True(IsRunning(shadow));
                running = true;
            }
            else
            {
                var r = AvicEntryUpdate.PutShadowed(ref t, 2, ref shadow, startBlocking: rng.Next(2) == 0, enableIpiv: false, policy);
                Assert.False(r.Stored); // the table is not written by put without IPIv
                Assert.False(IsRunning(shadow));
                running = false;
            }

            Assert.False(IsRunning(t.Entries[2]));
            Assert.False(GaLogIntr(t.Entries[2]));
            Assert.Equal(AvicEntryUpdate.TableValue(shadow, enableIpiv: false), t.Entries[2]); // INV-B2
        }

        Assert.NotEmpty(t.Stored);
        Assert.All(t.Stored, v => Assert.Equal(0UL, v & (Running | GaLog)));
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void EnableIpivTrue_TableFollowsShadowWithoutGaLogIntr(EntryWritePolicy policy)
    {
        var t = new RecordingTable(1);
        ulong shadow = Create(Page);
        t.Entries[0] = shadow;

        var load = AvicEntryUpdate.LoadShadowed(ref t, 0, ref shadow, 0x1FF, enableIpiv: true, policy);
        Assert.True(load.Stored);
        Assert.Equal(Create(Page) | Running | 0x1FF, t.Entries[0]);
        Assert.Equal(t.Entries[0], shadow);

        var put = AvicEntryUpdate.PutShadowed(ref t, 0, ref shadow, startBlocking: true, enableIpiv: true, policy);
        Assert.True(put.Stored);
        Assert.False(put.OldGaLogIntr);
        Assert.Equal(Create(Page) | 0x1FF, t.Entries[0]);          // host id kept, not running
        Assert.Equal(Create(Page) | GaLog | 0x1FF, shadow);         // GA_LOG_INTR in the shadow only

        // Unblock → load on another pCPU clears GA_LOG_INTR in the shadow.
        load = AvicEntryUpdate.LoadShadowed(ref t, 0, ref shadow, 2, enableIpiv: true, policy);
        Assert.True(load.OldGaLogIntr);
        Assert.Equal(Create(Page) | Running | 2, shadow);
        Assert.Equal(shadow, t.Entries[0]);
        Assert.All(t.Stored, v => Assert.Equal(0UL, v & GaLog));
    }

    [Fact]
    public void LoadShadowed_ElidedWriteSkipsUnchangedTable()
    {
        var t = new CountingTable(1);
        ulong shadow = Create(Page);
        t.Entries[0] = shadow;
        // Same host id (0) and IS_RUNNING masked without IPIv: the table value does not change.
        Assert.False(AvicEntryUpdate.LoadShadowed(ref t, 0, ref shadow, 0, false, EntryWritePolicy.ElidedWrite).Stored);
        Assert.Equal(0, t.Writes);
        Assert.True(IsRunning(shadow));
        AvicEntryUpdate.PutShadowed(ref t, 0, ref shadow, false, false, EntryWritePolicy.ElidedWrite);
        Assert.True(AvicEntryUpdate.LoadShadowed(ref t, 0, ref shadow, 1, true, EntryWritePolicy.ElidedWrite).Stored);
        Assert.Equal(1, t.Writes);
    }

    // ---------------------------------------------------------------- plain table

    [Fact]
    public void PlainTable_ReadWriteCompareExchange()
    {
        var t = new PlainPhysicalIdTable(3);
        Assert.Equal(3, t.Length);
        t.Write(1, 42);
        Assert.Equal(42UL, t.Read(1));
        Assert.Equal(42UL, t.CompareExchange(1, 7, comparand: 41)); // fails
        Assert.Equal(42UL, t.Read(1));
        Assert.Equal(42UL, t.CompareExchange(1, 7, comparand: 42)); // succeeds
        Assert.Equal(7UL, t.Read(1));
        Assert.Equal(0UL, t.Read(0) | t.Read(2));
        Assert.Throws<IndexOutOfRangeException>(() => t.Read(3));
        Assert.Throws<IndexOutOfRangeException>(() => t.Write(-1, 0));
        Assert.Throws<ArgumentNullException>(() => new PlainPhysicalIdTable(null!));
    }

    [Fact]
    public void UnknownPolicy_Throws()
    {
        var t = new PlainPhysicalIdTable(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => AvicEntryUpdate.Load(ref t, 0, 1, (EntryWritePolicy)3));
    }
}
