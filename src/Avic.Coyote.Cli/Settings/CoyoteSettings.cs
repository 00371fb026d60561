using Avic.Coyote.Cli.Engines;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Settings;

/// <summary>
/// Everything coyote.json and the run flags set: the engine's <see cref="Configuration"/> (whose
/// defaults are the only ones) and the two settings only the CLI has. README documents each key.
/// </summary>
public sealed record CoyoteSettings
{
    public Configuration Run { get; init; } = new();

    public string OutputDirectory { get; init; } = "coyote-out";

    /// <summary>"ours" or "coyote" (Microsoft.Coyote); --engine overrides it.</summary>
    public string Engine { get; init; } = EngineOption.Ours;

    /// <summary>coyote.json (or --config), then every flag of <see cref="Setting.All"/> the command was given, on top.</summary>
    public static CoyoteSettings Resolve(ParsedArgs args, CliContext context)
    {
        CoyoteSettings s = SettingsLoader.Load(context, args.GetString(RunOptions.Config.Long));
        foreach (Setting setting in Setting.All)
            if (args.Value(setting.Option) is { } value) s = setting.Set(s, value);
        return s;
    }
}

/// <summary>
/// One setting bound once: its coyote.json key (null: a flag only), its flag (whose kind and range
/// check the JSON value too) and where it goes in <see cref="CoyoteSettings"/>.
/// </summary>
/// <param name="Check">For strings: null when the value is acceptable in coyote.json, else what is expected.</param>
public sealed record Setting(string? Key, OptionSpec Option, Func<CoyoteSettings, object, CoyoteSettings> Set, Func<string, string?>? Check = null)
{
    /// <summary>-s values: the registry's strategies, and portfolio (several on parallel threads).</summary>
    public const string PortfolioStrategy = "portfolio";

    public static readonly OptionSpec Iterations = new("--iterations", "-i", OptionKind.Int, "number of executions to explore per test", Min: 1, Max: Limits.Iterations);
    public static readonly OptionSpec MaxSteps = new("--max-steps", "-ms", OptionKind.Int, "step bound of one execution", Min: 1, Max: Limits.MaxSteps);
    public static readonly OptionSpec Strategy = new("--strategy", "-s", OptionKind.String,
        $"exploration strategy: {StrategyRegistry.Names}, {PortfolioStrategy} (test only)", "NAME");
    public static readonly OptionSpec StrategyValue = new("--strategy-value", "-sv", OptionKind.Int,
        string.Join("; ", StrategyRegistry.All.Where(s => s.Parameter is not null).GroupBy(s => s.Parameter!.Meaning)
            .Select(g => $"{string.Join(", ", g.Select(s => s.Name))}: {g.Key}")), Max: StrategyParameter.Limit);
    public static readonly OptionSpec Seed = new("--seed", null, OptionKind.ULong, "random seed (same seed, same schedules)");
    public static readonly OptionSpec Timeout = new("--timeout", "-t", OptionKind.Double, "wall-clock budget per test in seconds (0: none)", "SECONDS",
        Max: Limits.TimeoutSeconds);
    public static readonly OptionSpec OutDir = new("--outdir", "-o", OptionKind.String, "where the output files (.schedule, .trace.txt, .html, check.*) go", "DIR");
    public static readonly OptionSpec FailOnMaxSteps = new("--fail-on-max-steps", null, OptionKind.Flag, "report reaching the step bound as a bug");
    public static readonly OptionSpec LivenessThreshold = new("--liveness-threshold", null, OptionKind.Int,
        "steps a monitor may stay hot before a liveness bug (0: only at the end)", Max: Limits.LivenessThreshold);
    public static readonly OptionSpec Tso = new("--tso", null, OptionKind.Flag, "run every test under the x86-TSO memory model (store buffers)");

    /// <summary>Every setting, in help order.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        new("iterations", Iterations, (s, v) => s with { Run = s.Run with { Iterations = (int)v } }),
        new("maxSteps", MaxSteps, (s, v) => s with { Run = s.Run with { MaxSteps = (int)v } }),
        new("strategy", Strategy, (s, v) => s with { Run = s.Run with { Strategy = (string)v } },
            name => name == PortfolioStrategy || StrategyRegistry.Find(name) is not null ? null
                : $"one of {string.Join(", ", StrategyRegistry.All.Select(x => x.Name).Append(PortfolioStrategy).Select(n => '"' + n + '"'))}"),
        new("strategyValue", StrategyValue, (s, v) => s with { Run = s.Run with { StrategyValue = (int)v } }),
        new("seed", Seed, (s, v) => s with { Run = s.Run with { Seed = (ulong)v } }),
        new("timeoutSeconds", Timeout, (s, v) => s with { Run = s.Run with { TimeoutSeconds = (double)v } }),
        new("outputDirectory", OutDir, (s, v) => s with { OutputDirectory = (string)v }),
        new("failOnMaxSteps", FailOnMaxSteps, (s, v) => s with { Run = s.Run with { FailOnMaxSteps = (bool)v } }),
        new("livenessThreshold", LivenessThreshold, (s, v) => s with { Run = s.Run with { LivenessThreshold = (int)v } }),
        new(null, Tso, (s, v) => s with { Run = s.Run with { MemoryModel = (bool)v ? MemoryModel.X86Tso : null } }),
        new("engine", EngineOption.Spec, (s, v) => s with { Engine = (string)v },
            name => EngineOption.Names.Contains(name) ? null : "\"ours\" or \"coyote\""),
    ];
}
