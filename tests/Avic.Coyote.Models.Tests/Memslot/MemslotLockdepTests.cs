using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>The SRCU lock rules of the memslot model come from what it does, not from declarations.</summary>
public class MemslotLockdepTests
{
    [Fact]
    public void MA14IsFoundByTheRulesTheModelDerived()
    {
        TestCase test = MemslotModelTests.Get("Memslot.MA14");
        var messages = new List<string>();
        foreach (string strategy in new[] { "random", "prioritization" })
        {
            foreach (ulong seed in new ulong[] { 1, 2, 3 })
            {
                TestReport report = TestingEngine.Run(test, MemslotModelTests.Config(strategy, seed, 100));
                Assert.True(report.Bug is not null, $"{strategy} seed {seed}: MA14 not found");
                Assert.StartsWith("INV-A4(", report.Bug!.Message);
                Assert.DoesNotContain("locking.rst", report.Bug.Message);
                messages.Add(report.Bug.Message);
            }
        }
        // The rule the model used to declare: slots_arch_lock is taken inside kvm->srcu, learned from
        // vcpu0's first shadow root (mmu_first_shadow_root_alloc), then broken by the deletion's grace period.
        Assert.Contains(messages, m => m.StartsWith("INV-A4(c)", StringComparison.Ordinal)
            && m.Contains("(first taken inside a read section by 'vcpu0'", StringComparison.Ordinal));
    }
}
