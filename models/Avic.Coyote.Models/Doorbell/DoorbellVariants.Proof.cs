// The configuration of Protocol B that exhaustive search proves within 10 minutes on the project's 2-core box
// (issue #14's target; bench/results/2026-12-02-dbproof): Doorbell.Strict with fewer preemptions.
using Avic.Coyote.Runtime;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Doorbell;

public static partial class DoorbellVariants
{
    [Test(Name = "Doorbell.Strict.Proof", Description = "Doorbell.Strict for `-s dfs-proof` (complete in under 10 minutes): the same code, guests, pCPUs, " +
        "migration and scheduled tick, but at most 1 preemption (Doorbell.Strict: 2); it leaves out interleavings that need two preemptions")]
    public static Task StrictProof(IActorRuntime rt) =>
        AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Tick = TickLanding.Scheduled, Preemptions = 1 });
}
