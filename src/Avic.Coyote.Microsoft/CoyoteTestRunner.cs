using System.Diagnostics;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Microsoft.Coyote.Logging;
using CoyoteActorRuntime = Microsoft.Coyote.Actors.IActorRuntime;
using CoyoteConfiguration = Microsoft.Coyote.Configuration;
using CoyoteTestingEngine = Microsoft.Coyote.SystematicTesting.TestingEngine;

namespace Avic.Coyote.Microsoft;

/// <summary>Settings of an in-process run on Microsoft.Coyote. The names follow our CLI; the values go to Coyote's <c>Configuration</c>.</summary>
public sealed record CoyoteRunSettings
{
    /// <summary>Coyote's strategies: random, prioritization, fair-prioritization, probabilistic, delay-bounding,
    /// fair-delay-bounding, q-learning. Coyote 1.7.11 has no exhaustive (dfs) strategy.</summary>
    public static readonly string[] StrategyNames =
        ["random", "prioritization", "fair-prioritization", "probabilistic", "delay-bounding", "fair-delay-bounding", "q-learning"];

    public int Iterations { get; init; } = 100;
    public string Strategy { get; init; } = "random";
    /// <summary>Priority change points (prioritization), delays (delay-bounding) or probability level (probabilistic).</summary>
    public int StrategyValue { get; init; } = Configuration.DefaultStrategyValue;
    public uint Seed { get; init; }
    /// <summary>Our step bound for tests that set none.</summary>
    public int MaxSteps { get; init; } = CoyoteExecution.DefaultMaxSteps;
    public int LivenessThreshold { get; init; }
    /// <summary>Wall-clock budget in whole seconds (0: none). Coyote's rule, not ours: with a timeout Coyote runs
    /// until it, ignoring <see cref="Iterations"/> (it still stops at the first bug).</summary>
    public int TimeoutSeconds { get; init; }
    /// <summary>Overrides the test's memory model when set.</summary>
    public Avic.Coyote.MemoryModel? MemoryModel { get; init; }

    /// <summary>Coyote's actor activity coverage (<c>--coverage</c>): <c>.coverage.txt</c> and <c>.coverage.dgml</c>
    /// name our actor types, states and events. Written to the output directory whether or not a bug was found.</summary>
    public bool Coverage { get; init; }

    /// <summary>Coyote's actor graph of the buggy execution (<c>--actor-graph</c>): <c>.actors.trace.dgml</c> names our
    /// actors, their states and the events between them.</summary>
    public bool ActorGraph { get; init; }

    /// <summary>Coyote's scheduling steps per our step: a pause and a named scheduling point, with room for the
    /// extra pauses of an operation that loses a lock it was woken for.</summary>
    public const int CoyoteStepsPerStep = 8;

    /// <summary>Coyote's configuration for a test whose step bound is <paramref name="maxSteps"/>.</summary>
    public CoyoteConfiguration ToConfiguration(int maxSteps)
    {
        uint coyoteSteps = (uint)Math.Min(int.MaxValue, (long)maxSteps * CoyoteStepsPerStep + 1000);
        var config = CoyoteConfiguration.Create()
            .WithTestingIterations((uint)Math.Max(1, Iterations))
            .WithRandomGeneratorSeed(Seed)
            .WithMaxSchedulingSteps(coyoteSteps, coyoteSteps)
            .WithTelemetryEnabled(false)
            // Coyote's defaults, pinned: CoyoteVerdict tells its own failures apart knowing these two checks fail nothing.
            .WithFailureOnMaxStepsBoundEnabled(false)
            .WithPartiallyControlledConcurrencyAllowed(true);
        if (TimeoutSeconds > 0) config = config.WithTestingTimeout(TimeoutSeconds);
        if (Coverage) config = config.WithActivityCoverageReported(true);
        if (ActorGraph) config = config.WithActorTraceVisualizationEnabled(true);
        uint value = (uint)Math.Max(1, StrategyValue);
        return Strategy switch
        {
            "random" => config.WithRandomStrategy(),
            "prioritization" => config.WithPrioritizationStrategy(false, value),
            "fair-prioritization" => config.WithPrioritizationStrategy(true, value),
            "probabilistic" => config.WithProbabilisticStrategy(value),
            "delay-bounding" => config.WithDelayBoundingStrategy(false, value),
            "fair-delay-bounding" => config.WithDelayBoundingStrategy(true, value),
            "q-learning" => config.WithQLearningStrategy(),
            _ => throw new ArgumentException($"strategy '{Strategy}' does not exist on Microsoft.Coyote (it has: {string.Join(", ", StrategyNames)})"),
        };
    }
}

/// <summary>What an in-process run on Microsoft.Coyote gave.</summary>
public sealed class CoyoteRunResult
{
    public required TestCase Test { get; init; }
    public int Iterations { get; init; }
    public long TotalSteps { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>The bug in our terms: our runtime's report, or a bug Coyote found itself (<see cref="CoyoteVerdict"/>).</summary>
    public BugReport? Bug { get; init; }
    /// <summary>Coyote's own text for the bug (what <c>dotnet coyote test</c> prints).</summary>
    public string? CoyoteBugText { get; init; }
    /// <summary>1-based iteration of the bug (0: none).</summary>
    public int BugIteration { get; init; }
    /// <summary>Coyote's reports (.trace for <c>dotnet coyote replay</c>, .txt; coverage and actor graph when asked)
    /// when an output directory was given.</summary>
    public IReadOnlyList<string> ReportFiles { get; init; } = [];
    /// <summary>Executions Coyote cut at its own step bound before ours.</summary>
    public int LostControl { get; init; }

    public bool MeetsExpectation => Test.Meets(Bug);
}

/// <summary>
/// Runs one of our tests on Microsoft.Coyote's TestingEngine, in this process (as Coyote's unit-testing docs show):
/// used by <c>./coyote test --engine coyote</c>, the differential xUnit tests and the benchmark.
/// </summary>
public static class CoyoteTestRunner
{
    public static CoyoteRunResult Run(TestCase test, CoyoteRunSettings settings, string? outputDirectory = null)
    {
        int maxSteps = test.MaxSteps > 0 ? test.MaxSteps : settings.MaxSteps;
        long steps = 0;
        int executions = 0, lost = 0;
        // Coyote stops at the first bug: the last execution started is the one it reports.
        CoyoteVerdict? last = null;
        Action<CoyoteActorRuntime> body = actors =>
        {
            var verdict = last = new CoyoteVerdict();
            executions++;
            actors.OnFailure += verdict.OnFailure; // each execution has its own Coyote runtime
            CoyoteExecution.Run(test.Entry, maxSteps, settings.MemoryModel ?? test.MemoryModel, settings.LivenessThreshold, end =>
            {
                steps += end.Steps;
                if (end.LostControl) lost++;
                if (end.Bug is not null) verdict.Record(end.Bug);
            }, actors);
        };

        var clock = Stopwatch.StartNew();
        using var engine = CoyoteTestingEngine.Create(settings.ToConfiguration(maxSteps), body);
        // Coyote prints its progress to the console unless given a logger; callers print their own summary.
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        engine.Run();
        clock.Stop();

        var report = engine.TestReport;
        string? coyoteBug = report.NumOfFoundBugs > 0 ? report.BugReports.FirstOrDefault() ?? "bug" : null;
        BugReport? bug = coyoteBug is null ? null : last!.Bug(coyoteBug);
        var files = new List<string>();
        if (outputDirectory is not null && (coyoteBug is not null || settings.Coverage))
        {
            Directory.CreateDirectory(outputDirectory);
            if (coyoteBug is not null && engine.TryEmitReports(outputDirectory, FileNameOf(test.Name), out IEnumerable<string> paths))
                files.AddRange(paths);
            if (settings.Coverage && engine.TryEmitCoverageReports(outputDirectory, FileNameOf(test.Name), out IEnumerable<string> coverage))
                files.AddRange(coverage);
        }
        return new CoyoteRunResult
        {
            Test = test,
            Iterations = report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths,
            TotalSteps = steps,
            Elapsed = clock.Elapsed,
            Bug = bug,
            CoyoteBugText = coyoteBug,
            BugIteration = coyoteBug is null ? 0 : executions,
            ReportFiles = files,
            LostControl = lost,
        };
    }

    /// <summary>The file name Coyote's reports get for a test ("Memslot.Merged.2vcpu" stays as it is).</summary>
    public static string FileNameOf(string testName) =>
        string.Concat(testName.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
