using Avic.Coyote;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
public static class Synth
{
    [Avic.Coyote.Testing.Test(Name = "synth")] public static async Task Run(IActorRuntime runtime)
    {
        var counter = new SharedVar<int>("counter", 0);
        var other = new SharedVar<int>("other", 0);
        var mutex = new Avic.Coyote.Sync.Mutex("counter_lock");
        var workers = new Operation[4];
        for (int i = 0; i < 4; i++)
            workers[i] = runtime.Spawn($"worker{i + 1}", async () => { for (int k = 0; k < 15; k++) await Body(counter, other, mutex); });
        foreach (Operation w in workers) await runtime.WhenCompleted(w);
    }
    internal static async Task Body(SharedVar<int> c, SharedVar<int> o, Avic.Coyote.Sync.Mutex m)
    {
        await m.Lock();
        await Inner(c);
        await m.Unlock();
        await o.Write(await o.Read() + 1);
    }
    static async Task Inner(SharedVar<int> c) { int v = await c.Read(); await c.Write(v + 1); }
}
public static class Synth2
{
    [Avic.Coyote.Testing.Test(Name = "synth2")] public static async Task Run(IActorRuntime runtime)
    {
        var counter = new SharedVar<int>("counter", 0);
        var other = new SharedVar<int>("other", 0);
        var mutex = new Avic.Coyote.Sync.Mutex("counter_lock");
        var workers = new Operation[4];
        for (int i = 0; i < 4; i++)
            workers[i] = runtime.Spawn($"worker{i + 1}", async () => { for (int k = 0; k < 15; k++) await W(counter, other, mutex); });
        foreach (Operation w in workers) await runtime.WhenCompleted(w);
    }
    static async Task W(SharedVar<int> c, SharedVar<int> o, Avic.Coyote.Sync.Mutex m) => await W2(c, o, m);
    static async Task W2(SharedVar<int> c, SharedVar<int> o, Avic.Coyote.Sync.Mutex m) => await W3(c, o, m);
    // Synth's body under three more frames: what each suspended wrapper frame costs.
    static async Task W3(SharedVar<int> c, SharedVar<int> o, Avic.Coyote.Sync.Mutex m) => await Synth.Body(c, o, m);
}
