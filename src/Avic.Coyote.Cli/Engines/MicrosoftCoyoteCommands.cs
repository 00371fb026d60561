using Avic.Coyote.Cli.Commands;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Cli.Settings;
using Avic.Coyote.Microsoft;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Engines;

/// <summary>
/// `coyote test --engine coyote` and `coyote check --engine coyote`: the same tests, explored by Microsoft.Coyote's
/// TestingEngine in this process (<see cref="CoyoteTestRunner"/>). A bug leaves Coyote's .trace (and readable .txt)
/// in the output directory; `dotnet coyote replay` on the generated Coyote models assembly reproduces it.
/// Features Coyote lacks are refused with one line.
/// </summary>
public static class MicrosoftCoyoteCommands
{
    /// <summary>Where `dotnet build` puts the Coyote-facing models assembly (for the replay hint).</summary>
    public const string ModelsAssembly = "models/Avic.Coyote.Models.Coyote/bin/Debug/net10.0/Avic.Coyote.Models.Coyote.dll";

    public static int Test(ParsedArgs args, CliContext context)
    {
        var (settings, outDir, tests) = Prepare(args, context);
        TextWriter o = context.Out;
        o.WriteLine($"coyote test on Microsoft.Coyote: {tests.Count} test{(tests.Count == 1 ? "" : "s")}, strategy {settings.Strategy} (value {settings.StrategyValue}), " +
                    $"seed {settings.Seed}, up to {Numbers.Count(settings.Iterations)} iterations of up to {Numbers.Count(settings.MaxSteps)} steps");
        int bugs = 0, unexpected = 0;
        foreach (TestCase test in tests)
        {
            CoyoteRunResult r = CoyoteTestRunner.Run(test, settings, context.Resolve(outDir));
            o.WriteLine();
            o.WriteLine(test.Name + (test.Description.Length > 0 ? $" — {test.Description}" : ""));
            o.WriteLine($"  iterations:     {Numbers.Count(r.Iterations)}{(r.Bug is not null ? $" (bug in iteration {Numbers.Count(r.BugIteration)})" : "")}");
            double seconds = Math.Max(r.Elapsed.TotalSeconds, 1e-9);
            o.WriteLine($"  steps:          {Numbers.Count(r.TotalSteps)} in {Numbers.Seconds(r.Elapsed)}: {Numbers.Rate(r.TotalSteps / seconds)} steps/s, " +
                        $"{Numbers.Rate(r.Iterations / seconds)} iterations/s");
            if (r.LostControl > 0) o.WriteLine($"  cut by Coyote:  {Numbers.Count(r.LostControl)} executions reached Coyote's own step bound first");
            o.WriteLine($"  bug:            {(r.Bug is { } bug ? bug.ToString() : "none found")}");
            o.WriteLine($"  expected:       {test.ExpectationText} -> {(r.MeetsExpectation ? "as expected" : "NOT AS EXPECTED")}");
            string? trace = r.ReportFiles.FirstOrDefault(f => f.EndsWith(".trace", StringComparison.Ordinal));
            if (trace is not null)
            {
                foreach (string file in r.ReportFiles) o.WriteLine($"  coyote report:  {file}");
                bool otherBound = settings.MaxSteps != CoyoteExecution.DefaultMaxSteps && test.MaxSteps == 0;
                bool otherModel = settings.MemoryModel is { } mm && mm != test.MemoryModel;
                o.WriteLine($"  replay with:    dotnet coyote replay {ModelsAssembly} {trace} -m {CoyoteNames.MethodArgument(test.Name)}" +
                            (otherBound || otherModel
                                ? "  (this run's --max-steps or --tso differ from the generated entry point's: the replay may diverge)" : ""));
            }
            if (r.Bug is not null) bugs++;
            if (!r.MeetsExpectation) unexpected++;
            if (context.Cancellation.IsCancellationRequested) break;
        }
        if (tests.Count > 1)
        {
            o.WriteLine();
            o.WriteLine($"{tests.Count} tests: {bugs} found a bug; {tests.Count - unexpected} as expected, {unexpected} not as expected");
        }
        return bugs > 0 ? ExitCode.BugFound : ExitCode.Ok;
    }

    /// <summary>`coyote list --engine coyote`: each test with its generated Coyote method (the `-m` of `dotnet coyote test`).</summary>
    public static int List(IReadOnlyList<TestCase> tests, CliContext context)
    {
        var table = new TextTable("test", "dotnet coyote test -m", "memory model", "step bound", "expected");
        foreach (TestCase t in tests)
            table.Add(t.Name, CoyoteNames.MethodArgument(t.Name), t.MemoryModel == MemoryModel.X86Tso ? "x86-TSO" : "SC",
                Numbers.Count(t.MaxSteps > 0 ? t.MaxSteps : CoyoteExecution.DefaultMaxSteps), t.ExpectationText);
        table.Write(context.Out);
        context.Out.WriteLine($"{tests.Count} tests; Coyote entry points in {ModelsAssembly}");
        return ExitCode.Ok;
    }

    public static int Check(ParsedArgs args, CliContext context)
    {
        var (settings, outDir, tests) = Prepare(args, context);
        (ulong first, ulong last) = CheckCommand.ParseSeeds(args.GetString(CheckCommand.Seeds.Long), settings.Seed, args.Command);
        if (last > uint.MaxValue) throw new UsageException($"--seeds: Microsoft.Coyote takes 32-bit seeds (at most {uint.MaxValue})", args.Command);
        var table = new TextTable("test", "expected", "found", "iterations to first bug", "time", "ok");
        int runs = 0, failed = 0;
        foreach (TestCase test in tests)
        {
            for (ulong seed = first; seed <= last && !context.Cancellation.IsCancellationRequested; seed++)
            {
                CoyoteRunResult r = CoyoteTestRunner.Run(test, settings with { Seed = (uint)seed }, context.Resolve(outDir));
                runs++;
                if (!r.MeetsExpectation) failed++;
                table.Add(test.Name + (first == last ? "" : $" (seed {seed})"), test.ExpectationText,
                    r.Bug is null ? "no bug" : r.Bug.Kind.ToString(),
                    r.Bug is null ? $"- (none in {Numbers.Count(r.Iterations)})" : Numbers.Count(r.BugIteration),
                    Numbers.Seconds(r.Elapsed), r.MeetsExpectation ? "ok" : "FAIL");
            }
            if (context.Cancellation.IsCancellationRequested) break;
        }
        table.Write(context.Out);
        string verdict = $"{runs - failed} of {runs} runs as expected on Microsoft.Coyote" + (failed > 0 ? $", {failed} NOT as expected" : "");
        context.Out.WriteLine(verdict);
        string report = Path.Combine(context.Resolve(outDir), "check-coyote.md");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        using (var w = new StreamWriter(report))
        {
            w.WriteLine($"# coyote check --engine coyote (Microsoft.Coyote 1.7.11), strategy {settings.Strategy}, seeds {first}..{last}, {settings.Iterations} iterations");
            w.WriteLine();
            w.WriteLine("```");
            table.Write(w);
            w.WriteLine("```");
            w.WriteLine();
            w.WriteLine(verdict);
        }
        context.Out.WriteLine($"report: {Path.Combine(outDir, "check-coyote.md")}");
        return failed == 0 ? ExitCode.Ok : ExitCode.BugFound;
    }

    /// <summary>Coyote's settings from coyote.json and the flags, after refusing what Microsoft.Coyote cannot do.</summary>
    private static (CoyoteRunSettings Settings, string OutDir, IReadOnlyList<TestCase> Tests) Prepare(ParsedArgs args, CliContext context)
    {
        foreach (OptionSpec flag in new[] { MinimizeCommand.MinimizeFlag, TestCommand.Parallel, TestCommand.KeepGoing, Setting.FailOnMaxSteps })
            if (args.Has(flag.Long))
                throw new UsageException($"{flag.Long} is not available with --engine coyote ({Why(flag)}); use --engine ours", args.Command);
        CoyoteSettings s = CoyoteSettings.Resolve(args, context);
        Configuration run = s.Run;
        string strategy = run.Strategy;
        bool oursOnly = !CoyoteRunSettings.StrategyNames.Contains(strategy) &&
                        (strategy == RunOptions.PortfolioStrategy || StrategyRegistry.Find(strategy) is { OnMicrosoftCoyote: false });
        if (oursOnly)
            throw new UsageException($"strategy '{strategy}' is not available with --engine coyote (Microsoft.Coyote 1.7.11 has no exhaustive search or portfolio; " +
                                     $"it has: {string.Join(", ", CoyoteRunSettings.StrategyNames)}); use --engine ours", args.Command);
        if (!CoyoteRunSettings.StrategyNames.Contains(strategy))
            throw new UsageException($"unknown strategy '{strategy}' for --engine coyote (expected one of: {string.Join(", ", CoyoteRunSettings.StrategyNames)})", args.Command);
        if (run.Seed > uint.MaxValue) throw new UsageException($"--seed: Microsoft.Coyote takes 32-bit seeds (at most {uint.MaxValue})", args.Command);
        var settings = new CoyoteRunSettings
        {
            Iterations = run.Iterations,
            MaxSteps = run.MaxSteps,
            Strategy = strategy,
            StrategyValue = run.StrategyValue,
            Seed = (uint)run.Seed,
            LivenessThreshold = run.LivenessThreshold,
            TimeoutSeconds = run.TimeoutSeconds > 0 ? Math.Max(1, (int)Math.Ceiling(run.TimeoutSeconds)) : 0,
            MemoryModel = run.MemoryModel,
        };
        IReadOnlyList<TestCase> tests = TestSelection.Select(TestSelection.Load(context, args.Positional(0)), args.GetString(RunOptions.Method.Long), args.Command);
        return (settings, s.OutputDirectory, tests);
    }

    private static string Why(OptionSpec flag) =>
        flag == MinimizeCommand.MinimizeFlag ? "schedule shrinking works on our schedules"
        : flag == Setting.FailOnMaxSteps ? "use `dotnet coyote test --fail-on-maxsteps` for Coyote's own bound"
        : "portfolio is ours";
}
