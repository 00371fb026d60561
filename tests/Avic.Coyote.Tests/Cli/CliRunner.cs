using Avic.Coyote.Cli;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Cli;

/// <summary>Runs the coyote CLI in-process in a fresh temporary directory, capturing its output.</summary>
public sealed class CliRunner : IDisposable
{
    public CliRunner() => Directory.CreateDirectory(Dir);

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "coyote-cli-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>This test assembly, whose toys are [Test]s the CLI can load.</summary>
    public static string ToysAssembly => typeof(ToyCatalog).Assembly.Location;

    public sealed record Result(int Exit, string Out, string Err)
    {
        public string FirstErrorLine => Err.Split('\n')[0];
    }

    public Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Run(args, new CliContext(stdout, stderr, Dir));
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }

    public string Path_(string relative) => Path.Combine(Dir, relative);

    public void Write(string relative, string text) => File.WriteAllText(Path_(relative), text);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
