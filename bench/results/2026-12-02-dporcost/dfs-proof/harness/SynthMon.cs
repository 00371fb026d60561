using Avic.Coyote;
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
public sealed record Tick(int Who) : Event;
public sealed class SynthMonitor : Avic.Coyote.Specifications.Monitor
{
    public int Seen;
    [Start]
    [OnEventDoAction(typeof(Tick), nameof(OnTick))]
    private sealed class Watching : Avic.Coyote.Specifications.Monitor.State;
    protected override MonitorAccess AccessOf(Event e) => MonitorAccess.Observation;
    private void OnTick(Tick e) => Seen += e.Who;
}
public sealed class OtherMonitor : Avic.Coyote.Specifications.Monitor
{
    [Start]
    private sealed class Idle : Avic.Coyote.Specifications.Monitor.State;
}
public static class SynthMon
{
    static async Task Run(IActorRuntime runtime, int perStep)
    {
        runtime.RegisterMonitor<OtherMonitor>();
        runtime.RegisterMonitor<SynthMonitor>();
        var x = new SharedVar<int>("x", 0);
        var workers = new Operation[2];
        for (int i = 0; i < 2; i++)
        {
            var tick = new Tick(i);
            workers[i] = runtime.Spawn($"worker{i + 1}", async () =>
            {
                for (int k = 0; k < 40; k++)
                {
                    await x.Write(k);
                    for (int j = 0; j < perStep; j++) runtime.Monitor<SynthMonitor>(tick);
                }
            });
        }
        foreach (Operation w in workers) await runtime.WhenCompleted(w);
    }
    [Avic.Coyote.Testing.Test(Name = "synthmon0")] public static Task R0(IActorRuntime runtime) => Run(runtime, 0);
    [Avic.Coyote.Testing.Test(Name = "synthmon4")] public static Task R4(IActorRuntime runtime) => Run(runtime, 4);
}
