using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Tests.Avic;

/// <summary>
/// Test accessor that counts every access. Counters are struct fields on purpose: they only
/// advance if the update code really takes the table by <c>ref</c> (a copy would lose them).
/// </summary>
internal struct CountingTable : IPhysicalIdTable
{
    public readonly ulong[] Entries;
    public int Reads;
    public int Writes;
    public int CompareExchanges;
    public int FailedCompareExchanges;

    public CountingTable(int length) => Entries = new ulong[length];

    public CountingTable(ulong[] entries) => Entries = entries;

    public int Stores => Writes + CompareExchanges - FailedCompareExchanges;

    public ulong Read(int index)
    {
        Reads++;
        return Entries[index];
    }

    public void Write(int index, ulong value)
    {
        Writes++;
        Entries[index] = value;
    }

    public ulong CompareExchange(int index, ulong value, ulong comparand)
    {
        CompareExchanges++;
        ulong observed = Entries[index];
        if (observed == comparand)
        {
            Entries[index] = value;
        }
        else
        {
            FailedCompareExchanges++;
        }

        return observed;
    }
}

/// <summary>
/// Simulates another writer that changes the entry between the update's Read and its first
/// CompareExchange (a lost-update window), once.
/// </summary>
internal struct InterferingTable : IPhysicalIdTable
{
    public readonly ulong[] Entries;
    public ulong InterferenceValue;
    public bool Armed;
    public int CompareExchanges;

    public InterferingTable(ulong[] entries, ulong interferenceValue)
    {
        Entries = entries;
        InterferenceValue = interferenceValue;
        Armed = true;
    }

    public ulong Read(int index)
    {
        ulong v = Entries[index];
        if (Armed)
        {
            Armed = false;
            Entries[index] = InterferenceValue; // the other writer's store lands right after our read
        }

        return v;
    }

    public void Write(int index, ulong value) => Entries[index] = value;

    public ulong CompareExchange(int index, ulong value, ulong comparand)
    {
        CompareExchanges++;
        ulong observed = Entries[index];
        if (observed == comparand)
        {
            Entries[index] = value;
        }

        return observed;
    }
}

/// <summary>Records every value stored into the table.</summary>
internal struct RecordingTable : IPhysicalIdTable
{
    public readonly ulong[] Entries;
    public readonly List<ulong> Stored;

    public RecordingTable(int length)
    {
        Entries = new ulong[length];
        Stored = new List<ulong>();
    }

    public ulong Read(int index) => Entries[index];

    public void Write(int index, ulong value)
    {
        Stored.Add(value);
        Entries[index] = value;
    }

    public ulong CompareExchange(int index, ulong value, ulong comparand)
    {
        ulong observed = Entries[index];
        if (observed == comparand)
        {
            Stored.Add(value);
            Entries[index] = value;
        }

        return observed;
    }
}
