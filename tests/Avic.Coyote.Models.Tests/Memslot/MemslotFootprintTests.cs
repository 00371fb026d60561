using Avic.Coyote.Models.Memslot;
using Avic.Coyote.Testing;

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
}
