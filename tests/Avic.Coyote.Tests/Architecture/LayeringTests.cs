using System.Text.RegularExpressions;
using Avic.Coyote.Runtime;
using Avic.Coyote.Tests.Architecture.Synthetic.High;
using Avic.Coyote.Tests.Architecture.Synthetic.Low;

namespace Avic.Coyote.Tests.Architecture;

/// <summary>
/// The engine's folders import downward only (docs/engine-layering.md). A folder is a namespace; the ground floor,
/// Core/, is the root namespace Avic.Coyote, so everything above sees it without an import.
/// </summary>
public sealed class LayeringTests
{
    private const string Root = "Avic.Coyote";

    /// <summary>Bottom up: each folder and the folders below it that it may use.</summary>
    public static readonly Layer[] Engine =
    [
        new(Root),
        new($"{Root}.Runtime", Root),
        new($"{Root}.Sync", Root, $"{Root}.Runtime"),
        new($"{Root}.Actors", Root, $"{Root}.Runtime"),
        new($"{Root}.Specifications", Root, $"{Root}.Runtime", $"{Root}.Actors"),
        // Exhaustive search reads the runtime only for what a model declares to it (Symmetry.Declare, StateHashing).
        new($"{Root}.Strategies.Exhaustive", Root, $"{Root}.Runtime"),
        new($"{Root}.Strategies.Exhaustive.Parallel", Root, $"{Root}.Strategies.Exhaustive"),
        new($"{Root}.Strategies", Root, $"{Root}.Strategies.Exhaustive", $"{Root}.Strategies.Exhaustive.Parallel"),
        new($"{Root}.Strategies.Exhaustive.Stateful", Root, $"{Root}.Runtime", $"{Root}.Strategies", $"{Root}.Strategies.Exhaustive"),
        new($"{Root}.Testing", Root, $"{Root}.Runtime", $"{Root}.Sync", $"{Root}.Actors", $"{Root}.Specifications",
            $"{Root}.Strategies", $"{Root}.Strategies.Exhaustive", $"{Root}.Strategies.Exhaustive.Parallel",
            $"{Root}.Strategies.Exhaustive.Stateful"),
        new($"{Root}.Minimization", Root, $"{Root}.Runtime", $"{Root}.Strategies", $"{Root}.Strategies.Exhaustive", $"{Root}.Testing"),
        new($"{Root}.Reports", Root, $"{Root}.Runtime", $"{Root}.Sync", $"{Root}.Strategies", $"{Root}.Testing", $"{Root}.Minimization"),
    ];

    /// <summary>Upward references tolerated for now: none (bug identity, BugSignature, moved down into Testing). Add nothing.</summary>
    public static readonly UpwardReference[] KnownUpward = [];

    [Fact]
    public void Engine_folders_import_downward_only()
    {
        var (upward, unknown) = LayerChecker.Check(typeof(ControlledRuntime).Assembly, Root, Engine);
        Assert.True(unknown.Count == 0, $"folders missing from the layering (add them here and to docs/engine-layering.md): {string.Join(", ", unknown)}");
        var unexpected = upward.Except(KnownUpward).ToList();
        Assert.True(unexpected.Count == 0, "upward imports:\n" + string.Join("\n", unexpected));
    }

    [Fact]
    public void The_checker_flags_a_synthetic_upward_reference_even_inside_a_method_body()
    {
        Layer[] synthetic =
        [
            new("Avic.Coyote.Tests.Architecture.Synthetic.Low"),
            new("Avic.Coyote.Tests.Architecture.Synthetic.High", "Avic.Coyote.Tests.Architecture.Synthetic.Low"),
        ];
        var (upward, unknown) = LayerChecker.Check(typeof(LayeringTests).Assembly, "Avic.Coyote.Tests.Architecture.Synthetic", synthetic);
        Assert.Empty(unknown);
        Assert.Equal(
        [
            new UpwardReference(typeof(ReachesUp).FullName!, typeof(Roof).FullName!),
            new UpwardReference(typeof(ReachesUpInABody).FullName!, typeof(Roof).FullName!),
        ], upward);
    }

    [Fact]
    public void Every_source_file_declares_the_namespace_of_its_folder()
    {
        string src = Path.Combine(RepoRoot(), "src", "Avic.Coyote");
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(src, f)))
        {
            string folder = Path.GetRelativePath(src, Path.GetDirectoryName(file)!);
            string expected = folder == "Core" ? Root : $"{Root}.{folder.Replace(Path.DirectorySeparatorChar, '.')}";
            Match ns = Regex.Match(File.ReadAllText(file), @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline);
            Assert.True(ns.Success && ns.Groups[1].Value == expected,
                $"{Path.GetRelativePath(src, file)} declares namespace {(ns.Success ? ns.Groups[1].Value : "(none)")}, its folder's is {expected}");
        }
    }

    /// <summary>Words of the modelled system the engine must not know (comments and examples included).</summary>
    private static readonly string[] ModelWords = ["apic", "kvm", "vcpu", "memslot", "srcu", "doorbell", "iommu", "irq", "vmcb", "vmexit", "hypervisor", "guest"];

    /// <summary>Files still to be cleaned: none.</summary>
    private static readonly string[] NotYetClean = [];

    [Fact]
    public void The_engine_knows_no_word_of_the_modelled_system()
    {
        string src = Path.Combine(RepoRoot(), "src", "Avic.Coyote");
        var hits = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(src, f)))
        {
            string relative = Path.GetRelativePath(src, file);
            if (NotYetClean.Contains(relative)) continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                foreach (string word in ModelWords)
                    if (lines[i].Contains(word, StringComparison.OrdinalIgnoreCase)) hits.Add($"{relative}:{i + 1}: {word}: {lines[i].Trim()}");
        }
        Assert.True(hits.Count == 0, string.Join("\n", hits));
    }

    [Fact]
    public void The_runtime_its_features_and_the_reports_read_no_message_text_with_regular_expressions()
    {
        foreach (string ns in new[] { Root, $"{Root}.Runtime", $"{Root}.Sync", $"{Root}.Actors", $"{Root}.Specifications", $"{Root}.Reports" })
            Assert.DoesNotContain("System.Text.RegularExpressions", LayerChecker.ExternalNamespacesUsedBy(typeof(ControlledRuntime).Assembly, ns));
    }

    private static bool IsBuildOutput(string src, string file)
    {
        string first = Path.GetRelativePath(src, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Avic.Coyote.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Avic.Coyote.sln) above " + AppContext.BaseDirectory);
    }
}
