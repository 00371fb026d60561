using System.Text;
using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Wraps an exhaustive strategy and names the equivalence class (Mazurkiewicz trace) of every execution
/// it runs to the end: each step labelled by its operation, its position in it, what it touched and the
/// values it drew, with the earlier steps it conflicts with. Two executions get the same name exactly
/// when they order every pair of conflicting steps alike. For checking a reduction against the full search.
/// <paramref name="localDraws"/>: a step that drew a value conflicts only through what it touched (dfs's equivalence:
/// the values are part of the step's label); otherwise it conflicts with every step (dfs-sleepsets').
/// </summary>
public sealed class DfsClassRecorder(ISchedulingStrategy inner, bool localDraws = false) : ISchedulingStrategy
{
    private readonly List<(int Op, int Index, Access[] Accesses, bool Global, string Values)> steps = new();
    private readonly Dictionary<int, int> stepCount = new();
    private readonly StringBuilder values = new();

    /// <summary>Distinct classes of the executions run to the end.</summary>
    public HashSet<string> Classes { get; } = new();

    /// <summary>Every execution run to the end or cut short, as its steps (operation.index, values drawn), for messages.</summary>
    public List<string> Executions { get; } = new();

    /// <summary>Executions run to the end whose class had been seen before.</summary>
    public int Repeats { get; private set; }

    public string Name => inner.Name;

    public bool NeedsFootprints => true;

    public bool IsExhausted => inner.IsExhausted;

    public bool PrepareIteration(int iteration)
    {
        steps.Clear();
        stepCount.Clear();
        values.Clear();
        return inner.PrepareIteration(iteration);
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) => inner.NextOperation(enabled, current, step);

    public bool NextBoolean(int step)
    {
        bool b = inner.NextBoolean(step);
        values.Append(b ? "T" : "F");
        return b;
    }

    public int NextInteger(int maxValue, int step)
    {
        int v = inner.NextInteger(maxValue, step);
        values.Append('i').Append(v);
        return v;
    }

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
    {
        int index = stepCount[op.Id] = stepCount.GetValueOrDefault(op.Id) + 1;
        steps.Add((op.Id, index, accesses.ToArray(), global, values.ToString()));
        values.Clear();
        if (inner.NeedsFootprints) inner.OnStepCompleted(op, accesses, global);
    }

    public void OnIterationEnd(int stepsTaken, ExecutionOutcome outcome)
    {
        inner.OnIterationEnd(stepsTaken, outcome);
        Executions.Add((outcome == ExecutionOutcome.Pruned ? "cut: " : "") + string.Join(" ", steps.Select(s => $"{s.Op}.{s.Index}{s.Values}")));
        if (outcome == ExecutionOutcome.Pruned) return;
        var events = new List<string>();
        for (int i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var before = new List<string>();
            for (int j = 0; j < i; j++)
            {
                var e = steps[j];
                if (e.Op != s.Op && (!localDraws && (e.Global || s.Global) || Access.Conflict(e.Accesses, s.Accesses))) before.Add($"{e.Op}.{e.Index}");
            }
            before.Sort(StringComparer.Ordinal);
            string touched = string.Join(",", s.Accesses.Select(a => $"{a.Key}{(a.IsWrite ? "w" : "r")}"));
            events.Add($"{s.Op}.{s.Index}[{touched}{s.Values}]<{string.Join(",", before)}");
        }
        events.Sort(StringComparer.Ordinal);
        if (!Classes.Add(string.Join(";", events))) Repeats++;
    }
}
