using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Avic.Coyote.Actors;

/// <summary>Base of the nested state classes of state machines and monitors.</summary>
public abstract class StateDeclaration;

/// <summary>A handler method compiled once per type: (instance, event) → ValueTask.</summary>
internal sealed class Handler
{
    public Handler(MethodInfo method, Func<object, Event?, ValueTask> run)
    {
        Method = method;
        Run = run;
        Name = $"{method.DeclaringType?.Name}.{method.Name}";
    }

    public MethodInfo Method { get; }

    /// <summary>Calls the handler: what actors await (a ValueTask, so a pooled async handler allocates nothing).</summary>
    public Func<object, Event?, ValueTask> Run { get; }

    /// <summary>"Class.Method": the operation's location while the handler runs (built once, not per event).</summary>
    public string Name { get; }

    private static readonly ConcurrentDictionary<MethodInfo, Handler> Cache = new();

    /// <summary>Finds <paramref name="name"/> on <paramref name="owner"/>; accepts void, Task or ValueTask, with or without an Event parameter.</summary>
    public static Handler Find(Type owner, string name)
    {
        MethodInfo method = owner.GetMethod(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{owner.Name} has no method '{name}' named in its attributes");
        return Cache.GetOrAdd(method, Compile);
    }

    private static Handler Compile(MethodInfo method)
    {
        ParameterInfo[] ps = method.GetParameters();
        if (ps.Length > 1 || (ps.Length == 1 && !typeof(Event).IsAssignableFrom(ps[0].ParameterType)) ||
            (method.ReturnType != typeof(void) && method.ReturnType != typeof(Task) && method.ReturnType != typeof(ValueTask)))
            throw new InvalidOperationException(
                $"handler {method.DeclaringType?.Name}.{method.Name} must return void, Task or ValueTask and take no parameter or one Event");

        ParameterExpression instance = Expression.Parameter(typeof(object), "instance");
        ParameterExpression e = Expression.Parameter(typeof(Event), "e");
        Expression target = Expression.Convert(instance, method.DeclaringType!);
        Expression call = ps.Length == 0
            ? Expression.Call(target, method)
            : Expression.Call(target, method, Expression.Convert(e, ps[0].ParameterType));
        Expression body = method.ReturnType == typeof(void) ? Expression.Block(call, Expression.Default(typeof(ValueTask)))
            : method.ReturnType == typeof(Task) ? Expression.New(typeof(ValueTask).GetConstructor([typeof(Task)])!, call)
            : call;
        return new Handler(method, Expression.Lambda<Func<object, Event?, ValueTask>>(body, instance, e).Compile());
    }
}

/// <summary>What a state does with an event.</summary>
internal readonly record struct Transition(Handler? Action, Type? GotoState);

/// <summary>One state of a state machine or monitor, read from its attributes.</summary>
internal sealed class StateInfo
{
    public required Type Type { get; init; }
    public Handler? OnEntry { get; init; }
    public Handler? OnExit { get; init; }
    public required Dictionary<Type, Transition> Transitions { get; init; }
    public required HashSet<Type> Deferred { get; init; }
    public required HashSet<Type> Ignored { get; init; }
    public bool IsHot { get; init; }
    /// <summary>What a hot state is waiting for, for liveness reports (from [Hot("...")]).</summary>
    public string? Obligation { get; init; }
    /// <summary>The invariant id a liveness bug of this hot state carries (from [Hot(Invariant = ...)]).</summary>
    public string? Invariant { get; init; }
    public bool IsCold { get; init; }
    public string Name => Type.Name;

    // The same tables as arrays, for the per-event and per-step lookups of state machines: a state names a handful of
    // event types, and a scan comparing type references beats hashing them.
    private Type[] transitionTypes = [], deferred = [], ignored = [];
    private Transition[] transitionValues = [];

    /// <summary>Builds the arrays once the tables are read.</summary>
    public StateInfo Seal()
    {
        (transitionTypes, transitionValues) = (Transitions.Keys.ToArray(), Transitions.Values.ToArray());
        (deferred, ignored) = (Deferred.ToArray(), Ignored.ToArray());
        return this;
    }

    public bool TryGetTransition(Type eventType, out Transition transition)
    {
        Type[] types = transitionTypes;
        for (int i = 0; i < types.Length; i++)
        {
            if (ReferenceEquals(types[i], eventType))
            {
                transition = transitionValues[i];
                return true;
            }
        }
        transition = default;
        return false;
    }

    public bool IsDeferred(Type eventType) => Contains(deferred, eventType);

    public bool IsIgnored(Type eventType) => Contains(ignored, eventType);

    private static bool Contains(Type[] types, Type t)
    {
        foreach (Type u in types)
            if (ReferenceEquals(u, t)) return true;
        return false;
    }
}

/// <summary>The states of a state-machine or monitor type, built by reflection once per type.</summary>
internal sealed class StateSchema
{
    private static readonly ConcurrentDictionary<Type, StateSchema> Cache = new();

    private StateSchema(Dictionary<Type, StateInfo> states, StateInfo start)
    {
        States = states;
        Start = start;
        all = states.Values.ToArray();
    }

    public Dictionary<Type, StateInfo> States { get; }

    // The states as an array, for the goto on every state change: a machine has a handful of states, and a scan
    // comparing type references beats hashing them.
    private readonly StateInfo[] all;

    /// <summary>The state of type <paramref name="state"/> (one of <see cref="States"/>).</summary>
    public StateInfo StateOf(Type state)
    {
        foreach (StateInfo s in all)
            if (ReferenceEquals(s.Type, state)) return s;
        throw new KeyNotFoundException($"{state.Name} is not a state of this machine");
    }

    public StateInfo Start { get; }

    public static StateSchema For(Type owner) => Cache.GetOrAdd(owner, Build);

    private static StateSchema Build(Type owner)
    {
        var states = new Dictionary<Type, StateInfo>();
        for (Type? t = owner; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (Type nested in t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (!typeof(StateDeclaration).IsAssignableFrom(nested) || nested.IsAbstract || states.ContainsKey(nested)) continue;
                states[nested] = Read(owner, nested);
            }
        }

        var starts = states.Values.Where(s => s.Type.IsDefined(typeof(StartAttribute), false)).ToList();
        if (starts.Count != 1)
            throw new InvalidOperationException($"{owner.Name} must mark exactly one state with [Start] (found {starts.Count})");
        foreach (StateInfo s in states.Values)
            foreach (Transition tr in s.Transitions.Values)
                if (tr.GotoState is { } target && !states.ContainsKey(target))
                    throw new InvalidOperationException($"{owner.Name}.{s.Name} goes to {target.Name}, which is not a state of {owner.Name}");
        return new StateSchema(states, starts[0]);
    }

    private static StateInfo Read(Type owner, Type state)
    {
        var transitions = new Dictionary<Type, Transition>();
        foreach (OnEventDoActionAttribute a in state.GetCustomAttributes<OnEventDoActionAttribute>(false))
            transitions[a.EventType] = new Transition(Handler.Find(owner, a.Action), null);
        foreach (OnEventGotoStateAttribute a in state.GetCustomAttributes<OnEventGotoStateAttribute>(false))
            transitions[a.EventType] = new Transition(a.Action is null ? null : Handler.Find(owner, a.Action), a.StateType);
        return new StateInfo
        {
            Type = state,
            OnEntry = state.GetCustomAttribute<OnEntryAttribute>(false) is { } entry ? Handler.Find(owner, entry.Action) : null,
            OnExit = state.GetCustomAttribute<OnExitAttribute>(false) is { } exit ? Handler.Find(owner, exit.Action) : null,
            Transitions = transitions,
            Deferred = new HashSet<Type>(state.GetCustomAttribute<DeferEventsAttribute>(false)?.EventTypes ?? []),
            Ignored = new HashSet<Type>(state.GetCustomAttribute<IgnoreEventsAttribute>(false)?.EventTypes ?? []),
            IsHot = state.IsDefined(typeof(HotAttribute), false),
            Obligation = state.GetCustomAttribute<HotAttribute>(false)?.Obligation,
            Invariant = BugReport.CheckInvariant(state.GetCustomAttribute<HotAttribute>(false)?.Invariant),
            IsCold = state.IsDefined(typeof(ColdAttribute), false),
        }.Seal();
    }
}
