using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Reports;

/// <summary>What the picture's header says about the execution (all optional but the test name).</summary>
public sealed record TraceHeader
{
    public required string Test { get; init; }
    public string? Assembly { get; init; }
    public string? Strategy { get; init; }
    public ulong? Seed { get; init; }
    public int? Iteration { get; init; }
    public BugReport? Bug { get; init; }

    /// <summary>Operation names by id: the lanes, in this order (operations only seen in the trace are appended).</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];

    /// <summary>Steps that preempt a still-enabled operation (see Minimization.Preemptions), marked in the step column.</summary>
    public IReadOnlyCollection<int>? PreemptionSteps { get; init; }

    /// <summary>A free line shown under the header, e.g. "minimized from 95 steps / 41 preemptions".</summary>
    public string? Note { get; init; }

    public static TraceHeader From(ScheduleFile schedule, IReadOnlyCollection<int>? preemptionSteps = null, string? note = null) => new()
    {
        Test = schedule.Test,
        Assembly = schedule.Assembly,
        Strategy = schedule.Strategy,
        Seed = schedule.Seed,
        Iteration = schedule.Iteration,
        Bug = schedule.Bug,
        Operations = schedule.Operations,
        PreemptionSteps = preemptionSteps,
        Note = note,
    };
}

/// <summary>
/// Writes a trace as a self-contained HTML page: one lane (column) per operation, one row per
/// step, what each operation did in its lane, shared accesses coloured by kind, monitor states in
/// a right-hand column (hot rows tinted), and the bug row marked. Inline CSS only: no script, no
/// network, so it opens from a CI artifact or a mail attachment as is.
/// </summary>
public static partial class HtmlTraceWriter
{
    public static void Write(string path, IReadOnlyList<TraceEntry> trace, TraceHeader header) =>
        AtomicFiles.Write(path, Render(trace, header));

    public static string Render(IReadOnlyList<TraceEntry> trace, ScheduleFile schedule, IReadOnlyCollection<int>? preemptionSteps = null) =>
        Render(trace, TraceHeader.From(schedule, preemptionSteps));

    public static string Render(IReadOnlyList<TraceEntry> trace, TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(header);
        List<string> lanes = Lanes(trace, header.Operations);
        var laneOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < lanes.Count; i++) laneOf.TryAdd(lanes[i], i);
        int[] colour = Colours(lanes);
        // Monitors in order of first appearance: the right-hand column shows each one's state, in this order.
        List<string> monitorNames = trace.Select(e => MonitorEnters().Match(e.Text)).Where(m => m.Success)
            .Select(m => m.Groups["m"].Value).Distinct().ToList();
        bool hasMonitors = monitorNames.Count > 0;
        double[] monitorWidth = monitorNames.ConvertAll(name => MonitorColumnWidth(name, trace)).ToArray();
        // The monitor columns stick to the right edge, the last one outermost.
        var monitorStick = new string[monitorNames.Count];
        for (int i = monitorNames.Count - 1, right = 0; i >= 0; right += (int)Math.Ceiling(monitorWidth[i]), i--)
            monitorStick[i] = $" style=\"right:{right}em\"";
        var preempting = header.PreemptionSteps is null ? new HashSet<int>() : new HashSet<int>(header.PreemptionSteps);

        var html = new StringBuilder(4096 + trace.Count * 160);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(E($"{header.Test} — interleaving")).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        AppendHeader(html, header, trace, lanes.Count, preempting.Count);
        AppendLegend(html, hasMonitors, header.PreemptionSteps is not null);

        // Fixed layout: a lane keeps its width however long a line is (long lines wrap inside). Lanes share
        // the window's spare width (--u, never below 1em per weight unit); step and monitor columns are fixed.
        double fixedWidth = StepWidth + monitorWidth.Sum(w => Math.Ceiling(w)) + ScrollbarWidth;
        double weights = lanes.Sum(l => IsBuffer(l) ? BufferWidth : LaneWidth);
        html.Append("<table style=\"--u:max(1em, calc((100vw - ").Append(Em(fixedWidth)).Append(") / ").Append(Num(weights))
            .Append(")); width:calc(var(--u) * ").Append(Num(weights)).Append(" + ").Append(Em(fixedWidth - ScrollbarWidth)).Append(")\">\n")
            .Append("<colgroup><col style=\"width:").Append(Em(StepWidth)).Append("\">");
        foreach (string lane in lanes)
            html.Append("<col style=\"width:calc(var(--u) * ").Append(Num(IsBuffer(lane) ? BufferWidth : LaneWidth)).Append(")\">");
        foreach (double w in monitorWidth) html.Append("<col style=\"width:").Append(Em(Math.Ceiling(w))).Append("\">");
        html.Append("</colgroup>\n<thead><tr><th class=\"step\">step</th>");
        for (int i = 0; i < lanes.Count; i++)
            html.Append("<th class=\"lane c").Append(colour[i]).Append("\">").Append(E(lanes[i] == "-" ? "engine" : lanes[i]))
                .Append(Id(header.Operations, lanes[i])).Append("</th>");
        for (int i = 0; i < monitorNames.Count; i++)
            html.Append("<th class=\"mon\"").Append(monitorStick[i]).Append(" title=\"monitor ").Append(E(monitorNames[i])).Append("\">")
                .Append(E(monitorNames[i])).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");

        // State and hotness of each monitor (index as in monitorNames), updated as rows go by.
        var monitors = monitorNames.ConvertAll(_ => (State: "–", Hot: false));
        bool bugMarked = false;
        var cells = new List<string>?[lanes.Count];
        for (int start = 0; start < trace.Count;)
        {
            int step = trace[start].Step;
            int end = start;
            while (end < trace.Count && trace[end].Step == step) end++;

            Array.Clear(cells);
            bool bugRow = false;
            var changed = new HashSet<int>();
            for (int i = start; i < end; i++)
            {
                TraceEntry e = trace[i];
                bool isBug = e.Text.StartsWith("*** ", StringComparison.Ordinal);
                bugRow |= isBug;
                (cells[laneOf[e.Operation]] ??= new()).Add(Line(Shorten(e)));
                if (MonitorEnters().Match(e.Text) is { Success: true } m)
                {
                    int at = monitorNames.IndexOf(m.Groups["m"].Value);
                    monitors[at] = (m.Groups["s"].Value, m.Groups["t"].Value == "hot ");
                    changed.Add(at);
                }
            }
            start = end;

            bool hot = monitors.Exists(x => x.Hot);
            string rowClass = (bugRow ? "bug " : "") + (hot ? "hot" : "");
            html.Append("<tr");
            if (rowClass.Length > 0) html.Append(" class=\"").Append(rowClass.Trim()).Append('"');
            if (bugRow && !bugMarked)
            {
                html.Append(" id=\"bug\"");
                bugMarked = true;
            }
            html.Append("><td class=\"step").Append(preempting.Contains(step) ? " pre\" title=\"preemption: the previous operation could have continued" : "")
                .Append("\">").Append(step.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            for (int lane = 0; lane < lanes.Count; lane++)
            {
                if (cells[lane] is not { } lines)
                {
                    html.Append("<td></td>");
                    continue;
                }
                html.Append("<td class=\"on c").Append(colour[lane]).Append("\">");
                foreach (string line in lines) html.Append(line);
                html.Append("</td>");
            }
            for (int i = 0; i < monitors.Count; i++)
            {
                var (state, isHot) = monitors[i];
                html.Append("<td class=\"mon\"").Append(monitorStick[i]).Append("><span class=\"").Append(isHot ? "mh" : "mc")
                    .Append(changed.Contains(i) ? " ch" : "").Append("\">").Append(E(state)).Append(isHot ? " <b>hot</b>" : "").Append("</span></td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private const int Palette = 8;
    private const double StepWidth = 4, LaneWidth = 13, BufferWidth = 9, ScrollbarWidth = 2;

    private static string Num(double x) => x.ToString(CultureInfo.InvariantCulture);

    private static string Em(double x) => Num(x) + "em";

    /// <summary>Wide enough for the monitor's name or its longest state (plus " hot") on one line, within bounds.</summary>
    private static double MonitorColumnWidth(string monitor, IReadOnlyList<TraceEntry> trace)
    {
        int longest = monitor.Length;
        foreach (TraceEntry e in trace)
            if (MonitorEnters().Match(e.Text) is { Success: true } m && m.Groups["m"].Value == monitor)
                longest = Math.Max(longest, m.Groups["s"].Value.Length + 4);
        return Math.Clamp(0.62 * longest + 1, 7, 24); // DejaVu Sans Mono: a character is about 0.6em
    }

    private static string Id(IReadOnlyList<string> operations, string lane)
    {
        for (int i = 0; i < operations.Count; i++)
            if (operations[i] == lane) return $" <span class=\"id\">#{i}</span>";
        return "";
    }

    /// <summary>Operations in id order, each store buffer ("vcpu1.sb") right after its owner, then names only the trace has.</summary>
    private static List<string> Lanes(IReadOnlyList<TraceEntry> trace, IReadOnlyList<string> operations)
    {
        var lanes = new List<string>(operations);
        var seen = new HashSet<string>(operations, StringComparer.Ordinal);
        foreach (TraceEntry e in trace)
            if (seen.Add(e.Operation)) lanes.Add(e.Operation);
        foreach (string buffer in lanes.Where(l => l.EndsWith(".sb", StringComparison.Ordinal)).ToArray())
        {
            int owner = lanes.IndexOf(buffer[..^3]);
            if (owner < 0) continue;
            lanes.Remove(buffer);
            lanes.Insert(lanes.IndexOf(buffer[..^3]) + 1, buffer);
        }
        return lanes;
    }

    /// <summary>A colour per lane; a store buffer takes its owner's, so the pair reads as one CPU.</summary>
    private static int[] Colours(List<string> lanes)
    {
        var colour = new int[lanes.Count];
        int next = 0;
        for (int i = 0; i < lanes.Count; i++)
            colour[i] = IsBuffer(lanes[i]) && i > 0 && lanes[i - 1] == lanes[i][..^3] ? colour[i - 1] : next++ % Palette;
        return colour;
    }

    private static bool IsBuffer(string lane) => lane.EndsWith(".sb", StringComparison.Ordinal);

    private static void AppendHeader(StringBuilder html, TraceHeader h, IReadOnlyList<TraceEntry> trace, int lanes, int preemptions)
    {
        int steps = trace.Count == 0 ? 0 : trace[^1].Step;
        html.Append("<header>\n<h1>").Append(E(h.Test)).Append("</h1>\n<p class=\"facts\">");
        void Fact(string name, string? value)
        {
            if (value is not null) html.Append("<span><i>").Append(E(name)).Append("</i> ").Append(E(value)).Append("</span> ");
        }
        Fact("assembly", h.Assembly);
        Fact("strategy", h.Strategy);
        Fact("seed", h.Seed?.ToString(CultureInfo.InvariantCulture));
        Fact("iteration", h.Iteration?.ToString(CultureInfo.InvariantCulture));
        Fact("steps", steps.ToString(CultureInfo.InvariantCulture));
        Fact("operations", lanes.ToString(CultureInfo.InvariantCulture));
        if (h.PreemptionSteps is not null) Fact("preemptions", preemptions.ToString(CultureInfo.InvariantCulture));
        html.Append("</p>\n");
        if (h.Bug is { } bug)
            html.Append("<p class=\"bugmsg\"><b>").Append(E(bug.Kind.ToString())).Append("</b> at <a href=\"#bug\">step ")
                .Append(bug.Step.ToString(CultureInfo.InvariantCulture)).Append("</a>")
                .Append(bug.Operation is null ? "" : " in " + E(bug.Operation)).Append(": ").Append(E(bug.Message)).Append("</p>\n");
        else html.Append("<p class=\"nobug\">no bug in this execution</p>\n");
        if (h.Note is not null) html.Append("<p class=\"note\">").Append(E(h.Note)).Append("</p>\n");
        html.Append("</header>\n");
    }

    private static void AppendLegend(StringBuilder html, bool monitors, bool preemptions)
    {
        html.Append("<p class=\"legend\">")
            .Append("<span class=\"rd\">READ_ONCE(<span class=\"v\">x</span>)</span> read ")
            .Append("<span class=\"wr\">WRITE_ONCE(<span class=\"v\">x</span>, v)</span> write / atomic ")
            .Append("<span class=\"lk\">lock(<span class=\"v\">m</span>)</span> lock, SRCU, join ")
            .Append("<span class=\"fl\">smp_mb() / store-buffer flush</span> ordering ")
            .Append("<span class=\"msg\">send / dequeue</span> events ")
            .Append("<span class=\"fn\">kernel_function()</span> model log ")
            .Append("<span class=\"dim\">starts / continues</span> no labelled access ")
            .Append("<span class=\"bugline\">*** BUG</span> the step that broke the invariant");
        if (monitors) html.Append(" <span class=\"hotkey\">hot row</span> a monitor is in a hot state");
        if (preemptions) html.Append(" <span class=\"prekey\">12</span> preemption");
        html.Append("</p>\n");
    }

    /// <summary>In a store buffer's own lane, "store buffer of vcpu1 flushes x = 1" says no more than "flushes x = 1".</summary>
    private static string Shorten(TraceEntry e)
    {
        if (!IsBuffer(e.Operation)) return e.Text;
        string prefix = $"store buffer of {e.Operation[..^3]} ";
        return e.Text.StartsWith(prefix, StringComparison.Ordinal) ? e.Text[prefix.Length..] : e.Text;
    }

    private const int BugLineLength = 90;

    /// <summary>One trace line as a styled div: its kind picks the colour, the shared variable it names is emphasised.</summary>
    private static string Line(string text)
    {
        foreach ((Regex pattern, string css) in Rules)
        {
            Match m = pattern.Match(text);
            if (!m.Success) continue;
            // The header has the whole bug message; in a narrow lane a long one would make the row a column of text.
            if (css == "bugline" && text.Length > BugLineLength)
                return $"<div class=\"bugline\" title=\"{E(text)}\">{E(text[..BugLineLength])}…</div>";
            Group v = m.Groups["v"];
            string body = v.Success && v.Length > 0
                ? E(text[..v.Index]) + "<span class=\"v\">" + E(v.Value) + "</span>" + E(text[(v.Index + v.Length)..])
                : E(text);
            return $"<div class=\"{css}\">{body}</div>";
        }
        return $"<div>{E(text)}</div>";
    }

    // First match wins; keep generic (keywords of the kernel's vocabulary, not of one model).
    private static readonly (Regex, string)[] Rules =
    [
        (new Regex(@"^\*\*\* ", RegexOptions.Compiled), "bugline"),
        (new Regex(@"^monitor \S+ enters (?:hot |cold )?state (?<v>\S+)", RegexOptions.Compiled), "mn"),
        (new Regex(@"\bflushes (?<v>[^ =]+)", RegexOptions.Compiled), "fl"),
        (new Regex(@"\bREAD_ONCE\((?<v>[^,)]+)", RegexOptions.Compiled), "rd"),
        (new Regex(@"\b(?:WRITE_ONCE|xchg|cmpxchg|atomic\w*|set_bit|clear_bit|test_and_\w+)\((?<v>[^,)]+)", RegexOptions.Compiled), "wr"),
        (new Regex(@"\b(?:smp_\w+|barrier|mb|wmb|rmb)\(", RegexOptions.Compiled), "fl"),
        (new Regex(@"\b(?:(?:\w*_)?(?:lock|unlock|trylock)(?:_\w+)?|\w*srcu\w*|synchronize_\w+)\((?<v>[^,)]*)", RegexOptions.Compiled), "lk"),
        (new Regex(@"^joins '(?<v>[^']+)'", RegexOptions.Compiled), "lk"),
        (new Regex(@"^(?:send \S+ to (?<v>\S+)|dequeue )", RegexOptions.Compiled), "msg"),
        (new Regex(@"^(?:starts|continues|returns)$", RegexOptions.Compiled), "dim"),
        (new Regex(@"^(?<v>\w+)\(", RegexOptions.Compiled), "fn"),
    ];

    [GeneratedRegex(@"^monitor (?<m>\S+) enters (?<t>hot |cold |)state (?<s>\S+)")]
    private static partial Regex MonitorEnters();

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 12px/1.3 "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; color: #1d1d1d; background: #fff; }
        header { padding: 8px 12px 2px; }
        h1 { font-size: 15px; margin: 0 0 4px; }
        .facts { margin: 0; }
        .facts span { margin-right: 1.2em; white-space: nowrap; }
        .facts i { color: #666; font-style: normal; }
        .bugmsg { background: #ffe3e3; border-left: 4px solid #c62828; padding: 4px 8px; margin: 6px 0; }
        .nobug { color: #2e7d32; margin: 6px 0; }
        .note { color: #555; margin: 4px 0; }
        .legend { padding: 0 12px 6px; margin: 0; color: #555; line-height: 1.9; }
        .legend > span { padding: 1px 4px; margin-left: 0.8em; border-radius: 3px; }
        table { border-collapse: separate; border-spacing: 0; table-layout: fixed; margin: 0 0 24px; }
        th { position: sticky; top: 0; z-index: 2; background: #f3f3f3; border-bottom: 2px solid #999; padding: 4px 6px;
             text-align: left; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
        td { vertical-align: top; padding: 1px 5px; border-bottom: 1px solid #eee; border-left: 1px solid #eee; overflow-wrap: anywhere; }
        .step { position: sticky; left: 0; z-index: 1; background: #fafafa; text-align: right; color: #777; }
        th.step { z-index: 3; background: #f3f3f3; }
        td.pre { color: #b71c1c; font-weight: bold; box-shadow: inset 3px 0 #e53935; }
        td.pre::after, .prekey::after { content: " \21AF"; }
        .prekey { color: #b71c1c; font-weight: bold; box-shadow: inset 3px 0 #e53935; }
        td.mon, th.mon { position: sticky; z-index: 1; background: #fbfbfb; border-left: 2px solid #bbb; }
        th.mon { z-index: 3; background: #f3f3f3; }
        .id { color: #888; font-weight: normal; }
        .v { font-weight: bold; text-decoration: underline; text-decoration-thickness: 1px; }
        .rd { color: #0d47a1; background: #e3f0ff; }
        .wr { color: #8a3a00; background: #fff0dc; }
        .lk { color: #5e1d86; background: #f3e8fb; }
        .fl { color: #00695c; background: #e0f5f1; }
        .msg { color: #1b5e20; background: #e6f4e6; }
        .fn { color: #000; font-weight: bold; }
        .fn .v { text-decoration: none; }
        .mn { color: #6d4c00; font-style: italic; }
        .dim { color: #999; }
        .bugline { color: #fff; background: #c62828; font-weight: bold; padding: 0 3px; }
        tr.hot td { background-color: #fff3e0; }
        tr.hot td.step, tr.hot td.mon { background-color: #ffe0b2; }
        .hotkey { background: #fff3e0; border: 1px solid #ffcc80; }
        tr.bug td { background-color: #ffd7d7 !important; border-top: 2px solid #c62828; border-bottom: 2px solid #c62828; }
        .mh { color: #bf360c; }
        .mc { color: #2e7d32; }
        .ch { font-weight: bold; }
        .mc:not(.ch) { color: #6a9a6c; }
        td.on div { padding: 0 2px; border-radius: 2px; }
        td.on { box-shadow: inset 3px 0 var(--c); background-color: var(--bg); }
        th.lane { box-shadow: inset 0 -3px var(--c); }
        .c0 { --c: #1e88e5; --bg: rgba(30,136,229,.06); }
        .c1 { --c: #e53935; --bg: rgba(229,57,53,.06); }
        .c2 { --c: #43a047; --bg: rgba(67,160,71,.06); }
        .c3 { --c: #8e24aa; --bg: rgba(142,36,170,.06); }
        .c4 { --c: #fb8c00; --bg: rgba(251,140,0,.07); }
        .c5 { --c: #00897b; --bg: rgba(0,137,123,.06); }
        .c6 { --c: #6d4c41; --bg: rgba(109,76,65,.06); }
        .c7 { --c: #546e7a; --bg: rgba(84,110,122,.06); }

        """;
}
