using System;
using System.IO;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Avic.Coyote.Bench;

/// <summary>
/// Entry point for all benchmarks in this assembly, e.g.
/// <c>dotnet run -c Release --project bench/Avic.Coyote.Bench -- --filter '*EntryUpdate*'</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Console modes that are not BenchmarkDotNet runs.
        if (args.Length > 0 && args[0] == "two-engines-bugs") return TwoEngines.BugHunt.Run(args[1..]);
        if (args.Length > 0 && args[0] == "two-engines-survey") return TwoEngines.Survey.Run(args[1..]);

        // Keep BenchmarkDotNet's output beside this project rather than in the caller's working
        // directory (a command-line --artifacts still wins).
        string artifacts = Path.Combine(FindProjectDirectory(), "BenchmarkDotNet.Artifacts");
        IConfig config = DefaultConfig.Instance.WithArtifactsPath(artifacts);

        // Side channel for per-benchmark figures measured inside the benchmark processes
        // (EntryUpdate: the reader threads' reads/s). Child processes inherit the environment.
        EntryUpdate.ReaderRateLog.Initialise(Path.Combine(artifacts, "results"));
        // (Engine: the steps per execution of each test and strategy.)
        Engine.EngineStepsLog.Initialise(Path.Combine(artifacts, "results"));

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    private static string FindProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Avic.Coyote.Bench.csproj")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
