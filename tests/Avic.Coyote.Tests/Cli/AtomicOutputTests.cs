using Avic.Coyote.Reports;

namespace Avic.Coyote.Tests.Cli;

/// <summary>
/// Output files are written whole or not at all: a full disk while rewriting a bug's files, or a hunt's
/// report, leaves the previous set exactly as it was and no temporary behind.
/// </summary>
public class AtomicOutputTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [SmallDiskFact]
    public void AFullDiskWhileRewritingABugsFilesKeepsTheOldSetWhole()
    {
        using var disk = new SmallDisk();
        CliRunner.Result first = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-o", disk.Dir);
        Assert.True(first.Exit == 1, first.Out + first.Err);
        Dictionary<string, byte[]> before = disk.Snapshot();
        Assert.Equal(["Toys.LostUpdate.html", "Toys.LostUpdate.schedule", "Toys.LostUpdate.trace.txt"], before.Keys.Order());

        disk.FillAllButOnePage();
        CliRunner.Result second = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "--seed", "2", "-o", disk.Dir);

        Assert.Equal(2, second.Exit);
        Assert.Contains("cannot write the bug files (nothing was changed)", second.FirstErrorLine);
        Dictionary<string, byte[]> after = disk.Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order()); // no temporary left behind
        foreach ((string name, byte[] bytes) in before) Assert.True(bytes.SequenceEqual(after[name]), $"{name} changed");
    }

    [SmallDiskFact]
    public void AFullDiskKeepsThePreviousHuntsReportAndSchedules()
    {
        using var disk = new SmallDisk();
        string[] hunt = ["hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-p", "1", "--budget", "1s", "-o", disk.Dir];
        Assert.Equal(0, cli.Run(hunt).Exit);
        Dictionary<string, byte[]> before = disk.Snapshot();
        Assert.Contains("report.json", before.Keys);
        Assert.Contains("Toys.LostUpdate.1.schedule", before.Keys);

        disk.FillAllButOnePage();
        CliRunner.Result second = cli.Run([.. hunt, "--seed", "5"]);

        Assert.Equal(2, second.Exit);
        Assert.Contains("cannot write the hunt report (nothing was changed)", second.FirstErrorLine);
        Dictionary<string, byte[]> after = disk.Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach ((string name, byte[] bytes) in before) Assert.True(bytes.SequenceEqual(after[name]), $"{name} changed");
    }

    [Fact]
    public void ASetThatCannotBeWrittenWholeChangesNothing()
    {
        string a = cli.Path_("a.txt");
        File.WriteAllText(a, "old");

        // The second file's folder does not exist: the set fails after the first temporary is written.
        Assert.ThrowsAny<IOException>(() => AtomicFiles.WriteSet([(a, "new"), (cli.Path_("missing/b.txt"), "new")]));

        Assert.Equal("old", File.ReadAllText(a));
        Assert.Equal(["a.txt"], Directory.EnumerateFileSystemEntries(cli.Dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ANewSetReplacesTheOldAndRemovesWhatItObsoletes()
    {
        string a = cli.Path_("a.txt"), stale = cli.Path_("stale.txt");
        File.WriteAllText(a, "old");
        File.WriteAllText(stale, "old");

        AtomicFiles.WriteSet([(a, "new"), (cli.Path_("b.txt"), "new")], obsolete: [a, stale]);

        Assert.Equal("new", File.ReadAllText(a)); // replaced, not deleted, though listed as obsolete
        Assert.Equal("new", File.ReadAllText(cli.Path_("b.txt")));
        Assert.False(File.Exists(stale));
        Assert.Equal(["a.txt", "b.txt"], Directory.EnumerateFileSystemEntries(cli.Dir).Select(Path.GetFileName).Order());
    }
}
