// The non-strict RFC's cost (seed 002, "slow down whatever is running on the last physical CPU"):
// doorbells that land on a pCPU that is not running the target vCPU. Counted per engine thread
// (TestingEngine runs every iteration of a run on the calling thread), so a test or the CLI can
// reset, run, and read them without races with runs on other threads.
namespace Avic.Coyote.Models.Doorbell;

public sealed class DoorbellMetrics
{
    [ThreadStatic] private static DoorbellMetrics? current;

    /// <summary>The counters of runs on this thread.</summary>
    public static DoorbellMetrics Current => current ??= new DoorbellMetrics();

    /// <summary>Executions of the model that started.</summary>
    public long Executions { get; internal set; }

    /// <summary>Doorbells rung (hardware and avic_ring_doorbell).</summary>
    public long Doorbells { get; internal set; }

    /// <summary>Doorbells to a pCPU that is not running the target vCPU's thread (noisy-neighbour cost).</summary>
    public long DoorbellsToPcpuNotRunningTarget { get; internal set; }

    /// <summary>Of those, doorbells rung by a sender's AVIC after reading IsRunning=1 (software doorbells go
    /// to READ_ONCE(vcpu->cpu), which may be stale in either mode).</summary>
    public long HardwareDoorbellsToPcpuNotRunningTarget { get; internal set; }

    /// <summary>Doorbells to the pCPU the target's thread is on while it is in host mode (harmless: VMRUN re-evaluates IRR).</summary>
    public long DoorbellsToTargetInHostMode { get; internal set; }

    /// <summary>Doorbells that made a vCPU in guest mode take its IRR there (no VM-exit: INV-B7's good case).</summary>
    public long DoorbellDeliveriesInGuestMode { get; internal set; }

    /// <summary>AVIC_INCOMPLETE_IPI VM-exits taken by senders.</summary>
    public long IncompleteIpiExits { get; internal set; }

    /// <summary>WARNs that fired but were not fatal because INV-B6 is off in the variant.</summary>
    public long NonFatalWarns { get; internal set; }

    public void Reset()
    {
        Executions = Doorbells = DoorbellsToPcpuNotRunningTarget = HardwareDoorbellsToPcpuNotRunningTarget = DoorbellsToTargetInHostMode = DoorbellDeliveriesInGuestMode = IncompleteIpiExits = NonFatalWarns = 0;
    }

    public override string ToString() =>
        $"executions={Executions} doorbells={Doorbells} to-pcpu-not-running-target={DoorbellsToPcpuNotRunningTarget} " +
        $"(by-avic={HardwareDoorbellsToPcpuNotRunningTarget}) to-target-in-host-mode={DoorbellsToTargetInHostMode} delivered-in-guest-mode={DoorbellDeliveriesInGuestMode} incomplete-ipi-exits={IncompleteIpiExits} non-fatal-warns={NonFatalWarns}";
}
