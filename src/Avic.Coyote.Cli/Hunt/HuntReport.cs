using System.Text.Json;
using System.Text.Json.Serialization;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>
/// report.json of `coyote hunt` (one shard) or `coyote merge-reports` (several): what ran, per test
/// how much was explored and which distinct bugs came out, and the verdict against the test's expectation.
/// </summary>
public sealed class HuntReport
{
    public const string FormatName = "avic-coyote-hunt/1";
    public const string JsonFile = "report.json";
    public const string MarkdownFile = "summary.md";
    public const string JUnitFile = "junit.xml";

    public required string Format { get; set; }
    public string EngineVersion { get; set; } = ScheduleFile.EngineVersion;

    /// <summary>The hunt runs this report covers: one for `hunt`, one per shard after a merge.</summary>
    public required List<HuntRun> Runs { get; set; }

    public required List<HuntTestResult> Tests { get; set; }

    [JsonIgnore] public int FailedTests => Tests.Count(t => t.Verdict == HuntTestResult.Failed);

    /// <summary>Tests Ctrl-C left without a verdict: not run at all, or cut short before a bug decided it.</summary>
    [JsonIgnore] public int UnfinishedTests => Tests.Count(t => t.Unfinished);

    /// <summary>True when any run of this report was interrupted (Ctrl-C).</summary>
    [JsonIgnore] public bool Interrupted => Runs.Any(r => r.Canceled);

    [JsonIgnore] public int DistinctBugs => Tests.Sum(t => t.Bugs.Count);

    /// <summary>Figures for readers of the JSON; recomputed, never read back.</summary>
    public HuntTotals Totals
    {
        get => new(Tests.Count, Tests.Count(t => t.Ok), FailedTests, UnfinishedTests, DistinctBugs, Tests.Sum(t => t.Iterations), Tests.Sum(t => t.Steps));
        set { }
    }

    /// <summary>Shard numbers missing when the runs are shards of one N-way split (a shard job that died).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> MissingShards
    {
        get
        {
            var counts = Runs.Select(r => r.ShardCount).Distinct().ToList();
            if (counts.Count != 1) return [];
            var present = Runs.Select(r => r.ShardIndex).ToHashSet();
            return Enumerable.Range(1, counts[0]).Where(i => !present.Contains(i)).ToList();
        }
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Plain quotes and '<' in messages: the file is read by people and tools, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        RespectNullableAnnotations = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Reads a report; <see cref="InputException"/> naming <paramref name="source"/> (and line:col) when it is not one.</summary>
    public static HuntReport Parse(string json, string source)
    {
        HuntReport? report;
        try { report = JsonSerializer.Deserialize<HuntReport>(json, Json); }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $"{source}:{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : source;
            throw new InputException($"{where}: not a valid hunt report: {Plain(e, json)}");
        }
        if (report is null) throw new InputException($"{source}: not a valid hunt report: the file holds 'null'");
        if (report.Format != FormatName)
            throw new InputException($"{source}: field 'format' is '{report.Format}', expected '{FormatName}' (not a report of `coyote hunt`)");
        foreach (HuntTestResult t in report.Tests) t.Judge();
        return report;
    }

    public static HuntReport Load(string path, string shownAs)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{shownAs}: cannot read: {e.Message}");
        }
        return Parse(text, shownAs);
    }

    /// <summary>
    /// The serializer's complaint in the report's own terms, from the error's path, the JSON at it and the
    /// report's types (never from the serializer's message text): a wrong value says what the field must
    /// be, an object without its required fields names them. A syntax error keeps the reader's sentence.
    /// </summary>
    private static string Plain(JsonException e, string json)
    {
        string field = e.Path is { Length: > 2 } p ? p[2..] : "";
        (Type? type, JsonElement? value) = Locate(json, e.Path);
        if (value is not { } at || type is null) return JsonErrors.Sentence(e);
        if (at.ValueKind == JsonValueKind.Null) return $"field '{field}' must not be null";
        if (at.ValueKind == JsonValueKind.Object && Expected(type) == "an object")
        {
            var missing = type.GetProperties()
                .Where(p => p.GetCustomAttributes(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute), false).Length > 0)
                .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Where(name => !at.TryGetProperty(name, out _)).ToList();
            if (missing.Count > 0) return $"{(field.Length > 0 ? $"'{field}' is " : "")}missing field {string.Join(", ", missing.Select(m => $"'{m}'"))}";
        }
        return field.Length > 0 ? $"field '{field}' must be {Expected(type)}" : JsonErrors.Sentence(e);
    }

    /// <summary>The report type and the JSON value at a serializer path such as "$.runs[0].seed"; nulls when the text
    /// does not parse as JSON or the path leaves the report's shape.</summary>
    private static (Type?, JsonElement?) Locate(string json, string? path)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException) { return (null, null); }
        using (document)
        {
            Type? type = typeof(HuntReport);
            JsonElement at = document.RootElement;
            foreach (string step in (path ?? "$").TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries)
                         .SelectMany(part => part.Split('[')).Where(s => s.Length > 0))
            {
                if (step.EndsWith(']'))
                {
                    type = type?.IsGenericType == true ? type.GetGenericArguments()[0] : null;
                    if (at.ValueKind != JsonValueKind.Array || !int.TryParse(step[..^1], out int i) || i >= at.GetArrayLength()) return (null, null);
                    at = at[i];
                }
                else
                {
                    type = type?.GetProperties().FirstOrDefault(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == step)?.PropertyType;
                    if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(step, out at)) return (type, null);
                }
            }
            return (type is null ? null : Nullable.GetUnderlyingType(type) ?? type, at.Clone());
        }
    }


    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(ulong) || type == typeof(uint) => "an integer",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(string) => "a string",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "a date and time such as \"2026-12-01T12:00:00Z\"",
        { IsEnum: true } => $"one of {string.Join(", ", Enum.GetNames(type))}",
        { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(List<>) => "an array",
        _ => "an object",
    };
}

public sealed record HuntTotals(int Tests, int Ok, int Failed, int Unfinished, int DistinctBugs, long Iterations, long Steps);

/// <summary>One `coyote hunt` invocation: its settings and how long it ran.</summary>
public sealed class HuntRun
{
    public required int ShardIndex { get; set; }
    public required int ShardCount { get; set; }
    public required double BudgetSeconds { get; set; }
    public required int Parallel { get; set; }
    public required ulong Seed { get; set; }
    public required int MaxSteps { get; set; }
    public required int StrategyValue { get; set; }
    public required int Units { get; set; }
    public required double ElapsedSeconds { get; set; }
    public string? Filter { get; set; }
    public string? Assembly { get; set; }

    /// <summary>--tso: "X86Tso"; null: each test's own memory model.</summary>
    public string? MemoryModel { get; set; }
    public bool FailOnMaxSteps { get; set; }
    public int LivenessThreshold { get; set; }
    public bool Canceled { get; set; }
    public DateTime? StartedUtc { get; set; }

    [JsonIgnore] public string Shard => $"{ShardIndex}/{ShardCount}";
}

/// <summary>One test across all the units that ran it.</summary>
public sealed class HuntTestResult
{
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required Expectation Expect { get; set; }
    /// <summary>The invariant the expected bug breaks (e.g. "INV-A1"); null: any bug of the expected kind.</summary>
    public string? Invariant { get; set; }
    public int Units { get; set; }
    public long Iterations { get; set; }
    public long Steps { get; set; }
    public long MaxStepsHits { get; set; }

    /// <summary>Thread time spent on the test (units run in parallel, so this can exceed the wall clock).</summary>
    public double Seconds { get; set; }

    /// <summary>An exhaustive (dfs) unit covered every schedule without a bug.</summary>
    public bool Proved { get; set; }

    /// <summary>Units of the plan Ctrl-C kept from starting.</summary>
    public int UnitsNotRun { get; set; }

    public List<HuntUnitRun> Runs { get; set; } = [];
    public List<HuntBug> Bugs { get; set; } = [];

    public const string Passed = "ok", Failed = "failed", NotRun = "not run", Interrupted = "interrupted";

    /// <summary>"ok", "failed", "not run" or "interrupted": recomputed from the data by <see cref="Judge"/>, never trusted from a file.</summary>
    public string Verdict { get; set; } = Passed;
    public string Reason { get; set; } = "";

    [JsonIgnore] public bool Ok => Verdict == Passed;

    [JsonIgnore] public bool Unfinished => Verdict is NotRun or Interrupted;

    /// <summary>"ok", "FAILED", "NOT RUN", "INTERRUPTED": the verdict as tables show it.</summary>
    [JsonIgnore] public string VerdictLabel => Ok ? Passed : Verdict.ToUpperInvariant();

    /// <summary>The strategies used, e.g. ["prioritization(3)", "random"].</summary>
    public List<string> Strategies
    {
        get => Runs.Select(r => r.StrategyLabel).Distinct().ToList();
        set { }
    }

    /// <summary>"pass", "explore" or "bug: Kind (message)", as `coyote list` shows it (written for readers; never read back).</summary>
    [JsonPropertyName("expectation")]
    public string ExpectationText
    {
        get => Probe().ExpectationText;
        set { }
    }

    /// <summary>
    /// Sets <see cref="Verdict"/>: a pass test fails on any bug it does not allow; a known-bug test
    /// fails when none of its bugs is the declared one (other bugs of a deliberately broken variant
    /// are listed in the reason, not failed on); an Explore test never fails. Bugs are held to the
    /// expectation by the engine's own <see cref="TestCase.Meets"/>.
    /// </summary>
    public void Judge()
    {
        TestCase probe = Probe();
        var other = Bugs.Where(b => !probe.Meets(b.ToBugReport())).ToList();
        string others = other.Count == 0 ? "" : $"{other.Count} other distinct bug{(other.Count == 1 ? "" : "s")} ({string.Join(", ", other.Select(b => b.Kind).Distinct())})";
        // Ctrl-C: a test with no unit run, or a unit cut short, has a verdict only if a bug already decided it.
        bool cut = Runs.Count == 0 || UnitsNotRun > 0 || Runs.Any(r => r.Ended == "canceled");
        bool decided = Expect == Expectation.Pass ? other.Count > 0 : Expect != Expectation.Explore && other.Count < Bugs.Count;
        (Verdict, Reason) = Expect switch
        {
            _ when Runs.Count == 0 && !decided => (NotRun, "not run: the hunt was interrupted (Ctrl-C) before this test started"),
            _ when cut && !decided && !Proved => (Interrupted, $"interrupted (Ctrl-C) after {Iterations} iterations: no verdict"),
            Expectation.Explore => (Passed, Bugs.Count == 0 ? "explore: no bug found" : $"explore: {Bugs.Count} distinct bug(s) found"),
            Expectation.Pass when other.Count > 0 => (Failed, $"unexpected bug: {other[0].Kind}: {other[0].Message}"),
            Expectation.Pass => (Passed, Proved ? "no bug: every schedule explored (dfs)" : "no bug found"),
            _ when other.Count == Bugs.Count => (Failed, $"expected bug not found ({probe.ExpectationText})" + (other.Count > 0 ? $"; found {others} instead" : "")),
            _ => (Passed, "expected bug found" + (other.Count > 0 ? $"; also {others}" : "")),
        };
    }

    private TestCase Probe() => new()
    {
        Name = Name, Description = Description, Expect = Expect, Invariant = Invariant,
        AssemblyName = "", Entry = _ => Task.CompletedTask,
    };
}

/// <summary>One unit: a portfolio worker on the test, its seed range and what it explored.</summary>
public sealed class HuntUnitRun
{
    /// <summary>Unit number in the plan (tests by name, then worker); with the shard it names the unit uniquely.</summary>
    public required int Unit { get; set; }
    public required int Worker { get; set; }
    public required string Strategy { get; set; }
    public int StrategyValue { get; set; }

    /// <summary>Seeds used: FirstSeed + i * SeedStep for i below Seeds (one seed per re-run after a bug).</summary>
    public required ulong FirstSeed { get; set; }
    public required int SeedStep { get; set; }
    public int Seeds { get; set; }

    public long Iterations { get; set; }
    public long Steps { get; set; }
    public double Seconds { get; set; }

    /// <summary>Why the unit stopped: "budget" (its time slice), "proved"/"explored" (dfs covered the tree), "bug" (dfs: a re-run would find the same), "canceled".</summary>
    public string Ended { get; set; } = "budget";

    /// <summary>The dfs coverage line, when the unit is exhaustive.</summary>
    public string? Coverage { get; set; }

    [JsonIgnore] public string StrategyLabel => Avic.Coyote.Testing.StrategyRegistry.Label(Strategy, StrategyValue);
}

/// <summary>A distinct bug (by <see cref="BugKey"/>) and where to replay its first occurrence.</summary>
public sealed class HuntBug
{
    public required BugKind Kind { get; set; }
    /// <summary>The invariant id declared where the bug was asserted (absent in reports written before it was recorded).</summary>
    public string? Invariant { get; set; }
    public required string Message { get; set; }
    public string? Operation { get; set; }
    public int Step { get; set; }
    public string Signature { get; set; } = "";

    /// <summary>How many failing executions had this signature.</summary>
    public int Occurrences { get; set; } = 1;

    public required string Strategy { get; set; }
    public int StrategyValue { get; set; }
    public ulong Seed { get; set; }
    public int Iteration { get; set; }

    /// <summary>File names relative to the report's folder (null when the files could not be kept).</summary>
    public string? Schedule { get; set; }
    public string? Trace { get; set; }

    /// <summary>Set when --minimize shrank the schedule: steps of the original and of the written schedule.</summary>
    public int? StepsBeforeMinimizing { get; set; }
    public int? PreemptionsBeforeMinimizing { get; set; }
    public int? Preemptions { get; set; }

    public BugReport ToBugReport() => new(Kind, Message, Step, Operation, Invariant);

    public BugKey Key(string test) => BugKey.Of(test, ToBugReport());
}
