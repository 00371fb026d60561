using Avic.Coyote.Cli.Settings;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Options;

/// <summary>The exploration flags `test` and `check` share (Coyote's names), merged over coyote.json.</summary>
public sealed class RunOptions
{
    public static readonly OptionSpec Method = new("--method", "-m", OptionKind.String,
        "run the tests whose name contains FILTER (case-insensitive); an exact name selects just that test", "FILTER");
    public static readonly OptionSpec Config = new("--config", null, OptionKind.String,
        "read settings from FILE instead of ./coyote.json", "FILE");

    /// <summary>The -s values of `test` and `check`: the engine's strategies, and portfolio (`test` only).</summary>
    public static string StrategyList => string.Join(", ", Configuration.StrategyNames) + $", {PortfolioStrategy} (test only)";

    public static readonly OptionSpec[] Specs =
    [
        Method,
        new("--iterations", "-i", OptionKind.Int, "number of executions to explore per test", Min: 1, Max: Limits.Iterations),
        new("--max-steps", "-ms", OptionKind.Int, "step bound of one execution", Min: 1, Max: Limits.MaxSteps),
        new("--strategy", "-s", OptionKind.String, $"exploration strategy: {StrategyList}", "NAME"),
        new("--strategy-value", "-sv", OptionKind.Int,
            "prioritization, fair-prioritization: priority change points per execution; dfs-bounded, dfs-bounded-full: the preemption bound", Max: Limits.StrategyValue),
        new("--seed", null, OptionKind.ULong, "random seed (same seed, same schedules)"),
        new("--timeout", "-t", OptionKind.Double, "wall-clock budget per test in seconds (0: none)", "SECONDS", Max: Limits.TimeoutSeconds),
        new("--outdir", "-o", OptionKind.String, "where the output files (.schedule, .trace.txt, .html, check.*) go", "DIR"),
        new("--fail-on-max-steps", null, OptionKind.Flag, "report reaching the step bound as a bug"),
        new("--liveness-threshold", null, OptionKind.Int, "steps a monitor may stay hot before a liveness bug (0: only at the end)",
            Max: Limits.LivenessThreshold),
        new("--tso", null, OptionKind.Flag, "run every test under the x86-TSO memory model (store buffers)"),
        Config,
    ];

    /// <summary>Not an engine strategy name: `-s portfolio` runs <see cref="Portfolio"/> instead of one strategy.</summary>
    public const string PortfolioStrategy = "portfolio";

    public required Configuration Configuration { get; init; }

    /// <summary>`-s portfolio` (or "strategy": "portfolio" in coyote.json): several strategies and seeds on parallel threads.</summary>
    public bool Portfolio { get; init; }

    public required string OutputDirectory { get; init; }

    public string? Filter { get; init; }

    /// <summary>coyote.json (or --config), then the flags on top.</summary>
    public static RunOptions From(ParsedArgs args, CliContext context)
    {
        CoyoteSettings s = SettingsLoader.Load(context, args.GetString(Config.Long));
        string strategy = args.GetString("--strategy") ?? s.Strategy;
        bool portfolio = strategy == PortfolioStrategy;
        // hunt always runs portfolio units, so coyote.json's "portfolio" suits it too.
        if (portfolio && args.Command is not ("test" or "hunt"))
            throw new UsageException($"strategy 'portfolio' works with `coyote test` only ('{args.Command}' runs one strategy per test)", args.Command);
        if (!portfolio && !Configuration.StrategyNames.Contains(strategy))
            throw new UsageException($"unknown strategy '{strategy}' (expected one of: {StrategyList})", args.Command);
        // The portfolio's workers choose their own strategies; the configuration keeps the default for the rest.
        if (portfolio) strategy = new CoyoteSettings().Strategy;
        return new RunOptions
        {
            Portfolio = portfolio,
            Filter = args.GetString(Method.Long),
            OutputDirectory = args.GetString("--outdir") ?? s.OutputDirectory,
            Configuration = new Configuration
            {
                Iterations = args.Get<int>("--iterations") ?? s.Iterations,
                MaxSteps = args.Get<int>("--max-steps") ?? s.MaxSteps,
                Strategy = strategy,
                StrategyValue = args.Get<int>("--strategy-value") ?? s.StrategyValue,
                Seed = args.Get<ulong>("--seed") ?? s.Seed,
                TimeoutSeconds = args.Get<double>("--timeout") ?? s.TimeoutSeconds,
                FailOnMaxSteps = args.Has("--fail-on-max-steps") || s.FailOnMaxSteps,
                LivenessThreshold = args.Get<int>("--liveness-threshold") ?? s.LivenessThreshold,
                MemoryModel = args.Has("--tso") ? MemoryModel.X86Tso : null,
            },
        };
    }
}
