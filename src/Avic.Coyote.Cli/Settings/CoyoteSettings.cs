namespace Avic.Coyote.Cli.Settings;

/// <summary>
/// The defaults of coyote.json (README documents each key). Command-line flags override them.
/// The built-in values keep `./coyote test` quick: enough iterations to find the bundled bugs.
/// </summary>
public sealed record CoyoteSettings
{
    public int Iterations { get; init; } = 1000;
    public int MaxSteps { get; init; } = 2000;
    public string Strategy { get; init; } = "prioritization";
    public int StrategyValue { get; init; } = Avic.Coyote.Testing.Configuration.DefaultStrategyValue;
    public ulong Seed { get; init; } = 1;
    public string OutputDirectory { get; init; } = "coyote-out";
    public double TimeoutSeconds { get; init; }
    public bool FailOnMaxSteps { get; init; }
    public int LivenessThreshold { get; init; }
    /// <summary>"ours" or "coyote" (Microsoft.Coyote); --engine overrides it.</summary>
    public string Engine { get; init; } = "ours";
}
