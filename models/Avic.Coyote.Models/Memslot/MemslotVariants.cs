// The Protocol A tests: each [Test] is one configuration + variant of the model with the verdict
// it must give (kvm-protocols.md §3, §4). `coyote test -m memslot` / `coyote list` find them by name.
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Memslot;

public static class MemslotVariants
{
    private static readonly MemslotConfig Base = new() { Vcpus = 2, Hotplug = true, Inhibitor = true };

    // ---- the merged code (2008fab34530): no bug in any configuration the kernel allows -----------

    [Test(Name = "Memslot.Merged", Description = "2008fab34530 as merged: 2 vCPUs + hotplug + VM-wide inhibitor, hybrid AVIC")]
    public static Task Merged(IActorRuntime rt) => Kvm.Run(rt, Base, Variant.Merged);

    [Test(Name = "Memslot.Merged.2vcpu", Description = "merged, just the 2 vCPUs racing into kvm_inhibit_apic_access_page (small enough for `-s dfs` to explore every schedule)")]
    public static Task Merged2(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.Merged);

    [Test(Name = "Memslot.Merged.3vcpu.hotplug.smm", Description = "merged, 3 vCPUs racing to inhibit + hotplug + inhibitor, 2 address spaces (SMM)")]
    public static Task Merged3Smm(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true }, Variant.Merged);

    [Test(Name = "Memslot.Merged.4vcpu", Description = "merged, 4 vCPUs racing into kvm_inhibit_apic_access_page (H-A2) + inhibitor")]
    public static Task Merged4(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 4, Inhibitor = true }, Variant.Merged);

    [Test(Name = "Memslot.Merged.x2avic", Description = "merged on x2AVIC hardware: no memslot inhibition")]
    public static Task MergedX2avic(IActorRuntime rt) => Kvm.Run(rt, Base with { Hardware = Hardware.X2Avic }, Variant.Merged);

    [Test(Name = "Memslot.Merged.apicv", Description = "merged on Intel APICv: no memslot inhibition")]
    public static Task MergedApicv(IActorRuntime rt) => Kvm.Run(rt, Base with { Hardware = Hardware.IntelApicv }, Variant.Merged);

    [Test(Name = "Memslot.Merged.nested.setlapic.usermem", Description = "merged with a KVM_SET_LAPIC restore into x2APIC, a forced nested VM-exit and a userspace memslot ioctl")]
    public static Task MergedNested(IActorRuntime rt) =>
        Kvm.Run(rt, Base with { Nested = true, HostSetLapic = true, UserMem = true }, Variant.Merged);

    [Test(Name = "Memslot.V4InhibitBit", Description = "seed v4 (APICV_INHIBIT_REASON_X2APIC via check_apicv_inhibit_reasons) on hybrid AVIC: same behaviour as merged")]
    public static Task V4(IActorRuntime rt) => Kvm.Run(rt, Base, Variant.V4InhibitBit);

    [Test(Name = "Memslot.V4InhibitBit.x2avic", Description = "seed v4 on x2AVIC: also deletes the memslot (unneeded there, not unsafe)")]
    public static Task V4X2avic(IActorRuntime rt) => Kvm.Run(rt, Base with { Hardware = Hardware.X2Avic }, Variant.V4InhibitBit);

    // ---- hand-made mutants (§4) ------------------------------------------------------------------

    [Test(Name = "Memslot.MA1", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A1",
        Description = "MA1: enabled=false written before the deletion; a vCPU reads false and skips while the slot is still there")]
    public static Task MA1(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.MA1);

    [Test(Name = "Memslot.MA2", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A2",
        Description = "MA2: 'inhibited' never set; the hotplugged vCPU re-creates the memslot")]
    public static Task MA2(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true }, Variant.MA2);

    [Test(Name = "Memslot.MA3", Expect = Expectation.Deadlock, ExpectMessage = "INV-A4",
        Description = "MA3: SRCU kept across mutex_lock(slots_lock); the holder's synchronize_srcu waits for this reader")]
    public static Task MA3(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.MA3);

    [Test(Name = "Memslot.MA4", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A2",
        Description = "MA4: no recheck of enabled under slots_lock; two vCPUs enter the deletion")]
    public static Task MA4(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.MA4);

    [Test(Name = "Memslot.MA5", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A2",
        Description = "MA5: kvm_alloc_apic_access_page checks only enabled; hotplug re-creates the memslot")]
    public static Task MA5(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true }, Variant.MA5);

    [Test(Name = "Memslot.MA7", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A5",
        Description = "MA7: nested_svm_vmexit calls kvm_vcpu_update_apicv without SRCU; the inhibition unlocks SRCU it does not hold")]
    public static Task MA7(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Nested = true, HostSetLapic = true }, Variant.MA7);

    [Test(Name = "Memslot.MA8", Expect = Expectation.Deadlock, ExpectMessage = "INV-A4",
        Description = "MA8: the memslot is deleted inside the APIC_BASE write, SRCU held")]
    public static Task MA8(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.MA8);

    [Test(Name = "Memslot.MA9", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A3",
        Description = "MA9: ABSENT published without the INVALID phase, zap before synchronize_srcu; an in-flight fault re-installs the SPTE")]
    public static Task MA9(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.MA9);

    [Test(Name = "Memslot.MA11", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A6",
        Description = "MA11: no request re-check after IN_GUEST_MODE; a vCPU enters with a stale APICv state (the WARN fires)")]
    public static Task MA11(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Inhibitor = true }, Variant.MA11);

    [Test(Name = "Memslot.MA12", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A6",
        Description = "MA12: the inhibitor publishes the reasons before kicking; a vCPU past its request check enters with the old state")]
    public static Task MA12(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Inhibitor = true }, Variant.MA12);

    // ---- real historical bugs (§3) ---------------------------------------------------------------

    [Test(Name = "Memslot.A2", Expect = Expectation.Deadlock, ExpectMessage = "INV-A4",
        Description = "§3 A-2 (fixed by 36222b117e36): an inhibit set from a guest MSR write toggles the memslot with SRCU held")]
    public static Task A2(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.A2);

    [Test(Name = "Memslot.A3", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A6",
        Description = "§3 A-3 (fixed by b0a1637f64b0): the VM-wide APICv flip does not wait for vCPUs in guest mode")]
    public static Task A3(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true, Inhibitor = true }, Variant.A3);

    [Test(Name = "Memslot.A5i", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A2",
        Description = "§3 A-5(i): the memslot toggled from every vCPU's update: deleted twice")]
    public static Task A5i(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2 }, Variant.A5i);

    [Test(Name = "Memslot.A5ii", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A5",
        Description = "§3 A-5(ii): kvm_lapic_set_base updates APICv directly from KVM_SET_LAPIC, without SRCU: unbalanced unlock")]
    public static Task A5ii(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, HostSetLapic = true }, Variant.A5ii);

    // ---- bug variants in the larger configurations (where new bugs will be looked for) -------------

    [Test(Name = "Memslot.MA9.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A3",
        Description = "MA9 (no INVALID phase, zap before the grace period) with 3 vCPUs, hotplug, inhibitor and 2 address spaces; INV-A1 off to show the isolation breach")]
    public static Task MA9Large(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true, CheckInvA1 = false }, Variant.MA9);

    [Test(Name = "Memslot.MA14", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A3",
        Description = "MA14: no synchronize_srcu between publishing INVALID and the zap; a fault that saw VALID re-installs the SPTE (INV-A1 off to show the isolation breach)")]
    public static Task MA14(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 2, CheckInvA1 = false }, Variant.MA14);

    [Test(Name = "Memslot.MA14.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A3",
        Description = "MA14 (no grace period before the zap) with 3 vCPUs, hotplug, inhibitor and 2 address spaces; INV-A1 off")]
    public static Task MA14Large(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true, CheckInvA1 = false }, Variant.MA14);

    [Test(Name = "Memslot.MA4.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A2",
        Description = "MA4 (no recheck under slots_lock) with 3 vCPUs, hotplug, inhibitor and 2 address spaces")]
    public static Task MA4Large(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true }, Variant.MA4);

    [Test(Name = "Memslot.MA1.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A1",
        Description = "MA1 (enabled=false before the deletion) with 3 vCPUs, hotplug, inhibitor and 2 address spaces")]
    public static Task MA1Large(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true }, Variant.MA1);

    [Test(Name = "Memslot.MA11.4vcpu", Expect = Expectation.AssertionFailure, ExpectMessage = "INV-A6",
        Description = "MA11 (no request re-check after IN_GUEST_MODE) with 4 vCPUs and the inhibitor")]
    public static Task MA11Large(IActorRuntime rt) => Kvm.Run(rt, new MemslotConfig { Vcpus = 4, Inhibitor = true }, Variant.MA11);

    // ---- exploratory -----------------------------------------------------------------------------

    [Test(Name = "Memslot.MA13", Expect = Expectation.Explore,
        Description = "MA13 / H-A1: kvm_apicv_activated() false while the boot vCPUs are created (PIT reinject), cleared later, then a vCPU is hotplugged (merged code)")]
    public static Task MA13(IActorRuntime rt) =>
        Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true, ActivatedMayChange = true }, Variant.Merged);

    [Test(Name = "Memslot.MA13.isolation", Expect = Expectation.Explore,
        Description = "H-A1 as MA13 with INV-A1 unchecked, to see whether the security property INV-A3 breaks")]
    public static Task MA13Isolation(IActorRuntime rt) =>
        Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true, ActivatedMayChange = true, CheckInvA1 = false }, Variant.Merged);

    // ---- the H-A1 fix proposed in docs/findings (not upstream) ----------------------------------

    [Test(Name = "Memslot.HA1Fix.late-activation", Description = "proposed H-A1 fix under the MA13 scenario: no INV-A1/INV-A3 violation")]
    public static Task HA1FixLate(IActorRuntime rt) =>
        Kvm.Run(rt, new MemslotConfig { Vcpus = 2, Hotplug = true, ActivatedMayChange = true }, Variant.HA1Fix);

    [Test(Name = "Memslot.HA1Fix", Description = "proposed H-A1 fix in the Merged configuration (3 vCPUs, hotplug, SMM, inhibitor)")]
    public static Task HA1Fix(IActorRuntime rt) => Kvm.Run(rt, Base with { Vcpus = 3, Smm = true }, Variant.HA1Fix);

    [Test(Name = "Memslot.Merged.fault-seq-late", Expect = Expectation.Explore,
        Description = "what-if: the page fault checks kvm_apicv_activated() BEFORE snapshotting mmu_invalidate_seq (released kernels snapshot first); can a fault re-install the APIC SPTE after the inhibitor's zap?")]
    public static Task MergedFaultSeqLate(IActorRuntime rt) =>
        Kvm.Run(rt, Base with { FaultSeqAfterApicvCheck = true }, Variant.Merged);
}
