namespace Avic.Coyote.Runtime;

/// <summary>
/// Records the trace of an execution as typed entries. A line logged while a scheduling point's resume action runs
/// is that point's access (its kind and resource come from the declaration, not from the text); other log lines are
/// the model's own; features add lines of their kind (a send, a monitor's state, a bug). A step that recorded
/// nothing gets a line saying it started, continued or returned.
/// </summary>
internal sealed class TraceRecorder(ControlledRuntime runtime) : StepObserver
{
    private List<TraceEntry> lines = new();
    private IExecutionDriver? driver;
    private string?[] labels = new string?[16];
    private int linesAtStart;
    private bool starting;
    private Operation? accessOf;

    public IReadOnlyList<TraceEntry> Lines => lines;

    /// <summary>Starts the trace of a new execution (a new list: the last one stays with whoever kept it).</summary>
    public TraceRecorder Start(IExecutionDriver? driver)
    {
        lines = new List<TraceEntry>();
        this.driver = driver;
        Array.Clear(labels);
        accessOf = null;
        return this;
    }

    public override void OnStepStarting(Operation op)
    {
        linesAtStart = lines.Count;
        starting = op.Status == OperationStatus.NotStarted;
        accessOf = null;
    }

    public override void OnStepCompleted(Operation op)
    {
        accessOf = null;
        // Every step gets a trace line, even one that touched nothing the model labelled.
        if (lines.Count == linesAtStart)
            Add(op, TraceEventKind.Step, starting ? "starts" : op.Status == OperationStatus.Completed ? "returns" : "continues");
    }

    /// <summary>The line <paramref name="op"/>'s pending scheduling point shows when it is resumed (null: none).</summary>
    public void Label(Operation op, string? label)
    {
        if (op.Id >= labels.Length) Array.Resize(ref labels, Math.Max(op.Id + 1, labels.Length * 2));
        labels[op.Id] = label;
    }

    /// <summary><paramref name="op"/> resumed at its scheduling point: its label, and the lines until its action ends, are its access.</summary>
    public void Resumed(Operation op)
    {
        accessOf = op;
        if (op.Id < labels.Length && labels[op.Id] is { } label)
        {
            labels[op.Id] = null;
            Log(op, label);
        }
    }

    public void EndAccess() => accessOf = null;

    /// <summary>A line in the model's words: the resumed access's while its action runs, else a log line.</summary>
    public void Log(Operation? op, string text)
    {
        if (op is not null && ReferenceEquals(op, accessOf)) Add(op, TraceEventKind.Access, text, op.PendingResource, op.PendingAccess);
        else Add(op, TraceEventKind.Log, text);
    }

    public void Add(Operation? op, TraceEventKind kind, string text, object? resource = null, AccessKind access = AccessKind.None,
        string? state = null, bool hot = false)
    {
        var line = new TraceEntry(runtime.Step, op?.Name ?? "-", text) { Kind = kind, OperationId = op?.Id ?? -1, Access = access, State = state, IsHot = hot };
        if (resource is not null) line = Describe(line, resource);
        lines.Add(line);
        driver?.OnTraceLine(line);
    }

    private static TraceEntry Describe(TraceEntry line, object resource) => resource switch
    {
        IControlledResource r => line with { Resource = r.ResourceName, ResourceKind = r.ResourceKind, ResourceGroup = r.ResourceGroup },
        Operation o => line with { Resource = o.Name, ResourceKind = ResourceKind.Operation },
        _ => line with { Resource = resource.ToString(), ResourceKind = ResourceKind.Other },
    };
}
