using System.Reflection;
using System.Reflection.Emit;
using Avic.Coyote.Actors;
using CoyoteEvent = Microsoft.Coyote.Actors.Event;
using CoyoteActor = Microsoft.Coyote.Actors.Actor;
using CoyoteState = Microsoft.Coyote.Actors.StateMachine.State;

namespace Avic.Coyote.Microsoft;

/// <summary>The Coyote actor type that hosts one actor type of ours, and its states by ours.</summary>
internal sealed class HostType(Type coyoteType, IReadOnlyDictionary<Type, Type> states)
{
    public Type CoyoteType { get; } = coyoteType;

    /// <summary>Our state type → the generated Coyote state of the same name (empty for a plain actor).</summary>
    public IReadOnlyDictionary<Type, Type> States { get; } = states;
}

/// <summary>
/// Generates, at run time (System.Reflection.Emit, once per type and process), the Microsoft.Coyote types that host
/// our actors, so that any actor of ours, in any assembly, is a real Coyote actor:
/// <list type="bullet">
/// <item>per event type of ours, a <see cref="MirroredEvent"/> subclass with our event's full name;</item>
/// <item>per plain actor type, a <see cref="HostedActor"/> subclass with our actor's full name and one
/// <c>[OnEventDoAction]</c> per handler of ours, the action named after our handler;</item>
/// <item>per state machine type, a <see cref="HostedStateMachine"/> subclass with our machine's full name and one
/// nested Coyote state per state of ours: same name, [Start], [DeferEvents], [IgnoreEvents], one [OnEventDoAction]
/// per event the state handles (the action named after our handler, or Deliver for a plain goto).</item>
/// </list>
/// The generated actions only hand the event to our runtime (<c>Deliver</c>); our runtime runs our handlers.
/// Full names keep the namespace; a nested type's '+' becomes '.' (Coyote splits names at both).
/// </summary>
internal static class CoyoteHostTypes
{
    private static readonly object Gate = new();
    private static readonly AssemblyBuilder Assembly = DefineAssembly();
    private static readonly ModuleBuilder Module = Assembly.DefineDynamicModule("Avic.Coyote.Microsoft.Hosts");
    private static readonly Dictionary<Type, Type> Events = new();
    private static readonly Dictionary<Type, HostType> Hosts = new();
    private static readonly Dictionary<Type, Func<MirroredEvent>> Factories = new();

    /// <summary>The generated types' assembly. The type arguments of the generated attributes name it, so the load
    /// context that loaded this adapter (Coyote's CLI uses its own) must find it by name.</summary>
    private static AssemblyBuilder DefineAssembly()
    {
        var name = new AssemblyName("Avic.Coyote.Microsoft.Hosts");
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
        System.Reflection.Assembly? Resolve(string? requested) =>
            requested is not null && new AssemblyName(requested).Name == name.Name ? assembly : null;
        AppDomain.CurrentDomain.AssemblyResolve += (_, e) => Resolve(e.Name);
        return assembly;
    }

    /// <summary>Coyote's name for <paramref name="ours"/> (an actor, state or event type).</summary>
    public static string NameOf(Type ours) => (ours.FullName ?? ours.Name).Replace('+', '.');

    /// <summary>The Coyote event carrying <paramref name="e"/>.</summary>
    public static MirroredEvent Wrap(Avic.Coyote.Actors.Event e)
    {
        Func<MirroredEvent> create;
        lock (Gate)
        {
            if (!Factories.TryGetValue(e.GetType(), out create!))
            {
                Type mirror = EventFor(e.GetType());
                Factories[e.GetType()] = create = () => (MirroredEvent)Activator.CreateInstance(mirror)!;
            }
        }
        MirroredEvent m = create();
        m.Payload = e;
        return m;
    }

    /// <summary>The Coyote event type for our event type <paramref name="ours"/>.</summary>
    public static Type EventFor(Type ours)
    {
        lock (Gate)
        {
            if (Events.TryGetValue(ours, out Type? made)) return made;
            TypeBuilder tb = Module.DefineType(NameOf(ours), TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
                typeof(MirroredEvent));
            tb.DefineDefaultConstructor(MethodAttributes.Public);
            return Events[ours] = tb.CreateType();
        }
    }

    /// <summary>The Coyote host of our actor type <paramref name="ours"/>.</summary>
    public static HostType HostFor(Type ours)
    {
        lock (Gate)
        {
            if (Hosts.TryGetValue(ours, out HostType? made)) return made;
            if (ours.IsGenericType) throw new NotSupportedException($"generic actor type {ours.Name} cannot be hosted on Microsoft.Coyote");
            return Hosts[ours] = typeof(StateMachine).IsAssignableFrom(ours) ? BuildMachine(ours) : BuildActor(ours);
        }
    }

    private static HostType BuildActor(Type ours)
    {
        TypeBuilder tb = Module.DefineType(NameOf(ours), TypeAttributes.Public | TypeAttributes.Class, typeof(HostedActor));
        tb.DefineDefaultConstructor(MethodAttributes.Public);
        var actions = new Actions(tb, typeof(HostedActor));
        foreach (OnEventDoActionAttribute a in ours.GetCustomAttributes<OnEventDoActionAttribute>(true))
            if (a.EventType != typeof(HaltEvent))
                tb.SetCustomAttribute(Attribute(typeof(CoyoteActor), "OnEventDoActionAttribute", EventFor(a.EventType), actions.Named(a.Action)));
        return new HostType(tb.CreateType(), new Dictionary<Type, Type>());
    }

    private static HostType BuildMachine(Type ours)
    {
        TypeBuilder tb = Module.DefineType(NameOf(ours), TypeAttributes.Public | TypeAttributes.Class, typeof(HostedStateMachine));
        tb.DefineDefaultConstructor(MethodAttributes.Public);
        var actions = new Actions(tb, typeof(HostedStateMachine));
        var nested = new List<(Type Ours, TypeBuilder Builder)>();
        foreach (Type state in StatesOf(ours))
        {
            TypeBuilder sb = tb.DefineNestedType(state.Name, TypeAttributes.NestedPublic | TypeAttributes.Class, typeof(CoyoteState));
            sb.DefineDefaultConstructor(MethodAttributes.Public);
            if (state.IsDefined(typeof(StartAttribute), false)) sb.SetCustomAttribute(StateAttribute("StartAttribute"));
            sb.SetCustomAttribute(StateAttribute("OnEntryAttribute", "FollowGoto"));
            foreach (OnEventDoActionAttribute a in state.GetCustomAttributes<OnEventDoActionAttribute>(false))
                DoAction(sb, a.EventType, actions.Named(a.Action));
            foreach (OnEventGotoStateAttribute a in state.GetCustomAttributes<OnEventGotoStateAttribute>(false))
                DoAction(sb, a.EventType, a.Action is null ? "Deliver" : actions.Named(a.Action));
            if (MirrorsOf(state.GetCustomAttribute<DeferEventsAttribute>(false)?.EventTypes) is { Length: > 0 } deferred)
                sb.SetCustomAttribute(StateAttribute("DeferEventsAttribute", [deferred]));
            if (MirrorsOf(state.GetCustomAttribute<IgnoreEventsAttribute>(false)?.EventTypes) is { Length: > 0 } ignored)
                sb.SetCustomAttribute(StateAttribute("IgnoreEventsAttribute", [ignored]));
            nested.Add((state, sb));
        }
        Type host = tb.CreateType();
        var states = new Dictionary<Type, Type>();
        foreach (var (state, sb) in nested) states[state] = sb.CreateType();
        return new HostType(host, states);
    }

    /// <summary>Our machine's states: the non-abstract nested <see cref="StateMachine.State"/> types of it and its bases.</summary>
    private static IEnumerable<Type> StatesOf(Type machine)
    {
        var seen = new HashSet<string>();
        for (Type? t = machine; t is not null && t != typeof(StateMachine); t = t.BaseType)
            foreach (Type nested in t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
                if (typeof(StateMachine.State).IsAssignableFrom(nested) && !nested.IsAbstract && seen.Add(nested.Name))
                    yield return nested;
    }

    /// <summary>Our halt event is Coyote's own HaltEvent (never deferred, ignored or handled by an action).</summary>
    private static void DoAction(TypeBuilder state, Type ourEvent, string action)
    {
        if (ourEvent == typeof(HaltEvent)) return;
        state.SetCustomAttribute(StateAttribute("OnEventDoActionAttribute", EventFor(ourEvent), action));
    }

    private static Type[]? MirrorsOf(Type[]? ours) => ours?.Where(t => t != typeof(HaltEvent)).Select(EventFor).ToArray();

    private static CustomAttributeBuilder StateAttribute(string name, params object[] args) => Attribute(typeof(CoyoteState), name, args);

    /// <summary>One of the attributes nested in Coyote's Actor or State (protected there, so found by reflection).</summary>
    private static CustomAttributeBuilder Attribute(Type owner, string name, params object[] args)
    {
        Type attribute = owner.GetNestedType(name, BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException($"Microsoft.Coyote's {owner.Name} has no {name}");
        ConstructorInfo ctor = attribute.GetConstructors().Single();
        return new CustomAttributeBuilder(ctor, args);
    }

    /// <summary>The generated actions of one host type: <c>Task Name(Event e) => Deliver(e)</c>, one per handler name of ours.</summary>
    private sealed class Actions(TypeBuilder host, Type hostBase)
    {
        private readonly Dictionary<string, string> names = new();
        private readonly MethodInfo deliver = hostBase.GetMethod("Deliver", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(CoyoteEvent)])!;

        /// <summary>The action for our handler <paramref name="handler"/>: its name, or with a '_' appended if Coyote's
        /// base classes already have a member of that name.</summary>
        public string Named(string handler)
        {
            if (names.TryGetValue(handler, out string? name)) return name;
            name = handler;
            while (hostBase.GetMember(name, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public |
                       BindingFlags.NonPublic | BindingFlags.FlattenHierarchy).Length > 0)
                name += "_";
            MethodBuilder m = host.DefineMethod(name, MethodAttributes.Private | MethodAttributes.HideBySig, typeof(Task), [typeof(CoyoteEvent)]);
            // Coyote awaits an action only if it is marked async; it forwards to the async Deliver, so it carries its mark.
            var async = deliver.GetCustomAttribute<System.Runtime.CompilerServices.AsyncStateMachineAttribute>()!;
            m.SetCustomAttribute(new CustomAttributeBuilder(async.GetType().GetConstructor([typeof(Type)])!, [async.StateMachineType]));
            ILGenerator il = m.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, deliver);
            il.Emit(OpCodes.Ret);
            return names[handler] = name;
        }
    }
}
