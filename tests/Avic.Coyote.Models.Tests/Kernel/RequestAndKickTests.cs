using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>vCPU requests (test-and-clear) and kvm_make_all_cpus_request's kick and wait.</summary>
public class RequestAndKickTests
{
    [Fact]
    public void CheckRequestTestsAndClears()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var v = new KernelVcpu(rt, 0);
            rt.Assert(!await kvm_check_request(KvmRequest.KVM_REQ_EVENT, v), "no request yet");
            await kvm_make_request(KvmRequest.KVM_REQ_EVENT, v);
            rt.Assert(await kvm_request_pending(v), "kvm_request_pending after kvm_make_request");
            rt.Assert(await kvm_check_request(KvmRequest.KVM_REQ_EVENT, v), "the request is seen once");
            rt.Assert(!await kvm_check_request(KvmRequest.KVM_REQ_EVENT, v), "and cleared");
            rt.Assert(!await kvm_request_pending(v), "nothing pending after the check");
        }, iterations: 1);
        Assert.Null(report.Bug);
    }

    // The vCPU busy-waits for the kick, so this uses the fair random strategy (PCT can starve a spinner).
    [Fact]
    public void AWaitingRequesterReturnsOnlyAfterTheGuestModeVcpuTookTheIpi()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var v = new KernelVcpu(rt, 0);
            v.Thread = rt.CurrentOperation;
            var exited = new SharedVar<bool>(rt, "vcpu0 left guest mode", false);
            await smp_store_release(v.mode, VcpuMode.IN_GUEST_MODE);
            Operation requester = rt.Spawn("requester", async () =>
            {
                await kvm_make_all_cpus_request([v], KvmRequest.KVM_REQ_APICV_UPDATE);
                rt.Assert(exited.Peek(), "kvm_make_all_cpus_request(WAIT) returned while vcpu0 still had IRQs off in guest mode");
            });
            // "Guest mode": run until the kick flips IN_GUEST_MODE to EXITING_GUEST_MODE, then exit and take the IPI.
            while (await READ_ONCE(v.mode) != VcpuMode.EXITING_GUEST_MODE) await rt.Interleave();
            rt.Assert(await kvm_test_request(KvmRequest.KVM_REQ_APICV_UPDATE, v), "the request is set before the kick");
            await exited.Write(true);
            await smp_store_release(v.mode, VcpuMode.OUTSIDE_GUEST_MODE);
            await local_irq_enable(v);
            await rt.WhenCompleted(requester);
        });
        Assert.Null(report.Bug);
        Assert.Equal(0, report.MaxStepsHits);
    }

    [Fact]
    public void AVcpuOutsideGuestModeIsNotKickedNorWaitedFor()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var v = new KernelVcpu(rt, 0);   // OUTSIDE_GUEST_MODE and never re-enables IRQs
            await kvm_make_all_cpus_request([v], KvmRequest.KVM_REQ_APICV_UPDATE);
            rt.Assert(v.PeekRequest(KvmRequest.KVM_REQ_APICV_UPDATE), "the bit is set");
            rt.Assert(!v.IpiPending, "no IPI to a vCPU outside guest mode");
        }, iterations: 1);
        Assert.Null(report.Bug);
    }

    [Fact]
    public void AVcpuThatNeverLeavesGuestModeDeadlocksAWaitingRequester()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var v = new KernelVcpu(rt, 0);
            await smp_store_release(v.mode, VcpuMode.IN_GUEST_MODE);
            await kvm_make_all_cpus_request([v], KvmRequest.KVM_REQ_TLB_FLUSH);
        }, iterations: 1);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.Contains("kick IPI to vcpu0", report.Bug!.Message);
    }
}

/// <summary>
/// Exhaustive search over a kick with KVM_REQUEST_WAIT. The requester's csd_lock_wait acquires the csd the vCPU's
/// csd_unlock releases, so search never tries the wait before the ack that lets it through (an infeasible order
/// that used to cost an execution cut short as equivalent: issue 14, Memslot.Merged.4vcpu).
/// </summary>
public class KickAckDporTests
{
    private static TestReport Dfs(Func<ControlledRuntime, Task> body) =>
        TestingEngine.Run(TestCase.From("Kernel.KickAck", rt => body((ControlledRuntime)rt)),
            new Configuration { Strategy = "dfs-proof", Iterations = 10_000, MaxSteps = 500 });

    [Fact]
    public void KickingTwoVcpusIsFourClassesWithNothingCutShort()
    {
        // Requester: for each vCPU set the bit and cmpxchg the mode (IPI unless OUTSIDE), then wait for every IPI sent.
        // Each vCPU: leave guest mode, local_irq_enable. By hand, per vCPU: the cmpxchg before its mode write (IPI sent,
        // taken, acknowledged) or after it (no IPI): 2 x 2 classes. vcpu0's ack can come while the requester still
        // kicks vcpu1; treating the wait and that local_irq_enable as a race ran the wait first: cut short.
        TestReport report = Dfs(async rt =>
        {
            KernelVcpu[] vcpus = [new KernelVcpu(rt, 0), new KernelVcpu(rt, 1)];
            var threads = new List<Operation>();
            foreach (KernelVcpu v in vcpus)
            {
                await smp_store_release(v.mode, VcpuMode.IN_GUEST_MODE);
                threads.Add(rt.Spawn(v.Name, async () =>
                {
                    await WRITE_ONCE(v.mode, VcpuMode.OUTSIDE_GUEST_MODE);
                    await local_irq_enable(v);
                }));
            }
            threads.Add(rt.Spawn("requester", () => kvm_make_all_cpus_request(vcpus, KvmRequest.KVM_REQ_APICV_UPDATE)));
            foreach (Operation t in threads) await rt.WhenCompleted(t);
        });
        Assert.Null(report.Bug);
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Equal(0, report.PrunedIterations);
        Assert.Equal(4, report.Iterations);
    }

    [Fact]
    public void TwoWaitingSendersToOneVcpuNeitherDeadlockNorCutShort()
    {
        // Two senders kick the same vCPU, which re-enables IRQs in guest mode, leaves it, and re-enables them again: a
        // sender may return after the first local_irq_enable while the other's IPI waits for the second. With one ack
        // object per vCPU instead of one csd per sender, the second ack would look like it ordered the first sender.
        TestReport report = Dfs(async rt =>
        {
            var v = new KernelVcpu(rt, 0);
            await smp_store_release(v.mode, VcpuMode.IN_GUEST_MODE);
            Operation vcpu = rt.Spawn("vcpu0", async () =>
            {
                await local_irq_enable(v);
                await WRITE_ONCE(v.mode, VcpuMode.OUTSIDE_GUEST_MODE);
                await local_irq_enable(v);
            });
            Operation a = rt.Spawn("a", () => kvm_make_all_cpus_request([v], KvmRequest.KVM_REQ_TLB_FLUSH));
            Operation b = rt.Spawn("b", () => kvm_make_all_cpus_request([v], KvmRequest.KVM_REQ_TLB_FLUSH));
            await rt.WhenCompleted(a);
            await rt.WhenCompleted(b);
            await rt.WhenCompleted(vcpu);
            rt.Assert(!v.IpiPending, "every kick IPI was taken");
        });
        Assert.Null(report.Bug);
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Equal(0, report.PrunedIterations);
    }
}
