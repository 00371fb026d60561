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

    private static readonly TraceEntry[] Hand =
    [
        new(1, "main", "starts"),
        new(1, "main", "monitor Irq enters cold state Idle"),
        new(2, "vcpu0", "READ_ONCE(apic_access_memslot_enabled) -> true"),
        new(2, "vcpu1", "kvm_vcpu_kick(vcpu0) <script>alert('x')</script> & \"q\""),
        new(3, "vcpu1", "WRITE_ONCE(irr, 1) (store buffered)"),
        new(3, "vcpu1", "monitor Irq enters hot state Pending"),
        new(3, "vcpu1", "monitor Other enters state Init"),
        new(4, "vcpu0.sb", "store buffer of vcpu0 flushes irr = 1"),
        new(4, "vcpu1", "*** BUG: AssertionFailure: INV-A1: x < y & 'z'"),
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

    [Fact]
    public void Has_one_lane_per_operation_with_store_buffers_beside_their_owners()
    {
        var trace = Hand.Append(new TraceEntry(4, "-", "*** NONDETERMINISM: something")).ToArray();
        string html = HtmlTraceWriter.Render(trace, Header);
        string[] lanes = Regex.Matches(html, "<th class=\"lane c\\d\">([^<]*)").Select(m => m.Groups[1].Value.Trim()).ToArray();
        Assert.Equal(["main", "vcpu0", "vcpu0.sb", "vcpu1", "engine"], lanes);
        Assert.Contains("vcpu0.sb <span class=\"id\">#3</span>", html); // ids stay those of the schedule
        // Every row has a cell per lane, plus the step column and one per monitor.
        Assert.All(Rows(html).Skip(1), r => Assert.Equal(1 + 5 + 2, Regex.Matches(r, "<td").Count));
    }

    [Fact]
    public void Marks_the_bug_row_and_only_it()
    {
        string html = HtmlTraceWriter.Render(Hand, Header);
        string[] bugRows = Rows(html).Where(r => r.StartsWith("<tr class=\"bug", StringComparison.Ordinal)).ToArray();
        string bugRow = Assert.Single(bugRows);
        Assert.Contains("id=\"bug\"", bugRow);
        Assert.Contains("<td class=\"step\">4</td>", bugRow);
        Assert.Contains("<div class=\"bugline\">*** BUG", bugRow);
        Assert.Contains("href=\"#bug\"", html);
    }

    [Fact]
    public void Tints_rows_while_a_monitor_is_hot_and_shows_its_state()
    {
        string[] rows = Rows(HtmlTraceWriter.Render(Hand, Header)).Skip(1).ToArray();
        Assert.DoesNotContain("hot", rows[0].Split('>')[0]);
        Assert.DoesNotContain("hot", rows[1].Split('>')[0]);
        Assert.Contains("hot", rows[2].Split('>')[0]);
        string head = Rows(HtmlTraceWriter.Render(Hand, Header))[0];
        Assert.Matches("<th class=\"mon\"[^>]*>Irq</th><th class=\"mon\"[^>]*>Other</th></tr>", head); // a column per monitor, rightmost
        Assert.Matches("<td class=\"mon\"[^>]*><span class=\"mc ch\">Idle</span></td><td class=\"mon\"[^>]*><span class=\"mc\">–</span></td>", rows[0]);
        Assert.Contains("<span class=\"mc\">Idle</span>", rows[1]);
        Assert.Matches("<span class=\"mh ch\">Pending <b>hot</b></span></td><td[^>]*><span class=\"mc ch\">Init</span>", rows[2]);
        Assert.Contains("<span class=\"mh\">Pending <b>hot</b></span>", rows[3]);
    }

    [Fact]
    public void Highlights_shared_accesses_by_kind_and_names_the_variable()
    {
        string html = HtmlTraceWriter.Render(Hand, Header);
        Assert.Contains("<div class=\"rd\">READ_ONCE(<span class=\"v\">apic_access_memslot_enabled</span>) -&gt; true</div>", html);
        Assert.Contains("<div class=\"wr\">WRITE_ONCE(<span class=\"v\">irr</span>, 1) (store buffered)</div>", html);
        Assert.Contains("<div class=\"fl\">flushes <span class=\"v\">irr</span> = 1</div>", html); // its lane says whose buffer
        Assert.Contains("<div class=\"fn\"><span class=\"v\">kvm_vcpu_kick</span>(vcpu0)", html);
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
        Assert.Equal(replay.Trace[^1].Step, Rows(html).Length - 1);
    }
}
