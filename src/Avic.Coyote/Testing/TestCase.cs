using System.Reflection;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Testing;

/// <summary>A test found by its [Test] attribute.</summary>
public sealed class TestCase
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required Expectation Expect { get; init; }
    /// <summary>For a bug expectation: the invariant id the bug must carry (e.g. "INV-A1"); null: any.</summary>
    public string? Invariant { get; init; }
    public MemoryModel MemoryModel { get; init; }
    public int MaxSteps { get; init; }
    /// <summary>The test's own iteration budget (0: none); the engine runs max(this, the configured budget).</summary>
    public int Iterations { get; init; }
    public required string AssemblyName { get; init; }
    public required Func<IActorRuntime, Task> Entry { get; init; }

    /// <summary>The build of the code the test runs (<see cref="CodeIdentity.OfTest"/>: its assembly's code and that of the
    /// libraries beside it, not the module version id, which also changes with a comment's lines). A checkpoint records
    /// it: a search is resumed only against the model it explored.</summary>
    public Guid Build { get => build ?? CodeIdentity.OfTest(DeclaringAssembly); init => build = value; }

    /// <summary>The assembly that declares the test (the entry's, unless the catalog wrapped it).</summary>
    public Assembly DeclaringAssembly { get => declaringAssembly ?? Entry.Method.Module.Assembly; init => declaringAssembly = value; }

    private readonly Assembly? declaringAssembly;
    private readonly Guid? build;

    /// <summary>"pass", or the expected bug kind and message, as shown by `coyote list`.</summary>
    public string ExpectationText => Expect switch
    {
        Expectation.Pass => "pass",
        Expectation.Explore => "explore",
        _ => Invariant is null ? $"bug: {Expect}" : $"bug: {Expect} ({Invariant})",
    };

    /// <summary>Whether <paramref name="bug"/> (null: none found) is what this test expects: compared
    /// field by field (kind, and the invariant when one is expected), never by message text.</summary>
    public bool Meets(BugReport? bug) => Expect switch
    {
        Expectation.Pass => bug is null,
        Expectation.Explore => true,
        _ => bug is not null && bug.Kind == ExpectedKind(Expect) && (Invariant is null || bug.Invariant == Invariant),
    };

    /// <summary>The bug kind a bug expectation names.</summary>
    public static BugKind ExpectedKind(Expectation expect) => expect switch
    {
        Expectation.AssertionFailure => BugKind.AssertionFailure,
        Expectation.UnhandledException => BugKind.UnhandledException,
        Expectation.Deadlock => BugKind.Deadlock,
        Expectation.Liveness => BugKind.Liveness,
        Expectation.UncontrolledConcurrency => BugKind.UncontrolledConcurrency,
        Expectation.UnhandledEvent => BugKind.UnhandledEvent,
        _ => throw new ArgumentOutOfRangeException(nameof(expect), expect, "not a bug expectation"),
    };

    /// <summary>Creates a test from a delegate (for tests of the engine itself).</summary>
    public static TestCase From(string name, Func<IActorRuntime, Task> entry, Expectation expect = Expectation.Pass,
        MemoryModel memoryModel = MemoryModel.SequentialConsistency) =>
        new() { Name = name, Description = "", Expect = expect, MemoryModel = memoryModel, AssemblyName = "(inline)", Entry = entry };

    public override string ToString() => Name;
}

/// <summary>Finds the [Test] methods of an assembly.</summary>
public static class TestCatalog
{
    public static IReadOnlyList<TestCase> FromAssembly(Assembly assembly)
    {
        var tests = new List<TestCase>();
        var names = new Dictionary<string, MethodInfo>(StringComparer.OrdinalIgnoreCase);
        Type[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
        foreach (Type type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (MethodInfo m in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                         .OrderBy(m => m.MetadataToken))
            {
                if (m.GetCustomAttribute<TestAttribute>() is not { } attr) continue;
                string name = attr.Name ?? $"{type.Name}.{m.Name}";
                if (names.TryGetValue(name, out MethodInfo? other))
                    throw new InvalidOperationException($"two tests are named '{name}': {other.DeclaringType?.Name}.{other.Name} and {type.Name}.{m.Name}");
                names[name] = m;
                tests.Add(new TestCase
                {
                    Name = name,
                    Description = attr.Description,
                    Expect = attr.Expect,
                    Invariant = BugReport.CheckInvariant(attr.Invariant),
                    MemoryModel = attr.MemoryModel,
                    MaxSteps = attr.MaxSteps,
                    Iterations = attr.Iterations,
                    AssemblyName = assembly.GetName().Name ?? "",
                    DeclaringAssembly = assembly,
                    Entry = Bind(m),
                });
            }
        }
        return tests;
    }

    private static Func<IActorRuntime, Task> Bind(MethodInfo m)
    {
        ParameterInfo[] ps = m.GetParameters();
        if (ps.Length != 1 || !ps[0].ParameterType.IsAssignableFrom(typeof(ControlledRuntime)))
            throw new InvalidOperationException($"test {m.DeclaringType?.Name}.{m.Name} must take one IActorRuntime parameter");
        if (m.ReturnType == typeof(Task))
            return (Func<IActorRuntime, Task>)Delegate.CreateDelegate(typeof(Func<IActorRuntime, Task>), m);
        if (m.ReturnType == typeof(void))
        {
            var action = (Action<IActorRuntime>)Delegate.CreateDelegate(typeof(Action<IActorRuntime>), m);
            return rt => { action(rt); return Task.CompletedTask; };
        }
        throw new InvalidOperationException($"test {m.DeclaringType?.Name}.{m.Name} must return void or Task");
    }
}
