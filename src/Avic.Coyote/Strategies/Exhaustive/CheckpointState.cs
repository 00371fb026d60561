using System.Globalization;
using System.Text;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>A search that can write its whole state between two executions and go on from it in another process, so
/// that a search run in pieces explores exactly what one uninterrupted run does (`--checkpoint`, `--resume`).</summary>
public interface ICheckpointable
{
    /// <summary>Writes the state between two executions (after OnIterationEnd, before PrepareIteration).</summary>
    void Save(CheckpointWriter writer);

    /// <summary>On a strategy just built with the same settings: takes the state <see cref="Save"/> wrote; a
    /// <see cref="CheckpointException"/> when it is malformed or from other settings.</summary>
    void Restore(CheckpointReader reader);
}

/// <summary>A checkpoint that cannot be used; the message says why and where.</summary>
public sealed class CheckpointException(string message) : Exception(message);

/// <summary>A search's state as a sequence of integers (text, space separated, a line every 32). Footprints are written
/// once and then referred to by number: a footprint is shared by a step, the transitions explored at its choice point
/// and the sleep sets it entered.</summary>
public sealed class CheckpointWriter
{
    private readonly StringBuilder text = new();
    private int count;
    private readonly Dictionary<(object, object?, bool), int> footprints = new(new ByReference());

    public void Int(long value)
    {
        if (count > 0) text.Append(count % 32 == 0 ? '\n' : ' ');
        text.Append(value.ToString(CultureInfo.InvariantCulture));
        count++;
    }

    public void Bool(bool value) => Int(value ? 1 : 0);

    /// <summary>Length then values; -1 for null.</summary>
    public void Ints(int[]? values)
    {
        if (values is null) { Int(-1); return; }
        Int(values.Length);
        foreach (int v in values) Int(v);
    }

    /// <summary>A footprint already written: its number; a new one: -1, then its accesses and draws.</summary>
    internal void Footprint(Footprint f)
    {
        var key = ((object)f.Accesses, (object?)f.Drew, f.Global);
        if (footprints.TryGetValue(key, out int index)) { Int(index); return; }
        footprints.Add(key, footprints.Count);
        Int(-1);
        Bool(f.Global);
        Int(f.Accesses.Length);
        foreach (Access a in f.Accesses)
        {
            Int(a.Key);
            Int((a.IsWrite ? 1 : 0) | (a.IsRelease ? 2 : 0));
        }
        Ints(f.Drew?.Values);
        if (f.Drew is { } d) Ints(d.Counts);
    }

    internal void Sleepers(List<Sleeper> set)
    {
        Int(set.Count);
        foreach (Sleeper s in set)
        {
            Int(s.OperationId);
            Footprint(s.Footprint);
        }
    }

    public override string ToString() => text.ToString();

    /// <summary>Footprints are the same when their arrays are (a footprint is never changed once made).</summary>
    private sealed class ByReference : IEqualityComparer<(object, object?, bool)>
    {
        public bool Equals((object, object?, bool) x, (object, object?, bool) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2) && x.Item3 == y.Item3;

        public int GetHashCode((object, object?, bool) k) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item1), k.Item2 is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item2), k.Item3);
    }
}

/// <summary>Reads what <see cref="CheckpointWriter"/> wrote; every error names the token (1-based) where it is.</summary>
public sealed class CheckpointReader
{
    private readonly string source;
    private readonly string text;
    private int pos, token;
    private readonly List<Footprint> footprints = new();

    public CheckpointReader(string text, string source)
    {
        this.text = text;
        this.source = source;
    }

    public CheckpointException Error(string what) => new($"{source}: state, token {token}: {what}");

    public long Long()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        token++;
        if (pos == text.Length) throw Error("the state ends early (the file is truncated)");
        int start = pos;
        while (pos < text.Length && !char.IsWhiteSpace(text[pos])) pos++;
        if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            throw Error($"'{text[start..pos]}' is not an integer");
        return v;
    }

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int Int(int min = 0, int max = int.MaxValue)
    {
        long v = Long();
        if (v < min || v > max) throw Error($"{v} is out of range ({min} to {max})");
        return (int)v;
    }

    public bool Bool() => Int(0, 1) == 1;

    public int[]? Ints(int min = 0, int max = int.MaxValue)
    {
        int n = Int(-1);
        if (n < 0) return null;
        if (n > text.Length) throw Error($"a length of {n} is more than the state holds");
        var values = new int[n];
        for (int i = 0; i < n; i++) values[i] = Int(min, max);
        return values;
    }

    /// <summary>A count of items that follow, each at least one token: no more than are left.</summary>
    public int Count() => Int(0, text.Length - pos);

    /// <summary>The state was read to its end.</summary>
    public void End()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        if (pos < text.Length) { token++; throw Error("more state than the search reads (not a checkpoint of this strategy)"); }
    }

    internal Footprint Footprint()
    {
        int index = Int(-1, footprints.Count - 1);
        if (index >= 0) return footprints[index];
        bool global = Bool();
        var accesses = new Access[Count()];
        for (int i = 0; i < accesses.Length; i++)
        {
            long key = Long();
            int flags = Int(0, 3);
            accesses[i] = new Access(key, (flags & 1) != 0, (flags & 2) != 0);
        }
        Draws? drew = null;
        if (Ints() is { } values)
        {
            int[] counts = Ints(1) ?? throw Error("a draw without its counts");
            if (counts.Length != values.Length) throw Error("a draw's values and counts differ in number");
            for (int i = 0; i < values.Length; i++)
                if (values[i] >= counts[i]) throw Error($"a drawn value {values[i]} out of its count {counts[i]}");
            drew = new Draws(values, counts);
        }
        var f = new Footprint(accesses, global, drew);
        footprints.Add(f);
        return f;
    }

    internal List<Sleeper> Sleepers()
    {
        int n = Count();
        if (n == 0) return SleepSets.Empty;
        var set = new List<Sleeper>(n);
        for (int i = 0; i < n; i++)
        {
            int op = Int();
            set.Add(new Sleeper(op, Footprint()));
        }
        return set;
    }
}
