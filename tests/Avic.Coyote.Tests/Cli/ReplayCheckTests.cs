namespace Avic.Coyote.Tests.Cli;

/// <summary>`coyote replay` checks the whole schedule file and says exactly what differs.</summary>
public class ReplayCheckTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private string Record()
    {
        CliRunner.Result r = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate");
        Assert.True(r.Exit == 1, r.Out + r.Err);
        return "coyote-out/Toys.LostUpdate.schedule";
    }

    [Fact]
    public void AnEditedBugMessageIsShownAsADifference()
    {
        string path = Record();
        string json = File.ReadAllText(cli.Path_(path));
        // Same kind and invariant (the declared LOST-UPDATE), so the same bug: only the message was edited.
        cli.Write(path, json.Replace("\"message\": \"lost update: counter is 1", "\"message\": \"lost update: counter is 5", StringComparison.Ordinal));

        CliRunner.Result r = cli.Run("replay", path, CliRunner.ToysAssembly);

        Assert.Equal(1, r.Exit);
        Assert.Contains("replay: same kind of bug at the same step, but the message differs: recorded 'lost update: counter is 5", r.Out);
        Assert.DoesNotContain("reproduces the recorded bug", r.Out);
    }

    [Fact]
    public void AnotherInvariantIsADifferentBugWhateverTheMessageSays()
    {
        string path = Record();
        string json = File.ReadAllText(cli.Path_(path));
        Assert.Contains("\"invariant\": \"LOST-UPDATE\"", json);
        cli.Write(path, json.Replace("\"invariant\": \"LOST-UPDATE\"", "\"invariant\": \"INV-9\"", StringComparison.Ordinal));

        CliRunner.Result r = cli.Run("replay", path, CliRunner.ToysAssembly);

        Assert.Equal(1, r.Exit);
        Assert.Contains("replay: found a DIFFERENT bug than the one recorded", r.Out);
    }

    [Fact]
    public void AnUneditedScheduleReproducesInFull()
    {
        CliRunner.Result r = cli.Run("replay", Record(), CliRunner.ToysAssembly);

        Assert.Equal(1, r.Exit);
        Assert.Contains("replay: reproduces the recorded bug (same kind, invariant, step, operation and message)", r.Out);
    }

    [Fact]
    public void AStepBoundOfZeroIsAnErrorAboutTheFileNotTheModel()
    {
        string path = Record();
        string json = File.ReadAllText(cli.Path_(path));
        cli.Write(path, System.Text.RegularExpressions.Regex.Replace(json, "\"maxSteps\": \\d+", "\"maxSteps\": 0"));

        CliRunner.Result r = cli.Run("replay", path, CliRunner.ToysAssembly);

        Assert.Equal(2, r.Exit);
        Assert.Contains("configuration.maxSteps is 0; it must be at least 1", r.FirstErrorLine);
        Assert.DoesNotContain("diverges", r.Err);
    }
}
