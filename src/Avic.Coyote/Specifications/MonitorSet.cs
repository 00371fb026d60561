using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Specifications;

/// <summary>The monitor part of <see cref="IActorRuntime"/>: monitors plug into the runtime from above it.</summary>
public static class MonitorRuntimeExtensions
{
    /// <summary>Registers a monitor of type <typeparamref name="T"/> for this execution (once; later calls do nothing).</summary>
    public static void RegisterMonitor<T>(this IActorRuntime runtime) where T : Monitor, new() =>
        MonitorSet.Of(ControlledRuntime.Of(runtime)).Register<T>();

    /// <summary>Delivers <paramref name="e"/> synchronously to the registered monitor of type <typeparamref name="T"/>.</summary>
    public static void Monitor<T>(this IActorRuntime runtime, Event e) where T : Monitor =>
        MonitorSet.Deliver(ControlledRuntime.Of(runtime), typeof(T), e);

    /// <summary>Finds a registered monitor (for models that query monitor state in assertions).</summary>
    public static T? GetMonitor<T>(this IActorRuntime runtime) where T : Monitor =>
        ControlledRuntime.Of(runtime).Extensions.Get<MonitorSet>()?.Find<T>();
}

/// <summary>
/// The monitors of one execution: delivers events to them, and judges liveness. A monitor still hot when no
/// operation can run, hot for longer than the liveness threshold, or hot at the step bound of a fair strategy
/// is a liveness bug.
/// </summary>
internal sealed class MonitorSet : IExecutionCheck, IMonitorSink
{
    private readonly List<Monitor> monitors = new();
    private readonly ControlledRuntime runtime;

    private MonitorSet(ControlledRuntime runtime) => this.runtime = runtime;

    /// <summary>The monitors of this execution; the first call of an execution empties the runtime's one set and plugs it in.</summary>
    public static MonitorSet Of(ControlledRuntime runtime) =>
        runtime.Extensions.GetOrAdd(static rt => rt.Extensions.Keep(static r => new MonitorSet(r)).Start());

    private MonitorSet Start()
    {
        monitors.Clear();
        runtime.Extensions.AddCheck(this);
        runtime.Extensions.Set<IMonitorSink>(this);
        return this;
    }

    public void Register<T>() where T : Monitor, new()
    {
        foreach (Monitor m in monitors) if (m is T) return;
        var monitor = new T();
        monitors.Add(monitor);
        monitor.Attach(runtime);
    }

    public T? Find<T>() where T : Monitor
    {
        foreach (Monitor m in monitors) if (m is T t) return t;
        return null;
    }

    /// <summary>The monitor of <paramref name="type"/> in <paramref name="rt"/>'s execution handles <paramref name="e"/>.
    /// Not generic, so that a notification costs no shared-generic lookups (the set's slot, a cast per monitor).</summary>
    internal static void Deliver(ControlledRuntime rt, Type type, Event e)
    {
        rt.CheckThread();
        (rt.Extensions.Get<MonitorSet>()?.Find(type) ?? throw IMonitorSink.NotRegistered(type)).Deliver(rt, e);
    }

    /// <summary>For actors, which cannot name monitor types: the monitor of <paramref name="type"/> handles <paramref name="e"/>.</summary>
    public void Deliver(Type type, Event e) => Deliver(runtime, type, e);

    /// <summary>The first registered monitor that is a <paramref name="type"/>, as <see cref="Find{T}"/>. A monitor of
    /// exactly that type is that one (<see cref="Register{T}"/> adds no <c>T</c> once a monitor is one), so it is
    /// looked for first, by reference; a base type or interface falls back to the assignability test.</summary>
    private Monitor? Find(Type type)
    {
        foreach (Monitor m in monitors) if (ReferenceEquals(m.Type, type)) return m;
        foreach (Monitor m in monitors) if (type.IsInstanceOfType(m)) return m;
        return null;
    }

    private Monitor? Hot()
    {
        foreach (Monitor m in monitors) if (m.IsHot) return m;
        return null;
    }

    /// <summary>Only a liveness threshold makes a step judge the monitors (hot for too many steps).</summary>
    public bool ChecksEachStep => runtime.LivenessThreshold > 0;

    public bool AfterStep(ControlledRuntime rt)
    {
        foreach (Monitor m in monitors)
        {
            if (m.IsHot && rt.Step - m.HotSinceStep >= rt.LivenessThreshold)
            {
                rt.Fail(BugKind.Liveness, $"{m.Describe()} has been hot for {rt.Step - m.HotSinceStep} steps (threshold {rt.LivenessThreshold})", null, m.HotInvariant);
                return true;
            }
        }
        return false;
    }

    public void AtStepBound(ControlledRuntime rt)
    {
        if (rt.IsFair && Hot() is { } hot)
            rt.Fail(BugKind.Liveness, $"{hot.Describe()} is still hot when the execution reached the step bound ({rt.MaxSteps}) under a fair strategy", null, hot.HotInvariant);
    }

    public void AtEnd(ControlledRuntime rt)
    {
        if (Hot() is { } hot)
            rt.Fail(BugKind.Liveness, $"{hot.Describe()} is still hot at the end of the execution (every operation finished or idle)", null, hot.HotInvariant);
    }
}
