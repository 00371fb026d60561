// Where does the tick's preemption land? Two tasks on two pCPUs (as Doorbell.Strict's vCPUs), each running
// windows W0..W5 after segments of 1, 1, 4, 1, 8 and 2 steps (a shared write each, so the tasks interleave),
// one preemption. Usage: dotnet run (references the built Avic.Coyote and Avic.Coyote.Models: -p:Lib=DIR). Prints, per strategy, the share of executions preempted at each window of task 0 / none.
using Avic.Coyote;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

int[] segments = [1, 1, 4, 1, 8, 2];
foreach (TickLanding landing in new[] { TickLanding.Drawn, TickLanding.Scheduled })
foreach (string strategy in new[] { "prioritization", "random" })
{
    var counts = new int[segments.Length + 1];
    int runs = 0;
    for (ulong seed = 1; seed <= 10; seed++)
    {
        var test = TestCase.From("Landing", async runtime =>
        {
            var rt = (ControlledRuntime)runtime;
            var sched = new HostScheduler(rt, pcpus: 2);
            var shared = new SharedVar<int>(rt, "shared", 0);
            var rec = new Recorder();
            var ops = new List<Operation>();
            for (int i = 0; i < 2; i++)
            {
                HostTask t = sched.AddTask($"t{i}", cpu: i);
                int id = i;
                var notifier = new Recorder();
                t.Notifier = notifier;
                if (id == 0) rec = notifier;
                ops.Add(rt.Spawn(t.Name, async () =>
                {
                    for (int w = 0; w < segments.Length; w++)
                    {
                        notifier.Window = w;
                        for (int s = 0; s < segments[w]; s++) await shared.Write(s);
                        await sched.PreemptionPoint(t, $"W{w}");
                    }
                    sched.Exit(t);
                }));
            }
            ops.AddRange(sched.StartTick(1, landing));
            foreach (Operation op in ops) await rt.WhenCompleted(op);
            counts[rec.Preempted < 0 ? segments.Length : rec.Preempted]++;
            runs++;
        });
        TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = 1000, Seed = seed, MaxSteps = 2000 });
    }
    Console.WriteLine($"{landing}, {strategy}, {runs} executions, task 0 preempted at: " +
        string.Join(", ", counts.Select((c, w) => $"{(w == segments.Length ? "none" : $"W{w}({segments[w]})")} {100.0 * c / runs:F1}%")));
}

sealed class Recorder : IPreemptNotifier
{
    public int Window;
    public int Preempted = -1;
    public Task SchedOut(HostTask t) { if (Preempted < 0) Preempted = Window; return Task.CompletedTask; }
    public Task SchedIn(HostTask t, int cpu) => Task.CompletedTask;
}
