using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Reports;

/// <summary>
/// A trace shaped like the real ones (not a KVM model): three vCPUs that mark themselves running
/// and poll a pending-interrupt flag, a host that posts interrupts under a lock, x86-TSO store
/// buffers, and a monitor that is hot while an interrupt is pending. Its bug: an interrupt is still
/// pending when everybody stops. About 200 steps, which is what the picture must stay readable at.
/// </summary>
internal static class ReportToys
{
    public sealed record Posted : Event;
    public sealed record Delivered : Event;

    public sealed class PendingIrqMonitor : Specifications.Monitor
    {
        [Start, Cold, OnEventGotoState(typeof(Posted), typeof(Pending)), IgnoreEvents(typeof(Delivered))]
        private sealed class Idle : State;

        [Hot, OnEventGotoState(typeof(Delivered), typeof(Idle)), IgnoreEvents(typeof(Posted))]
        private sealed class Pending : State;
    }

    public static TestCase ThreeVcpus(int rounds = 8, int posts = 6) => TestCase.From("Toy.ThreeVcpus", async rt =>
    {
        rt.RegisterMonitor<PendingIrqMonitor>();
        var isRunning = new SharedVar<bool>[3];
        var irr = new SharedVar<int>("irr", 0);
        var kvmLock = new Mutex("kvm->lock");
        var ops = new List<Operation>();
        for (int v = 0; v < 3; v++)
        {
            int id = v;
            isRunning[id] = new SharedVar<bool>($"is_running[{id}]", false);
            ops.Add(rt.Spawn($"vcpu{id}", async () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    rt.Log($"avic_vcpu_load(vcpu{id})");
                    await isRunning[id].Write(true);
                    await rt.Fence();
                    if (await irr.Read() != 0)
                    {
                        await irr.Write(0);
                        rt.Monitor<PendingIrqMonitor>(new Delivered());
                    }
                    rt.Log($"avic_vcpu_put(vcpu{id})");
                    await isRunning[id].Write(false);
                }
            }));
        }
        ops.Add(rt.Spawn("host", async () =>
        {
            for (int k = 0; k < posts; k++)
            {
                await kvmLock.Lock();
                await irr.Write(1);
                rt.Monitor<PendingIrqMonitor>(new Posted());
                if (!await isRunning[k % 3].Read()) rt.Log($"kvm_vcpu_kick(vcpu{k % 3}) <sleeping & \"idle\">");
                await kvmLock.Unlock();
            }
        }));
        foreach (Operation op in ops) await rt.WhenCompleted(op);
        Specification.Assert(irr.Peek() == 0, "INV-T9", "INV-T9: an interrupt is still pending after every vCPU stopped");
    }, Expectation.AssertionFailure, MemoryModel.X86Tso);

    /// <summary>A failing schedule of <see cref="ThreeVcpus"/> and its trace.</summary>
    public static (ScheduleFile Schedule, IReadOnlyList<TraceEntry> Trace) FailingRun(TestCase test, ulong seed = 1)
    {
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 500, Seed = seed });
        Assert.NotNull(report.Schedule);
        return (report.Schedule!, report.Trace!);
    }
}
