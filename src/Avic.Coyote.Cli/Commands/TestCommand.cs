using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>`coyote test`: explores each selected test and reports what it found and how fast.</summary>
public static class TestCommand
{
    // -s portfolio (declared before Info: static fields initialize in text order).
    internal static readonly OptionSpec Parallel = new("--parallel", "-p", OptionKind.Int,
        $"with -s portfolio: workers (threads), each a different strategy/seed; with -s {ParallelExhaustiveSearch.SplittingStrategies}: " +
        "threads sharing the search's tree (same result for any number; default 1: see bench/results/2026-12-01-parallel); " +
        "default with portfolio: the number of cores", Min: 1, Max: Limits.Parallel);
    internal static readonly OptionSpec KeepGoing = new("--keep-going", null, OptionKind.Flag,
        "with -s portfolio: let the other workers finish their budget after the first bug");

    // --checkpoint / --resume: a long exhaustive search in pieces (Checkpoint, ICheckpointable).
    internal static readonly OptionSpec CheckpointFile = new("--checkpoint", null, OptionKind.String,
        $"with -s {StrategyRegistry.CheckpointingNames} and one test: write the search's state to FILE now and then (--checkpoint-every) " +
        "and when it stops unfinished (-i, -t, Ctrl-C), for --resume; FILE must not exist yet", "FILE");
    internal static readonly OptionSpec ResumeFile = new("--resume", null, OptionKind.String,
        "go on with the search saved in FILE (run the same test, strategy and settings; -i and -t are this piece's budget); " +
        "writes the state back to FILE unless --checkpoint names another", "FILE");
    internal static readonly OptionSpec CheckpointEvery = new("--checkpoint-every", null, OptionKind.Double,
        $"seconds between checkpoints while the search runs (default {CheckpointOptions.DefaultInterval:0})", "SECONDS", Min: 1, Max: Limits.TimeoutSeconds);

    public static readonly CommandInfo Info = new("test", "[ASSEMBLY]", 1,
        "explore the tests' schedules; write NAME.schedule, NAME.trace.txt and NAME.html for a bug",
        [.. RunOptions.Specs, MinimizeCommand.MinimizeFlag, Parallel, KeepGoing, CheckpointFile, ResumeFile, CheckpointEvery, Engines.EngineOption.Spec], Run,
        "Exit 0: no bug in any test; 1: a bug was found (even an expected one; see `coyote check`); 2: usage or input error; 130: interrupted (Ctrl-C).");

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (Engines.EngineOption.IsMicrosoftCoyote(args, context)) return Engines.MicrosoftCoyoteCommands.Test(args, context);
        RunOptions options = RunOptions.From(args, context);
        if (options.Portfolio && (args.Has(CheckpointFile.Long) || args.Has(ResumeFile.Long)))
            throw new UsageException("--checkpoint and --resume save the search of one strategy, not of -s portfolio", args.Command);
        if (options.Portfolio) return RunPortfolio(args, options, context);
        IReadOnlyList<TestCase> tests = TestSelection.Select(TestSelection.Load(context, args.Positional(0)), options.Filter, args.Command);
        TextWriter o = context.Out;
        Configuration c = options.Configuration;
        int workers = ExhaustiveWorkers(args, c);
        CheckpointOptions? checkpoint = CheckpointOf(args, c, tests, context);
        o.WriteLine($"coyote test: {tests.Count} test{(tests.Count == 1 ? "" : "s")}, strategy {Configuration.DescribeStrategy(c.Strategy, c.StrategyValue)}" +
                    (workers > 1 ? $" on {workers} worker threads" : "") + ", " +
                    $"seed {c.Seed}, up to {Numbers.Count(c.Iterations)} iterations of up to {Numbers.Count(c.MaxSteps)} steps" +
                    (c.MemoryModel is { } mm ? $", memory model {mm}" : ""));

        var tally = new Tally();
        foreach (TestCase test in tests)
        {
            if (context.Cancellation.IsCancellationRequested) { tally.NotRun.Add(test); continue; }
            TestReport report;
            try
            {
                report = workers > 1
                    ? ParallelExhaustiveSearch.Run(test, c, workers, Progress.To(context), context.Cancellation)
                    : TestingEngine.Run(test, c, Progress.To(context), context.Cancellation, checkpoint: checkpoint);
            }
            catch (CheckpointException e)
            {
                throw new InputException(e.Message);
            }
            o.WriteLine();
            WriteSummary(context, options, report);
            if (report.CheckpointError is { } error)
            {
                context.Error.WriteLine($"coyote: error: the checkpoint was not written: {error}; the file keeps the checkpoint before");
                return ExitCode.UsageError;
            }
            if (report.Schedule is not null) MinimizeCommand.WriteBugExtras(context, options.OutputDirectory, report, args.Has(MinimizeCommand.MinimizeFlag.Long));
            tally.Add(report.Bug, report.Canceled, report.MeetsExpectation);
        }
        return tally.Finish(context, tests.Count);
    }

    /// <summary>Threads for a search that splits its tree (`-p`; default 1: on this 2-core machine the split costs more
    /// than it gains so far, see bench/results/2026-12-01-parallel); 1 for the others,
    /// where `-p` is a mistake.</summary>
    private static int ExhaustiveWorkers(ParsedArgs args, Configuration c)
    {
        int? p = args.Get<int>(Parallel.Long);
        if (ParallelExhaustiveSearch.Supports(c.Strategy)) return p ?? 1;
        if (p is not null)
            throw new UsageException($"option -p works with -s portfolio and the strategies that split their tree ({ParallelExhaustiveSearch.SplittingStrategies}), not with '{c.Strategy}'", args.Command);
        return 1;
    }

    /// <summary>`--checkpoint FILE` / `--resume FILE` (which writes back to FILE unless --checkpoint names another): one test, a
    /// strategy that can checkpoint; a new search does not overwrite a checkpoint. Null without them.</summary>
    private static CheckpointOptions? CheckpointOf(ParsedArgs args, Configuration c, IReadOnlyList<TestCase> tests, CliContext context)
    {
        string? resume = args.GetString(ResumeFile.Long) is { } r ? context.Resolve(r) : null;
        string? path = args.GetString(CheckpointFile.Long) is { } p ? context.Resolve(p) : resume;
        double? every = args.Get<double>(CheckpointEvery.Long);
        if (path is null)
        {
            if (every is not null) throw new UsageException("--checkpoint-every works with --checkpoint or --resume", args.Command);
            return null;
        }
        if (StrategyRegistry.Find(c.Strategy) is not { Checkpoints: true })
            throw new UsageException($"strategy {c.Strategy} cannot checkpoint its search; {StrategyRegistry.CheckpointingNames} can", args.Command);
        if (tests.Count != 1)
            throw new UsageException($"--checkpoint and --resume save the search of one test, and {tests.Count} tests match: select one with -m NAME", args.Command);
        if (resume is null && File.Exists(path))
            throw new InputException($"{path} exists: go on with its search with --resume {path}, or delete it to start again");
        if (resume is not null && !File.Exists(resume)) throw new InputException($"{resume}: no such checkpoint");
        return new CheckpointOptions(path, Reports.AtomicFiles.Write, resume, every ?? CheckpointOptions.DefaultInterval);
    }

    /// <summary>The closing line and exit code of `test`: bugs, verdicts, and what Ctrl-C cut short or left out.</summary>
    private sealed class Tally
    {
        private int bugs, expected, unexpected, interrupted;

        public List<TestCase> NotRun { get; } = [];

        public void Add(BugReport? bug, bool canceled, bool meets)
        {
            if (bug is not null) bugs++;
            if (canceled) interrupted++;
            else if (meets) expected++;
            else unexpected++;
        }

        public int Finish(CliContext context, int tests)
        {
            bool stopped = interrupted > 0 || NotRun.Count > 0 || context.Cancellation.IsCancellationRequested;
            if (tests > 1 || stopped)
            {
                context.Out.WriteLine();
                context.Out.WriteLine((stopped ? "INTERRUPTED (Ctrl-C): " : "") +
                                      $"{tests} test{(tests == 1 ? "" : "s")}: {bugs} found a bug; {expected} as expected, {unexpected} not as expected" +
                                      (interrupted > 0 ? $", {interrupted} interrupted before a verdict" : "") +
                                      (Progress.NotRun(NotRun) is { } left ? $"; {left}" : ""));
            }
            return stopped ? ExitCode.Interrupted : bugs > 0 ? ExitCode.BugFound : ExitCode.Ok;
        }
    }

    private static void WriteSummary(CliContext context, RunOptions options, TestReport r)
    {
        TextWriter o = context.Out;
        o.WriteLine($"{r.Test.Name}" + (r.Test.Description.Length > 0 ? $" — {r.Test.Description}" : ""));
        string stopped = r.Bug is not null ? $" (bug in iteration {Numbers.Count(r.BugIteration + 1)})"
            : r.Exhausted ? " (every schedule explored)"
            : r.Canceled ? " (INTERRUPTED by Ctrl-C)"
            : r.StrategyEnded ? " (the search ran out of schedules within its bounds)"
            : r.Iterations < r.Configuration.Iterations ? " (stopped early: time budget)" : "";
        o.WriteLine($"  iterations:     {Numbers.Count(r.Iterations)}{stopped}");
        o.WriteLine($"  steps:          {Numbers.Count(r.TotalSteps)} in {Numbers.Seconds(r.Elapsed)}: " +
                    $"{Numbers.Rate(r.StepsPerSecond)} steps/s, {Numbers.Rate(r.IterationsPerSecond)} iterations/s");
        // An exhaustive search cut by the step bound proves nothing; the way out is a CLI option, so the CLI says it.
        o.WriteLine($"  max-steps hits: {Numbers.Count(r.MaxStepsHits)}" +
                    (r.Coverage is not null && r.MaxStepsHits > 0 && r.Bug is null ? " (raise --max-steps for a proof)" : ""));
        if (r.Coverage is not null) o.WriteLine($"  coverage:       {r.Coverage}");
        WriteCheckpointLines(o, r);
        o.WriteLine($"  bug:            {(r.Bug is { } bug ? bug.ToString() : "none found")}");
        // A piece of a checkpointed search that stopped on its budget has judged nothing yet: the search goes on.
        bool unfinishedPiece = r.CheckpointPath is not null && r.Bug is null && !r.StrategyEnded;
        o.WriteLine($"  expected:       {r.Test.ExpectationText} -> {(r.Canceled ? "interrupted, no verdict"
            : unfinishedPiece ? "no verdict yet (the search goes on with --resume)"
            : r.MeetsExpectation ? "as expected" : "NOT AS EXPECTED")}");
        if (r.Schedule is null) return;
        BugFiles.Written files = BugFiles.Write(context, options.OutputDirectory, r, picture: true);
        o.WriteLine($"  schedule:       {files.Schedule}");
        o.WriteLine($"  trace:          {files.Trace} ({Numbers.Count(r.Trace?.Count ?? 0)} lines)");
        o.WriteLine($"  replay with:    coyote replay {files.Schedule}");
        o.WriteLine($"  picture:        {files.Picture}");
    }

    /// <summary>What was resumed, the totals over every piece of the search so far, and the checkpoint written.</summary>
    private static void WriteCheckpointLines(TextWriter o, TestReport r)
    {
        if (r.ResumedFrom is { } from)
        {
            CheckpointTotals b = r.Before;
            o.WriteLine($"  resumed:        from {from}: {Numbers.Count(b.Executions)} executions done before ({Numbers.Count(b.CutShort)} cut short) " +
                        $"in {b.Pieces} piece{(b.Pieces == 1 ? "" : "s")}, {Numbers.Seconds(TimeSpan.FromSeconds(b.Seconds))}; restored in {Numbers.Seconds(r.ResumeTime)}");
            CheckpointTotals t = r.Totals;
            o.WriteLine($"  whole search:   {Numbers.Count(t.Executions)} executions ({Numbers.Count(t.CutShort)} cut short), {Numbers.Count(t.Steps)} steps, " +
                        $"{Numbers.Count(t.MaxStepsHits)} max-steps hits in {t.Pieces} pieces, {Numbers.Seconds(TimeSpan.FromSeconds(t.Seconds))}");
        }
        if (r.CheckpointPath is not { } path) return;
        bool finished = r.Bug is not null || r.StrategyEnded;
        o.WriteLine($"  checkpoint:     {path}" + (r.CheckpointError is not null ? ": NOT WRITTEN (the file keeps the checkpoint before)"
            : $" ({(finished ? "finished: the result, no state" : "the search's state, for --resume")}; written {r.CheckpointWrites} time{(r.CheckpointWrites == 1 ? "" : "s")}, " +
              $"last {Numbers.Count((r.CheckpointBytes + 1023) / 1024)} KB in {Numbers.Seconds(r.CheckpointWriteTime)})"));
    }

    // ---- `-s portfolio`: the engine's Portfolio (several strategies and seeds on parallel threads) ----

    private static int RunPortfolio(ParsedArgs args, RunOptions options, CliContext context)
    {
        int workers = args.Get<int>(Parallel.Long) ?? Environment.ProcessorCount;
        bool keepGoing = args.Has(KeepGoing.Long);
        IReadOnlyList<TestCase> tests = TestSelection.Select(TestSelection.Load(context, args.Positional(0)), options.Filter, args.Command);
        TextWriter o = context.Out;
        Configuration c = options.Configuration;
        o.WriteLine($"coyote test: {tests.Count} test{(tests.Count == 1 ? "" : "s")}, portfolio of {workers} worker{(workers == 1 ? "" : "s")} on parallel threads" +
                    $"{(keepGoing ? " (keep going after a bug)" : "")}, seed {c.Seed}, up to {Numbers.Count(c.Iterations)} iterations per worker of up to {Numbers.Count(c.MaxSteps)} steps" +
                    (c.MemoryModel is { } mm ? $", memory model {mm}" : ""));

        var tally = new Tally();
        foreach (TestCase test in tests)
        {
            if (context.Cancellation.IsCancellationRequested) { tally.NotRun.Add(test); continue; }
            PortfolioReport p = Portfolio.Run(test, c, workers, keepGoing, context.Cancellation);
            o.WriteLine();
            o.WriteLine($"{test.Name}" + (test.Description.Length > 0 ? $" — {test.Description}" : ""));
            foreach ((PortfolioWorker w, TestReport r) in p.Workers)
                o.WriteLine($"  worker {w}: {Numbers.Count(r.Iterations)} iterations, {Numbers.Count(r.TotalSteps)} steps, {Numbers.Rate(r.StepsPerSecond)} steps/s" +
                            (r.Bug is { } b ? $", {b.Kind} in iteration {Numbers.Count(r.BugIteration + 1)}" : "") +
                            (r.Coverage is null ? "" : $"; {r.Coverage}"));
            o.WriteLine($"  total:          {Numbers.Count(p.TotalIterations)} iterations, {Numbers.Count(p.TotalSteps)} steps in {Numbers.Seconds(p.Elapsed)}: " +
                        $"{Numbers.Rate(p.StepsPerSecond)} steps/s{(p.Verified ? "; verified: a dfs worker covered every schedule" : "")}");
            if (p.FirstBug is { } first)
            {
                o.WriteLine($"  first bug, by worker {p.Workers.First(w => ReferenceEquals(w.Report, first)).Worker}:");
                WriteSummary(context, options, first);
                MinimizeCommand.WriteBugExtras(context, options.OutputDirectory, first, args.Has(MinimizeCommand.MinimizeFlag.Long));
            }
            bool canceled = p.FirstBug is null && context.Cancellation.IsCancellationRequested;
            if (p.FirstBug is null)
            {
                o.WriteLine("  bug:            none found");
                o.WriteLine($"  expected:       {test.ExpectationText} -> {(canceled ? "interrupted, no verdict" : test.Meets(null) ? "as expected" : "NOT AS EXPECTED")}");
            }
            tally.Add(p.FirstBug?.Bug, canceled, test.Meets(p.FirstBug?.Bug));
        }
        return tally.Finish(context, tests.Count);
    }
}
