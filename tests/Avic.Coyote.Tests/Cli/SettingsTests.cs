using Avic.Coyote.Cli;
using Avic.Coyote.Cli.Commands;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Settings;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Cli;

public class SettingsTests
{
    private static RunOptions From(CliRunner cli, params string[] args)
    {
        ParsedArgs parsed = OptionParser.Parse("test", args, TestCommand.Info.Options, 1, "[ASSEMBLY]");
        return RunOptions.From(parsed, new CliContext(TextWriter.Null, TextWriter.Null, cli.Dir));
    }

    [Fact]
    public void The_shipped_coyote_json_holds_the_one_set_of_defaults()
    {
        string repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "Avic.Coyote.sln"))) repo = Path.GetDirectoryName(repo)!;
        CoyoteSettings shipped = SettingsLoader.Parse(File.ReadAllBytes(Path.Combine(repo, "coyote.json")), "coyote.json");
        Assert.Equal(new CoyoteSettings(), shipped);
        Assert.Equal(new Configuration(), shipped.Run);
    }

    [Fact]
    public void Without_coyote_json_a_run_gets_the_engine_defaults()
    {
        using var cli = new CliRunner();
        RunOptions o = From(cli);
        Assert.Equal(new Configuration(), o.Configuration);
        Assert.Equal(new CoyoteSettings().OutputDirectory, o.OutputDirectory);
    }

    [Fact]
    public void A_coyote_json_key_and_its_flag_set_the_same_thing()
    {
        using var cli = new CliRunner();
        cli.Write("coyote.json", """
            { "iterations": 7, "maxSteps": 99, "strategy": "dfs-bounded", "strategyValue": 2, "seed": 9, "timeoutSeconds": 1.5,
              "outputDirectory": "out", "failOnMaxSteps": true, "livenessThreshold": 40 }
            """);
        RunOptions fromJson = From(cli);
        File.Delete(cli.Path_("coyote.json"));
        RunOptions fromFlags = From(cli, "-i", "7", "-ms", "99", "-s", "dfs-bounded", "-sv", "2", "--seed", "9", "-t", "1.5", "-o", "out",
            "--fail-on-max-steps", "--liveness-threshold", "40");
        Assert.Equal(fromFlags.Configuration, fromJson.Configuration);
        Assert.Equal(fromFlags.OutputDirectory, fromJson.OutputDirectory);
        Assert.Equal(7, fromJson.Configuration.Iterations);
        Assert.True(fromJson.Configuration.FailOnMaxSteps);
    }

    [Fact]
    public void Flags_override_coyote_json()
    {
        using var cli = new CliRunner();
        cli.Write("coyote.json", """{ "iterations": 7, "strategy": "random" }""");
        RunOptions o = From(cli, "-i", "8", "--tso");
        Assert.Equal(8, o.Configuration.Iterations);
        Assert.Equal("random", o.Configuration.Strategy);
        Assert.Equal(MemoryModel.X86Tso, o.Configuration.MemoryModel);
    }

    [Fact]
    public void Every_coyote_json_key_is_checked_against_its_flags_range()
    {
        foreach (Setting s in Setting.All.Where(s => s.Key is not null && s.Option.Kind == OptionKind.Int))
        {
            var e = Assert.Throws<InputException>(() => SettingsLoader.Parse(System.Text.Encoding.UTF8.GetBytes($"{{ \"{s.Key}\": {s.Option.Max + 1} }}"), "c.json"));
            Assert.Contains($"key '{s.Key}' must be an integer from {s.Option.Min:#,0} to {s.Option.Max:#,0}", e.Message);
        }
    }

    [Fact]
    public void Help_lists_every_strategy_of_the_registry_and_what_its_value_means()
    {
        using var cli = new CliRunner();
        string help = cli.Run("help", "test").Out;
        foreach (StrategySpec s in StrategyRegistry.All) Assert.Contains(s.Name, help);
        Assert.Contains("dfs-bounded, dfs-bounded-full: the preemption bound", help);
        Assert.Contains("prioritization, fair-prioritization: priority change points per execution", help);
    }

    [Fact]
    public void Portfolio_keeps_the_default_strategy_for_the_rest_of_the_run()
    {
        using var cli = new CliRunner();
        RunOptions o = From(cli, "-s", "portfolio", "-i", "5");
        Assert.True(o.Portfolio);
        Assert.Equal(new Configuration().Strategy, o.Configuration.Strategy);
        Assert.Equal(5, o.Configuration.Iterations);
    }
}
