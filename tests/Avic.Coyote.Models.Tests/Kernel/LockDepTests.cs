using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>lockdep-style order checking: an inversion is reported once both orders were seen, deadlock or not.</summary>
public class LockDepTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void AbbaAcrossTwoOperationsIsReportedEvenWhenTheyNeverOverlap(string strategy)
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt);
            var a = new KernelMutex(rt, lockdep, "A");
            var b = new KernelMutex(rt, lockdep, "B");
            Operation first = rt.Spawn("first", async () =>
            {
                await mutex_lock(a);
                await mutex_lock(b);
                await mutex_unlock(b);
                await mutex_unlock(a);
            });
            await rt.WhenCompleted(first);   // strictly sequential: this schedule cannot deadlock
            Operation second = rt.Spawn("second", async () =>
            {
                await mutex_lock(b);
                await mutex_lock(a);
                await mutex_unlock(a);
                await mutex_unlock(b);
            });
            await rt.WhenCompleted(second);
        }, strategy, iterations: 5);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Equal(0, report.BugIteration);
        Assert.Contains("possible deadlock: lock order: A taken while holding B", report.Bug!.Message);
        Assert.Contains("first seen in 'first'", report.Bug.Message);
    }

    [Fact]
    public void TheDeclaredOrderIsCheckedWithoutHavingSeenTheOtherOrder()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt, "kvm->lock", "vcpu->mutex", "kvm->slots_lock", "kvm->slots_arch_lock");
            var slots = new KernelMutex(rt, lockdep, "kvm->slots_lock");
            var vcpuMutex = new KernelMutex(rt, lockdep, "vcpu0->mutex", "vcpu->mutex");
            await mutex_lock(slots);
            await mutex_lock(vcpuMutex);
        }, iterations: 1);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("lock order: vcpu->mutex taken while holding kvm->slots_lock", report.Bug!.Message);
        Assert.Contains("declared order kvm->lock → vcpu->mutex", report.Bug.Message);
    }

    /// <summary>A class is found by its name's value: a name made at run time (not the same string object) is the same class.</summary>
    [Fact]
    public void AClassNamedByAnEqualStringIsTheSameClass()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt);
            var vcpu0 = new KernelMutex(rt, lockdep, "vcpu0->mutex", "vcpu->mutex");
            var vcpu1 = new KernelMutex(rt, lockdep, "vcpu1->mutex", string.Concat("vcpu", "->", "mutex"));
            await mutex_lock(vcpu0);
            await mutex_lock(vcpu1);
        }, iterations: 1);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("takes vcpu1->mutex while holding vcpu0->mutex (same lock class vcpu->mutex)", report.Bug!.Message);
    }

    [Fact]
    public void TheDeclaredOrderItselfIsFine()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var lockdep = new LockDep(rt, "kvm->lock", "vcpu->mutex", "kvm->slots_lock", "kvm->slots_arch_lock");
            var locks = new[] { "kvm->lock", "vcpu->mutex", "kvm->slots_lock", "kvm->slots_arch_lock" }
                .Select(n => new KernelMutex(rt, lockdep, n)).ToArray();
            foreach (KernelMutex m in locks) await mutex_lock(m);
            foreach (KernelMutex m in locks.Reverse()) await mutex_unlock(m);
        }, iterations: 1);
        Assert.Null(report.Bug);
    }

    [Fact]
    public void UnlockingAMutexYouDoNotHoldIsABug()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var m = new KernelMutex(rt, null, "kvm->slots_lock");
            Operation other = rt.Spawn("other", async () => await mutex_lock(m));
            await rt.WhenCompleted(other);
            await mutex_unlock(m);
        }, iterations: 1);
        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("mutex_unlock(&kvm->slots_lock), which it does not hold (held by 'other')", report.Bug!.Message);
    }

    [Fact]
    public void ARealAbbaDeadlockIsStillFoundWithoutLockdep()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var a = new KernelMutex(rt, null, "A");
            var b = new KernelMutex(rt, null, "B");
            Operation t1 = rt.Spawn("t1", async () => { await mutex_lock(a); await mutex_lock(b); await mutex_unlock(b); await mutex_unlock(a); });
            Operation t2 = rt.Spawn("t2", async () => { await mutex_lock(b); await mutex_lock(a); await mutex_unlock(a); await mutex_unlock(b); });
            await rt.WhenCompleted(t1);
            await rt.WhenCompleted(t2);
        }, "prioritization", iterations: 200);
        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.Contains("mutex_lock(&", report.Bug!.Message);
    }
}
