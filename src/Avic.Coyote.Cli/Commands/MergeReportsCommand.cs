using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;

namespace Avic.Coyote.Cli.Commands;

/// <summary>
/// `coyote merge-reports DIR... -o OUT`: joins the report.json of several hunt shards into one report
/// (report.json, summary.md, junit.xml) with the failing schedules copied next to it, renumbered.
/// </summary>
public static class MergeReportsCommand
{
    private static readonly OptionSpec Outdir = new("--outdir", "-o", OptionKind.String,
        "where the merged report and schedules go; default: coyote-out/hunt-merged", "DIR");

    public static readonly CommandInfo Info = new("merge-reports", "DIR...", int.MaxValue,
        "merge the report.json of hunt shards (folders or report.json files) into one report", [Outdir], Run,
        "Exit 0: every test met its expectation in the merged data; 1: some did not; 2: a report is missing or invalid.");

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count == 0)
            throw new UsageException("merge-reports needs at least one hunt folder or report.json (e.g. hunt-out/shard-*)", args.Command);
        string outdir = args.GetString(Outdir.Long) ?? Path.Combine("coyote-out", "hunt-merged");

        var inputs = new List<(HuntReport, string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string arg in args.Positionals)
        {
            string full = context.Resolve(arg);
            (string file, string shown) = Directory.Exists(full)
                ? (Path.Combine(full, HuntReport.JsonFile), Path.Combine(arg, HuntReport.JsonFile))
                : (full, arg);
            if (!File.Exists(file)) throw new InputException($"{shown}: no such file (expected a hunt report.json or a folder holding one)");
            if (!seen.Add(file))
                throw new UsageException($"{shown} is given twice; each shard's report may be merged once", args.Command);
            inputs.Add((HuntReport.Load(file, shown), Path.GetDirectoryName(file)!, shown));
        }

        string target = context.Resolve(outdir).TrimEnd('/', '\\');
        if (inputs.Any(i => string.Equals(i.Item2.TrimEnd('/', '\\'), target, StringComparison.Ordinal)))
            throw new UsageException($"-o {outdir} is one of the folders being merged; choose another output folder", args.Command);
        (HuntReport merged, Dictionary<HuntBug, string> bugDirs) = ReportMerger.Merge(inputs);
        var files = new List<(string Path, string Text)>();
        foreach (HuntTestResult t in merged.Tests)
        {
            t.Bugs.Sort((a, b) => string.CompareOrdinal(a.Signature, b.Signature));
            for (int n = 1; n <= t.Bugs.Count; n++) CopyFiles(context, outdir, t.Name, n, t.Bugs[n - 1], bugDirs[t.Bugs[n - 1]], files);
        }
        HuntWriters.WriteAll(context, outdir, merged, files, HuntCommand.OldResults(context, outdir));

        TextWriter o = context.Out;
        o.WriteLine($"merged {inputs.Count} report{(inputs.Count == 1 ? "" : "s")}:");
        foreach (HuntRun run in merged.Runs) o.WriteLine($"  {HuntWriters.RunLine(run)}");
        if (merged.MissingShards.Count > 0)
            context.Error.WriteLine($"coyote: warning: shards missing from this merge: {string.Join(", ", merged.MissingShards)} (their units did not run)");
        if (merged.Runs.Select(r => (r.Parallel, r.Seed)).Distinct().Count() > 1)
            context.Error.WriteLine("coyote: warning: the runs used different -p or --seed values, so their units are not one plan's shards");
        o.WriteLine();
        HuntWriters.Table(merged).Write(o);
        o.WriteLine();
        o.WriteLine(HuntWriters.Headline(merged));
        o.WriteLine($"report: {Path.Combine(outdir, HuntReport.JsonFile)}, {Path.Combine(outdir, HuntReport.MarkdownFile)}, {Path.Combine(outdir, HuntReport.JUnitFile)}");
        return merged.FailedTests > 0 ? ExitCode.BugFound : ExitCode.Ok;
    }

    /// <summary>Adds the bug's schedule and trace, as TEST.n.*, to <paramref name="files"/>; a file that is gone is dropped from the report with a warning.</summary>
    private static void CopyFiles(CliContext context, string outdir, string test, int n, HuntBug bug, string fromDir, List<(string, string)> files)
    {
        string stem = $"{BugFiles.FileName(test)}.{n}";
        bug.Schedule = Copy(bug.Schedule, stem + ".schedule");
        bug.Trace = Copy(bug.Trace, stem + ".trace.txt");

        string? Copy(string? name, string to)
        {
            if (name is null) return null;
            string source = Path.Combine(fromDir, name);
            if (!File.Exists(source))
            {
                context.Error.WriteLine($"coyote: warning: {source}: missing; the merged report has no copy of it");
                return null;
            }
            try { files.Add((Path.Combine(outdir, to), File.ReadAllText(source))); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException($"{source}: cannot read: {e.Message}");
            }
            return to;
        }
    }
}
