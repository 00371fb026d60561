using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>Follows a recorded list of decisions exactly, and says where the model stops matching it.</summary>
public sealed class ReplayStrategy : ISchedulingStrategy
{
    private readonly IReadOnlyList<Decision> decisions;
    private int next;

    public ReplayStrategy(IReadOnlyList<Decision> decisions) => this.decisions = decisions;

    public string Name => "replay";

    /// <summary>True once every recorded decision has been used.</summary>
    public bool Finished => next >= decisions.Count;

    /// <summary>How many decisions the execution has used.</summary>
    public int Used => next;

    public bool PrepareIteration(int iteration)
    {
        next = 0;
        return true;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        Decision d = Take(DecisionKind.Operation, step);
        for (int i = 0; i < enabled.Length; i++)
            if (enabled[i].Id == d.Value) return i;
        var names = new List<string>();
        foreach (Operation op in enabled) names.Add($"{op.Id}:{op.Name}");
        throw new ScheduleDivergenceException(step,
            $"it says run operation {d.Value}, which cannot run here (enabled: {string.Join(", ", names)})");
    }

    public bool NextBoolean(int step) => Take(DecisionKind.Boolean, step).Value != 0;

    public int NextInteger(int maxValue, int step)
    {
        Decision d = Take(DecisionKind.Integer, step);
        if (d.Value >= maxValue)
            throw new ScheduleDivergenceException(step, $"it says integer {d.Value}, but the model asks for one below {maxValue}");
        return d.Value;
    }

    private Decision Take(DecisionKind kind, int step)
    {
        if (next >= decisions.Count)
            throw new ScheduleDivergenceException(step, $"the model asks for a {Describe(kind)} after the last of its {decisions.Count} decisions");
        Decision d = decisions[next];
        if (d.Kind != kind)
            throw new ScheduleDivergenceException(step, $"decision {next} is a {Describe(d.Kind)} ({d}), but the model asks for a {Describe(kind)}");
        next++;
        return d;
    }

    private static string Describe(DecisionKind kind) => kind switch
    {
        DecisionKind.Operation => "scheduling choice",
        DecisionKind.Boolean => "random boolean",
        _ => "random integer",
    };
}
