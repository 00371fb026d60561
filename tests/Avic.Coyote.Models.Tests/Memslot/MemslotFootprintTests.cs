using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Models.Memslot;
using Avic.Coyote.Models.Tests.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Memslot;

/// <summary>
/// The Protocol A invariants observe the memslot model without ordering steps the kernel does not order: a proof
/// (dfs-proof, optimal DPOR) of the merged 2-vCPU model explores the same classes whether INV-A1 is checked or not
/// (bench/results/2026-12-02-msrace: VMRUN's INV-A3 check was a monitor notification that ordered every guest entry
/// against the other vCPU's deletion and false reads, and two vCPUs' false reads of apic_access_memslot_enabled
/// wrote one monitor field; the C shares no memory between those steps).
/// </summary>
public class MemslotFootprintTests
{
    private static TestReport Prove(bool checkInvA1) =>
        TestingEngine.Run(
            TestCase.From("inline", rt => Models.Memslot.Kvm.Run<Models.Memslot.Kvm>(rt, new MemslotConfig { Vcpus = 2, CheckInvA1 = checkInvA1 })),
            new Configuration { Strategy = "dfs-proof", Iterations = 100_000, MaxSteps = 2000 });

    [Fact]
    public void InvA1AddsNoClasses()
    {
        TestReport without = Prove(checkInvA1: false);
        TestReport with = Prove(checkInvA1: true);
        Assert.True(without.Exhausted && with.Exhausted, $"{without.Coverage} / {with.Coverage}");
        Assert.Null(with.Bug);
        Assert.Equal(without.Iterations - without.PrunedIterations, with.Iterations - with.PrunedIterations);
    }

    /// <summary>A reader (srcu_read_lock; srcu_read_unlock) against synchronize_srcu(): the classes are "the reader was
    /// inside before the grace period started" (its exit then orders the end) and "it entered after the start" (its exit
    /// before or after the end: two). Whether the reader left before the start or only during the grace period is the
    /// same class: the unlock and the start commute (Srcu.ReaderExits).</summary>
    [Fact]
    public void SrcuReaderExitCommutesWithAGracePeriodStart()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var srcu = new Srcu(rt, null, "kvm->srcu");
            Operation reader = rt.Spawn("reader", async () =>
            {
                await srcu_read_lock(srcu);
                await srcu_read_unlock(srcu);
            });
            await synchronize_srcu(srcu);
            await rt.WhenCompleted(reader);
        }, strategy: "dfs-proof", iterations: 1000);
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Null(report.Bug);
        Assert.Equal(3, report.Iterations - report.PrunedIterations);   // 5 when the exit and the start conflicted
    }

    /// <summary>kvm_zap_gfn_range() flushes remote TLBs only when it zapped a present SPTE (arch/x86/kvm/mmu/mmu.c:
    /// "if (flush) kvm_flush_remote_tlbs_range(...)"): one vCPU against the VM-wide inhibitor, whose inhibiting flip
    /// zaps the APIC gfn, is proved with the classes of the kicks the C sends and no others.</summary>
    [Fact]
    public void ZapWithoutAPresentSpteKicksNobody()
    {
        TestReport report = TestingEngine.Run(
            TestCase.From("inline", rt => Models.Memslot.Kvm.Run<Models.Memslot.Kvm>(rt, new MemslotConfig { Vcpus = 1, Inhibitor = true })),
            new Configuration { Strategy = "dfs-proof", Iterations = 100_000, MaxSteps = 2000 });
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Null(report.Bug);
        Assert.Equal(824, report.Iterations - report.PrunedIterations);   // 1,157 when every zap flushed
    }
}
