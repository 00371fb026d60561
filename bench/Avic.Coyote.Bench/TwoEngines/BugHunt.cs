using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Avic.Coyote.Microsoft;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Bench.TwoEngines;

/// <summary>
/// Iterations and wall time to the first bug on both engines, over seeds: a console mode of the bench
/// (<c>dotnet run -c Release --project bench/Avic.Coyote.Bench -- two-engines-bugs [--seeds 10] [--iterations 2000]
/// [--strategy prioritization] [--tests A,B,...] [--out DIR]</c>). Each run is one in-process TestingEngine run
/// (ours: <see cref="TestingEngine.Run"/>; Microsoft.Coyote: <see cref="CoyoteTestRunner"/>) with the same strategy
/// name, change points, seed and iteration budget. It writes a markdown table and a CSV.
/// </summary>
public static class BugHunt
{
    public static readonly string[] DefaultTests =
        ["Samples.LostUpdate", "Memslot.MA1", "Memslot.MA3", "Memslot.MA4", "Doorbell.MB1", "Doorbell.B-7", "Doorbell.MB6"];

    public static int Run(string[] args)
    {
        int seeds = IntArg(args, "--seeds", 10);
        int iterations = IntArg(args, "--iterations", 2000);
        string strategy = Arg(args, "--strategy") ?? "prioritization";
        string[] names = Arg(args, "--tests")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? DefaultTests;
        string outDir = Arg(args, "--out") ?? "two-engines-out";
        var catalog = TestCatalog.FromAssembly(typeof(Avic.Coyote.Models.Samples.LostUpdate).Assembly);
        Directory.CreateDirectory(outDir);

        var csv = new List<string> { "test,engine,seed,found,iterations,seconds" };
        var rows = new List<string>();
        foreach (string name in names)
        {
            TestCase test = catalog.SingleOrDefault(t => t.Name == name)
                            ?? throw new ArgumentException($"no bundled test named '{name}'");
            var ours = new List<(bool Found, int Iterations, double Seconds)>();
            var theirs = new List<(bool Found, int Iterations, double Seconds)>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                var config = new Configuration
                {
                    Iterations = iterations, Strategy = strategy, StrategyValue = Configuration.DefaultStrategyValue,
                    Seed = (ulong)seed, MaxSteps = CoyoteExecution.DefaultMaxSteps,
                };
                var clock = Stopwatch.StartNew();
                TestReport a = TestingEngine.Run(test, config);
                clock.Stop();
                ours.Add((a.Bug is not null, a.Bug is not null ? a.BugIteration + 1 : a.Iterations, clock.Elapsed.TotalSeconds));
                csv.Add(Csv(name, "ours", seed, ours[^1]));

                CoyoteRunResult b = CoyoteTestRunner.Run(test, new CoyoteRunSettings
                {
                    Iterations = iterations, Strategy = strategy, StrategyValue = Configuration.DefaultStrategyValue, Seed = (uint)seed,
                });
                theirs.Add((b.Bug is not null, b.Bug is not null ? b.BugIteration : b.Iterations, b.Elapsed.TotalSeconds));
                csv.Add(Csv(name, "coyote", seed, theirs[^1]));
                Console.WriteLine($"{name} seed {seed}: ours {Show(ours[^1])}; Microsoft.Coyote {Show(theirs[^1])}");
            }
            rows.Add($"| {name} | {test.ExpectationText} | {Summary(ours, seeds)} | {Summary(theirs, seeds)} |");
        }

        var md = new List<string>
        {
            $"Iterations and wall time to the first bug, {strategy} (change points {Configuration.DefaultStrategyValue}), seeds 1..{seeds}, " +
            $"budget {iterations} iterations a run; step bound {CoyoteExecution.DefaultMaxSteps}. Medians over the seeds that found the bug.",
            "",
            "| test | expected | ours: found / median iterations / median s | Microsoft.Coyote: found / median iterations / median s |",
            "|---|---|---|---|",
        };
        md.AddRange(rows);
        File.WriteAllLines(Path.Combine(outDir, "bug-finding.md"), md);
        File.WriteAllLines(Path.Combine(outDir, "bug-finding.csv"), csv);
        Console.WriteLine(string.Join(Environment.NewLine, md));
        return 0;
    }

    private static string Summary(List<(bool Found, int Iterations, double Seconds)> runs, int seeds)
    {
        var hits = runs.Where(r => r.Found).ToList();
        if (hits.Count == 0) return $"0/{seeds}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{hits.Count}/{seeds} / {Median(hits.Select(h => (double)h.Iterations)):0} / {Median(hits.Select(h => h.Seconds)):0.000}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string Show((bool Found, int Iterations, double Seconds) r) =>
        string.Create(CultureInfo.InvariantCulture, $"{(r.Found ? "bug at iteration" : "no bug in")} {r.Iterations} ({r.Seconds:0.000} s)");

    private static string Csv(string test, string engine, int seed, (bool Found, int Iterations, double Seconds) r) =>
        string.Create(CultureInfo.InvariantCulture, $"{test},{engine},{seed},{r.Found},{r.Iterations},{r.Seconds:0.0000}");

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
