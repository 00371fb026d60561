namespace Avic.Coyote;

/// <summary>Which kind of choice a strategy made at a step.</summary>
public enum DecisionKind : byte
{
    /// <summary>Run the operation with id <see cref="Decision.Value"/>.</summary>
    Operation,
    /// <summary>A nondeterministic boolean (0 or 1).</summary>
    Boolean,
    /// <summary>A nondeterministic integer.</summary>
    Integer,
}

/// <summary>One decision of a schedule. A schedule is just the list of them, in order.</summary>
public readonly record struct Decision(DecisionKind Kind, int Value)
{
    /// <summary>Compact text used in .schedule files: o3, b1, i7.</summary>
    public override string ToString() => Kind switch
    {
        DecisionKind.Operation => "o" + Value,
        DecisionKind.Boolean => "b" + Value,
        _ => "i" + Value,
    };

    public static bool TryParse(string text, out Decision decision)
    {
        decision = default;
        if (text.Length < 2) return false;
        DecisionKind kind;
        switch (text[0])
        {
            case 'o': kind = DecisionKind.Operation; break;
            case 'b': kind = DecisionKind.Boolean; break;
            case 'i': kind = DecisionKind.Integer; break;
            default: return false;
        }
        if (!int.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int value)) return false;
        if (kind == DecisionKind.Boolean && value > 1) return false;
        decision = new Decision(kind, value);
        return true;
    }
}

/// <summary>A growable decision log that reuses its array across iterations.</summary>
internal sealed class DecisionLog
{
    private Decision[] items = new Decision[256];

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Add(Decision d)
    {
        if (Count == items.Length) Array.Resize(ref items, items.Length * 2);
        items[Count++] = d;
    }

    public Decision[] ToArray() => items.AsSpan(0, Count).ToArray();
}
