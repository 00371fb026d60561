using System.Text;
using System.Text.Json;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Settings;

/// <summary>
/// Reads coyote.json. Walks the file with a reader (not a DOM) so every error can name the
/// line and column of the offending key: `coyote.json:3:5: unknown key 'iteratons'`.
/// </summary>
public static class SettingsLoader
{
    public const string FileName = "coyote.json";

    private delegate CoyoteSettings Apply(CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> fail);

    private static readonly Dictionary<string, Apply> Keys = new(StringComparer.Ordinal)
    {
        ["iterations"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { Iterations = Int(ref r, f, 1, Limits.Iterations) },
        ["maxSteps"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { MaxSteps = Int(ref r, f, 1, Limits.MaxSteps) },
        ["strategy"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { Strategy = Strategy(ref r, f) },
        ["strategyValue"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { StrategyValue = Int(ref r, f, 0, Limits.StrategyValue) },
        ["seed"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { Seed = r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out ulong v) ? v : throw f("a non-negative integer") },
        ["outputDirectory"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { OutputDirectory = NonEmptyString(ref r, f) },
        ["timeoutSeconds"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { TimeoutSeconds = r.TokenType == JsonTokenType.Number && r.TryGetDouble(out double v) && v >= 0 && v <= Limits.TimeoutSeconds ? v : throw f($"a number from 0 to {Limits.TimeoutSeconds:#,0} (0: no limit)") },
        ["failOnMaxSteps"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { FailOnMaxSteps = r.TokenType is JsonTokenType.True or JsonTokenType.False ? r.GetBoolean() : throw f("true or false") },
        ["engine"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { Engine = r.TokenType == JsonTokenType.String && Engines.EngineOption.Names.Contains(r.GetString()) ? r.GetString()! : throw f("\"ours\" or \"coyote\"") },
        ["livenessThreshold"] = (CoyoteSettings s, ref Utf8JsonReader r, Func<string, Exception> f) => s with { LivenessThreshold = Int(ref r, f, 0, Limits.LivenessThreshold) },
    };

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
                if (!Keys.TryGetValue(key, out Apply? apply))
                    throw new InputException($"{at}: unknown key '{key}' (known keys: {string.Join(", ", Keys.Keys)})");
                if (!seen.Add(key)) throw new InputException($"{at}: key '{key}' appears twice");
                reader.Read();
                settings = apply(settings, ref reader, expected => new InputException($"{at}: key '{key}' must be {expected}"));
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
            while (reader.Read()) { } // trailing content after the object is a syntax error the reader reports
        }
        catch (JsonException e)
        {
            throw new InputException($"{source}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {FirstSentence(e.Message)}");
        }
        return settings;
    }

    private static int Int(ref Utf8JsonReader r, Func<string, Exception> fail, int min, int max) =>
        r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) && v >= min && v <= max ? v : throw fail($"an integer from {min} to {max:#,0}");

    private static string NonEmptyString(ref Utf8JsonReader r, Func<string, Exception> fail) =>
        r.TokenType == JsonTokenType.String && r.GetString() is { Length: > 0 } s ? s : throw fail("a non-empty string");

    private static string Strategy(ref Utf8JsonReader r, Func<string, Exception> fail) =>
        r.TokenType == JsonTokenType.String && (Configuration.StrategyNames.Contains(r.GetString()) || r.GetString() == RunOptions.PortfolioStrategy)
            ? r.GetString()!
            : throw fail($"one of {string.Join(", ", Configuration.StrategyNames.Append(RunOptions.PortfolioStrategy).Select(n => '"' + n + '"'))}");

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

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}
