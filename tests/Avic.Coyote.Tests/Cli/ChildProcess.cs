using System.Threading;
using System.Diagnostics;
using System.Text;

namespace Avic.Coyote.Tests.Cli;

/// <summary>
/// The coyote CLI of this test build (coyote.dll beside the test assembly) run as a real child process,
/// so a test can send it a real SIGINT, as Ctrl-C in a terminal does.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();
    private readonly object gate = new();

    public ChildProcess(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coyote.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Out { get { lock (gate) return stdout.ToString(); } }

    public string Err { get { lock (gate) return stderr.ToString(); } }

    /// <summary>Waits (up to two minutes) until stdout or stderr contains <paramref name="text"/>: the run is under way.</summary>
    public void WaitFor(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Out.Contains(text, StringComparison.Ordinal) && !Err.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, $"the child exited before printing '{text}':\n{Out}\n{Err}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"no '{text}' after two minutes:\n{Out}\n{Err}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Sends SIGINT (what Ctrl-C sends) with kill(1).</summary>
    public void Interrupt()
    {
        using Process kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The exit code, once the child has ended (it must within two minutes of the interrupt).</summary>
    public int Exit()
    {
        Assert.True(process.WaitForExit(120_000), $"the child did not end within two minutes:\n{Out}\n{Err}");
        process.WaitForExit(); // drains the output handlers
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
