using Avic.Coyote.Cli.Settings;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Options;

/// <summary>The exploration flags `test` and `check` share (Coyote's names), merged over coyote.json.</summary>
public sealed class RunOptions
{
    public static readonly OptionSpec Method = new("--method", "-m", OptionKind.String,
        "run the tests whose name contains FILTER (case-insensitive); an exact name selects just that test", "FILTER");
    public static readonly OptionSpec Config = new("--config", null, OptionKind.String,
        "read settings from FILE instead of ./coyote.json", "FILE");

    /// <summary>The flags of <see cref="Setting.All"/> but --engine (only the commands that can use Microsoft.Coyote take it).</summary>
    public static readonly OptionSpec[] Specs =
        [Method, .. Setting.All.Select(s => s.Option).Where(o => o != Engines.EngineOption.Spec), Config];

    /// <summary>Not an engine strategy name: `-s portfolio` runs <see cref="Portfolio"/> instead of one strategy.</summary>
    public const string PortfolioStrategy = Setting.PortfolioStrategy;

    public required Configuration Configuration { get; init; }

    /// <summary>`-s portfolio` (or "strategy": "portfolio" in coyote.json): several strategies and seeds on parallel threads.</summary>
    public bool Portfolio { get; init; }

    public required string OutputDirectory { get; init; }

    public string? Filter { get; init; }

    /// <summary>coyote.json (or --config), then the flags on top; the strategy checked against the registry.</summary>
    public static RunOptions From(ParsedArgs args, CliContext context)
    {
        CoyoteSettings s = CoyoteSettings.Resolve(args, context);
        string strategy = s.Run.Strategy;
        bool portfolio = strategy == PortfolioStrategy;
        // hunt always runs portfolio units, so coyote.json's "portfolio" suits it too.
        if (portfolio && args.Command is not ("test" or "hunt"))
            throw new UsageException($"strategy 'portfolio' works with `coyote test` only ('{args.Command}' runs one strategy per test)", args.Command);
        StrategySpec? spec = StrategyRegistry.Find(strategy);
        if (!portfolio && spec is null)
            throw new UsageException(StrategyRegistry.UnknownMessage(strategy, $"{PortfolioStrategy} (test only)"), args.Command);
        if (spec?.Parameter?.Check(s.Run.StrategyValue) is { } problem)
            throw new UsageException($"strategy {spec.Name}: {problem}", args.Command);
        return new RunOptions
        {
            Portfolio = portfolio,
            Filter = args.GetString(Method.Long),
            OutputDirectory = s.OutputDirectory,
            // The portfolio's workers choose their own strategies; the configuration keeps the default for the rest.
            Configuration = portfolio ? s.Run with { Strategy = new Configuration().Strategy } : s.Run,
        };
    }
}
