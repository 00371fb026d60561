// Protocol B variants for INV-B7 (interrupt delivery to a guest waiting in guest mode) and the
// converse of INV-B1 (a vCPU entering the guest with AVIC on has IsRunning=1 on its pCPU).
// The 'S' guests play ping-pong: vcpu0 sends to vcpu1, waits for its IPI, sends again; vcpu1
// waits, sends back, waits. An IPI that arrives after a waiting guest's VMRUN needs a doorbell.
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Models.Doorbell.Mutants;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Doorbell;

public static partial class DoorbellVariants
{
    /// <summary>INV-B7's monitor obligation, as it appears in Liveness bug messages.</summary>
    public const string Delivery = "INV-B7";

    /// <summary>The converse of INV-B1 (judged at VMRUN).</summary>
    public const string IsRunningAtEntry = "INV-B1-CONVERSE";

    private static readonly string[] SpinPrograms = ["ISI", "SIS"];

    // ---- correct variants ------------------------------------------------------------------------------

    [Test(Name = "Doorbell.Strict.Spin", Description = "strict doorbells with guests that wait for IPIs in guest mode: every IPI is delivered there (INV-B7), IsRunning=1 at every VMRUN")]
    public static Task StrictSpin(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Programs = SpinPrograms });

    [Test(Name = "Doorbell.Strict.Spin.Inhibitor", Description = "strict doorbells, guests waiting in guest mode, APICv inhibited and re-enabled: a sender with AVIC off reaches a waiting target by KVM's doorbell")]
    public static Task StrictSpinInhibitor(IActorRuntime rt) => AvicKvm.Run<AvicKvm_v5_18>(rt, new DoorbellConfig { Inhibitor = true, Pcpus = 3, Programs = SpinPrograms });

    [Test(Name = "Doorbell.Strict.IpivOff.Spin", Description = "2025 code with enable_ipiv=0 (the erratum #1235 workaround): every IPI exits and KVM's software doorbell reaches a guest waiting in guest mode")]
    public static Task StrictIpivOffSpin(IActorRuntime rt) => AvicKvm.Run<AvicKvm>(rt, new DoorbellConfig
    {
        EnableIpiv = false, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.B-8.Fixed.Spin", MemoryModel = MemoryModel.X86Tso,
        Description = "B-8's fix under x86-TSO with guests waiting in guest mode: the unfenced AVIC's IRQs still arrive (the INCOMPLETE_IPI exit is serializing)")]
    public static Task B8FixedSpin(IActorRuntime rt) => AvicKvm.Run<HardwareIrrNotFenced_2025>(rt, new DoorbellConfig
    {
        EnableIpiv = false, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.NonStrict.Spin", Description = "non-strict doorbells, guests waiting in guest mode, APICv inhibited and re-enabled: INV-B7 and INV-B1-NS (converse) hold")]
    public static Task NonStrictSpin(IActorRuntime rt) => AvicKvm.Run<AvicKvm_rfc>(rt, new DoorbellConfig
    {
        Strict = false, Inhibitor = true, Pcpus = 3, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.MB20.SoftwareDoorbell", Description = "MB20's code judged by INV-B7 only: a guest running with IsRunning=0 makes every IPI exit, and KVM's software doorbell still delivers it")]
    public static Task MB20SoftwareDoorbell(IActorRuntime rt) => AvicKvm.Run<SchedInSkipsLoad>(rt, new DoorbellConfig
    {
        Checks = Invariant.Delivery | Invariant.NoLostWakeup, Programs = SpinPrograms,
    });

    // ---- bug variants ----------------------------------------------------------------------------------

    [Test(Name = "Doorbell.MB18", Iterations = RareBugBudget, Expect = Expectation.Liveness, Invariant = Delivery,
        Description = "no software doorbell for a target in guest mode (svm_complete_interrupt_delivery only wakes): with APICv being re-enabled, a sender still without AVIC sets IRR of a guest that waits in guest mode, which never sees it")]
    public static Task MB18(IActorRuntime rt) => AvicKvm.Run<NoSoftwareDoorbell>(rt, new DoorbellConfig
    {
        Inhibitor = true, Pcpus = 3, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.MB18.IpivOff", Expect = Expectation.Liveness, Invariant = Delivery,
        Description = "MB18 on the enable_ipiv=0 path (erratum #1235 workaround): every IPI takes INCOMPLETE_IPI, and without KVM's doorbell a guest waiting in guest mode never gets it")]
    public static Task MB18IpivOff(IActorRuntime rt) => AvicKvm.Run<NoSoftwareDoorbell_2025>(rt, new DoorbellConfig
    {
        EnableIpiv = false, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.MB18.NonStrict", Iterations = RareBugBudget, Expect = Expectation.Liveness, Invariant = Delivery,
        Description = "MB18 in non-strict mode with an APICv inhibit set and cleared: the IPI of a sender without AVIC to a guest waiting in guest mode is never delivered")]
    public static Task MB18NonStrict(IActorRuntime rt) => AvicKvm.Run<NoSoftwareDoorbell_rfc>(rt, new DoorbellConfig
    {
        Strict = false, Inhibitor = true, Pcpus = 3, Programs = SpinPrograms,
    });

    [Test(Name = "Doorbell.MB20", Expect = Expectation.AssertionFailure, Invariant = IsRunningAtEntry,
        Description = "kvm_sched_in skips kvm_arch_vcpu_load when the vCPU returns to the pCPU it left: after the strict put it enters VMRUN with IsRunning=0")]
    public static Task MB20(IActorRuntime rt) => AvicKvm.Run<SchedInSkipsLoad>(rt, new DoorbellConfig { Tick = TickLanding.Scheduled });

    [Test(Name = "Doorbell.MB20.Delivery", Expect = Expectation.Liveness, Invariant = Delivery,
        Description = "MB20 without the software doorbell (MB18): an IPI to a guest running with IsRunning=0 exits on the sender and never reaches the waiting guest; INV-B1 off")]
    public static Task MB20Delivery(IActorRuntime rt) => AvicKvm.Run<SchedInSkipsLoadNoSoftwareDoorbell>(rt, new DoorbellConfig
    {
        Checks = Invariant.All & ~Invariant.IsRunning, Programs = SpinPrograms, Tick = TickLanding.Scheduled,
    });
}
