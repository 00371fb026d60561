using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Settings;

namespace Avic.Coyote.Cli.Engines;

/// <summary>`--engine ours|coyote` of `test` and `check` (coyote.json: "engine"). "coyote" means Microsoft.Coyote 1.7.11.</summary>
public static class EngineOption
{
    public const string Ours = "ours";
    public const string MicrosoftCoyote = "coyote";

    /// <summary>The accepted names; "microsoft-coyote" is an alias of "coyote".</summary>
    public static readonly string[] Names = [Ours, MicrosoftCoyote, "microsoft-coyote"];

    public static readonly OptionSpec Spec = new("--engine", "-e", OptionKind.String,
        "which engine explores: ours (default: fast, dfs, TSO, minimize, pictures) or coyote (Microsoft.Coyote 1.7.11, in process; writes its .trace for `dotnet coyote replay`)",
        "NAME");

    /// <summary>True when the flag, else coyote.json, selects Microsoft.Coyote; a usage error for an unknown name.</summary>
    public static bool IsMicrosoftCoyote(ParsedArgs args, CliContext context)
    {
        string engine = CoyoteSettings.Resolve(args, context).Engine;
        if (!Names.Contains(engine))
            throw new UsageException($"unknown engine '{engine}' (expected ours or coyote)", args.Command);
        return engine != Ours;
    }
}
