// The Protocol A tests: each [Test] is one configuration + kernel variant of the model with the verdict
// it must give (kvm-protocols.md §3, §4): Kvm.Run<TKvm>(rt, config), where TKvm is Kvm (the merged code)
// or a subclass in KernelVariants.cs. `coyote test -m memslot` / `coyote list` find them by name.
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Memslot;

public static class MemslotVariants
{
    private static readonly MemslotConfig Base = new() { Vcpus = 2, Hotplug = true, Inhibitor = true };

    // ---- the merged code (2008fab34530): no bug in any configuration the kernel allows -----------

    [Test(Name = "Memslot.Merged", Description = "2008fab34530 as merged: 2 vCPUs + hotplug + VM-wide inhibitor, hybrid AVIC")]
    public static Task Merged(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Base);

    [Test(Name = "Memslot.Merged.2vcpu", Description = "merged, just the 2 vCPUs racing into kvm_inhibit_apic_access_page (small enough for `-s dfs` to explore every schedule)")]
    public static Task Merged2(IActorRuntime rt) => Kvm.Run<Kvm>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.Merged.3vcpu", Description = "merged, just 3 vCPUs racing into kvm_inhibit_apic_access_page (a stepping stone between the 2-vCPU proof and Memslot.Merged.4vcpu)")]
    public static Task Merged3(IActorRuntime rt) => Kvm.Run<Kvm>(rt, new MemslotConfig { Vcpus = 3 });

    [Test(Name = "Memslot.Merged.2vcpu.inhibitor", Description = "merged, 2 vCPUs racing into kvm_inhibit_apic_access_page + the VM-wide inhibitor (a stepping stone to Memslot.Merged.4vcpu)")]
    public static Task Merged2Inhibitor(IActorRuntime rt) => Kvm.Run<Kvm>(rt, new MemslotConfig { Vcpus = 2, Inhibitor = true });

    [Test(Name = "Memslot.Merged.3vcpu.hotplug.smm", Description = "merged, 3 vCPUs racing to inhibit + hotplug + inhibitor, 2 address spaces (SMM)")]
    public static Task Merged3Smm(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Base with { Vcpus = 3, Smm = true });

    [Test(Name = "Memslot.Merged.4vcpu", Description = "merged, 4 vCPUs racing into kvm_inhibit_apic_access_page (H-A2) + inhibitor")]
    public static Task Merged4(IActorRuntime rt) => Kvm.Run<Kvm>(rt, new MemslotConfig { Vcpus = 4, Inhibitor = true });

    [Test(Name = "Memslot.Merged.x2avic", Description = "merged on x2AVIC hardware: no memslot inhibition")]
    public static Task MergedX2avic(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Base with { Hardware = Hardware.X2Avic });

    [Test(Name = "Memslot.Merged.apicv", Description = "merged on Intel APICv: no memslot inhibition")]
    public static Task MergedApicv(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Base with { Hardware = Hardware.IntelApicv });

    [Test(Name = "Memslot.Merged.nested.setlapic.usermem", Description = "merged with a KVM_SET_LAPIC restore into x2APIC, a forced nested VM-exit and a userspace memslot ioctl")]
    public static Task MergedNested(IActorRuntime rt) =>
        Kvm.Run<Kvm>(rt, Base with { Nested = true, HostSetLapic = true, UserMem = true });

    [Test(Name = "Memslot.Merged.nested-npt", Description = "merged, vcpu0 loads a shadow NPT root: mmu_first_shadow_root_alloc takes slots_arch_lock inside SRCU")]
    public static Task MergedNestedNpt(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Base with { NestedNpt = true });

    [Test(Name = "Memslot.V4InhibitBit", Description = "seed v4 (APICV_INHIBIT_REASON_X2APIC via check_apicv_inhibit_reasons) on hybrid AVIC: same behaviour as merged")]
    public static Task V4(IActorRuntime rt) => Kvm.Run<V4InhibitBit>(rt, Base);

    [Test(Name = "Memslot.V4InhibitBit.x2avic", Description = "seed v4 on x2AVIC: also deletes the memslot (unneeded there, not unsafe)")]
    public static Task V4X2avic(IActorRuntime rt) => Kvm.Run<V4InhibitBit>(rt, Base with { Hardware = Hardware.X2Avic });

    // ---- hand-made mutants (§4) ------------------------------------------------------------------

    [Test(Name = "Memslot.MA1", Expect = Expectation.AssertionFailure, Invariant = "INV-A1",
        Description = "MA1: enabled=false written before the deletion; a vCPU reads false and skips while the slot is still there")]
    public static Task MA1(IActorRuntime rt) => Kvm.Run<MA1>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.MA2", Expect = Expectation.AssertionFailure, Invariant = "INV-A2",
        Description = "MA2: 'inhibited' never set; the hotplugged vCPU re-creates the memslot")]
    public static Task MA2(IActorRuntime rt) => Kvm.Run<MA2>(rt, new MemslotConfig { Vcpus = 2, Hotplug = true });

    [Test(Name = "Memslot.MA3", Expect = Expectation.Deadlock, Invariant = "INV-A4",
        Description = "MA3: SRCU kept across mutex_lock(slots_lock); the holder's synchronize_srcu waits for this reader")]
    public static Task MA3(IActorRuntime rt) => Kvm.Run<MA3>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.MA4", Expect = Expectation.AssertionFailure, Invariant = "INV-A2",
        Description = "MA4: no recheck of enabled under slots_lock; two vCPUs enter the deletion")]
    public static Task MA4(IActorRuntime rt) => Kvm.Run<MA4>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.MA5", Expect = Expectation.AssertionFailure, Invariant = "INV-A2",
        Description = "MA5: kvm_alloc_apic_access_page checks only enabled; hotplug re-creates the memslot")]
    public static Task MA5(IActorRuntime rt) => Kvm.Run<MA5>(rt, new MemslotConfig { Vcpus = 2, Hotplug = true });

    [Test(Name = "Memslot.MA7", Expect = Expectation.AssertionFailure, Invariant = "INV-A5",
        Description = "MA7: nested_svm_vmexit calls kvm_vcpu_update_apicv without SRCU; the inhibition unlocks SRCU it does not hold")]
    public static Task MA7(IActorRuntime rt) => Kvm.Run<MA7>(rt, new MemslotConfig { Vcpus = 2, Nested = true, HostSetLapic = true });

    [Test(Name = "Memslot.MA8", Expect = Expectation.Deadlock, Invariant = "INV-A4",
        Description = "MA8: the memslot is deleted inside the APIC_BASE write, SRCU held")]
    public static Task MA8(IActorRuntime rt) => Kvm.Run<MA8>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.MA9", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "MA9: ABSENT published without the INVALID phase, zap before synchronize_srcu; an in-flight fault re-installs the SPTE")]
    public static Task MA9(IActorRuntime rt) => Kvm.Run<MA9>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.MA11", Expect = Expectation.AssertionFailure, Invariant = "INV-A6",
        Description = "MA11: no request re-check after IN_GUEST_MODE; a vCPU enters with a stale APICv state (the WARN fires)")]
    public static Task MA11(IActorRuntime rt) => Kvm.Run<MA11>(rt, new MemslotConfig { Vcpus = 2, Inhibitor = true });

    [Test(Name = "Memslot.MA12", Expect = Expectation.AssertionFailure, Invariant = "INV-A6",
        Description = "MA12: the inhibitor publishes the reasons before kicking; a vCPU past its request check enters with the old state")]
    public static Task MA12(IActorRuntime rt) => Kvm.Run<MA12>(rt, new MemslotConfig { Vcpus = 2, Inhibitor = true });

    [Test(Name = "Memslot.MA14", Expect = Expectation.Deadlock, Invariant = "INV-A4",
        Description = "MA14: kvm_swap_active_memslots holds slots_arch_lock across the deletion's first synchronize_srcu; vcpu0's first shadow root took it inside SRCU")]
    public static Task MA14(IActorRuntime rt) => Kvm.Run<MA14>(rt, new MemslotConfig { Vcpus = 2, NestedNpt = true });

    // ---- real historical bugs (§3) ---------------------------------------------------------------

    [Test(Name = "Memslot.A2", Expect = Expectation.Deadlock, Invariant = "INV-A4",
        Description = "§3 A-2 (fixed by 36222b117e36): an inhibit set from a guest MSR write toggles the memslot with SRCU held")]
    public static Task A2(IActorRuntime rt) => Kvm.Run<A2>(rt, new MemslotConfig { Vcpus = 2, HypervSynic = true });

    [Test(Name = "Memslot.A3", Expect = Expectation.AssertionFailure, Invariant = "INV-A6",
        Description = "§3 A-3 (fixed by b0a1637f64b0): the VM-wide APICv flip does not wait for vCPUs in guest mode")]
    public static Task A3(IActorRuntime rt) => Kvm.Run<A3>(rt, new MemslotConfig { Vcpus = 2, Hotplug = true, Inhibitor = true });

    [Test(Name = "Memslot.A5i", Expect = Expectation.AssertionFailure, Invariant = "INV-A2",
        Description = "§3 A-5(i): the memslot toggled from every vCPU's update: deleted twice")]
    public static Task A5i(IActorRuntime rt) => Kvm.Run<A5i>(rt, new MemslotConfig { Vcpus = 2 });

    [Test(Name = "Memslot.A5ii", Expect = Expectation.AssertionFailure, Invariant = "INV-A5",
        Description = "§3 A-5(ii): kvm_lapic_set_base updates APICv directly from KVM_SET_LAPIC, without SRCU: unbalanced unlock")]
    public static Task A5ii(IActorRuntime rt) => Kvm.Run<A5ii>(rt, new MemslotConfig { Vcpus = 2, HostSetLapic = true });

    // ---- bug variants in the larger configurations (where new bugs will be looked for) -------------

    [Test(Name = "Memslot.MA9.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "MA9 (no INVALID phase, zap before the grace period) with 3 vCPUs, hotplug, inhibitor and 2 address spaces; INV-A1 off to show the isolation breach")]
    public static Task MA9Large(IActorRuntime rt) => Kvm.Run<MA9>(rt, Base with { Vcpus = 3, Smm = true, CheckInvA1 = false });

    [Test(Name = "Memslot.MA15", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "MA15: no synchronize_srcu between publishing INVALID and the zap; a fault that saw VALID re-installs the SPTE (INV-A1 off to show the isolation breach)")]
    public static Task MA15(IActorRuntime rt) => Kvm.Run<MA15>(rt, new MemslotConfig { Vcpus = 2, CheckInvA1 = false });

    [Test(Name = "Memslot.MA15.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "MA15 (no grace period before the zap) with 3 vCPUs, hotplug, inhibitor and 2 address spaces; INV-A1 off")]
    public static Task MA15Large(IActorRuntime rt) => Kvm.Run<MA15>(rt, Base with { Vcpus = 3, Smm = true, CheckInvA1 = false });

    [Test(Name = "Memslot.MA4.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, Invariant = "INV-A2",
        Description = "MA4 (no recheck under slots_lock) with 3 vCPUs, hotplug, inhibitor and 2 address spaces")]
    public static Task MA4Large(IActorRuntime rt) => Kvm.Run<MA4>(rt, Base with { Vcpus = 3, Smm = true });

    [Test(Name = "Memslot.MA1.3vcpu.hotplug.smm", Expect = Expectation.AssertionFailure, Invariant = "INV-A1",
        Description = "MA1 (enabled=false before the deletion) with 3 vCPUs, hotplug, inhibitor and 2 address spaces")]
    public static Task MA1Large(IActorRuntime rt) => Kvm.Run<MA1>(rt, Base with { Vcpus = 3, Smm = true });

    [Test(Name = "Memslot.MA11.4vcpu", Expect = Expectation.AssertionFailure, Invariant = "INV-A6",
        Description = "MA11 (no request re-check after IN_GUEST_MODE) with 4 vCPUs and the inhibitor")]
    public static Task MA11Large(IActorRuntime rt) => Kvm.Run<MA11>(rt, new MemslotConfig { Vcpus = 4, Inhibitor = true });

    // ---- exploratory -----------------------------------------------------------------------------

    // ---- H-A1 (docs/findings/memslot-h-a1-late-allocation.md): the merged code, PIT reinjection -------
    // inhibiting APICv while the boot vCPUs are created, KVM_REINJECT_CONTROL clearing it, a vCPU hotplugged.

    /// <summary>The H-A1 VM with 2 boot vCPUs.</summary>
    private static readonly MemslotConfig LateActivation = new() { Vcpus = 2, Hotplug = true, ActivatedMayChange = true };

    /// <summary>The H-A1 VM with 1 boot vCPU (enough for the bug; small enough for `-s dfs`), INV-A1 unchecked and
    /// INV-A3 checked at the access: these tests ask which interleavings let an x2APIC access reach the vAPIC page.</summary>
    private static readonly MemslotConfig Window =
        new() { Vcpus = 1, Hotplug = true, ActivatedMayChange = true, CheckInvA1 = false, InvA3 = InvA3Check.AtAccess };

    private static readonly MemslotConfig NeverOnlined = Window with { HotplugGuest = HotplugGuest.NeverOnlined, X2apicAccess = AccessOrder.AfterHotplug };
    private static readonly MemslotConfig Onlined = Window with { HotplugGuest = HotplugGuest.OnlinedX2apic };
    private static readonly MemslotConfig LateFlip = Window with { HotplugGuest = HotplugGuest.NeverOnlined, LateFlip = true };
    private static readonly MemslotConfig IcrWarn = NeverOnlined with { IcrWrite = true, InvA3 = InvA3Check.Off };

    [Test(Name = "Memslot.MA13", Expect = Expectation.Explore,
        Description = "MA13 / H-A1: kvm_apicv_activated() false while the boot vCPUs are created (PIT reinject), cleared later, then a vCPU is hotplugged (merged code)")]
    public static Task MA13(IActorRuntime rt) => Kvm.Run<Kvm>(rt, LateActivation);

    [Test(Name = "Memslot.MA13.inv-a3", Expect = Expectation.Explore,
        Description = "H-A1 as MA13 with INV-A1 unchecked: the late allocation goes on to break INV-A3 (an x2APIC vCPU runs with the APIC page mappable)")]
    public static Task MA13InvA3(IActorRuntime rt) => Kvm.Run<Kvm>(rt, LateActivation with { CheckInvA1 = false });

    [Test(Name = "Memslot.MA13.never-onlined", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "H-A1, the guest never onlines the hotplugged vCPU: an x2APIC access made after the hotplug, with nothing else left to run, reaches the vAPIC page (the window lasts the VM's lifetime)")]
    public static Task MA13NeverOnlined(IActorRuntime rt) => Kvm.Run<Kvm>(rt, NeverOnlined);

    [Test(Name = "Memslot.MA13.onlined", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "H-A1, the guest onlines the hotplugged vCPU in x2APIC mode, which deletes the memslot; an access racing with the onlining still gets through")]
    public static Task MA13Onlined(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Onlined);

    [Test(Name = "Memslot.MA13.onlined.access-after-online",
        Description = "H-A1, the access waits until the hotplugged AP reported itself online (as Linux's cpu_up() waits): the AP's own x2APIC switch closed the window")]
    public static Task MA13AfterOnline(IActorRuntime rt) => Kvm.Run<Kvm>(rt, Onlined with { X2apicAccess = AccessOrder.AfterOnline });

    [Test(Name = "Memslot.MA13.late-flip", Expect = Expectation.AssertionFailure, Invariant = "INV-A3",
        Description = "H-A1, never onlined, the VMM flips a VM-wide inhibit after the hotplug; an access before the flip is handled gets through")]
    public static Task MA13LateFlip(IActorRuntime rt) => Kvm.Run<Kvm>(rt, LateFlip);

    [Test(Name = "Memslot.MA13.late-flip.access-after-flip",
        Description = "H-A1, never onlined, the access comes after the VMM's late inhibit flip: the x2APIC vCPU's KVM_REQ_APICV_UPDATE deleted the memslot first")]
    public static Task MA13AfterFlip(IActorRuntime rt) => Kvm.Run<Kvm>(rt, LateFlip with { X2apicAccess = AccessOrder.AfterFlip });

    [Test(Name = "Memslot.MA13.icr-warn", Expect = Expectation.AssertionFailure, Invariant = "INV-A7",
        Description = "H-A1, never onlined: the x2APIC vCPU writes ICR through the mapped APIC page to the hotplugged (never-run) vCPU; AVIC's incomplete-IPI exit hits WARN_ON_ONCE(dest != index)")]
    public static Task MA13IcrWarn(IActorRuntime rt) => Kvm.Run<Kvm>(rt, IcrWarn);

    // ---- the two H-A1 fixes (not upstream), in every configuration above where the merged code fails -----
    // (a) HA1FixAlloc, preferred: avic_init_backing_page() allocates unconditionally, as VMX does.
    // (b) HA1Fix: kvm_inhibit_apic_access_page() marks the memslot inhibited even if it was never allocated.
    // Here INV-A1 and both forms of INV-A3 are checked.

    private static MemslotConfig Checked(MemslotConfig c) => c with { CheckInvA1 = true, InvA3 = InvA3Check.AtEveryEntry };

    [Test(Name = "Memslot.HA1FixAlloc.late-activation", Description = "H-A1 fix (a) under the MA13 scenario (2 boot vCPUs)")]
    public static Task HA1FixAllocLate(IActorRuntime rt) => Kvm.Run<HA1FixAlloc>(rt, LateActivation);

    [Test(Name = "Memslot.HA1FixAlloc.never-onlined.icr", Description = "H-A1 fix (a), never onlined, access and ICR write after the hotplug")]
    public static Task HA1FixAllocNeverOnlined(IActorRuntime rt) => Kvm.Run<HA1FixAlloc>(rt, Checked(IcrWarn));

    [Test(Name = "Memslot.HA1FixAlloc.onlined", Description = "H-A1 fix (a), the hotplugged vCPU onlined in x2APIC mode, accesses unordered")]
    public static Task HA1FixAllocOnlined(IActorRuntime rt) => Kvm.Run<HA1FixAlloc>(rt, Checked(Onlined));

    [Test(Name = "Memslot.HA1FixAlloc.late-flip", Description = "H-A1 fix (a), never onlined, late VM-wide inhibit flip, accesses unordered")]
    public static Task HA1FixAllocLateFlip(IActorRuntime rt) => Kvm.Run<HA1FixAlloc>(rt, Checked(LateFlip));

    [Test(Name = "Memslot.HA1FixAlloc", Description = "H-A1 fix (a) in the Merged configuration (3 vCPUs, hotplug, SMM, inhibitor)")]
    public static Task HA1FixAlloc(IActorRuntime rt) => Kvm.Run<HA1FixAlloc>(rt, Base with { Vcpus = 3, Smm = true });

    [Test(Name = "Memslot.HA1Fix.late-activation", Description = "H-A1 fix (b) under the MA13 scenario (2 boot vCPUs)")]
    public static Task HA1FixLate(IActorRuntime rt) => Kvm.Run<HA1Fix>(rt, LateActivation);

    [Test(Name = "Memslot.HA1Fix.never-onlined.icr", Description = "H-A1 fix (b), never onlined, access and ICR write after the hotplug")]
    public static Task HA1FixNeverOnlined(IActorRuntime rt) => Kvm.Run<HA1Fix>(rt, Checked(IcrWarn));

    [Test(Name = "Memslot.HA1Fix.onlined", Description = "H-A1 fix (b), the hotplugged vCPU onlined in x2APIC mode, accesses unordered")]
    public static Task HA1FixOnlined(IActorRuntime rt) => Kvm.Run<HA1Fix>(rt, Checked(Onlined));

    [Test(Name = "Memslot.HA1Fix.late-flip", Description = "H-A1 fix (b), never onlined, late VM-wide inhibit flip, accesses unordered")]
    public static Task HA1FixLateFlip(IActorRuntime rt) => Kvm.Run<HA1Fix>(rt, Checked(LateFlip));

    [Test(Name = "Memslot.HA1Fix", Description = "H-A1 fix (b) in the Merged configuration (3 vCPUs, hotplug, SMM, inhibitor)")]
    public static Task HA1Fix(IActorRuntime rt) => Kvm.Run<HA1Fix>(rt, Base with { Vcpus = 3, Smm = true });

    [Test(Name = "Memslot.Merged.fault-seq-late", Expect = Expectation.Explore,
        Description = "what-if: the page fault checks kvm_apicv_activated() BEFORE snapshotting mmu_invalidate_seq (released kernels snapshot first); can a fault re-install the APIC SPTE after the inhibitor's zap?")]
    public static Task MergedFaultSeqLate(IActorRuntime rt) =>
        Kvm.Run<FaultSeqLate>(rt, Base);
}
