using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>
/// The scheduler tick (Kernel/Sched.cs). Scheduled landing draws no values: the schedule decides where it lands,
/// through the race between the tick's write of TIF_NEED_RESCHED and the reads of the task's preemptible windows,
/// so exhaustive search (optimal DPOR) runs one class per window the preemption can hit. Drawn landing reaches the
/// same windows through drawn values. Both keep the preemption budget.
/// </summary>
public class SchedTickTests
{
    /// <summary>Tasks that each take <paramref name="windows"/> steps, a preemptible window after each; every
    /// preemption (sched-out) is recorded as (task, window) in <paramref name="seen"/>, one list per execution.</summary>
    private static TestCase Tasks(int tasks, int windows, int preemptions, List<List<(int Task, int Window)>> seen, TickLanding landing = TickLanding.Scheduled) =>
        TestCase.From("Kernel.Tick", async runtime =>
        {
            var rt = (ControlledRuntime)runtime;
            var sched = new HostScheduler(rt, pcpus: tasks);
            var preempted = new List<(int, int)>();
            seen.Add(preempted);
            var threads = new List<Operation>();
            for (int i = 0; i < tasks; i++)
            {
                int id = i;
                HostTask t = sched.AddTask($"t{id}", cpu: id);
                var notifier = new Recorder(preempted, id);
                t.Notifier = notifier;
                var x = new SharedVar<int>(rt, $"x{id}", 0);
                threads.Add(rt.Spawn(t.Name, async () =>
                {
                    for (int w = 0; w < windows; w++)
                    {
                        notifier.Window = w;
                        await x.Write(w);
                        await sched.PreemptionPoint(t, $"window {w}");
                    }
                    sched.Exit(t);
                }));
            }
            threads.AddRange(sched.StartTick(preemptions, landing));
            foreach (Operation op in threads) await rt.WhenCompleted(op);
        });

    private sealed class Recorder(List<(int, int)> preempted, int task) : IPreemptNotifier
    {
        public int Window;

        public Task SchedOut(HostTask t)
        {
            preempted.Add((task, Window));
            return Task.CompletedTask;
        }

        public Task SchedIn(HostTask t, int cpu) => Task.CompletedTask;
    }

    private static TestReport Dfs(TestCase test)
    {
        TestReport report = TestingEngine.Run(test, new Configuration { Strategy = "dfs-proof", Iterations = 100_000, MaxSteps = 500 });
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Null(report.Bug);
        return report;
    }

    [Fact]
    public void DfsRunsOneClassPerWindowTheTickCanHitAndOneWithoutPreemption()
    {
        var seen = new List<List<(int Task, int Window)>>();
        TestReport report = Dfs(Tasks(tasks: 1, windows: 5, preemptions: 1, seen));

        Assert.Equal(6, report.Iterations - report.PrunedIterations);
        var outcomes = seen.Select(p => p.Count == 0 ? -1 : Assert.Single(p).Window).ToList();
        Assert.Equal(new[] { -1, 0, 1, 2, 3, 4 }, outcomes.Distinct().OrderBy(w => w));
    }

    [Fact]
    public void DrawnLandingReachesTheSameWindowsWithMoreClasses()
    {
        // The draws conflict with every step, so DPOR also orders the tick against steps it does not touch.
        var seen = new List<List<(int Task, int Window)>>();
        TestReport report = Dfs(Tasks(tasks: 1, windows: 5, preemptions: 1, seen, TickLanding.Drawn));

        Assert.True(report.Iterations - report.PrunedIterations > 6, $"{report.Iterations - report.PrunedIterations} classes");
        var outcomes = seen.Select(p => p.Count == 0 ? -1 : Assert.Single(p).Window).Distinct().OrderBy(w => w);
        Assert.Equal(new[] { -1, 0, 1, 2, 3, 4 }, outcomes);
    }

    [Theory]
    [InlineData(TickLanding.Scheduled)]
    [InlineData(TickLanding.Drawn)]
    public void TheBudgetBoundsThePreemptionsOfAllTasksAndEitherTaskCanBeTheVictim(TickLanding landing)
    {
        // Drawn: DPOR cannot finish even this (every draw conflicts with every step), so PCT samples it.
        Func<TestCase, TestReport> explore = landing == TickLanding.Scheduled ? Dfs
            : test => TestingEngine.Run(test, new Configuration { Strategy = "prioritization", Iterations = 3000, Seed = 5, MaxSteps = 500 });
        var one = new List<List<(int Task, int Window)>>();
        explore(Tasks(tasks: 2, windows: 3, preemptions: 1, one, landing));
        Assert.All(one, p => Assert.True(p.Count <= 1, string.Join(", ", p)));
        Assert.Equal(new[] { 0, 1 }, one.SelectMany(p => p).Select(p => p.Task).Distinct().OrderBy(t => t));

        var two = new List<List<(int Task, int Window)>>();
        explore(Tasks(tasks: 2, windows: 3, preemptions: 2, two, landing));
        Assert.Equal(2, two.Max(p => p.Count));
        Assert.Contains(two, p => p.Count == 2 && p[0].Task == p[1].Task); // one task preempted twice
        Assert.Contains(two, p => p.Count == 2 && p[0].Task != p[1].Task);
    }

    [Theory]
    [InlineData(TickLanding.Scheduled)]
    [InlineData(TickLanding.Drawn)]
    public void PctLandsTheTickInEveryWindow(TickLanding landing)
    {
        var seen = new List<List<(int Task, int Window)>>();
        TestingEngine.Run(Tasks(tasks: 1, windows: 5, preemptions: 1, seen, landing), new Configuration { Strategy = "prioritization", Iterations = 500, Seed = 3, MaxSteps = 500 });
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, seen.SelectMany(p => p).Select(p => p.Window).Distinct().OrderBy(w => w));
    }

    [Theory]
    [InlineData("dfs-proof", "tick:t0")]
    [InlineData("dfs-bounded", "tick:t0")]
    [InlineData("prioritization", "sched")]
    [InlineData("fair-prioritization", "sched")]
    [InlineData("random", "sched")]
    public void BySearchLandsScheduledUnderExhaustiveSearchAndDrawnUnderSampling(string strategy, string tickOperation)
    {
        var seen = new List<List<(int Task, int Window)>>();
        TestCase test = Tasks(tasks: 1, windows: 5, preemptions: 1, seen, TickLanding.BySearch);
        var runner = ExecutionRunner.For(test, new Configuration { Strategy = strategy, MaxSteps = 500 });
        Assert.True(runner.TryRun(runner.CreateStrategy(new Configuration { Strategy = strategy, StrategyValue = 2, MaxSteps = 500 }), 0, out _));
        Assert.Contains(tickOperation, runner.Runtime.OperationNames());
        Assert.DoesNotContain(tickOperation == "sched" ? "tick:t0" : "sched", runner.Runtime.OperationNames());
    }
    /// <summary>t0 runs two preemptible windows (the tick may preempt it once) and then wakes t1; t1 sleeps at once.
    /// Records the pCPU t0 runs on after each preemption, one list per execution.</summary>
    private static TestCase PreemptedAndSleeper(Migration migration, List<List<int>> seen) =>
        TestCase.From("Kernel.Migration", async runtime =>
        {
            var rt = (ControlledRuntime)runtime;
            var sched = new HostScheduler(rt, pcpus: 2, migration);
            var cpus = new List<int>();
            seen.Add(cpus);
            HostTask t0 = sched.AddTask("t0", cpu: 0);
            HostTask t1 = sched.AddTask("t1", cpu: 1);
            t0.Notifier = new CpuRecorder(cpus);
            var threads = new List<Operation>
            {
                rt.Spawn("t0", async () =>
                {
                    for (int w = 0; w < 2; w++) await sched.PreemptionPoint(t0, $"window {w}");
                    await sched.wake_up_process(t1);
                    sched.Exit(t0);
                }),
                rt.Spawn("t1", async () =>
                {
                    await t1.State.Write(TaskState.TASK_INTERRUPTIBLE);
                    await sched.schedule(t1, "sleep");
                    sched.Exit(t1);
                }),
            };
            threads.AddRange(sched.StartTick(1, TickLanding.Scheduled));
            foreach (Operation op in threads) await rt.WhenCompleted(op);
        });

    private sealed class CpuRecorder(List<int> cpus) : IPreemptNotifier
    {
        public Task SchedOut(HostTask t) => Task.CompletedTask;

        public Task SchedIn(HostTask t, int cpu)
        {
            cpus.Add(cpu);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void PulledMigrationReachesTheMoveAndTheStayWithoutDrawingAndWithFewerClasses()
    {
        // Pulled: t1's pCPU going idle (t1 sleeps) pulls the preempted t0 (newidle_balance) if t0 has not run again
        // yet; the schedule decides which comes first. Drawn: t0 draws among the idle pCPUs.
        var pulled = new List<List<int>>();
        TestReport p = Dfs(PreemptedAndSleeper(Migration.Pulled, pulled));
        var drawn = new List<List<int>>();
        TestReport d = Dfs(PreemptedAndSleeper(Migration.Drawn, drawn));

        Assert.Equal(new[] { 0, 1 }, pulled.SelectMany(c => c).Distinct().OrderBy(c => c));
        Assert.Equal(new[] { 0, 1 }, drawn.SelectMany(c => c).Distinct().OrderBy(c => c));
        Assert.True(p.Iterations - p.PrunedIterations < d.Iterations - d.PrunedIterations,
            $"pulled {p.Iterations - p.PrunedIterations} classes, drawn {d.Iterations - d.PrunedIterations}");
    }
}
