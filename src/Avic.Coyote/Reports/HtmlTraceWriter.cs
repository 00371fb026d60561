using System.Globalization;
using System.Net;
using System.Text;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Reports;

/// <summary>What the picture's header says about the execution (all optional but the test name).</summary>
public sealed record TraceHeader
{
    public required string Test { get; init; }
    public string? Assembly { get; init; }
    public string? Strategy { get; init; }
    public int? StrategyValue { get; init; }
    public ulong? Seed { get; init; }

    /// <summary>0-based, as in the schedule file; shown counting from 1, as the CLI and the trace do.</summary>
    public int? Iteration { get; init; }
    public MemoryModel? MemoryModel { get; init; }
    public BugReport? Bug { get; init; }

    /// <summary>Operation names by id: the lanes, in this order (operations only seen in the trace are appended).</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];

    /// <summary>The operations as typed data (from a replay): a store buffer's lane goes right after the lane of the
    /// operation that created it. Without them the lanes are in id order.</summary>
    public IReadOnlyList<TracedOperation>? OperationFacts { get; init; }

    /// <summary>Steps that preempt a still-enabled operation (see Minimization.Preemptions), marked in the step column.</summary>
    public IReadOnlyCollection<int>? PreemptionSteps { get; init; }

    /// <summary>The last pair of conflicting accesses by two operations before the bug (see <see cref="Races.LastBefore"/>), highlighted.</summary>
    public (int First, int Second)? Race { get; init; }

    /// <summary>A free line shown under the header, e.g. "minimized from 95 steps / 41 preemptions".</summary>
    public string? Note { get; init; }

    public static TraceHeader From(ScheduleFile schedule, IReadOnlyCollection<int>? preemptionSteps = null, string? note = null) => new()
    {
        Test = schedule.Test,
        Assembly = schedule.Assembly,
        Strategy = schedule.Strategy,
        StrategyValue = schedule.StrategyValue,
        Seed = schedule.Seed,
        Iteration = schedule.Iteration,
        MemoryModel = schedule.MemoryModel,
        Bug = schedule.Bug,
        Operations = schedule.Operations,
        PreemptionSteps = preemptionSteps,
        Note = note,
    };

    /// <summary>As <see cref="From(ScheduleFile, IReadOnlyCollection{int}?, string?)"/>, with the typed facts of its replay: lanes and the race.</summary>
    public static TraceHeader From(ScheduleFile schedule, ReplayResult replay, IReadOnlyCollection<int>? preemptionSteps = null, string? note = null) =>
        From(schedule, preemptionSteps, note) with
        {
            OperationFacts = replay.Operations,
            Race = Races.LastBefore(replay.Accesses, replay.Operations, schedule.Bug?.Step ?? replay.Steps,
                schedule.Bug is not null && schedule.Bug.Step == replay.Steps ? replay.LastStepResources : null),
        };
}

/// <summary>Finds, in the typed accesses of an execution, the pair of steps the picture highlights as the race.</summary>
public static class Races
{
    /// <summary>
    /// The last pair of conflicting memory accesses (same shared object, at least one a write) by two
    /// different CPUs (a store buffer counts as its owner's) at or before <paramref name="bugStep"/>:
    /// the latest access, and the latest conflicting one of another CPU before it. With <paramref name="focus"/>
    /// (the objects the failing check looked at) a race on one of them is preferred. Null when there is none.
    /// </summary>
    public static (int First, int Second)? LastBefore(IReadOnlyList<StepAccess> accesses, IReadOnlyList<TracedOperation> operations, int bugStep,
        IReadOnlyCollection<long>? focus = null)
    {
        if (focus is { Count: > 0 } && Last(accesses, operations, bugStep, focus) is { } onFocus) return onFocus;
        return Last(accesses, operations, bugStep, null);
    }

    private static (int First, int Second)? Last(IReadOnlyList<StepAccess> accesses, IReadOnlyList<TracedOperation> operations, int bugStep,
        IReadOnlyCollection<long>? only)
    {
        int Cpu(int op) => op < operations.Count && operations[op].IsStoreBuffer ? operations[op].CreatedBy : op;
        (int First, int Second)? race = null;
        for (int j = 0; j < accesses.Count && accesses[j].Step <= bugStep; j++)
        {
            StepAccess b = accesses[j];
            if (!b.IsMemoryAccess || b.Resource == Access.Unknown || (only is not null && !only.Contains(b.Resource))) continue;
            for (int i = j - 1; i >= 0; i--)
            {
                StepAccess a = accesses[i];
                if (a.Step == b.Step || a.Resource != b.Resource || !a.IsMemoryAccess || Cpu(a.Operation) == Cpu(b.Operation) || !(a.IsWrite || b.IsWrite)) continue;
                race = (a.Step, b.Step);
                break;
            }
        }
        return race;
    }
}

/// <summary>
/// Writes a trace as a self-contained HTML page: one lane (column) per operation, one row per step,
/// what each operation did in its lane, coloured by the typed kind of the line and of the resource it
/// touched (memory read or write, lock or wait, inbox, barrier), the resources listed by kind, the
/// monitors' states in a right-hand column (hot rows tinted), the race before the bug highlighted and
/// the bug in a row of its own. Nothing is read back from the text of a line. Runs of steps by one operation fold into one row that opens on a click (HTML details),
/// so a long execution stays a page or two. Inline CSS only: no script, no network, so it opens from
/// a CI artifact or a mail attachment as is.
/// </summary>
public static class HtmlTraceWriter
{
    public static void Write(string path, IReadOnlyList<TraceEntry> trace, TraceHeader header) =>
        AtomicFiles.Write(path, Render(trace, header));

    public static string Render(IReadOnlyList<TraceEntry> trace, ScheduleFile schedule, IReadOnlyCollection<int>? preemptionSteps = null) =>
        Render(trace, TraceHeader.From(schedule, preemptionSteps));

    /// <summary>Runs of at least this many steps by one operation, with nothing else happening, fold into one row.</summary>
    public const int FoldAt = 4;

    /// <summary>One step of the trace as the table shows it.</summary>
    private sealed class Row
    {
        public required int Step;
        public required List<TraceEntry>?[] Cells;
        public List<string> Bugs = [];
        /// <summary>Each monitor that changed state at this step: the text shown and whether the new state is hot.</summary>
        public List<(string Text, bool Hot)>? MonitorChanges;
        public bool Hot, Preempts, Race;

        public int? OnlyLane
        {
            get
            {
                int lane = -1;
                for (int i = 0; i < Cells.Length; i++)
                {
                    if (Cells[i] is null) continue;
                    if (lane >= 0) return null;
                    lane = i;
                }
                return lane >= 0 ? lane : null;
            }
        }

        public bool Foldable => Bugs.Count == 0 && MonitorChanges is null && !Preempts && !Race && OnlyLane is not null;
    }

    public static string Render(IReadOnlyList<TraceEntry> trace, TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(header);
        List<Lane> lanes = Lanes(trace, header);
        var laneOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < lanes.Count; i++) laneOf.TryAdd(lanes[i].Name, i);
        var preempting = header.PreemptionSteps is null ? new HashSet<int>() : new HashSet<int>(header.PreemptionSteps);
        List<Row> rows = Rows(trace, lanes.Count, laneOf, preempting, header.Race);
        bool hasMonitors = rows.Exists(r => r.MonitorChanges is not null);
        Obligation? obligation = header.Bug?.Kind == BugKind.Liveness ? HotObligation(trace) : null;

        var html = new StringBuilder(4096 + trace.Count * 160);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(E($"{header.Test} — interleaving")).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        AppendHeader(html, header, trace, lanes.Count, preempting.Count, obligation);
        AppendResources(html, trace);
        AppendLegend(html, hasMonitors, header.PreemptionSteps is not null, header.Race is not null);

        // Each lane is as wide as its usual line (longer lines wrap at spaces, never inside a word): a
        // lane per CPU stays readable side by side at laptop width.
        double width = StepWidth + lanes.Sum(l => l.Width) + (hasMonitors ? MonitorWidth : 0);
        // At least the window's width: with few lanes each gets more room; with many the page scrolls sideways.
        html.Append("<table style=\"width:max(100%, ").Append(Em(width)).Append(")\">\n<colgroup><col style=\"width:").Append(Em(StepWidth)).Append("\">");
        foreach (Lane lane in lanes) html.Append("<col style=\"width:").Append(Em(lane.Width)).Append("\">");
        if (hasMonitors) html.Append("<col style=\"width:").Append(Em(MonitorWidth)).Append("\">");
        html.Append("</colgroup>\n<thead><tr><th class=\"step\">step</th>");
        foreach (Lane lane in lanes)
        {
            html.Append("<th class=\"lane c").Append(lane.Colour).Append("\"").Append(lane.Title is null ? "" : $" title=\"{E(lane.Title)}\"").Append('>')
                .Append(E(lane.Name == "-" ? "engine" : lane.Name));
            if (lane.Id is { } id) html.Append(" <span class=\"id\">#").Append(id.ToString(CultureInfo.InvariantCulture)).Append("</span>");
            html.Append("</th>");
        }
        if (hasMonitors) html.Append("<th class=\"mon\">monitors</th>");
        html.Append("</tr></thead>\n<tbody>\n");

        int columns = 1 + lanes.Count + (hasMonitors ? 1 : 0);
        bool bugMarked = false;
        for (int i = 0; i < rows.Count;)
        {
            int end = i + 1;
            if (rows[i].Foldable)
                while (end < rows.Count && rows[end].Foldable && rows[end].OnlyLane == rows[i].OnlyLane && rows[end].Hot == rows[i].Hot) end++;
            if (end - i >= FoldAt) AppendFolded(html, rows, i, end, lanes, hasMonitors);
            else
            {
                end = i + 1;
                AppendRow(html, rows[i], lanes, hasMonitors, columns, ref bugMarked);
            }
            i = end;
        }
        html.Append("</tbody>\n</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static List<Row> Rows(IReadOnlyList<TraceEntry> trace, int lanes, Dictionary<string, int> laneOf, HashSet<int> preempting, (int, int)? race)
    {
        var rows = new List<Row>();
        var hot = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (int start = 0; start < trace.Count;)
        {
            int step = trace[start].Step;
            var row = new Row
            {
                Step = step, Cells = new List<TraceEntry>?[lanes], Preempts = preempting.Contains(step),
                Race = race is { } r && (r.Item1 == step || r.Item2 == step),
            };
            var changes = new List<(string, bool)>();
            for (; start < trace.Count && trace[start].Step == step; start++)
            {
                TraceEntry e = trace[start];
                if (e.Kind == TraceEventKind.Bug) row.Bugs.Add(e.Text);
                else if (e.Kind == TraceEventKind.Monitor)
                {
                    string monitor = e.Resource ?? e.Operation;
                    hot[monitor] = e.IsHot;
                    changes.Add(($"{monitor} → {e.State}{(e.IsHot ? " (hot)" : "")}", e.IsHot));
                }
                else (row.Cells[laneOf[e.Operation]] ??= []).Add(e);
            }
            if (changes.Count > 0) row.MonitorChanges = changes;
            row.Hot = hot.Values.Any(h => h);
            // A step that only changed a monitor or hit the bug still needs its row; a step of nothing is dropped.
            if (row.Cells.Any(c => c is not null) || row.Bugs.Count > 0 || row.MonitorChanges is not null) rows.Add(row);
        }
        return rows;
    }

    private static void AppendRow(StringBuilder html, Row row, List<Lane> lanes, bool hasMonitors, int columns, ref bool bugMarked)
    {
        bool hasCells = row.Cells.Any(c => c is not null) || row.MonitorChanges is not null;
        if (hasCells)
        {
            string cls = (row.Hot ? "hot " : "") + (row.Race ? "race" : "");
            html.Append("<tr").Append(cls.Length > 0 ? $" class=\"{cls.Trim()}\"" : "").Append('>');
            AppendStep(html, row.Step.ToString(CultureInfo.InvariantCulture), row.Preempts, row.Race);
            for (int lane = 0; lane < lanes.Count; lane++)
            {
                if (row.Cells[lane] is not { } lines) { html.Append("<td></td>"); continue; }
                html.Append("<td class=\"on c").Append(lanes[lane].Colour).Append("\">");
                foreach (TraceEntry line in lines) html.Append(Line(line));
                html.Append("</td>");
            }
            if (hasMonitors) AppendMonitor(html, row.MonitorChanges);
            html.Append("</tr>\n");
        }
        // The bug gets a row of its own across every lane: its whole message, never cut.
        foreach (string bug in row.Bugs)
        {
            html.Append("<tr class=\"bug\"");
            if (!bugMarked) { html.Append(" id=\"bug\""); bugMarked = true; }
            html.Append('>');
            AppendStep(html, row.Step.ToString(CultureInfo.InvariantCulture), false, false);
            html.Append("<td colspan=\"").Append(columns - 1).Append("\"><div class=\"bugline\">").Append(E(bug)).Append("</div></td></tr>\n");
        }
    }

    /// <summary>Steps <paramref name="from"/>..<paramref name="to"/> (exclusive), all by one lane: one row whose cell opens to show each step.</summary>
    private static void AppendFolded(StringBuilder html, List<Row> rows, int from, int to, List<Lane> lanes, bool hasMonitors)
    {
        int lane = rows[from].OnlyLane!.Value;
        string first = rows[from].Step.ToString(CultureInfo.InvariantCulture), last = rows[to - 1].Step.ToString(CultureInfo.InvariantCulture);
        html.Append("<tr class=\"fold").Append(rows[from].Hot ? " hot" : "").Append("\">");
        AppendStep(html, $"{first}–{last}", false, false);
        for (int i = 0; i < lanes.Count; i++)
        {
            if (i != lane) { html.Append("<td></td>"); continue; }
            html.Append("<td class=\"on c").Append(lanes[i].Colour).Append("\"><details><summary>")
                .Append(E($"{to - from} steps of {lanes[i].Name}")).Append("</summary>");
            for (int r = from; r < to; r++)
                foreach (TraceEntry line in rows[r].Cells[lane]!)
                    html.Append("<div class=\"sub\"><span class=\"n\">").Append(rows[r].Step.ToString(CultureInfo.InvariantCulture)).Append("</span>")
                        .Append(Line(line)).Append("</div>");
            html.Append("</details></td>");
        }
        if (hasMonitors) AppendMonitor(html, null);
        html.Append("</tr>\n");
    }

    private static void AppendStep(StringBuilder html, string step, bool preempts, bool race)
    {
        html.Append("<td class=\"step").Append(preempts ? " pre" : "").Append(race ? " rc" : "").Append('"');
        if (preempts || race)
            html.Append(" title=\"").Append(preempts ? "preemption: the previous operation could have continued" : "")
                .Append(preempts && race ? "; " : "").Append(race ? "race: this access and the other highlighted one conflict" : "").Append('"');
        html.Append('>').Append(step).Append("</td>");
    }

    private static void AppendMonitor(StringBuilder html, List<(string Text, bool Hot)>? changes)
    {
        html.Append("<td class=\"mon\">");
        if (changes is not null)
            foreach ((string text, bool isHot) in changes)
                html.Append("<div class=\"").Append(isHot ? "mh" : "mc").Append("\">").Append(E(text)).Append("</div>");
        html.Append("</td>");
    }

    /// <summary>A monitor that entered a hot state and never left it: the obligation a liveness bug says was not met.</summary>
    private sealed record Obligation(string Monitor, string State, int Since, int Until);

    private static Obligation? HotObligation(IReadOnlyList<TraceEntry> trace)
    {
        var since = new Dictionary<string, (string State, int Step)>(StringComparer.Ordinal);
        foreach (TraceEntry e in trace)
        {
            if (e.Kind != TraceEventKind.Monitor) continue;
            string monitor = e.Resource ?? e.Operation;
            if (e.IsHot) { if (!since.ContainsKey(monitor)) since[monitor] = (e.State ?? "", e.Step); }
            else since.Remove(monitor);
        }
        int until = trace.Count == 0 ? 0 : trace[^1].Step;
        return since.OrderBy(kv => kv.Value.Step).Select(kv => new Obligation(kv.Key, kv.Value.State, kv.Value.Step, until)).FirstOrDefault();
    }

    private const int Palette = 8;
    private const double StepWidth = 4.2, MonitorWidth = 16, CharWidth = 0.61;

    private static string Num(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Em(double x) => Num(x) + "em";

    /// <summary>A lane: its operation, id, colour, width and, for a store buffer, whose it is.</summary>
    private sealed record Lane(string Name, int? Id, int Colour, string? Title, string? Owner)
    {
        public double Width { get; set; }
    }

    /// <summary>
    /// Operations in id order, each store buffer right after the operation that created it (typed facts of
    /// the replay, not names), then names only the trace has. Widths follow each lane's usual line length.
    /// </summary>
    private static List<Lane> Lanes(IReadOnlyList<TraceEntry> trace, TraceHeader header)
    {
        var names = new List<string>(header.Operations);
        var seen = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (TraceEntry e in trace)
            if (seen.Add(e.Operation) && !(e.Operation == "-" && e.Kind == TraceEventKind.Bug && !trace.Any(x => x.Operation == "-" && x.Kind != TraceEventKind.Bug)))
                names.Add(e.Operation);
        IReadOnlyList<TracedOperation> facts = header.OperationFacts ?? [];
        var ordered = new List<(string Name, int? Id, string? Owner)>();
        for (int i = 0; i < names.Count; i++)
        {
            TracedOperation? f = i < facts.Count && facts[i].Name == names[i] ? facts[i] : null;
            if (f is { IsStoreBuffer: true }) continue; // placed after its owner below
            ordered.Add((names[i], i < header.Operations.Count ? i : null, null));
            foreach (TracedOperation b in facts.Where(b => b.IsStoreBuffer && b.CreatedBy == i && b.Id < names.Count))
                ordered.Add((b.Name, b.Id, names[i]));
        }
        var lanes = new List<Lane>();
        int next = 0;
        foreach ((string name, int? id, string? owner) in ordered)
        {
            // A store buffer takes its owner's colour, so the pair reads as one CPU.
            int colour = owner is not null && lanes.Count > 0 && lanes[^1].Name == owner ? lanes[^1].Colour
                : owner is not null ? lanes.First(l => l.Name == owner).Colour : next++ % Palette;
            var lane = new Lane(name, id, colour, owner is null ? null : $"store buffer of {owner}", owner);
            lane.Width = LaneWidth(trace.Where(e => e.Operation == name && e.Kind is not (TraceEventKind.Bug or TraceEventKind.Monitor))
                .Select(e => e.Text.Length).ToList(), name.Length, owner is not null);
            lanes.Add(lane);
        }
        return lanes;
    }

    /// <summary>About the 80th percentile of the lane's line lengths, within bounds: most lines fit on one line.</summary>
    private static double LaneWidth(List<int> lengths, int nameLength, bool buffer)
    {
        lengths.Sort();
        int typical = lengths.Count == 0 ? 0 : lengths[(int)(0.8 * (lengths.Count - 1))];
        return Math.Round(CharWidth * Math.Clamp(Math.Max(typical, nameLength + 5), 12, buffer ? 26 : 34) + 1, 1);
    }

    private static void AppendHeader(StringBuilder html, TraceHeader h, IReadOnlyList<TraceEntry> trace, int lanes, int preemptions, Obligation? obligation)
    {
        int steps = trace.Count == 0 ? 0 : trace[^1].Step;
        html.Append("<header>\n<h1>").Append(E(h.Test)).Append("</h1>\n<p class=\"facts\">");
        void Fact(string name, string? value)
        {
            if (value is not null) html.Append("<span><i>").Append(E(name)).Append("</i> ").Append(E(value)).Append("</span> ");
        }
        Fact("memory model", h.MemoryModel?.ToString());
        Fact("strategy", h.Strategy is null ? null : h.StrategyValue is { } v ? Configuration.DescribeStrategy(h.Strategy, v) : h.Strategy);
        Fact("seed", h.Seed?.ToString(CultureInfo.InvariantCulture));
        Fact("iteration", h.Iteration is { } it ? (it + 1).ToString(CultureInfo.InvariantCulture) : null);
        Fact("steps", steps.ToString(CultureInfo.InvariantCulture));
        Fact("operations", lanes.ToString(CultureInfo.InvariantCulture));
        if (h.PreemptionSteps is not null) Fact("preemptions", preemptions.ToString(CultureInfo.InvariantCulture));
        Fact("assembly", h.Assembly);
        html.Append("</p>\n");
        if (h.Bug is { } bug)
        {
            html.Append("<p class=\"bugmsg\"><b>").Append(E(bug.Kind.ToString())).Append(bug.Invariant is null ? "" : " " + E(bug.Invariant)).Append("</b> at <a href=\"#bug\">step ")
                .Append(bug.Step.ToString(CultureInfo.InvariantCulture)).Append("</a>")
                .Append(bug.Operation is null ? "" : " in " + E(bug.Operation)).Append(": ").Append(E(bug.Message)).Append("</p>\n");
            if (obligation is { } o)
                html.Append("<p class=\"oblig\">The obligation that stayed hot: monitor <b>").Append(E(o.Monitor)).Append("</b> entered hot state <b>")
                    .Append(E(o.State)).Append("</b> at step ").Append(o.Since.ToString(CultureInfo.InvariantCulture))
                    .Append(" and was still in it when the execution ended at step ").Append(o.Until.ToString(CultureInfo.InvariantCulture))
                    .Append(" (").Append((o.Until - o.Since).ToString(CultureInfo.InvariantCulture)).Append(" steps later).</p>\n");
        }
        else html.Append("<p class=\"nobug\">no bug in this execution</p>\n");
        if (h.Race is { } race)
            html.Append("<p class=\"racemsg\">Highlighted: steps <b>").Append(race.First.ToString(CultureInfo.InvariantCulture)).Append("</b> and <b>")
                .Append(race.Second.ToString(CultureInfo.InvariantCulture))
                .Append("</b>, the last pair of conflicting accesses by two CPUs before the bug, to an object the failing check looked at when there is one (a race: in the other order the second would see another value).</p>\n");
        if (h.Note is not null) html.Append("<p class=\"note\">").Append(E(h.Note)).Append("</p>\n");
        html.Append("</header>\n");
    }

    private static void AppendLegend(StringBuilder html, bool monitors, bool preemptions, bool race)
    {
        html.Append("<p class=\"legend\">")
            .Append("<span class=\"rd\">read</span> memory read ")
            .Append("<span class=\"wr\">write</span> memory write / atomic ")
            .Append("<span class=\"lk\">lock</span> lock, wait, join ")
            .Append("<span class=\"fl\">barrier</span> barrier / buffered store made visible ")
            .Append("<span class=\"msg\">send / receive</span> events ")
            .Append("<span class=\"ch\">choice</span> random choice ")
            .Append("<span class=\"fn\">log</span> the model's own words ")
            .Append("<span class=\"foldkey\">&#9656; 7 steps of cpu0</span> steps folded: click to open ")
            .Append("<span class=\"bugline\">*** BUG</span> the bug");
        if (monitors) html.Append(" <span class=\"hotkey\">hot row</span> a monitor is in a hot state");
        if (preemptions) html.Append(" <span class=\"prekey\">12</span> preemption");
        if (race) html.Append(" <span class=\"rckey\">12</span> race");
        html.Append("</p>\n");
    }

    /// <summary>One trace line as a styled div: the typed kind of the line and of its resource pick the colour;
    /// the title names the resource and its kind.</summary>
    private static string Line(TraceEntry e)
    {
        string css = Style(e);
        string title = e.Resource is null ? "" :
            $" title=\"{E($"{Verb(e)} {e.Resource} ({KindName(e.ResourceKind)}{(e.ResourceGroup is null ? "" : ", " + e.ResourceGroup)})")}\"";
        return $"<div{(css.Length > 0 ? $" class=\"{css}\"" : "")}{title}>{Text(e.Text)}</div>";
    }

    private static string Style(TraceEntry e) => e.Kind switch
    {
        TraceEventKind.Access => e.ResourceKind switch
        {
            ResourceKind.Memory => e.Access switch
            {
                AccessKind.Read => "rd",
                AccessKind.Flush => "fl",
                _ => "wr",
            },
            ResourceKind.Lock or ResourceKind.Synchronization or ResourceKind.Operation => "lk",
            ResourceKind.Inbox => "msg",
            ResourceKind.None => e.Access switch
            {
                AccessKind.Fence => "fl",
                AccessKind.None => "fn",
                _ => "",
            },
            _ => "",
        },
        TraceEventKind.Send => "msg",
        TraceEventKind.Choice => "ch",
        TraceEventKind.Step => "dim",
        TraceEventKind.Log => "fn",
        _ => "",
    };

    private static string Verb(TraceEntry e) => e.ResourceKind == ResourceKind.Operation ? "join" : e.Access.ToString().ToLowerInvariant();

    private static string KindName(ResourceKind kind) => kind switch
    {
        ResourceKind.Memory => "memory",
        ResourceKind.Lock => "lock",
        ResourceKind.Synchronization => "wait",
        ResourceKind.Inbox => "inbox",
        ResourceKind.Monitor => "monitor",
        ResourceKind.Operation => "operation",
        _ => "other",
    };

    /// <summary>The resources the execution touched, grouped by kind (and the model's finer group), in order of first use.</summary>
    private static void AppendResources(StringBuilder html, IReadOnlyList<TraceEntry> trace)
    {
        var groups = new List<(ResourceKind Kind, string? Group, List<string> Names)>();
        foreach (TraceEntry e in trace)
        {
            if (e.Resource is null || e.ResourceKind is ResourceKind.None or ResourceKind.Monitor or ResourceKind.Operation) continue;
            int i = groups.FindIndex(g => g.Kind == e.ResourceKind && g.Group == e.ResourceGroup);
            if (i < 0) groups.Add((e.ResourceKind, e.ResourceGroup, [e.Resource]));
            else if (!groups[i].Names.Contains(e.Resource)) groups[i].Names.Add(e.Resource);
        }
        if (groups.Count == 0) return;
        html.Append("<p class=\"res\">");
        foreach ((ResourceKind kind, string? group, List<string> names) in groups.OrderBy(g => g.Kind))
            html.Append("<span><i>").Append(E(KindName(kind) + (group is null ? "" : $" ({group})"))).Append("</i> ").Append(E(string.Join(", ", names))).Append("</span> ");
        html.Append("</p>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>As <see cref="E"/>, and "->" never splits at a line end (a word joiner after the '-'): "cpu1-" / "&gt;mode" is unreadable.</summary>
    private static string Text(string text) => E(text).Replace("-&gt;", "-\u2060&gt;", StringComparison.Ordinal);

    private const string Css = """
        body { font: 11.5px/1.3 "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; color: #1d1d1d; background: #fff; }
        header { padding: 8px 12px 2px; }
        h1 { font-size: 15px; margin: 0 0 4px; }
        .facts { margin: 0; }
        .facts span { margin-right: 1.2em; white-space: nowrap; }
        .facts i { color: #666; font-style: normal; }
        .bugmsg { background: #ffe3e3; border-left: 4px solid #c62828; padding: 4px 8px; margin: 6px 0; }
        .oblig { background: #fff3e0; border-left: 4px solid #ef6c00; padding: 4px 8px; margin: 6px 0; }
        .racemsg { border-left: 4px solid #d500f9; padding: 2px 8px; margin: 6px 0; color: #4a148c; }
        .nobug { color: #2e7d32; margin: 6px 0; }
        .note { color: #555; margin: 4px 0; }
        .legend { padding: 0 12px 6px; margin: 0; color: #555; line-height: 1.9; }
        .legend > span { padding: 1px 4px; margin-left: 0.8em; border-radius: 3px; white-space: nowrap; }
        table { border-collapse: separate; border-spacing: 0; table-layout: fixed; margin: 0 0 24px; }
        th { position: sticky; top: 0; z-index: 2; background: #f3f3f3; border-bottom: 2px solid #999; padding: 3px 5px;
             text-align: left; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
        /* Lines wrap at spaces: a word (a function or state name) is split only if it alone is wider than its lane. */
        td { vertical-align: top; padding: 1px 4px; border-bottom: 1px solid #eee; border-left: 1px solid #eee;
             overflow-wrap: break-word; word-break: normal; hyphens: none; }
        .step { position: sticky; left: 0; z-index: 1; background: #fafafa; text-align: right; color: #777; white-space: nowrap; }
        th.step { z-index: 3; background: #f3f3f3; }
        td.pre { color: #b71c1c; font-weight: bold; box-shadow: inset 3px 0 #e53935; }
        td.pre::after, .prekey::after { content: " \21AF"; }
        .prekey { color: #b71c1c; font-weight: bold; box-shadow: inset 3px 0 #e53935; }
        td.rc { color: #6a1b9a; font-weight: bold; }
        td.rc::before, .rckey::before { content: "\21C4 "; }
        .rckey { color: #6a1b9a; font-weight: bold; outline: 2px solid #d500f9; }
        tr.race td.on { outline: 2px solid #d500f9; outline-offset: -2px; }
        td.mon, th.mon { background: #fbfbfb; border-left: 2px solid #bbb; }
        th.mon { background: #f3f3f3; }
        .id { color: #888; font-weight: normal; }
        .rd { color: #0d47a1; background: #e3f0ff; }
        .wr { color: #8a3a00; background: #fff0dc; }
        .lk { color: #5e1d86; background: #f3e8fb; }
        .fl { color: #00695c; background: #e0f5f1; }
        .msg { color: #1b5e20; background: #e6f4e6; }
        .fn { color: #000; font-weight: bold; }
        .ch { color: #4e342e; font-style: italic; }
        .res { padding: 0 12px 4px; margin: 0; color: #555; }
        .res span { margin-right: 1.2em; }
        .res i { font-style: normal; color: #888; }
        .dim { color: #999; }
        .bugline { color: #fff; background: #c62828; font-weight: bold; padding: 1px 4px; }
        tr.hot td { background-color: #fff3e0; }
        tr.hot td.step, tr.hot td.mon { background-color: #ffe0b2; }
        .hotkey { background: #fff3e0; border: 1px solid #ffcc80; }
        tr.bug td { background-color: #ffd7d7 !important; border-top: 2px solid #c62828; border-bottom: 2px solid #c62828; }
        .mh { color: #bf360c; font-weight: bold; }
        .mc { color: #2e7d32; }
        td.on div { padding: 0 2px; border-radius: 2px; }
        td.on { box-shadow: inset 3px 0 var(--c); background-color: var(--bg); }
        th.lane { box-shadow: inset 0 -3px var(--c); }
        summary, .foldkey { color: #555; cursor: pointer; font-style: italic; }
        .foldkey { border: 1px dashed #bbb; }
        details[open] summary { margin-bottom: 2px; }
        .sub { display: flex; gap: 0.5em; }
        .sub .n { color: #999; min-width: 2.5em; text-align: right; flex: none; }
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
