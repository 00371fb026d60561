// kernel-diff's comparison: each recorded function (Avic.Coyote.Models.KernelSources) is looked up
// in a local kernel tree, first in its recorded file, then anywhere in the tree.
using Avic.Coyote.Models;

namespace Avic.Coyote.Cli.Kernel;

public enum DriftStatus
{
    /// <summary>Found in its file with the recorded fingerprint.</summary>
    Unchanged,
    /// <summary>Found in its file with another fingerprint: the code changed, the model may be stale.</summary>
    Changed,
    /// <summary>Not in its file (or the file is gone) but defined in another file of the tree.</summary>
    Moved,
    /// <summary>Defined nowhere in the tree.</summary>
    Missing,
    /// <summary>No fingerprint was recorded (the model follows a newer tree or a patch); only its presence is reported.</summary>
    NoBaseline,
}

/// <summary>The outcome for one function; <see cref="FoundIn"/> and <see cref="Fingerprint"/> describe the tree's definition.</summary>
public sealed record DriftResult(KernelSource Source, DriftStatus Status, string? FoundIn, string? Fingerprint);

/// <summary>A kernel source tree on disk: the root holding the top-level Makefile and arch/.</summary>
public sealed class KernelTree
{
    private readonly Dictionary<string, string?> files = new(StringComparer.Ordinal);

    private KernelTree(string root) => Root = root;

    public string Root { get; }

    /// <summary>Opens <paramref name="root"/>; an unusable path is an <see cref="InputException"/>.</summary>
    public static KernelTree Open(string root, string shown)
    {
        if (!Directory.Exists(root))
            throw new InputException(File.Exists(root) ? $"{shown}: not a directory (give the root of a kernel source tree)" : $"{shown}: no such directory");
        if (!File.Exists(Path.Combine(root, "Makefile")) || !Directory.Exists(Path.Combine(root, "arch")))
            throw new InputException($"{shown}: not a kernel tree (no top-level Makefile and arch/ directory; give the root of the kernel source)");
        return new KernelTree(root);
    }

    /// <summary>"6.12.0" from the Makefile's VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION, or null.</summary>
    public string? Version()
    {
        var v = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(Root, "Makefile")).Take(20))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) v[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return v.TryGetValue("VERSION", out string? major) && v.TryGetValue("PATCHLEVEL", out string? minor)
            ? $"{major}.{minor}.{v.GetValueOrDefault("SUBLEVEL", "0")}{v.GetValueOrDefault("EXTRAVERSION", "")}"
            : null;
    }

    /// <summary>The commit checked out, when the tree is a plain git clone (.git directory), or null.</summary>
    public string? GitCommit()
    {
        string git = Path.Combine(Root, ".git");
        string headFile = Path.Combine(git, "HEAD");
        if (!File.Exists(headFile)) return null;
        string head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head;
        string reference = head[5..];
        string loose = Path.Combine(git, reference);
        if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
        string packed = Path.Combine(git, "packed-refs");
        if (!File.Exists(packed)) return null;
        return File.ReadLines(packed).Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == reference)?[0];
    }

    /// <summary>The text of <paramref name="relativePath"/> ('/'-separated), or null when there is no such file.</summary>
    public string? Read(string relativePath)
    {
        if (!files.TryGetValue(relativePath, out string? text))
        {
            string full = Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
            files[relativePath] = text = File.Exists(full) ? File.ReadAllText(full) : null;
        }
        return text;
    }

    /// <summary>Every .c and .h file of the tree, '/'-separated, in ordinal order (.git skipped).</summary>
    public IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".c", StringComparison.Ordinal) || f.EndsWith(".h", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.StartsWith(".git/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}

public static class KernelDrift
{
    /// <summary>Looks every source up in <paramref name="tree"/>, in the order given.</summary>
    public static IReadOnlyList<DriftResult> Compare(KernelTree tree, IReadOnlyList<KernelSource> sources)
    {
        var here = new Dictionary<KernelSource, string?>();
        foreach (KernelSource s in sources)
            here[s] = tree.Read(s.File) is { } text ? CSource.FingerprintOf(text, s.Function) : null;

        // Recorded functions not in their file: one pass over the tree (reads every .c/.h, ~20 s for a full
        // kernel), first defining file in path order. Functions without a baseline are only looked for in their file.
        var elsewhere = new Dictionary<string, (string File, string Fingerprint)>(StringComparer.Ordinal);
        var wanted = sources.Where(s => here[s] is null && s.Fingerprint is not null).Select(s => s.Function).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count > 0)
        {
            foreach (string file in tree.SourceFiles())
            {
                string text = tree.Read(file)!;
                foreach (string name in wanted.Where(n => !elsewhere.ContainsKey(n) && text.Contains(n + "(", StringComparison.Ordinal)).ToList())
                    if (CSource.FingerprintOf(text, name) is { } fp) elsewhere[name] = (file, fp);
                if (elsewhere.Count == wanted.Count) break;
            }
        }

        var results = new List<DriftResult>(sources.Count);
        foreach (KernelSource s in sources)
        {
            if (here[s] is { } fp)
            {
                DriftStatus st = s.Fingerprint is null ? DriftStatus.NoBaseline : fp == s.Fingerprint ? DriftStatus.Unchanged : DriftStatus.Changed;
                results.Add(new DriftResult(s, st, s.File, fp));
            }
            else if (elsewhere.TryGetValue(s.Function, out var moved))
                results.Add(new DriftResult(s, s.Fingerprint is null ? DriftStatus.NoBaseline : DriftStatus.Moved, moved.File, moved.Fingerprint));
            else
                results.Add(new DriftResult(s, s.Fingerprint is null ? DriftStatus.NoBaseline : DriftStatus.Missing, null, null));
        }
        return results;
    }
}
