using Avic.Coyote.Cli.Kernel;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Models;

namespace Avic.Coyote.Cli.Commands;

/// <summary>
/// `coyote kernel-diff --kernel PATH`: which modelled kernel functions (KernelSources) are unchanged,
/// changed, moved or missing in a local kernel tree, so a kernel developer knows when a model is stale.
/// </summary>
public static class KernelDiffCommand
{
    private static readonly OptionSpec KernelPath = new("--kernel", "-k", OptionKind.String,
        "root of a kernel source tree (the directory with the top-level Makefile)", "PATH");

    private static readonly OptionSpec Fingerprints = new("--fingerprints", null, OptionKind.Flag,
        "also print each function's fingerprint in this tree (to update KernelSources.cs after re-checking a model)");

    public static readonly CommandInfo Info = new("kernel-diff", "--kernel PATH", 0,
        "compare the modelled kernel functions with a kernel tree (changed, moved, missing)", [KernelPath, Fingerprints], Run,
        "Exit 0: every recorded function is unchanged; 1: drift (changed, moved or missing); 2: usage error or not a kernel tree.");

    public static int Run(ParsedArgs args, CliContext context)
    {
        string path = args.GetString(KernelPath.Long)
            ?? throw new UsageException("kernel-diff needs --kernel PATH (the root of a kernel source tree)", args.Command);
        return Diff(path, context, KernelSources.All, KernelSources.Checked, args.Has(Fingerprints.Long));
    }

    /// <summary>Compares the tree at <paramref name="path"/> with <paramref name="sources"/> and prints the table; the exit code.</summary>
    public static int Diff(string path, CliContext context, IReadOnlyList<KernelSource> sources, string recordedAgainst, bool withPrints)
    {
        KernelTree tree = KernelTree.Open(context.Resolve(path), path);
        IReadOnlyList<DriftResult> results = KernelDrift.Compare(tree, sources);

        TextWriter o = context.Out;
        string version = tree.Version() is { } v ? $"Linux {v}" : "no version in Makefile";
        string commit = tree.GitCommit() is { } c ? $", commit {c[..Math.Min(12, c.Length)]}" : "";
        o.WriteLine($"kernel-diff: {path} ({version}{commit})");
        o.WriteLine($"recorded against: {recordedAgainst}");
        o.WriteLine();
        var table = withPrints
            ? new TextTable("function", "file", "status", "detail", "fingerprint here")
            : new TextTable("function", "file", "status", "detail");
        foreach (DriftResult r in results)
        {
            string status = r.Status switch
            {
                DriftStatus.NoBaseline => "no baseline",
                _ => r.Status.ToString().ToLowerInvariant(),
            };
            string detail = Detail(r);
            if (withPrints) table.Add(r.Source.Function, r.Source.File, status, detail, r.Fingerprint ?? "-");
            else table.Add(r.Source.Function, r.Source.File, status, detail);
        }
        table.Write(o);
        o.WriteLine();
        int Count(DriftStatus s) => results.Count(r => r.Status == s);
        int drift = Count(DriftStatus.Changed) + Count(DriftStatus.Moved) + Count(DriftStatus.Missing);
        o.WriteLine($"{results.Count} functions: {Count(DriftStatus.Unchanged)} unchanged, {Count(DriftStatus.Changed)} changed, " +
                    $"{Count(DriftStatus.Moved)} moved, {Count(DriftStatus.Missing)} missing, {Count(DriftStatus.NoBaseline)} without a baseline");
        if (drift > 0) o.WriteLine("drift: re-check the models named above against this tree, then record the new fingerprints (--fingerprints) in models/Avic.Coyote.Models/KernelSources.cs");
        return drift > 0 ? ExitCode.BugFound : ExitCode.Ok;
    }

    private static string Detail(DriftResult r) => r.Status switch
    {
        DriftStatus.Unchanged => r.Source.Model,
        DriftStatus.Changed => $"text changed ({r.Source.Fingerprint} -> {r.Fingerprint}); model {r.Source.Model}",
        DriftStatus.Moved => $"now in {r.FoundIn}{(r.Fingerprint == r.Source.Fingerprint ? ", same text" : ", text changed")}; model {r.Source.Model}",
        DriftStatus.Missing => $"defined nowhere in the tree; model {r.Source.Model}",
        _ => $"{(r.FoundIn is null ? "not in its file" : "present")} ({r.Source.Note}); model {r.Source.Model}",
    };
}
