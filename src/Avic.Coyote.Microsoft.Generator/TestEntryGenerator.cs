using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Avic.Coyote.Microsoft.Generator;

/// <summary>
/// Writes one <c>[Microsoft.Coyote.SystematicTesting.Test]</c> entry point for every <c>[Avic.Coyote.Testing.Test]</c>
/// method of the assemblies the project references. Each entry point runs the test through
/// <c>CoyoteExecution.Run</c> with the test's own step bound and memory model, in Coyote's actor runtime (the method's
/// parameter), so our actors become Coyote actors. Coyote's [Test] has no per-test
/// settings, so they travel in the generated call. Names follow <see cref="CoyoteNames"/>; two tests with the same
/// generated name are a compile error (AVC001).
/// </summary>
[Generator]
public sealed class TestEntryGenerator : IIncrementalGenerator
{
    private const string OurTestAttribute = "Avic.Coyote.Testing.TestAttribute";

    private static readonly DiagnosticDescriptor Collision = new(
        "AVC001", "Two tests map to one Coyote method", "Tests '{0}' and '{1}' both map to the Coyote method {2}; rename one",
        "Avic.Coyote", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var tests = context.CompilationProvider.Select(static (compilation, _) => FindTests(compilation));
        context.RegisterSourceOutput(tests, static (spc, found) => Emit(spc, found));
    }

    private sealed class Found(string name, string target, bool returnsVoid, int maxSteps, int memoryModel)
    {
        public string Name { get; } = name;
        public string Target { get; } = target;
        public bool ReturnsVoid { get; } = returnsVoid;
        public int MaxSteps { get; } = maxSteps;
        public int MemoryModel { get; } = memoryModel;
    }

    private static List<Found> FindTests(Compilation compilation)
    {
        var found = new List<Found>();
        foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            string name = assembly.Identity.Name;
            if (name.StartsWith("System", System.StringComparison.Ordinal) || name.StartsWith("Microsoft", System.StringComparison.Ordinal) ||
                name == "mscorlib" || name == "netstandard")
                continue;
            Visit(assembly.GlobalNamespace, found);
        }
        return found;
    }

    private static void Visit(INamespaceOrTypeSymbol container, List<Found> found)
    {
        foreach (ISymbol member in container.GetMembers())
        {
            if (member is INamespaceOrTypeSymbol nested) Visit(nested, found);
            if (member is not IMethodSymbol { IsStatic: true, DeclaredAccessibility: Accessibility.Public } method) continue;
            AttributeData? attr = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == OurTestAttribute);
            if (attr is null || !IsPublic(method.ContainingType)) continue;

            string? testName = null;
            int maxSteps = 0, memoryModel = 0;
            foreach (var arg in attr.NamedArguments)
            {
                switch (arg.Key)
                {
                    case "Name": testName = arg.Value.Value as string; break;
                    case "MaxSteps": maxSteps = arg.Value.Value is int m ? m : 0; break;
                    case "MemoryModel": memoryModel = arg.Value.Value is int mm ? mm : 0; break;
                }
            }
            // As TestCatalog: the default name is Class.Method.
            testName ??= method.ContainingType.Name + "." + method.Name;
            string target = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name;
            found.Add(new Found(testName, target, method.ReturnsVoid, maxSteps, memoryModel));
        }
    }

    private static bool IsPublic(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.ContainingType)
            if (type.DeclaredAccessibility != Accessibility.Public) return false;
        return true;
    }

    private static void Emit(SourceProductionContext spc, List<Found> tests)
    {
        var byMethod = new Dictionary<string, Found>();
        var classes = new SortedDictionary<string, List<(string Method, Found Test)>>(System.StringComparer.Ordinal);
        foreach (Found t in tests.OrderBy(t => t.Name, System.StringComparer.Ordinal))
        {
            var (type, method) = CoyoteNames.Of(t.Name);
            string key = type + "." + method;
            if (byMethod.TryGetValue(key, out Found? other))
            {
                spc.ReportDiagnostic(Diagnostic.Create(Collision, Location.None, other.Name, t.Name, key));
                continue;
            }
            byMethod[key] = t;
            if (!classes.TryGetValue(type, out var list)) classes[type] = list = new();
            list.Add((method, t));
        }

        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated> by Avic.Coyote.Microsoft.Generator: one Coyote entry point per bundled test. </auto-generated>");
        sb.AppendLine("#nullable enable");
        foreach (var c in classes)
        {
            sb.AppendLine($"/// <summary>Microsoft.Coyote entry points of the {c.Key} tests (`dotnet coyote test <dll> -m {c.Key}.Name`).</summary>");
            sb.AppendLine($"public static partial class {c.Key}");
            sb.AppendLine("{");
            foreach (var (method, t) in c.Value)
            {
                string entry = t.ReturnsVoid
                    ? $"rt => {{ {t.Target}(rt); return global::System.Threading.Tasks.Task.CompletedTask; }}"
                    : t.Target;
                sb.AppendLine($"    /// <summary>{Escape(t.Name)}</summary>");
                sb.AppendLine("    [global::Microsoft.Coyote.SystematicTesting.Test]");
                sb.AppendLine($"    public static void {method}(global::Microsoft.Coyote.Actors.IActorRuntime runtime) => " +
                              $"global::Avic.Coyote.Microsoft.CoyoteExecution.Run({entry}, {t.MaxSteps}, " +
                              $"(global::Avic.Coyote.MemoryModel){t.MemoryModel}, actors: runtime);");
            }
            sb.AppendLine("}");
        }

        sb.AppendLine("namespace Avic.Coyote.Models.Coyote");
        sb.AppendLine("{");
        sb.AppendLine("    /// <summary>Our test name → the generated Coyote method (Class.Method), in name order.</summary>");
        sb.AppendLine("    public static class GeneratedTests");
        sb.AppendLine("    {");
        sb.AppendLine("        public static readonly (string Test, string Method)[] All =");
        sb.AppendLine("        {");
        foreach (var kv in byMethod.OrderBy(k => k.Value.Name, System.StringComparer.Ordinal))
            sb.AppendLine($"            (\"{Escape(kv.Value.Name)}\", \"{kv.Key}\"),");
        sb.AppendLine("        };");
        sb.AppendLine("    }");
        sb.AppendLine("}");
        spc.AddSource("CoyoteTests.g.cs", sb.ToString());
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("<", "&lt;").Replace(">", "&gt;");
}
