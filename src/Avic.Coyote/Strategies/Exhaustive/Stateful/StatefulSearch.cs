using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive.Stateful;

/// <summary>
/// `dfs-stateful`: the full depth-first search (no partial-order reduction) that, like SPIN, does not
/// explore a state twice. Before each scheduling step it fingerprints the state (the model's
/// <see cref="StateHashing"/> hook plus each operation's status); a state whose whole subtree was
/// explored before, from the same step or an earlier one, is not explored again (the execution stops
/// there). A state's subtree is known to be explored when depth-first search backtracks above it:
/// the next execution leaves the path at a decision before it.
/// <para>
/// Sound (finds every bug the full search finds, and the same first bug) when the hash determines the
/// whole future: every shared value, each operation's position and live locals, monitor states. The
/// step condition keeps the step bound's cut the same (a state met first deeper had fewer steps left).
/// It is not combined with DPOR: a pruned subtree's races would never add their reversals above it, so
/// classes would be lost (Yang, Chen, Gopalakrishnan, Kirby, SPIN 2008, repair this with a summary of
/// the pruned subtree's dependences; not done here). With sleep sets alone it would be sound only if a
/// state's stored sleep set is a subset of the one it is met with again (Godefroid 1996); with a
/// liveness threshold it is not (hot-since steps are not part of the state).
/// </para>
/// </summary>
public sealed class StatefulSearch : IExhaustiveStrategy
{
    private readonly DfsStrategy inner;
    /// <summary>Fingerprints of fully explored states, with the earliest step they were explored from.</summary>
    private readonly Dictionary<(ulong, ulong), int> explored = new();
    private List<int> decisions = new();
    private List<int> previous = new();
    private List<(ulong, ulong, int Decision, int Step)> states = new();
    private List<(ulong, ulong, int Decision, int Step)> previousStates = new();
    private bool compared;

    public StatefulSearch(int maxSteps) => inner = new DfsStrategy("dfs-full", maxSteps);

    public string Name => "dfs-stateful";

    /// <summary>Executions stopped at a state explored before.</summary>
    public int StatePrunes { get; private set; }

    /// <summary>Distinct states fully explored.</summary>
    public int States => explored.Count;

    public int CompleteExecutions => inner.CompleteExecutions;

    public int PrunedExecutions => StatePrunes;

    public bool IsExhausted => inner.IsExhausted;

    public bool PrepareIteration(int iteration)
    {
        (previous, decisions) = (decisions, previous);
        (previousStates, states) = (states, previousStates);
        decisions.Clear();
        states.Clear();
        compared = false;
        return inner.PrepareIteration(iteration);
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        ControlledRuntime runtime = ControlledRuntime.Current!;
        if (step == 0) StateHashing.Forget(runtime); // the hook of the previous execution
        (ulong, ulong)? state = StateHashing.Of(runtime);
        if (state is { } s && explored.TryGetValue(s, out int from) && from <= step)
        {
            StatePrunes++;
            return -1;
        }
        int k = inner.NextOperation(enabled, current, step);
        if (k < 0) return k;
        if (state is { } t) states.Add((t.Item1, t.Item2, decisions.Count, step));
        Decide(enabled[k].Id);
        return k;
    }

    public bool NextBoolean(int step)
    {
        bool b = inner.NextBoolean(step);
        Decide(b ? ~1 : ~0);
        return b;
    }

    public int NextInteger(int maxValue, int step)
    {
        int v = inner.NextInteger(maxValue, step);
        Decide(~v);
        return v;
    }

    /// <summary>Records a decision; at the first one that differs from the previous execution's, the states that
    /// execution met after that decision have had their subtrees explored (depth-first search left them).</summary>
    private void Decide(int decision)
    {
        int at = decisions.Count;
        decisions.Add(decision);
        if (compared || (at < previous.Count && previous[at] == decision)) return;
        compared = true;
        foreach ((ulong a, ulong b, int d, int step) in previousStates)
            if (d > at && (!explored.TryGetValue((a, b), out int known) || step < known)) explored[(a, b)] = step;
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome) => inner.OnIterationEnd(steps, outcome);

    public string Describe(bool bugFound)
    {
        string d = inner.Describe(bugFound);
        return d.Replace("dfs-full", Name) + $"; stateful: {StatePrunes} executions stopped at one of {States} states explored before";
    }
}
