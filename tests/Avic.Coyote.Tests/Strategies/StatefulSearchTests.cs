using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive.Stateful;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using Xunit.Abstractions;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// dfs-stateful against the full search on toys that register a complete state hash: the same first bug
/// (same schedule), the same set of final states, and fewer executions.
/// </summary>
public class StatefulSearchTests(ITestOutputHelper output)
{
    /// <summary>n operations each increment x (read, write; under a lock when <paramref name="locked"/>) and then
    /// count themselves done; the last one checks x = n. The hash: x, done, the lock's holder, and each
    /// operation's position and the values it holds. <paramref name="finals"/> collects each complete execution's x.</summary>
    private static TestCase Counter(int n, bool locked, HashSet<int>? finals = null) => TestCase.From($"counter{n}{locked}", rt =>
    {
        var x = new SharedVar<int>("x");
        var done = new SharedVar<int>("done");
        var m = new Mutex("m");
        int[] pc = new int[n], v = new int[n], d = new int[n];
        int holder = -1;
        StateHashing.Register(rt, w =>
        {
            w.Add(x.Peek());
            w.Add(done.Peek());
            w.Add(holder);
            for (int i = 0; i < n; i++) { w.Add(pc[i]); w.Add(v[i]); w.Add(d[i]); }
        });
        for (int i = 0; i < n; i++)
        {
            int me = i;
            rt.Spawn($"inc{i}", async () =>
            {
                if (locked) { await m.Lock(); holder = me; }
                pc[me] = 1;
                v[me] = await x.Read();
                pc[me] = 2;
                await x.Write(v[me] + 1);
                pc[me] = 3;
                if (locked) { holder = -1; await m.Unlock(); }
                pc[me] = 4;
                d[me] = await done.Read();
                pc[me] = 5;
                await done.Write(d[me] + 1);
                pc[me] = 6;
                if (d[me] + 1 == n)
                {
                    finals?.Add(x.Peek());
                    rt.Assert(x.Peek() == n, $"x = {x.Peek()} after {n} increments");
                }
            });
        }
        return Task.CompletedTask;
    });

    private static TestReport Explore(TestCase test, string strategy) =>
        TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = 10_000_000, MaxSteps = 500 });

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void FindsTheFullSearchsFirstBugWithFewerExecutions(int n)
    {
        TestReport full = Explore(Counter(n, locked: false), "dfs-full");
        TestReport stateful = Explore(Counter(n, locked: false), "dfs-stateful");
        Assert.NotNull(full.Bug);
        Assert.Equal(full.Bug!.ToString(), stateful.Bug?.ToString());
        Assert.Equal(string.Join(" ", full.Schedule!.Decisions), string.Join(" ", stateful.Schedule!.Decisions));
        Assert.True(stateful.Iterations <= full.Iterations, $"{stateful.Iterations} > {full.Iterations}");
        output.WriteLine($"counter{n} unlocked: dfs-full bug after {full.Iterations} executions; dfs-stateful after {stateful.Iterations}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void CompletesABugFreeModelReachingTheSameFinalStatesWithFewerExecutions(int n)
    {
        var fullFinals = new HashSet<int>();
        var statefulFinals = new HashSet<int>();
        TestReport full = Explore(Counter(n, locked: true, fullFinals), "dfs-full");
        TestReport stateful = Explore(Counter(n, locked: true, statefulFinals), "dfs-stateful");
        Assert.True(full.Exhausted && stateful.Exhausted, stateful.Coverage);
        Assert.Null(stateful.Bug);
        Assert.Equal(fullFinals, statefulFinals);
        Assert.True(stateful.Iterations - stateful.PrunedIterations < full.Iterations,
            $"stateful ran {stateful.Iterations - stateful.PrunedIterations} to the end, full {full.Iterations}");
        Assert.Contains("stateful:", stateful.Coverage);
        output.WriteLine($"counter{n} locked: dfs-full {full.Iterations} executions, {full.TotalSteps} steps, {full.Elapsed.TotalSeconds:F2} s; " +
                         $"dfs-stateful {stateful.Iterations} executions ({stateful.PrunedIterations} stopped at a known state), {stateful.TotalSteps} steps, {stateful.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void WithoutAHashItIsTheFullSearch()
    {
        TestCase test = TestCase.From("nohash", rt =>
        {
            var x = new SharedVar<int>("x");
            rt.Spawn("a", async () => { await x.Write(1); await x.Write(2); });
            rt.Spawn("b", async () => { await x.Write(3); await x.Write(4); });
            return Task.CompletedTask;
        });
        Assert.Equal(Explore(test, "dfs-full").Iterations, Explore(test, "dfs-stateful").Iterations);
    }
}
