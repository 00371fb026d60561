using System.Text.Json;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>A .schedule file or its contents was not usable; the message says what and where.</summary>
public sealed class ScheduleFormatException(string message) : Exception(message);

/// <summary>
/// A failing (or any) schedule: enough to re-execute an execution exactly — test, settings,
/// strategy and seed for the record, and every decision in order. No timestamps, so the same
/// run writes the same bytes.
/// </summary>
public sealed partial record ScheduleFile
{
    /// <summary>Version 2 records the bug's invariant id. Version 1 files (no id) are refused with a clear error:
    /// their bug's identity could only be guessed from its message.</summary>
    public const string FormatName = "avic-coyote-schedule/2";
    public const string FormatName1 = "avic-coyote-schedule/1";

    public static string EngineVersion => typeof(ScheduleFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public required string Test { get; init; }
    public required string Assembly { get; init; }
    public string Engine { get; init; } = EngineVersion;
    public required int MaxSteps { get; init; }
    public required MemoryModel MemoryModel { get; init; }
    public int LivenessThreshold { get; init; }
    public bool FailOnMaxSteps { get; init; }
    public required string Strategy { get; init; }
    public int StrategyValue { get; init; }
    public ulong Seed { get; init; }
    public int Iteration { get; init; }
    public BugReport? Bug { get; init; }
    public required string[] Operations { get; init; }
    public required Decision[] Decisions { get; init; }

    /// <summary>The strategy that found it is exhaustive (a minimized schedule's too): a re-run gives the model the same
    /// <see cref="IActorRuntime.IsExhaustiveSearch"/>, so it builds the same operations.</summary>
    public bool FoundByExhaustiveSearch => StrategyRegistry.Find(FoundBy)?.IsExhaustive == true;

    /// <summary>Appended to the strategy recorded in a minimized schedule ("random (minimized)"): its decisions are not that
    /// strategy's (ScheduleMinimizer writes it; a re-run reads the strategy without it, <see cref="FoundBy"/>).</summary>
    public const string MinimizedSuffix = " (minimized)";

    /// <summary>The strategy that found the schedule, without <see cref="MinimizedSuffix"/>.</summary>
    public string FoundBy => Strategy.EndsWith(MinimizedSuffix, StringComparison.Ordinal) ? Strategy[..^MinimizedSuffix.Length] : Strategy;

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteString("engineVersion", Engine);
            w.WriteString("assembly", Assembly);
            w.WriteString("test", Test);
            w.WriteStartObject("configuration");
            w.WriteNumber("maxSteps", MaxSteps);
            w.WriteString("memoryModel", MemoryModel.ToString());
            w.WriteNumber("livenessThreshold", LivenessThreshold);
            w.WriteBoolean("failOnMaxSteps", FailOnMaxSteps);
            w.WriteEndObject();
            w.WriteString("strategy", Strategy);
            w.WriteNumber("strategyValue", StrategyValue);
            w.WriteNumber("seed", Seed);
            w.WriteNumber("iteration", Iteration);
            if (Bug is not null)
            {
                w.WriteStartObject("bug");
                w.WriteString("kind", Bug.Kind.ToString());
                if (Bug.Invariant is not null) w.WriteString("invariant", Bug.Invariant);
                w.WriteNumber("step", Bug.Step);
                if (Bug.Operation is not null) w.WriteString("operation", Bug.Operation);
                w.WriteString("message", Bug.Message);
                w.WriteEndObject();
            }
            w.WriteStartArray("operations");
            foreach (string op in Operations) w.WriteStringValue(op);
            w.WriteEndArray();
            // Decisions as one compact string per line of 32, so long schedules stay readable and diffable.
            w.WriteStartArray("decisions");
            for (int i = 0; i < Decisions.Length; i += 32)
                w.WriteStringValue(string.Join(' ', Decisions.Skip(i).Take(32)));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static ScheduleFile Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScheduleFormatException($"{path}: cannot read the schedule: {e.Message}");
        }
        return Parse(text, path);
    }

    public static ScheduleFile Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false }); }
        catch (JsonException e)
        {
            throw new ScheduleFormatException($"{source}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {JsonErrors.Sentence(e)}");
        }
        using (doc)
        {
            var r = new JsonReader(doc.RootElement, source);
            string format = r.String("format");
            if (format == FormatName1)
                throw new ScheduleFormatException($"{source}: a version 1 schedule ('{FormatName1}'), which does not record its bug's invariant; " +
                                                  "this engine reads version 2 only: record the bug again with `coyote test`");
            if (format != FormatName)
                throw new ScheduleFormatException($"{source}: field 'format' is '{format}', expected '{FormatName}' (not a schedule file of this engine)");
            JsonElement config = r.Object("configuration");
            var c = new JsonReader(config, source + " (configuration)");
            if (!Enum.TryParse(c.String("memoryModel"), out MemoryModel mm))
                throw new ScheduleFormatException($"{source}: configuration.memoryModel must be one of {string.Join(", ", Enum.GetNames<MemoryModel>())}");

            int maxSteps = c.Int("maxSteps");
            if (maxSteps < 1)
                throw new ScheduleFormatException($"{source}: configuration.maxSteps is {maxSteps}; it must be at least 1 (the step bound the schedule was recorded with)");

            var decisions = new List<Decision>();
            int index = 0;
            foreach (JsonElement chunk in r.Array("decisions"))
            {
                if (chunk.ValueKind != JsonValueKind.String)
                    throw new ScheduleFormatException($"{source}: 'decisions' must hold strings like \"o1 o0 b1 i3\"");
                foreach (string token in chunk.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!Decision.TryParse(token, out Decision d))
                        throw new ScheduleFormatException($"{source}: decision {index} '{token}' is not of the form o<op>, b<0|1> or i<value>");
                    decisions.Add(d);
                    index++;
                }
            }

            BugReport? bug = null;
            if (doc.RootElement.TryGetProperty("bug", out JsonElement b))
            {
                var br = new JsonReader(b, source + " (bug)");
                if (!Enum.TryParse(br.String("kind"), out BugKind kind))
                    throw new ScheduleFormatException($"{source}: bug.kind must be one of {string.Join(", ", Enum.GetNames<BugKind>())}");
                string message = br.String("message");
                string? invariant = br.OptionalString("invariant");
                if (invariant is not null && !BugReport.IsInvariantId(invariant))
                    throw new ScheduleFormatException($"{source}: bug.invariant '{invariant}' is not an invariant id (a word such as \"INV-A1\")");
                bug = new BugReport(kind, message, br.Int("step"), br.OptionalString("operation"), invariant);
            }

            return new ScheduleFile
            {
                Test = r.String("test"),
                Assembly = r.String("assembly"),
                Engine = r.String("engineVersion"),
                MaxSteps = maxSteps,
                MemoryModel = mm,
                LivenessThreshold = c.Int("livenessThreshold"),
                FailOnMaxSteps = c.Bool("failOnMaxSteps"),
                Strategy = r.String("strategy"),
                StrategyValue = r.Int("strategyValue"),
                Seed = r.ULong("seed"),
                Iteration = r.Int("iteration"),
                Bug = bug,
                Operations = r.Array("operations").Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()!
                    : throw new ScheduleFormatException($"{source}: 'operations' must hold strings")).ToArray(),
                Decisions = decisions.ToArray(),
            };
        }
    }

    /// <summary>Typed field access that names the missing or mistyped field.</summary>
    private readonly struct JsonReader(JsonElement element, string source)
    {
        private JsonElement Get(string name, JsonValueKind kind)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw new ScheduleFormatException($"{source}: expected a JSON object");
            if (!element.TryGetProperty(name, out JsonElement value))
                throw new ScheduleFormatException($"{source}: missing field '{name}'");
            if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
                throw new ScheduleFormatException($"{source}: field '{name}' must be {Describe(kind)}, not {value.ValueKind.ToString().ToLowerInvariant()}");
            return value;
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "a boolean",
        };

        public string String(string name) => Get(name, JsonValueKind.String).GetString()!;

        public string? OptionalString(string name) =>
            element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public int Int(string name) => Get(name, JsonValueKind.Number).TryGetInt32(out int v) && v >= 0 ? v
            : throw new ScheduleFormatException($"{source}: field '{name}' must be a non-negative integer");

        public ulong ULong(string name) => Get(name, JsonValueKind.Number).TryGetUInt64(out ulong v) ? v
            : throw new ScheduleFormatException($"{source}: field '{name}' must be a non-negative integer");

        public bool Bool(string name) => Get(name, JsonValueKind.True).GetBoolean();

        public JsonElement Object(string name) => Get(name, JsonValueKind.Object);

        public JsonElement.ArrayEnumerator Array(string name) => Get(name, JsonValueKind.Array).EnumerateArray();
    }
}
