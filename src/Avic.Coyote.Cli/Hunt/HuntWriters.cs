using Avic.Coyote.Strategies;
using System.Globalization;
using System.Text;
using System.Xml;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Hunt;

/// <summary>Writes a hunt report's folder: report.json, summary.md and junit.xml (the schedules are already there).</summary>
public static class HuntWriters
{
    /// <summary>Writes the three report files into <paramref name="outputDirectory"/> (as the user typed it).</summary>
    public static void WriteAll(CliContext context, string outputDirectory, HuntReport report)
    {
        WriteAll(context, outputDirectory, report, [], []);
    }

    /// <summary>
    /// Writes the three report files and <paramref name="bugFiles"/> as one set, replacing <paramref name="obsolete"/>
    /// (an earlier hunt's results) only once everything new is written in full.
    /// </summary>
    public static void WriteAll(CliContext context, string outputDirectory, HuntReport report,
        IReadOnlyList<(string Path, string Text)> bugFiles, IReadOnlyList<string> obsolete)
    {
        BugFiles.Commit(context, outputDirectory,
        [
            .. bugFiles,
            (Path.Combine(outputDirectory, HuntReport.JsonFile), report.ToJson()),
            (Path.Combine(outputDirectory, HuntReport.MarkdownFile), Markdown(report, outputDirectory)),
            (Path.Combine(outputDirectory, HuntReport.JUnitFile), JUnit(report)),
        ], "the hunt report", obsolete);
    }

    /// <summary>One line per run ("shard 1/4: budget 20m, 4 threads, seed 1, 40 units, ran 20m 1s").</summary>
    public static string RunLine(HuntRun r) =>
        $"shard {r.Shard}: budget {HuntBudget.Format(TimeSpan.FromSeconds(r.BudgetSeconds))}, {r.Parallel} thread{(r.Parallel == 1 ? "" : "s")}, " +
        $"seed {r.Seed}, max steps {Numbers.Count(r.MaxSteps)}, {Numbers.Count(r.Units)} units, ran {HuntBudget.Format(TimeSpan.FromSeconds(r.ElapsedSeconds))}" +
        (r.Filter is null ? "" : $", filter '{r.Filter}'") + (r.Canceled ? " (INTERRUPTED by Ctrl-C)" : "");

    /// <summary>The console and Markdown table: one row per test.</summary>
    public static TextTable Table(HuntReport report)
    {
        var table = new TextTable("test", "expected", "units", "iterations", "steps", "bugs", "verdict");
        foreach (HuntTestResult t in report.Tests)
            table.Add(t.Name, t.ExpectationText, Numbers.Count(t.Units), Numbers.Count(t.Iterations), Numbers.Count(t.Steps),
                Numbers.Count(t.Bugs.Count), $"{t.VerdictLabel}: {t.Reason}");
        return table;
    }

    public static string Headline(HuntReport r) =>
        (r.Interrupted ? "INTERRUPTED (Ctrl-C): " : "") +
        $"{r.Tests.Count} test{(r.Tests.Count == 1 ? "" : "s")}: {r.Tests.Count(t => t.Ok)} as expected, {r.FailedTests} failed" +
        (r.UnfinishedTests > 0 ? $", {r.UnfinishedTests} not run or cut short" : "") +
        $"; {r.DistinctBugs} distinct bug{(r.DistinctBugs == 1 ? "" : "s")}";

    public static string Markdown(HuntReport report, string shownDirectory)
    {
        var md = new StringWriter { NewLine = "\n" };
        md.WriteLine($"# coyote hunt: {Headline(report)}");
        md.WriteLine();
        foreach (HuntRun run in report.Runs) md.WriteLine($"- {RunLine(run)}");
        if (report.MissingShards.Count > 0)
            md.WriteLine($"- **shards missing from this merge: {string.Join(", ", report.MissingShards)}** (their units were not run)");
        md.WriteLine();
        Table(report).WriteMarkdown(md);
        if (report.DistinctBugs == 0) return md.ToString();
        md.WriteLine();
        md.WriteLine("## Bugs");
        foreach (HuntTestResult t in report.Tests)
        {
            foreach (HuntBug b in t.Bugs)
            {
                md.WriteLine();
                md.WriteLine($"- **{t.Name}** `{b.Kind}`{(b.Operation is null ? "" : $" in `{b.Operation}`")}: {b.Message}");
                md.WriteLine($"  found {Numbers.Count(b.Occurrences)} time{(b.Occurrences == 1 ? "" : "s")}; first by {StrategyRegistry.Label(b.Strategy, b.StrategyValue)}" +
                             $" seed {b.Seed}, iteration {b.Iteration + 1}, step {b.Step}" +
                             (b.StepsBeforeMinimizing is { } before ? $" (minimized from {before} steps)" : ""));
                if (b.Schedule is not null)
                    md.WriteLine($"  schedule `{b.Schedule}`, trace `{b.Trace}`; replay: `./coyote replay {Path.Combine(shownDirectory, b.Schedule)}`");
            }
        }
        return md.ToString();
    }

    /// <summary>
    /// JUnit XML: one testcase per model test, a failure exactly where the verdict is "failed", the
    /// figures as properties and in system-out (CI test reporters show one or the other).
    /// </summary>
    public static string JUnit(HuntReport report)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        using (var sw = new StringWriterUtf8(text))
        using (XmlWriter x = XmlWriter.Create(sw, settings))
        {
            string time = Seconds(report.Runs.Count == 0 ? 0 : report.Runs.Max(r => r.ElapsedSeconds));
            x.WriteStartElement("testsuites");
            x.WriteAttributeString("name", "coyote hunt");
            x.WriteAttributeString("tests", Count(report.Tests.Count));
            x.WriteAttributeString("failures", Count(report.FailedTests));
            x.WriteAttributeString("errors", "0");
            x.WriteAttributeString("time", time);
            x.WriteStartElement("testsuite");
            x.WriteAttributeString("name", "coyote hunt");
            x.WriteAttributeString("tests", Count(report.Tests.Count));
            x.WriteAttributeString("failures", Count(report.FailedTests));
            x.WriteAttributeString("errors", "0");
            x.WriteAttributeString("skipped", Count(report.UnfinishedTests));
            x.WriteAttributeString("time", time);
            foreach (HuntTestResult t in report.Tests)
            {
                x.WriteStartElement("testcase");
                int dot = t.Name.LastIndexOf('.');
                x.WriteAttributeString("classname", dot > 0 ? t.Name[..dot] : "coyote");
                x.WriteAttributeString("name", t.Name);
                x.WriteAttributeString("time", Seconds(t.Seconds));
                x.WriteStartElement("properties");
                Property(x, "expectation", t.ExpectationText);
                Property(x, "units", Count(t.Units));
                Property(x, "iterations", Count(t.Iterations));
                Property(x, "steps", Count(t.Steps));
                Property(x, "distinctBugs", Count(t.Bugs.Count));
                Property(x, "strategies", string.Join(" ", t.Strategies));
                Property(x, "proved", t.Proved ? "true" : "false");
                x.WriteEndElement();
                if (t.Unfinished)
                {
                    x.WriteStartElement("skipped");
                    x.WriteAttributeString("message", Clean(t.Reason));
                    x.WriteEndElement();
                }
                else if (!t.Ok)
                {
                    x.WriteStartElement("failure");
                    x.WriteAttributeString("message", Clean(t.Reason));
                    x.WriteAttributeString("type", t.Expect == Expectation.Pass ? "UnexpectedBug" : "ExpectedBugNotFound");
                    x.WriteString(Clean(Details(t)));
                    x.WriteEndElement();
                }
                x.WriteElementString("system-out", Clean(Details(t)));
                x.WriteEndElement();
            }
            x.WriteEndElement();
            x.WriteEndElement();
        }
        return text.Append('\n').ToString();
    }

    private static string Details(HuntTestResult t)
    {
        var s = new StringBuilder();
        s.Append($"expected: {t.ExpectationText}\nverdict: {t.Verdict}: {t.Reason}\n");
        s.Append($"units: {t.Units}, iterations: {t.Iterations}, steps: {t.Steps}, strategies: {string.Join(", ", t.Strategies)}\n");
        foreach (HuntBug b in t.Bugs)
            s.Append($"bug: {b.Kind}{(b.Invariant is null ? "" : " " + b.Invariant)}{(b.Operation is null ? "" : $" in '{b.Operation}'")}: {b.Message} (x{b.Occurrences}; schedule {b.Schedule ?? "-"})\n");
        return s.ToString();
    }

    private static void Property(XmlWriter x, string name, string value)
    {
        x.WriteStartElement("property");
        x.WriteAttributeString("name", name);
        x.WriteAttributeString("value", Clean(value));
        x.WriteEndElement();
    }

    /// <summary>Drops characters XML 1.0 cannot hold (bug messages may quote arbitrary model strings).</summary>
    private static string Clean(string s) => s.All(XmlConvert.IsXmlChar) ? s : new string(s.Where(XmlConvert.IsXmlChar).ToArray());

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A StringWriter that declares UTF-8 (the file is written as UTF-8), not UTF-16.</summary>
    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
