using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>`--checkpoint FILE` (write the search's state there) and `--resume FILE` (go on from it); the state is written
/// every <paramref name="IntervalSeconds"/> while the search runs and when it stops, by <paramref name="Write"/> (path,
/// text): the caller's way to write a file whole or not at all (Reports.AtomicFiles.Write, a layer above this one).</summary>
public sealed record CheckpointOptions(string Path, Action<string, string> Write, string? ResumeFrom = null,
    double IntervalSeconds = CheckpointOptions.DefaultInterval)
{
    /// <summary>Five minutes: a killed run loses at most that much, for a write that takes well under a second.</summary>
    public const double DefaultInterval = 300;
}

/// <summary>The figures of a search run in pieces, over the pieces so far.</summary>
/// <param name="Executions">Executions run (complete and cut short): the next execution's global iteration number.</param>
public sealed record CheckpointTotals(int Executions, int CutShort, long Steps, int MaxStepsHits, double Seconds, int Pieces)
{
    public static readonly CheckpointTotals None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// A checkpoint file: what the search explored (test, model build, engine build, strategy and settings), its totals, and
/// the strategy's state (<see cref="ICheckpointable"/>) with its SHA-256, or, for a finished search, its result.
/// Written whole or not at all (<see cref="CheckpointOptions.Write"/>).
/// </summary>
public sealed record Checkpoint
{
    public const string FormatName = "avic-coyote-checkpoint/1";

    public static Guid EngineBuild => CodeIdentity.Engine;

    public required string Test { get; init; }
    public required string Assembly { get; init; }
    public required Guid ModelBuild { get; init; }
    public Guid Engine { get; init; } = EngineBuild;
    public string EngineVersion { get; init; } = ScheduleFile.EngineVersion;
    public required string Strategy { get; init; }
    public required int StrategyValue { get; init; }
    public required int MaxSteps { get; init; }
    public required MemoryModel MemoryModel { get; init; }
    public required int LivenessThreshold { get; init; }
    public required bool FailOnMaxSteps { get; init; }
    public required CheckpointTotals Totals { get; init; }

    /// <summary>The search ended (every schedule explored, or a bug): <see cref="Result"/> says how; no state.</summary>
    public bool Finished { get; init; }
    public string? Result { get; init; }
    public string State { get; init; } = "";

    /// <summary>What a run of <paramref name="test"/> with <paramref name="runner"/>'s settings, <paramref name="config"/>'s
    /// and strategy <paramref name="strategy"/> records.</summary>
    public static Checkpoint For(TestCase test, Configuration config, ExecutionRunner runner, string strategy, CheckpointTotals totals) => new()
    {
        Test = test.Name,
        Assembly = test.AssemblyName,
        ModelBuild = test.Build,
        Strategy = strategy,
        StrategyValue = StrategyRegistry.Find(strategy)?.Parameter is null ? 0 : config.StrategyValue,
        MaxSteps = runner.MaxSteps,
        MemoryModel = runner.MemoryModel,
        LivenessThreshold = config.LivenessThreshold,
        FailOnMaxSteps = config.FailOnMaxSteps,
        Totals = totals,
    };

    /// <summary>Why this checkpoint cannot go on as <paramref name="run"/> (the same fields for the run to resume), or null.</summary>
    public string? Mismatch(Checkpoint run)
    {
        if (Test != run.Test) return $"it is a checkpoint of test '{Test}', not '{run.Test}'";
        if (Strategy != run.Strategy || StrategyValue != run.StrategyValue)
            return $"it is a checkpoint of strategy {StrategyRegistry.Describe(Strategy, StrategyValue)}, not {StrategyRegistry.Describe(run.Strategy, run.StrategyValue)}";
        if (Assembly != run.Assembly || ModelBuild != run.ModelBuild)
            return $"it was written by another build of the model ({Assembly} {ModelBuild}, now {run.Assembly} {run.ModelBuild}: its code or a library it calls changed): the search it saved may not be this model's";
        if (Engine != run.Engine)
            return $"it was written by another build of the engine ({EngineVersion} {Engine}, now {run.EngineVersion} {run.Engine}: its code changed): it may explore otherwise";
        if (MaxSteps != run.MaxSteps) return $"it was written with a step bound of {MaxSteps}, not {run.MaxSteps}";
        if (MemoryModel != run.MemoryModel) return $"it was written with memory model {MemoryModel}, not {run.MemoryModel}";
        if (LivenessThreshold != run.LivenessThreshold) return $"it was written with liveness threshold {LivenessThreshold}, not {run.LivenessThreshold}";
        if (FailOnMaxSteps != run.FailOnMaxSteps) return $"it was written {(FailOnMaxSteps ? "with" : "without")} --fail-on-max-steps, this run is not";
        return null;
    }

    private const int TokensPerLine = 32;

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteString("engineVersion", EngineVersion);
            w.WriteString("engineBuild", Engine.ToString());
            w.WriteString("assembly", Assembly);
            w.WriteString("modelBuild", ModelBuild.ToString());
            w.WriteString("test", Test);
            w.WriteString("strategy", Strategy);
            w.WriteNumber("strategyValue", StrategyValue);
            w.WriteStartObject("configuration");
            w.WriteNumber("maxSteps", MaxSteps);
            w.WriteString("memoryModel", MemoryModel.ToString());
            w.WriteNumber("livenessThreshold", LivenessThreshold);
            w.WriteBoolean("failOnMaxSteps", FailOnMaxSteps);
            w.WriteEndObject();
            w.WriteStartObject("totals");
            w.WriteNumber("executions", Totals.Executions);
            w.WriteNumber("cutShort", Totals.CutShort);
            w.WriteNumber("steps", Totals.Steps);
            w.WriteNumber("maxStepsHits", Totals.MaxStepsHits);
            w.WriteNumber("seconds", Math.Round(Totals.Seconds, 3));
            w.WriteNumber("pieces", Totals.Pieces);
            w.WriteEndObject();
            w.WriteBoolean("finished", Finished);
            if (Result is not null) w.WriteString("result", Result);
            w.WriteString("stateSha256", Sha256(State));
            // The state as lines of integers (CheckpointWriter breaks them), so a file stays readable and diffable.
            w.WriteStartArray("state");
            foreach (string line in State.Split('\n', StringSplitOptions.RemoveEmptyEntries)) w.WriteStringValue(line);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static Checkpoint Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot read the checkpoint: {e.Message}");
        }
        return Parse(text, path);
    }

    public static Checkpoint Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new CheckpointException($"{source}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not a whole checkpoint " +
                                          $"(truncated or edited): {JsonErrors.Sentence(e)}");
        }
        using (doc)
        {
            try
            {
                JsonElement root = doc.RootElement;
                string format = Str(root, "format");
                if (format != FormatName)
                    throw new CheckpointException($"{source}: field 'format' is '{format}', expected '{FormatName}' (not a checkpoint of this engine)");
                JsonElement config = root.GetProperty("configuration");
                JsonElement totals = root.GetProperty("totals");
                if (!Enum.TryParse(Str(config, "memoryModel"), out MemoryModel mm))
                    throw new CheckpointException($"{source}: configuration.memoryModel must be one of {string.Join(", ", Enum.GetNames<MemoryModel>())}");
                var lines = root.GetProperty("state").EnumerateArray().Select(e => e.GetString()
                    ?? throw new CheckpointException($"{source}: 'state' must hold strings")).ToList();
                string state = string.Join('\n', lines);
                if (Sha256(state) != Str(root, "stateSha256"))
                    throw new CheckpointException($"{source}: the state does not match its stateSha256 (the file was cut or edited)");
                return new Checkpoint
                {
                    Test = Str(root, "test"),
                    Assembly = Str(root, "assembly"),
                    ModelBuild = Guid.Parse(Str(root, "modelBuild")),
                    Engine = Guid.Parse(Str(root, "engineBuild")),
                    EngineVersion = Str(root, "engineVersion"),
                    Strategy = Str(root, "strategy"),
                    StrategyValue = root.GetProperty("strategyValue").GetInt32(),
                    MaxSteps = config.GetProperty("maxSteps").GetInt32(),
                    MemoryModel = mm,
                    LivenessThreshold = config.GetProperty("livenessThreshold").GetInt32(),
                    FailOnMaxSteps = config.GetProperty("failOnMaxSteps").GetBoolean(),
                    Totals = new CheckpointTotals(totals.GetProperty("executions").GetInt32(), totals.GetProperty("cutShort").GetInt32(),
                        totals.GetProperty("steps").GetInt64(), totals.GetProperty("maxStepsHits").GetInt32(), totals.GetProperty("seconds").GetDouble(),
                        totals.GetProperty("pieces").GetInt32()),
                    Finished = root.GetProperty("finished").GetBoolean(),
                    Result = root.TryGetProperty("result", out JsonElement r) ? r.GetString() : null,
                    State = state,
                };
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new CheckpointException($"{source}: not a checkpoint of this engine: a field is missing or of the wrong type ({e.Message})");
            }
        }
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()
        ?? throw new CheckpointException($"field '{name}' must be a string");
}
