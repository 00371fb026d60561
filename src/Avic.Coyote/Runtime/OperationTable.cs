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
        // A span, not the list's enumerator: this runs for every operation at every step.
        ReadOnlySpan<Operation> ops = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all);
        if (enabled.Length < ops.Length) Array.Resize(ref enabled, Math.Max(ops.Length, enabled.Length * 2));
        Operation[] collected = enabled;
        int count = 0;
        foreach (Operation op in ops)
        {
            bool isEnabled = op.IsEnabled;
            // Blocked (or not yet created) when last looked, runnable now: the step just taken enabled it.
            if (isEnabled && !op.WasEnabled) op.EnabledByStep = step;
            op.WasEnabled = isEnabled;
            if (!isEnabled) continue;
            // Most steps find the enabled operations of the step before: a slot that already holds this one needs no
            // store (a reference store is a write barrier).
            if (!ReferenceEquals(collected[count], op)) collected[count] = op;
            count++;
        }
        return new ReadOnlySpan<Operation>(collected, 0, count);
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
