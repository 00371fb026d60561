namespace Avic.Coyote.Runtime;

/// <summary>
/// The operations of one execution, by id, and the enabled ones at each step. Its own room so that the loop only asks
/// it; creation order, naming and the enabled scan are bookkeeping no strategy or feature changes.
/// </summary>
internal sealed class OperationTable
{
    private readonly List<Operation> all = new();
    private Operation[] enabled = new Operation[16];

    public List<Operation> All => all;

    public void Clear() => all.Clear();

    /// <summary>A new operation created at <paramref name="step"/> by <paramref name="creator"/> (null: the engine).</summary>
    public Operation Add(string name, Func<Task>? body, IEngineStep? engineStep, int step, Operation? creator)
    {
        var op = new Operation(all.Count, name, body, engineStep) { CreatedAtStep = step, CreatedBy = creator?.Id ?? -1 };
        all.Add(op);
        return op;
    }

    /// <summary>The operations that can take a step now, in id order; notes which ones the step just taken enabled.</summary>
    public ReadOnlySpan<Operation> CollectEnabled(int step)
    {
        int count = 0;
        // A span, not the list's enumerator: this runs for every operation at every step.
        foreach (Operation op in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all))
        {
            bool isEnabled = op.IsEnabled;
            // Blocked (or not yet created) when last looked, runnable now: the step just taken enabled it.
            if (isEnabled && !op.WasEnabled) op.EnabledByStep = step;
            op.WasEnabled = isEnabled;
            if (!isEnabled) continue;
            if (count == enabled.Length) Array.Resize(ref enabled, count * 2);
            enabled[count++] = op;
        }
        return new ReadOnlySpan<Operation>(enabled, 0, count);
    }

    public bool AnyEnabled() => all.Exists(op => op.IsEnabled);

    /// <summary>The unfinished operations that wait for something (not idly): a deadlock when nothing can run; null if none.</summary>
    public List<Operation>? Blocked()
    {
        List<Operation>? blocked = null;
        foreach (Operation op in all)
            if (op.Status != OperationStatus.Completed && op.Blocker is { IsIdle: false })
                (blocked ??= new()).Add(op);
        return blocked;
    }

    public string[] Names() => all.ConvertAll(o => o.Name).ToArray();
}
