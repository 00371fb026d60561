using System.Text.RegularExpressions;
using Avic.Coyote.Minimization;
using Avic.Coyote.Reports;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Minimization;

namespace Avic.Coyote.Tests.Reports;

public sealed class HtmlTraceWriterTests
{
    private static readonly TraceHeader Header = new()
    {
        Test = "Toy.<Hand>",
        Strategy = "random",
        Seed = 7,
        Operations = ["main", "vcpu0", "vcpu1", "vcpu0.sb"],
        Bug = new BugReport(BugKind.AssertionFailure, "INV-A1: x < y & 'z'", 4, "vcpu1"),
    };

    // Typed as the engine types them: the picture reads the kinds, never the text.
    private static TraceEntry Memory(int step, string op, AccessKind access, string resource, string text) =>
        new(step, op, text) { Kind = TraceEventKind.Access, Access = access, Resource = resource, ResourceKind = ResourceKind.Memory };

    private static TraceEntry MonitorState(int step, string op, string monitor, string state, bool hot, string temperature) =>
        new(step, op, $"monitor {monitor} enters {temperature}state {state}")
        {
            Kind = TraceEventKind.Monitor, Resource = monitor, ResourceKind = ResourceKind.Monitor, State = state, IsHot = hot,
        };

    private static TraceEntry Bug(int step, string op, string text) => new(step, op, text) { Kind = TraceEventKind.Bug };

    private static readonly TraceEntry[] Hand =
    [
        new(1, "main", "starts") { Kind = TraceEventKind.Step },
        MonitorState(1, "main", "Irq", "Idle", false, "cold "),
        Memory(2, "vcpu0", AccessKind.Read, "apic_access_memslot_enabled", "READ_ONCE(apic_access_memslot_enabled) -> true"),
        new(2, "vcpu1", "kvm_vcpu_kick(vcpu0) <script>alert('x')</script> & \"q\""),
        Memory(3, "vcpu1", AccessKind.Write, "irr", "WRITE_ONCE(irr, 1) (store buffered)"),
        MonitorState(3, "vcpu1", "Irq", "Pending", true, "hot "),
        MonitorState(3, "vcpu1", "Other", "Init", false, ""),
        Memory(4, "vcpu0.sb", AccessKind.Flush, "irr", "flushes irr = 1"),
        Bug(4, "vcpu1", "*** BUG: AssertionFailure: INV-A1: x < y & 'z'"),
    ];

    private static string[] Rows(string html) => Regex.Matches(html, "<tr[ >].*?</tr>", RegexOptions.Singleline).Select(m => m.Value).ToArray();

    [Fact]
    public void Escapes_everything_it_prints()
    {
        string html = HtmlTraceWriter.Render(Hand, Header);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<Hand>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", html);
        Assert.Contains("INV-A1: x &lt; y &amp; &#39;z&#39;", html);
        Assert.Contains("Toy.&lt;Hand&gt;", html);
    }

    /// <summary>Typed facts of the hand-made execution: vcpu0's store buffer (id 3) was created by vcpu0 (id 1).</summary>
    private static readonly TracedOperation[] Facts =
    [
        new(0, "main", -1, 0, false), new(1, "vcpu0", 0, 1, false), new(2, "vcpu1", 0, 1, false), new(3, "vcpu0.sb", 1, 2, true),
    ];

    private static string Lanes(string html) =>
        string.Join(",", Regex.Matches(html, "<th class=\"lane c\\d\"[^>]*>([^<]*)").Select(m => m.Groups[1].Value.Trim()));

    [Fact]
    public void Has_one_lane_per_operation_with_store_buffers_beside_their_owners_by_typed_facts()
    {
        var trace = Hand.Append(new TraceEntry(4, "-", "engine note")).ToArray();
        string html = HtmlTraceWriter.Render(trace, Header with { OperationFacts = Facts });
        Assert.Equal("main,vcpu0,vcpu0.sb,vcpu1,engine", Lanes(html));
        Assert.Contains("title=\"store buffer of vcpu0\">vcpu0.sb <span class=\"id\">#3</span>", html); // ids stay those of the schedule
        // Every step row has a cell per lane, plus the step column and the monitor column.
        Assert.All(Rows(html).Skip(1).Where(r => !r.Contains("class=\"bug")), r => Assert.Equal(1 + 5 + 1, Regex.Matches(r, "<td").Count));
    }

    [Fact]
    public void Groups_lanes_by_what_the_operations_are_not_by_their_names()
    {
        // Without typed facts, a name ending in ".sb" is just a name: lanes stay in id order.
        Assert.Equal("main,vcpu0,vcpu1,vcpu0.sb", Lanes(HtmlTraceWriter.Render(Hand, Header)));
        // With them, a store buffer follows its creator whatever it is called.
        TraceEntry[] renamed = Hand.Select(e => e with { Operation = e.Operation == "vcpu0.sb" ? "wb" : e.Operation }).ToArray();
        TracedOperation[] facts = [.. Facts[..3], new(3, "wb", 1, 2, true)];
        Assert.Equal("main,vcpu0,wb,vcpu1", Lanes(HtmlTraceWriter.Render(renamed, Header with { Operations = ["main", "vcpu0", "vcpu1", "wb"], OperationFacts = facts })));
    }

    [Fact]
    public void Gives_the_bug_a_row_of_its_own_with_the_whole_message()
    {
        string message = "INV-A1: " + string.Concat(Enumerable.Repeat("a long explanation ", 20)) + "END";
        TraceEntry[] trace = [.. Hand[..^1], Bug(4, "vcpu1", "*** BUG: AssertionFailure: " + message)];
        string html = HtmlTraceWriter.Render(trace, Header with { Bug = new BugReport(BugKind.AssertionFailure, message, 4, "vcpu1") });
        string[] bugRows = Rows(html).Where(r => r.StartsWith("<tr class=\"bug", StringComparison.Ordinal)).ToArray();
        string bugRow = Assert.Single(bugRows);
        Assert.Contains("id=\"bug\"", bugRow);
        Assert.Contains("<td class=\"step\">4</td><td colspan=\"5\"><div class=\"bugline\">*** BUG: AssertionFailure: INV-A1: a long", bugRow);
        Assert.Contains("END</div>", bugRow);
        Assert.DoesNotContain("…", html);
        Assert.Contains("href=\"#bug\"", html);
    }

    [Fact]
    public void The_header_says_memory_model_strategy_seed_and_counts_iterations_from_one()
    {
        var (schedule, trace) = ReportToys.FailingRun(ReportToys.ThreeVcpus());
        string html = HtmlTraceWriter.Render(trace, schedule);
        Assert.Contains("<i>memory model</i> X86Tso", html);
        Assert.Contains($"<i>strategy</i> {schedule.Strategy}", html);
        Assert.Contains($"<i>seed</i> {schedule.Seed}<", html);
        Assert.Contains($"<i>iteration</i> {schedule.Iteration + 1}<", html); // as the CLI, the trace file and replay count
    }

    [Fact]
    public void Folds_runs_of_steps_by_one_operation_into_a_row_that_opens()
    {
        TraceEntry[] trace =
        [
            new(1, "main", "starts") { Kind = TraceEventKind.Step },
            .. Enumerable.Range(2, 6).Select(i => Memory(i, "vcpu0", AccessKind.Read, $"x{i}", $"READ_ONCE(x{i}) -> 0")),
            Memory(8, "vcpu1", AccessKind.Write, "x2", "WRITE_ONCE(x2, 1)"),
            Memory(9, "vcpu0", AccessKind.Read, "x2", "READ_ONCE(x2) -> 1"),
        ];
        string html = HtmlTraceWriter.Render(trace, Header with { Bug = null });
        string fold = Assert.Single(Rows(html), r => r.StartsWith("<tr class=\"fold", StringComparison.Ordinal));
        Assert.Contains("<td class=\"step\">2–7</td>", fold);
        Assert.Contains("<details><summary>6 steps of vcpu0</summary>", fold);
        Assert.Equal(6, Regex.Matches(fold, "<div class=\"sub\">").Count); // every step is still there, with its number
        Assert.Contains("<span class=\"n\">7</span><div class=\"rd\" title=\"read x7 (memory)\">READ_ONCE(x7) -\u2060&gt; 0</div>", fold);
        Assert.Equal(5, Rows(html).Length); // the head row, step 1, the fold of steps 2-7, steps 8 and 9
    }

    [Fact]
    public void Tints_rows_while_a_monitor_is_hot_and_shows_each_change()
    {
        string[] rows = Rows(HtmlTraceWriter.Render(Hand, Header)).Skip(1).ToArray();
        Assert.DoesNotContain("hot", rows[0].Split('>')[0]);
        Assert.DoesNotContain("hot", rows[1].Split('>')[0]);
        Assert.Contains("hot", rows[2].Split('>')[0]);
        Assert.Contains("<th class=\"mon\">monitors</th>", Rows(HtmlTraceWriter.Render(Hand, Header))[0]);
        Assert.Contains("<td class=\"mon\"><div class=\"mc\">Irq → Idle</div></td>", rows[0]);
        Assert.Contains("<td class=\"mon\"></td>", rows[1]);
        Assert.Contains("<div class=\"mh\">Irq → Pending (hot)</div><div class=\"mc\">Other → Init</div>", rows[2]);
    }

    [Fact]
    public void A_liveness_bug_says_which_obligation_stayed_hot_and_since_when()
    {
        TraceEntry[] trace =
        [
            MonitorState(1, "main", "NoLostWakeup", "Idle", false, "cold "),
            Memory(2, "vcpu0", AccessKind.Write, "irr", "WRITE_ONCE(irr, 1)"),
            MonitorState(2, "vcpu0", "NoLostWakeup", "Pending", true, "hot "),
            new(3, "vcpu1", "vcpu1 sleeps forever"),
            new(4, "main", "joins 'vcpu1' (completed)") { Kind = TraceEventKind.Access, Access = AccessKind.Other, Resource = "vcpu1", ResourceKind = ResourceKind.Operation },
            Bug(4, "-", "*** BUG: Liveness: INV-B4 ..."),
        ];
        string html = HtmlTraceWriter.Render(trace, Header with { Bug = new BugReport(BugKind.Liveness, "INV-B4 ...", 4, null) });
        Assert.Contains("The obligation that stayed hot: monitor <b>NoLostWakeup</b> entered hot state <b>Pending</b> at step 2 " +
                        "and was still in it when the execution ended at step 4 (2 steps later).", html);
        Assert.DoesNotContain("engine", Lanes(html)); // the bug has its own row, not an "engine" lane
    }

    [Fact]
    public void Highlights_the_last_race_before_the_bug_from_typed_accesses()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        ScheduleFile schedule = MinimizationToys.FindBug(test, 3);
        ReplayResult replay = TestingEngine.Replay(test, schedule);
        (int first, int second) = Races.LastBefore(replay.Accesses, replay.Operations, schedule.Bug!.Step)!.Value;

        string html = HtmlTraceWriter.Render(replay.Trace, TraceHeader.From(schedule, replay));

        // Two workers' accesses to the counter, one of them a write.
        StepAccess a = replay.Accesses.First(x => x.Step == first), b = replay.Accesses.First(x => x.Step == second);
        Assert.Equal(a.Resource, b.Resource);
        Assert.NotEqual(a.Operation, b.Operation);
        Assert.True(a.IsWrite || b.IsWrite);
        Assert.Equal(2, Regex.Matches(html, "<tr class=\"race\">").Count);
        Assert.Contains($"Highlighted: steps <b>{first}</b> and <b>{second}</b>", html);
    }

    [Fact]
    public void Colours_lines_by_their_typed_access_and_resource_kind_and_names_the_resource()
    {
        string html = HtmlTraceWriter.Render(Hand, Header with { OperationFacts = Facts });
        Assert.Contains("<div class=\"rd\" title=\"read apic_access_memslot_enabled (memory)\">READ_ONCE(apic_access_memslot_enabled) -\u2060&gt; true</div>", html);
        Assert.Contains("<div class=\"wr\" title=\"write irr (memory)\">WRITE_ONCE(irr, 1) (store buffered)</div>", html);
        Assert.Contains("<div class=\"fl\" title=\"flush irr (memory)\">flushes irr = 1</div>", html); // its lane says whose buffer
        Assert.Contains("<div class=\"fn\">kvm_vcpu_kick(vcpu0)", html);
        Assert.Contains("<p class=\"res\"><span><i>memory</i> apic_access_memslot_enabled, irr</span> </p>", html);
    }

    [Fact]
    public void Reads_the_kinds_not_the_text()
    {
        TraceEntry[] trace =
        [
            new(1, "vcpu0", "READ_ONCE(x) -> 1"), // the model's own words that look like a read
            new(2, "vcpu0", "*** BUG: looks like a bug line"),
            new(3, "vcpu0", "monitor M enters hot state S"),
            new(4, "vcpu0", "lock(m)") { Kind = TraceEventKind.Access, Access = AccessKind.Lock, Resource = "m", ResourceKind = ResourceKind.Lock },
            new(5, "vcpu0", "table[1] = 0") { Kind = TraceEventKind.Access, Access = AccessKind.Read, Resource = "table[1]", ResourceKind = ResourceKind.Memory, ResourceGroup = "table" },
        ];
        string html = HtmlTraceWriter.Render(trace, Header with { Bug = null });
        Assert.Contains("<div class=\"fn\">READ_ONCE(x) -\u2060&gt; 1</div>", html);
        Assert.Contains("<div class=\"fn\">*** BUG: looks like a bug line</div>", html);
        Assert.DoesNotContain("<tr class=\"bug", html);
        Assert.DoesNotContain("class=\"mon\"", html);
        Assert.Contains("<div class=\"lk\" title=\"lock m (lock)\">lock(m)</div>", html);
        Assert.Contains("<div class=\"rd\" title=\"read table[1] (memory, table)\">table[1] = 0</div>", html);
        Assert.Contains("<span><i>memory (table)</i> table[1]</span> <span><i>lock</i> m</span>", html);
    }

    [Fact]
    public void Is_self_contained()
    {
        var (schedule, trace) = ReportToys.FailingRun(ReportToys.ThreeVcpus());
        string html = HtmlTraceWriter.Render(trace, schedule);
        foreach (string banned in new[] { "http://", "https://", "<script", "<link", "@import", "url(", "<iframe", "<img" })
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<style>", html);
    }

    [Fact]
    public void Renders_a_real_trace_with_its_schedule_metadata_and_preemptions()
    {
        TestCase test = MinimizationToys.LostUpdate(2);
        ScheduleFile schedule = MinimizationToys.FindBug(test, 3);
        ReplayResult replay = TestingEngine.Replay(test, schedule);
        int[] preemptions = Preemptions.Steps(test, schedule);

        string html = HtmlTraceWriter.Render(replay.Trace, schedule, preemptions);

        Assert.Contains("<i>seed</i> 3", html);
        Assert.Contains("<i>preemptions</i> " + preemptions.Length, html);
        Assert.Equal(preemptions.Length, Regex.Matches(html, "<td class=\"step pre\"").Count);
        Assert.Equal(schedule.Bug!.Step, int.Parse(Regex.Match(html, "<tr class=\"bug[^>]*><td class=\"step[^\"]*\"[^>]*>(\\d+)").Groups[1].Value));
        Assert.DoesNotContain("class=\"mon\"", html); // no monitor in this test, so no monitor column
        // Every step is shown once: in a row of its own or inside a fold.
        var shown = Regex.Matches(html, "<td class=\"step[^\"]*\"[^>]*>(\\d+)(?:–(\\d+))?</td>")
            .SelectMany(m => m.Groups[2].Success ? Enumerable.Range(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value) - int.Parse(m.Groups[1].Value) + 1) : [int.Parse(m.Groups[1].Value)])
            .Distinct().ToList();
        Assert.Equal(replay.Trace.Select(e => e.Step).Distinct().OrderBy(x => x), shown.OrderBy(x => x));
    }
}
