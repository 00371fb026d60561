using Avic.Coyote.Testing;
using System.Text;
using System.Text.Json;
using Avic.Coyote.Cli.Options;

namespace Avic.Coyote.Cli.Settings;

/// <summary>
/// Reads coyote.json. Walks the file with a reader (not a DOM) so every error can name the
/// line and column of the offending key: `coyote.json:3:5: unknown key 'iteratons'`.
/// </summary>
public static class SettingsLoader
{
    public const string FileName = "coyote.json";

    /// <summary>The settings coyote.json accepts, by key (<see cref="Setting.All"/>: the same table the flags use).</summary>
    private static readonly Dictionary<string, Setting> Keys =
        Setting.All.Where(s => s.Key is not null).ToDictionary(s => s.Key!, StringComparer.Ordinal);

    /// <summary>The keys coyote.json accepts, for messages and docs.</summary>
    public static IEnumerable<string> KnownKeys => Keys.Keys;

    /// <summary>
    /// Loads <paramref name="explicitPath"/> (must exist) or, when null, coyote.json in the working
    /// directory if there is one; otherwise the built-in defaults.
    /// </summary>
    public static CoyoteSettings Load(CliContext context, string? explicitPath)
    {
        string path = context.Resolve(explicitPath ?? FileName);
        if (Directory.Exists(path))
            throw new InputException($"{explicitPath ?? FileName}: is a folder, not a settings file" +
                                     (explicitPath is null ? " (remove it, or pass --config FILE)" : " (--config needs a JSON file)"));
        if (!File.Exists(path))
        {
            if (explicitPath is not null) throw new InputException($"{explicitPath}: no such settings file");
            return new CoyoteSettings();
        }
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{explicitPath ?? FileName}: cannot read: {e.Message}");
        }
        return Parse(bytes, explicitPath ?? FileName);
    }

    public static CoyoteSettings Parse(ReadOnlySpan<byte> json, string source)
    {
        if (json.StartsWith(Encoding.UTF8.Preamble)) json = json[Encoding.UTF8.Preamble.Length..];
        byte[] text = json.ToArray();
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var settings = new CoyoteSettings();
        var seen = new HashSet<string>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InputException($"{Where(source, text, reader.TokenStartIndex)}: expected a JSON object {{ \"key\": value, ... }}");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                string at = Where(source, text, reader.TokenStartIndex);
                if (!Keys.TryGetValue(key, out Setting? setting))
                    throw new InputException($"{at}: unknown key '{key}' (known keys: {string.Join(", ", Keys.Keys)})");
                if (!seen.Add(key)) throw new InputException($"{at}: key '{key}' appears twice");
                reader.Read();
                settings = setting.Set(settings, Value(ref reader, setting, expected => new InputException($"{at}: key '{key}' must be {expected}")));
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
            while (reader.Read()) { } // trailing content after the object is a syntax error the reader reports
        }
        catch (JsonException e)
        {
            throw new InputException($"{source}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {JsonErrors.Sentence(e)}");
        }
        return settings;
    }

    /// <summary>The JSON value as the setting's flag would give it, checked against the flag's range.</summary>
    private static object Value(ref Utf8JsonReader r, Setting setting, Func<string, Exception> fail)
    {
        OptionSpec o = setting.Option;
        switch (o.Kind)
        {
            case OptionKind.Int:
                return r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int i) && i >= o.Min && i <= o.Max ? i
                    : throw fail($"an integer from {o.Min:#,0} to {o.Max:#,0}");
            case OptionKind.ULong:
                return r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong u) ? u : throw fail("a non-negative integer");
            case OptionKind.Double:
                return r.TokenType == JsonTokenType.Number && r.TryGetDouble(out double d) && d >= o.Min && d <= o.Max ? d
                    : throw fail($"a number from {o.Min:#,0} to {o.Max:#,0} (0: no limit)");
            case OptionKind.Flag:
                return r.TokenType is JsonTokenType.True or JsonTokenType.False ? r.GetBoolean() : throw fail("true or false");
            default:
                if (r.TokenType != JsonTokenType.String || r.GetString() is not { Length: > 0 } text) throw fail(setting.Check?.Invoke("") ?? "a non-empty string");
                return setting.Check?.Invoke(text) is { } expected ? throw fail(expected) : text;
        }
    }

    /// <summary>"source:line:col" of a byte offset (columns count bytes, as System.Text.Json's errors do).</summary>
    private static string Where(string source, byte[] text, long offset)
    {
        int line = 1, col = 1;
        for (long i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') { line++; col = 1; }
            else col++;
        }
        return $"{source}:{line}:{col}";
    }

}
