using System.Diagnostics;
using System.Threading;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>The live figures of a hunt, for the progress line.</summary>
public sealed record HuntStatus(int UnitsDone, int Units, int TestsDone, int Tests, long Iterations, long Steps,
    int Bugs, TimeSpan Elapsed, TimeSpan Left)
{
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? Steps / Elapsed.TotalSeconds : 0;
}

/// <summary>A distinct bug as found: the engine's report of its first occurrence, and how often it came up.</summary>
public sealed class FoundBug(BugKey key, TestReport first)
{
    public BugKey Key { get; } = key;
    public TestReport First { get; } = first;
    public int Occurrences { get; set; } = 1;
}

/// <summary>Everything the units of one test found.</summary>
public sealed class TestState(TestCase test)
{
    public TestCase Test { get; } = test;
    public List<HuntUnitRun> Runs { get; } = [];
    public Dictionary<BugKey, FoundBug> Bugs { get; } = [];
    public long Iterations { get; set; }
    public long Steps { get; set; }
    public long MaxStepsHits { get; set; }
    public double Seconds { get; set; }
    public bool Proved { get; set; }
    public int UnitsLeft { get; set; }
}

/// <summary>
/// Runs hunt units on up to <c>parallel</c> threads (one single-threaded, deterministic engine per
/// thread, as <see cref="Portfolio"/> does) within a wall-clock budget. Each unit starts with an equal
/// share of the thread time still free: (threads x time left - time reserved by running units) /
/// units not started. A unit that ends early (dfs covered its tree) thus leaves its time to the units
/// after it. Within its slice a unit keeps going after a bug with its next seed.
/// </summary>
public sealed class HuntRunner
{
    private readonly IReadOnlyList<HuntUnit> units;
    private readonly Configuration config;
    private readonly TimeSpan budget;
    private readonly int threads;
    private readonly CancellationToken cancellation;
    private readonly Stopwatch clock = new();
    private readonly object gate = new();
    private readonly Dictionary<string, TestState> tests = new(StringComparer.Ordinal);
    private readonly TimeSpan?[] reservedUntil;
    private readonly TestReport?[] live;
    private int next, unitsDone;

    private HuntRunner(IReadOnlyList<HuntUnit> units, Configuration config, TimeSpan budget, int parallel, CancellationToken cancellation)
    {
        this.units = units;
        this.config = config with { Iterations = int.MaxValue };
        this.budget = budget;
        this.cancellation = cancellation;
        threads = Math.Max(1, Math.Min(parallel, units.Count));
        reservedUntil = new TimeSpan?[threads];
        live = new TestReport?[threads];
        foreach (HuntUnit u in units)
        {
            if (!tests.TryGetValue(u.Test.Name, out TestState? s)) tests[u.Test.Name] = s = new TestState(u.Test);
            s.UnitsLeft++;
        }
    }

    /// <summary>Runs <paramref name="units"/>; <paramref name="progress"/> is called about once a second from the calling thread.</summary>
    public static (IReadOnlyList<TestState> Tests, TimeSpan Elapsed) Run(IReadOnlyList<HuntUnit> units, Configuration config,
        TimeSpan budget, int parallel, Action<HuntStatus>? progress = null, CancellationToken cancellation = default)
    {
        var runner = new HuntRunner(units, config, budget, parallel, cancellation);
        runner.clock.Start();
        WorkerPool.Run(runner.threads, runner.Work, "a hunt thread", progress is null ? null : () => progress(runner.Status()));
        return (runner.tests.Values.OrderBy(s => s.Test.Name, StringComparer.Ordinal).ToList(), runner.clock.Elapsed);
    }

    private void Work(int slot)
    {
        try
        {
            while (Take(slot) is (HuntUnit unit, TimeSpan end)) RunUnit(slot, unit, end);
        }
        catch
        {
            // An engine failure is not a finding: stop the other slots; the pool reports it from the main thread.
            lock (gate) next = units.Count;
            throw;
        }
    }

    /// <summary>The next unit and the end of its time slice, or null when the budget or the work is used up.</summary>
    private (HuntUnit, TimeSpan)? Take(int slot)
    {
        lock (gate)
        {
            reservedUntil[slot] = null;
            TimeSpan now = clock.Elapsed, left = budget - now;
            if (next >= units.Count || cancellation.IsCancellationRequested) return null;
            double reserved = reservedUntil.Sum(e => e is { } end && end > now ? (end - now).TotalSeconds : 0);
            TimeSpan until = now + TimeSpan.FromSeconds(SliceSeconds(threads, left.TotalSeconds, reserved, units.Count - next));
            reservedUntil[slot] = until;
            return (units[next++], until);
        }
    }

    /// <summary>
    /// The time slice of the next unit: the thread time still free (threads x seconds left, minus what
    /// running units have reserved) shared equally among the units not started yet, and never past the
    /// deadline. Units that overran their slice can push the last ones past the deadline: those still
    /// get a token slice (one execution each), so every test of the plan has some coverage.
    /// </summary>
    public static double SliceSeconds(int threads, double leftSeconds, double reservedSeconds, int unstarted) =>
        Math.Clamp((threads * leftSeconds - reservedSeconds) / unstarted, 0.001, Math.Max(0.001, leftSeconds));

    private void RunUnit(int slot, HuntUnit unit, TimeSpan end)
    {
        PortfolioWorker spec = unit.Spec;
        bool exhaustive = spec.Spec.IsExhaustive;
        var run = new HuntUnitRun
        {
            Unit = unit.Number, Worker = unit.Worker, Strategy = spec.Strategy, StrategyValue = spec.StrategyValue,
            FirstSeed = unit.Seed(0), SeedStep = unit.Workers,
        };
        TimeSpan started = clock.Elapsed;
        for (int rerun = 0; ; rerun++)
        {
            TimeSpan left = end - clock.Elapsed;
            if (left <= TimeSpan.Zero && rerun > 0) break; // the first run always happens (at least one execution)
            Configuration own = config with
            {
                Strategy = spec.Strategy, StrategyValue = spec.StrategyValue, Seed = unit.Seed(rerun),
                TimeoutSeconds = Math.Max(0.001, left.TotalSeconds),
            };
            TestReport report = TestingEngine.Run(unit.Test, own, r => live[slot] = r, cancellation);
            Record(slot, unit.Test, run, report);
            if (cancellation.IsCancellationRequested) { run.Ended = "canceled"; break; }
            if (report.Bug is null)
            {
                // No bug: the slice is used up, or an exhaustive unit has covered its whole tree.
                if (report.Exhausted) run.Ended = "proved";
                else if (exhaustive && clock.Elapsed < end) run.Ended = "explored";
                break;
            }
            // dfs ignores the seed: running it again would find the same bug first.
            if (exhaustive) { run.Ended = "bug"; break; }
        }
        lock (gate)
        {
            run.Seconds = Math.Round((clock.Elapsed - started).TotalSeconds, 3);
            TestState state = tests[unit.Test.Name];
            state.Runs.Add(run);
            state.Seconds += run.Seconds;
            state.UnitsLeft--;
            unitsDone++;
        }
    }

    private void Record(int slot, TestCase test, HuntUnitRun run, TestReport report)
    {
        lock (gate)
        {
            live[slot] = null;
            TestState state = tests[test.Name];
            state.Iterations += report.Iterations;
            state.Steps += report.TotalSteps;
            state.MaxStepsHits += report.MaxStepsHits;
            state.Proved |= report.Exhausted;
            run.Seeds++;
            run.Iterations += report.Iterations;
            run.Steps += report.TotalSteps;
            if (report.Coverage is not null) run.Coverage = report.Coverage;
            if (report.Bug is null) return;
            BugKey key = BugKey.Of(test.Name, report.Bug);
            if (state.Bugs.TryGetValue(key, out FoundBug? known)) known.Occurrences++;
            else state.Bugs[key] = new FoundBug(key, report);
        }
    }

    private HuntStatus Status()
    {
        lock (gate)
        {
            TimeSpan now = clock.Elapsed;
            long iterations = tests.Values.Sum(t => t.Iterations), steps = tests.Values.Sum(t => t.Steps);
            foreach (TestReport? r in live)
                if (r is not null) { iterations += r.Iterations; steps += r.TotalSteps; }
            TimeSpan left = budget - now;
            return new HuntStatus(unitsDone, units.Count, tests.Values.Count(t => t.UnitsLeft == 0), tests.Count, iterations, steps,
                tests.Values.Sum(t => t.Bugs.Count), now, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }
}
