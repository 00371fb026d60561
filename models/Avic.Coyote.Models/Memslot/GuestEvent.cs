// A one-shot event of the guest's own making (the BSP waiting for a hotplugged AP to report itself
// online, or a test ordering an access after a VMM ioctl). A vCPU waits for it halted, outside guest
// mode with SRCU dropped (vcpu_block), so it never holds up a grace period or a kick.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Memslot;

public sealed class GuestEvent : Blocker, IControlledResource
{
    private readonly ControlledRuntime rt;
    private bool signalled;

    public GuestEvent(ControlledRuntime runtime, string name)
    {
        rt = runtime;
        Name = name;
        ResourceId = runtime.NewResourceId();
    }

    public string Name { get; }

    public int ResourceId { get; }

    /// <summary>Sets the event (a store the waiter sees; the wake-up IPI is not modelled separately).</summary>
    public SchedulingPoint<SignalAction, Unit> Signal() => rt.Point<SignalAction, Unit>(new SignalAction(this), this, AccessKind.Write);

    /// <summary>Waits until the event is set (returns at once if it is).</summary>
    public SchedulingPoint Wait() => rt.Point(this, AccessKind.Read, signalled ? null : this, $"wakes up: {Name}");

    public override bool CanProceed(Operation op) => signalled;

    public override string Describe(Operation op) => Name;

    public override string ToString() => Name;

    public readonly struct SignalAction(GuestEvent e) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime runtime)
        {
            e.signalled = true;
            if (runtime.IsTracing) runtime.Log($"{e.Name}: signalled");
            return default;
        }
    }
}
