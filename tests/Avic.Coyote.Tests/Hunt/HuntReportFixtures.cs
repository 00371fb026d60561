using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Hunt;

/// <summary>Hand-made hunt reports, so merge and writer tests do not depend on what a timed run finds.</summary>
internal static class HuntReportFixtures
{
    public static HuntRun Run(int shard, int of) => new()
    {
        ShardIndex = shard, ShardCount = of, BudgetSeconds = 60, Parallel = 2, Seed = 1, MaxSteps = 2000,
        StrategyValue = 3, Units = 4, ElapsedSeconds = 60,
    };

    public static HuntTestResult Test(string name, Expectation expect, string? invariant = null, long iterations = 10,
        params HuntBug[] bugs)
    {
        var t = new HuntTestResult
        {
            Name = name, Expect = expect, Invariant = invariant, Units = 1, Iterations = iterations, Steps = iterations * 10,
            Seconds = 1,
            Runs = [new HuntUnitRun { Unit = 0, Worker = 0, Strategy = "random", FirstSeed = 1, SeedStep = 2, Seeds = 1, Iterations = iterations }],
            Bugs = [.. bugs],
        };
        t.Judge();
        return t;
    }

    public static HuntBug Bug(BugKind kind, string message, string? operation = "vcpu0", int occurrences = 1, string? schedule = null,
        string? invariant = null) => new()
    {
        Kind = kind, Invariant = invariant, Message = message, Operation = operation, Step = 12, Occurrences = occurrences, Strategy = "random", Seed = 7,
        Schedule = schedule, Trace = schedule?.Replace(".schedule", ".trace.txt"),
    };

    public static HuntReport Report(HuntRun run, params HuntTestResult[] tests) =>
        new() { Format = HuntReport.FormatName, Runs = [run], Tests = [.. tests] };
}
