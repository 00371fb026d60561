using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>synchronize_srcu() waits for the readers that entered before it, and only for those.</summary>
public class SrcuTests
{
    [Fact]
    public void AReaderThatEnteredBeforeSynchronizeBlocksIt()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, null, "kvm->srcu");
            var done = new SharedVar<bool>(rt, "synchronized", false);
            await srcu_read_lock(srcu);
            // The synchronizer starts only now, so this reader predates its grace period.
            Operation syncer = rt.Spawn("syncer", async () =>
            {
                await synchronize_srcu(srcu);
                await done.Write(true);
            });
            for (int i = 0; i < 20; i++)
            {
                await rt.Interleave();
                rt.Assert(!done.Peek(), "synchronize_srcu returned while a pre-existing reader was still inside");
            }
            await srcu_read_unlock(srcu);
            await rt.WhenCompleted(syncer);
            rt.Assert(done.Peek(), "synchronize_srcu never returned");
        });
        Assert.Null(report.Bug);
        Assert.Equal(200, report.Iterations);
    }

    [Fact]
    public void AReaderThatEnteredAfterSynchronizeStartedDoesNotBlockIt()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, null, "kvm->srcu");
            var done = new SharedVar<bool>(rt, "synchronized", false);
            Operation syncer = rt.Spawn("syncer", async () =>
            {
                await synchronize_srcu(srcu);
                await done.Write(true);
            });
            while (!srcu.IsSynchronizing(syncer) && syncer.Status != OperationStatus.Completed) await rt.Interleave();
            // A new reader: it holds the read lock until the grace period is over; if it were waited for, this deadlocks.
            await srcu_read_lock(srcu);
            while (!done.Peek()) await rt.Interleave();
            await srcu_read_unlock(srcu);
        });
        Assert.Null(report.Bug);
        Assert.Equal(0, report.MaxStepsHits);
    }

    [Fact]
    public void AGracePeriodThatNeverEndsNamesItsReadersInTheOrderTheyEntered()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, null, "kvm->srcu");
            var bEntered = new SharedVar<bool>(rt, "b entered", false);
            // "a" is created first but enters its read section after "b"; neither leaves it.
            Operation a = rt.Spawn("a", async () =>
            {
                while (!await bEntered.Read()) { }
                await srcu_read_lock(srcu);
            });
            Operation b = rt.Spawn("b", async () =>
            {
                await srcu_read_lock(srcu);
                await bEntered.Write(true);
            });
            await rt.WhenCompleted(a);
            await rt.WhenCompleted(b);
            await synchronize_srcu(srcu);
        }, iterations: 5);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.Contains("synchronize_srcu(&kvm->srcu): the grace period waits for reader(s) 'b', 'a' that entered before it", report.Bug!.Message);
    }

    [Fact]
    public void SynchronizeInsideOwnReadSectionIsReportedAsDeadlock()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, new LockDep(rt), "kvm->srcu");
            await srcu_read_lock(srcu);
            await synchronize_srcu(srcu);
        }, iterations: 1);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.StartsWith("INV-A4: synchronize_srcu() called inside an SRCU read-side critical section", report.Bug!.Message);
    }

    [Fact]
    public void UnlockWithoutLockIsAnImbalance()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, null, "kvm->srcu");
            await srcu_read_lock(srcu);
            await srcu_read_unlock(srcu);
            await srcu_read_unlock(srcu);
        }, iterations: 1);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("INV-A5: SRCU imbalance", report.Bug!.Message);
    }

    [Fact]
    public void WaitingForALockHeldAcrossSynchronizeInsideAReadSectionIsINV_A4a()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt);
            lockdep.DeclareSynchronizedUnder("kvm->srcu", "kvm->slots_lock");
            var srcu = new Srcu(rt, lockdep, "kvm->srcu");
            var slots = new KernelMutex(rt, lockdep, "kvm->slots_lock");
            await srcu_read_lock(srcu);
            await mutex_lock(slots);
        }, iterations: 1);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.StartsWith("INV-A4(a)", report.Bug!.Message);
    }

    [Fact]
    public void TheSameOrderLearnedFromTheOtherSideIsAlsoReported()
    {
        // No declaration: slots_lock is first seen held across synchronize_srcu, then taken inside a reader.
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt);
            var srcu = new Srcu(rt, lockdep, "kvm->srcu");
            var slots = new KernelMutex(rt, lockdep, "kvm->slots_lock");
            await mutex_lock(slots);
            await synchronize_srcu(srcu);
            await mutex_unlock(slots);
            await srcu_read_lock(srcu);
            await mutex_lock(slots);
        }, iterations: 1);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.Contains("first held across synchronize_srcu", report.Bug!.Message);
    }

    [Fact]
    public void ALockFirstSeenTakenInsideAReaderCannotBeHeldAcrossSynchronize()
    {
        // No declaration: the reader path (mmu_first_shadow_root_alloc) teaches lockdep the rule.
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt);
            var srcu = new Srcu(rt, lockdep, "kvm->srcu");
            var archLock = new KernelMutex(rt, lockdep, "kvm->slots_arch_lock");
            await srcu_read_lock(srcu);
            await mutex_lock(archLock);
            await mutex_unlock(archLock);
            await srcu_read_unlock(srcu);
            await mutex_lock(archLock);
            await synchronize_srcu(srcu);
        }, iterations: 1);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.StartsWith("INV-A4(c)", report.Bug!.Message);
        Assert.Contains("first taken inside a read section", report.Bug!.Message);
    }
}
