using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Avic.Coyote.Actors;

/// <summary>
/// What creating and running an actor of one type needs, found once per type: its constructor, the location its
/// initialization runs at, its handlers or states. Models create their actors anew in every execution, so each
/// actor holds its type's entry instead of looking these up by type (a hash of the type each time).
/// </summary>
internal sealed class ActorType
{
    private static readonly ConcurrentDictionary<Type, ActorType> ByType = new();

    private Func<Actor>? constructor;
    private StateSchema? schema;
    private Dictionary<Type, Handler>? handlers;

    private ActorType(Type type)
    {
        Type = type;
        InitializeLocation = $"{type.Name}.OnInitializeAsync";
    }

    public static ActorType For(Type type) => ByType.GetOrAdd(type, static t => new ActorType(t));

    /// <summary>The entry of <typeparamref name="T"/>, without the lookup by type.</summary>
    public static ActorType For<T>() where T : Actor => Cache<T>.Entry;

    private static class Cache<T> where T : Actor
    {
        public static readonly ActorType Entry = For(typeof(T));
    }

    public Type Type { get; }

    /// <summary>"Type.OnInitializeAsync": the operation's location while the actor initializes (built once, not per actor).</summary>
    public string InitializeLocation { get; }

    /// <summary>Makes an actor of this type (a compiled constructor call, not reflection per actor).</summary>
    public Actor New() => (constructor ??= Constructor(Type))();

    /// <summary>The states of a state-machine type.</summary>
    public StateSchema Schema => schema ??= StateSchema.For(Type);

    /// <summary>The [OnEventDoAction] handlers of a plain actor type, by event type.</summary>
    public Dictionary<Type, Handler> Handlers => handlers ??= Type.GetCustomAttributes<OnEventDoActionAttribute>(true)
        .ToDictionary(a => a.EventType, a => Handler.Find(Type, a.Action));

    private static Func<Actor> Constructor(Type type) =>
        type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is { } ctor
            ? Expression.Lambda<Func<Actor>>(Expression.New(ctor)).Compile()
            : throw new ArgumentException($"{type.Name} has no parameterless constructor", nameof(type));
}
