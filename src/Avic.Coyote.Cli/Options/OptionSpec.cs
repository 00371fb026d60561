namespace Avic.Coyote.Cli.Options;

/// <summary>The type of value an option takes.</summary>
public enum OptionKind
{
    /// <summary>No value: present or not.</summary>
    Flag,
    Int,
    ULong,
    Double,
    String,
}

/// <summary>One command-line option: its long name (the key it is stored under), short alias, value type and help.</summary>
public sealed record OptionSpec(string Long, string? Short, OptionKind Kind, string Help, string? ValueName = null, double Min = 0)
{
    public string Display => Short is null ? Long : $"{Short}|{Long}";

    public string Usage => Kind == OptionKind.Flag ? Display : $"{Display} {ValueName ?? "N"}";
}
