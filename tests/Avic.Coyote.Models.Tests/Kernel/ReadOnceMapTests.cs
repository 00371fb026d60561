using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Tests.Kernel;

/// <summary>READ_ONCE_map: a kernel function that is one load and a pure expression of it ("return READ_ONCE(x) == 0;")
/// as that load's own scheduling point (Memslot's kvm_apicv_activated): the same steps and races as READ_ONCE.</summary>
public class ReadOnceMapTests
{
    [Fact]
    public void ItTakesTheStepsOfTheReadOnceItReplacesAndMapsTheValue()
    {
        bool? before = null, after = null;
        TestReport mapped = KernelHarness.Explore(async rt =>
        {
            var reasons = new SharedVar<int>(rt, "kvm->arch.apicv_inhibit_reasons", 0);
            before = await READ_ONCE_map(reasons, static r => r == 0);
            await WRITE_ONCE(reasons, 4);
            after = await READ_ONCE_map(reasons, static r => r == 0);
        }, iterations: 1);
        TestReport plain = KernelHarness.Explore(async rt =>
        {
            var reasons = new SharedVar<int>(rt, "kvm->arch.apicv_inhibit_reasons", 0);
            _ = await READ_ONCE(reasons) == 0;
            await WRITE_ONCE(reasons, 4);
            _ = await READ_ONCE(reasons) == 0;
        }, iterations: 1);
        Assert.Null(mapped.Bug);
        Assert.Equal(true, before);
        Assert.Equal(false, after);
        Assert.Equal(plain.TotalSteps, mapped.TotalSteps);
    }

    [Fact]
    public void AWriterRacesWithItLikeWithReadOnce()
    {
        TestReport report = KernelHarness.Explore(async rt =>
        {
            var reasons = new SharedVar<int>(rt, "kvm->arch.apicv_inhibit_reasons", 0);
            Operation inhibitor = rt.Spawn("inhibitor", async () => await WRITE_ONCE(reasons, 4));
            bool activated = await READ_ONCE_map(reasons, static r => r == 0);
            await rt.WhenCompleted(inhibitor);
            rt.Assert(activated, "the load ran after the inhibitor's store");
        }, strategy: "dfs", iterations: 100);
        Assert.NotNull(report.Bug);
    }
}
