using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>The SRCU lock rules of the memslot model come from what it does, not from declarations.</summary>
public class MemslotLockdepTests
{
    [Fact]
    public void MA14IsFoundByTheEdgeTheModelDerived()
    {
        TestCase test = MemslotModelTests.Get("Memslot.MA14");
        foreach (string strategy in new[] { "random", "prioritization" })
        {
            TestReport report = TestingEngine.Run(test, MemslotModelTests.Config(strategy, 1, 100));
            Assert.True(report.Bug is not null, $"{strategy}: MA14 not found");
            // Learned from the memslot creation (kvm_set_memslot under MA14), met by vcpu0's first shadow root.
            Assert.Contains("held across synchronize_srcu(kvm->srcu) (first held across synchronize_srcu by", report.Bug!.Message);
            Assert.Contains("'vcpu0' waits for mutex_lock(kvm->slots_arch_lock)", report.Bug!.Message);
            Assert.DoesNotContain("locking.rst", report.Bug!.Message);
        }
    }
}
