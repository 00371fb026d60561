using System.Text;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// dfs (optimal DPOR) treats a draw as local nondeterminism: the step that drew is the transition (operation, values
/// drawn) and conflicts only through what it touched; every value is still explored. Toys with hand-counted classes,
/// and a family of small generated programs whose final states and bugs dfs must reach exactly as the full search does.
/// </summary>
public class OptimalDporDrawTests
{
    private static TestCase Toy(string shape) => TestCase.From(shape, rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        var m = new Mutex("m");
        switch (shape)
        {
            case "draw-then-write": // 2 values × the order of the two writes
                rt.Spawn("a", async () => { int v = rt.RandomInteger(2); await x.Write(v); });
                rt.Spawn("b", async () => await x.Write(5));
                break;
            case "count-from-a-read": // a reads x and draws from x + 2 values: 2 before b's write, 3 after it
                rt.Spawn("a", async () => { int n = await x.Read(); await y.Write(rt.RandomInteger(n + 2)); });
                rt.Spawn("b", async () => await x.Write(1));
                break;
            case "count-from-a-read-write-first": // the same with b first: the read that drew from 3 values races with
                                                  // b's write, and run before it, draws from 2 (its values are free there)
                rt.Spawn("b", async () => await x.Write(1));
                rt.Spawn("a", async () => { int n = await x.Read(); await y.Write(rt.RandomInteger(n + 2)); });
                break;
            case "draw-under-a-lock": // who takes the lock first × 2 values
                rt.Spawn("a", async () => { await m.Lock(); int v = rt.RandomInteger(2); await x.Write(v); await m.Unlock(); });
                rt.Spawn("b", async () => { await m.Lock(); await x.Write(5); await m.Unlock(); });
                break;
            case "draw-after-a-join": // a waits for b, then draws and writes x; c writes x: the order of the writes × 2 values
            {
                Operation b = rt.Spawn("b", async () => await y.Write(1));
                rt.Spawn("a", async () => { await rt.WhenCompleted(b); int v = rt.RandomInteger(2); await x.Write(v); });
                rt.Spawn("c", async () => await x.Write(5));
                break;
            }
            case "independent-draws": // two operations draw and write their own variables: 2 × 3 values, one order
                rt.Spawn("a", async () => await x.Write(rt.RandomInteger(2)));
                rt.Spawn("b", async () => await y.Write(rt.RandomInteger(3)));
                break;
            default: throw new ArgumentException(shape);
        }
        return Task.CompletedTask;
    });

    private static (DfsClassRecorder Recorder, TestReport Report) Classify(TestCase test, string strategy)
    {
        var recorder = new DfsClassRecorder(new Configuration { Strategy = strategy, MaxSteps = 200 }.CreateStrategy(), localDraws: true);
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: recorder);
        return (recorder, report);
    }

    [Theory]
    [InlineData("draw-then-write", 4)]
    [InlineData("count-from-a-read", 5)]
    [InlineData("count-from-a-read-write-first", 5)]
    [InlineData("draw-under-a-lock", 4)]
    [InlineData("draw-after-a-join", 4)]
    [InlineData("independent-draws", 6)]
    public void RunsTheHandCountedClassesOnceEach(string shape, int classes)
    {
        var (full, fullReport) = Classify(Toy(shape), "dfs-full");
        var (dfs, report) = Classify(Toy(shape), "dfs-proof");
        Assert.True(fullReport.Exhausted && report.Exhausted, report.Coverage);
        Assert.Equal(classes, full.Classes.Count);
        Assert.True(full.Classes.SetEquals(dfs.Classes), string.Join("\n", dfs.Executions));
        Assert.Equal(0, dfs.Repeats);
        Assert.Equal(classes, report.Iterations);
        Assert.Equal(0, report.PrunedIterations);
    }

    /// <summary>dfs-sleepsets keeps treating a draw as a conflict with every step: it runs more executions there (the
    /// drawing step's order against b's write is a class of its own), and still every local class.</summary>
    [Fact]
    public void SleepSetsStillTreatADrawAsGlobal()
    {
        var (full, _) = Classify(Toy("draw-then-write"), "dfs-full");
        var (sleepSets, report) = Classify(Toy("draw-then-write"), "dfs-sleepsets");
        Assert.True(report.Exhausted);
        Assert.True(full.Classes.SetEquals(sleepSets.Classes));
        Assert.True(report.Iterations > 4, $"{report.Iterations}");
    }

    // ---- generated programs ----

    private enum Kind { Read, Write, Draw, DrawFromRead, DrawTouch, TouchRead, Locked }

    private sealed record Act(Kind Kind, int Var, int Count, Act? Inner = null);

    /// <summary>2–3 operations of 1–3 actions over two variables and a lock: reads (into the operation's accumulator),
    /// writes (of it), draws of 2–3 values, draws whose count depends on what was read, draws that choose which of two
    /// cells the same step writes (its footprint depends on the value) and in-step reads of a cell, and actions under
    /// the lock.</summary>
    private static List<List<Act>> Generate(int seed)
    {
        var random = new Random(seed);
        int operations = random.Next(2, 4);
        var program = new List<List<Act>>();
        for (int o = 0; o < operations; o++)
        {
            var acts = new List<Act>();
            int n = random.Next(1, operations == 3 ? 3 : 4);
            for (int i = 0; i < n; i++) acts.Add(NewAct(random, allowLock: true));
            program.Add(acts);
        }
        return program;
    }

    private static Act NewAct(Random random, bool allowLock) => random.Next(allowLock ? 8 : 7) switch
    {
        0 => new Act(Kind.Read, random.Next(2), 0),
        1 or 2 => new Act(Kind.Write, random.Next(2), 0),
        3 => new Act(Kind.Draw, 0, random.Next(2, 4)),
        4 => new Act(Kind.DrawFromRead, 0, 0),
        5 => new Act(Kind.DrawTouch, 0, 2),
        6 => new Act(Kind.TouchRead, random.Next(2), 0),
        _ => new Act(Kind.Locked, 0, 0, NewAct(random, allowLock: false)),
    };

    /// <summary>Scheduling points of an operation (its start, one per access, two per lock region), for the size bound.</summary>
    private static int Steps(List<Act> acts) => 1 + acts.Sum(a => a.Kind switch
    {
        Kind.Locked => 2 + (a.Inner!.Kind is Kind.Read or Kind.Write ? 1 : 0),
        Kind.Read or Kind.Write => 1,
        _ => 0,
    });

    private static double Interleavings(List<List<Act>> program)
    {
        double r = 1;
        int total = 0;
        foreach (List<Act> acts in program)
        {
            int s = Steps(acts);
            for (int i = 1; i <= s; i++) r = r * (total + i) / i;
            total += s;
            foreach (Act a in acts.Select(a => a.Inner ?? a)) r *= a.Kind is Kind.Draw or Kind.DrawTouch ? a.Count : a.Kind == Kind.DrawFromRead ? 3 : 1;
        }
        return r;
    }

    /// <summary>The program as a test: the main operation joins the others and records the final state (both variables
    /// and every accumulator); with <paramref name="forbidden"/>, it asserts that state is not reached.</summary>
    private static TestCase Program(List<List<Act>> program, HashSet<string> finals, string? forbidden = null) => TestCase.From("generated", async rt =>
    {
        var vars = new[] { new SharedVar<int>("x"), new SharedVar<int>("y") };
        var m = new Mutex("m");
        // Cells touched inside a step (no scheduling point of their own), as model state recorded with RecordAccess.
        var cells = new[] { new SharedVar<int>("c0"), new SharedVar<int>("c1") };
        var cellValues = new int[2];
        var acc = new int[program.Count];
        var ops = new List<Operation>();
        for (int o = 0; o < program.Count; o++)
        {
            int id = o;
            ops.Add(rt.Spawn($"p{o}", async () =>
            {
                foreach (Act act in program[id]) await Run(act);
            }));

            async Task Run(Act act)
            {
                switch (act.Kind)
                {
                    case Kind.Read: acc[id] = acc[id] * 4 + await vars[act.Var].Read(); break;
                    case Kind.Write: await vars[act.Var].Write(acc[id] + 1); break;
                    case Kind.Draw: acc[id] = acc[id] * 4 + rt.RandomInteger(act.Count); break;
                    case Kind.DrawFromRead: acc[id] = acc[id] * 4 + rt.RandomInteger(2 + (acc[id] & 1)); break;
                    case Kind.DrawTouch:
                    {
                        int c = rt.RandomInteger(act.Count);
                        ControlledRuntime.Current!.RecordAccess(cells[c], write: true);
                        cellValues[c] = acc[id] + 1;
                        acc[id] = acc[id] * 4 + c;
                        break;
                    }
                    case Kind.TouchRead:
                        ControlledRuntime.Current!.RecordAccess(cells[act.Var], write: false);
                        acc[id] = acc[id] * 4 + cellValues[act.Var];
                        break;
                    case Kind.Locked:
                        await m.Lock();
                        await Run(act.Inner!);
                        await m.Unlock();
                        break;
                }
            }
        }
        foreach (Operation op in ops) await rt.WhenCompleted(op);
        string final = $"x={vars[0].Peek()} y={vars[1].Peek()} cells={cellValues[0]},{cellValues[1]} acc={string.Join(",", acc)}";
        finals.Add(final);
        if (forbidden is not null) rt.Assert(final != forbidden, "reached " + final);
    });

    private static string Show(List<List<Act>> program)
    {
        var s = new StringBuilder();
        foreach (List<Act> acts in program) s.Append('[').Append(string.Join(" ", acts)).Append("] ");
        return s.ToString();
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 120));

    /// <summary>dfs reaches exactly the final states the full search reaches, runs each class (as the full search names
    /// them with local draws) once, starts no more executions than the full search, and finds the bug of reaching any
    /// one final state.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void GeneratedProgramsReachTheFullSearchesFinalStatesAndBugs(int seed)
    {
        List<List<Act>> program = Generate(seed);
        int s2 = seed;
        while (Interleavings(program) > 20_000) program = Generate(s2 += 1000);
        var fullFinals = new HashSet<string>();
        var dfsFinals = new HashSet<string>();
        var (full, fullReport) = Classify(Program(program, fullFinals), "dfs-full");
        var (dfs, report) = Classify(Program(program, dfsFinals), "dfs-proof");
        string what = Show(program);
        Assert.True(fullReport.Exhausted && report.Exhausted, what + report.Coverage + fullReport.Bug?.Message + report.Bug?.Message);
        Assert.True(fullFinals.SetEquals(dfsFinals), $"{what}: full {fullFinals.Count} dfs {dfsFinals.Count}, missing {string.Join(" | ", fullFinals.Except(dfsFinals))}");
        Assert.True(full.Classes.SetEquals(dfs.Classes), $"{what}: full {full.Classes.Count} classes, dfs {dfs.Classes.Count}");
        Assert.Equal(0, dfs.Repeats);
        // Executions started (run to the end or cut short) never outnumber the full search's. Some are cut short: the
        // racing step that ends a reversal draws every value, and a value whose step no longer conflicts with the step
        // it raced with leads into classes that one's branch explored (24 of seeds 1–300, 1 to 36 executions each).
        Assert.True(report.Iterations <= fullReport.Iterations, $"{what}: dfs {report.Iterations}, full {fullReport.Iterations}");

        // The same bugs: whichever final state an assertion forbids, dfs reaches it (the rarest and the last one found).
        foreach (string forbidden in new[] { fullFinals.Max(StringComparer.Ordinal)!, fullFinals.Min(StringComparer.Ordinal)! })
        {
            TestReport bug = TestingEngine.Run(Program(program, new HashSet<string>(), forbidden),
                new Configuration { Strategy = "dfs-proof", Iterations = 1_000_000, MaxSteps = 200 });
            Assert.True(bug.Bug?.Kind == BugKind.AssertionFailure, $"{what}: dfs did not reach {forbidden}");
        }
    }

    /// <summary>The strategy's own counters: every class once, none cut short, on a program with every kind of action.</summary>
    [Fact]
    public void CountsEveryDrawnClassAsAScheduleOfItsOwn()
    {
        var strategy = new OptimalDporStrategy(200);
        TestReport r = TestingEngine.Run(Toy("count-from-a-read"), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: strategy);
        Assert.True(r.Exhausted);
        Assert.Equal(5, strategy.CompleteExecutions);
        Assert.Equal(0, strategy.PrunedExecutions);
    }
}
