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

    public static readonly OptionSpec[] Specs =
    [
        Method,
        new("--iterations", "-i", OptionKind.Int, "number of executions to explore per test", Min: 1),
        new("--max-steps", "-ms", OptionKind.Int, "step bound of one execution", Min: 1),
        new("--strategy", "-s", OptionKind.String, $"exploration strategy: {string.Join(", ", Configuration.StrategyNames)}", "NAME"),
        new("--strategy-value", "-sv", OptionKind.Int, "priority change points of the prioritization strategies"),
        new("--seed", null, OptionKind.ULong, "random seed (same seed, same schedules)"),
        new("--timeout", "-t", OptionKind.Double, "wall-clock budget per test in seconds (0: none)", "SECONDS"),
        new("--outdir", "-o", OptionKind.String, "where .schedule and .trace.txt files go", "DIR"),
        new("--fail-on-max-steps", null, OptionKind.Flag, "report reaching the step bound as a bug"),
        new("--liveness-threshold", null, OptionKind.Int, "steps a monitor may stay hot before a liveness bug (0: only at the end)"),
        new("--tso", null, OptionKind.Flag, "run every test under the x86-TSO memory model (store buffers)"),
        Config,
    ];

    public required Configuration Configuration { get; init; }

    public required string OutputDirectory { get; init; }

    public string? Filter { get; init; }

    /// <summary>coyote.json (or --config), then the flags on top.</summary>
    public static RunOptions From(ParsedArgs args, CliContext context)
    {
        CoyoteSettings s = SettingsLoader.Load(context, args.GetString(Config.Long));
        string strategy = args.GetString("--strategy") ?? s.Strategy;
        if (!Configuration.StrategyNames.Contains(strategy))
            throw new UsageException($"unknown strategy '{strategy}' (expected one of: {string.Join(", ", Configuration.StrategyNames)})", args.Command);
        return new RunOptions
        {
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
