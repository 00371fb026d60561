namespace Avic.Coyote.Runtime;

/// <summary>What a join (<see cref="ControlledRuntime.WhenCompleted"/>) waits for: the target operation to complete.</summary>
internal sealed class CompletionBlocker(Operation target) : Blocker
{
    public override bool CanProceed(Operation op) => target.Status == OperationStatus.Completed;
    public override string Describe(Operation op) => $"'{target.Name}' to complete";
}
