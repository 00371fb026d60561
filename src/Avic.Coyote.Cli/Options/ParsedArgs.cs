namespace Avic.Coyote.Cli.Options;

/// <summary>A command's arguments after parsing: positionals in order, option values by long name.</summary>
public sealed class ParsedArgs(string command, IReadOnlyList<string> positionals, IReadOnlyDictionary<string, object> values)
{
    public string Command { get; } = command;

    public IReadOnlyList<string> Positionals { get; } = positionals;

    public string? Positional(int index) => index < Positionals.Count ? Positionals[index] : null;

    public bool Has(string option) => values.ContainsKey(option);

    public T? Get<T>(string option) where T : struct => values.TryGetValue(option, out object? v) ? (T)v : null;

    /// <summary>The typed value of <paramref name="option"/> (true for a flag); null when absent.</summary>
    public object? Value(OptionSpec option) => values.TryGetValue(option.Long, out object? v) ? v : null;

    public string? GetString(string option) => values.TryGetValue(option, out object? v) ? (string)v : null;
}
