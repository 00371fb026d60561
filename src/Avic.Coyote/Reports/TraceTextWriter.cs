using System.Text;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Reports;

/// <summary>The .trace.txt file: a header naming test, strategy, seed and bug, then one line per trace entry.</summary>
public static class TraceTextWriter
{
    /// <param name="notes">Extra header lines (e.g. how a minimized schedule was obtained), each written after "# ".</param>
    public static string Render(ScheduleFile schedule, IReadOnlyList<TraceEntry>? trace, params string[] notes)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var text = new StringBuilder();
        text.Append($"# test {schedule.Test} | strategy {Configuration.DescribeStrategy(schedule.Strategy, schedule.StrategyValue)} | seed {schedule.Seed} | " +
                    $"iteration {schedule.Iteration + 1} | memory model {schedule.MemoryModel}\n");
        text.Append($"# bug: {schedule.Bug?.ToString() ?? "none"}\n");
        foreach (string note in notes) text.Append("# ").Append(note).Append('\n');
        text.Append("# step operation    action\n");
        if (trace is not null)
            foreach (TraceEntry line in trace) text.Append(line.ToString()).Append('\n');
        return text.ToString();
    }
}
