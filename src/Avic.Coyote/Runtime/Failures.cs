namespace Avic.Coyote.Runtime;

/// <summary>The messages of the bugs the runtime itself finds: what went wrong, where, in the model's terms.</summary>
internal static class Failures
{
    public const string ForeignThread =
        "model code ran on a thread the engine does not control (e.g. the continuation of Task.Run or of an un-awaited task) and touched a controlled object";

    public static string UncontrolledAwait(Operation op, int step) =>
        $"operation '{op.Name}' awaited something the engine does not control (Task.Run, Task.Delay, Task.Yield, I/O, " +
        $"or a task of another thread) in step {step}{Location(op)}; model code may await only engine awaitables";

    private static string Location(Operation op)
    {
        if (op.RootTask is { } root && AsyncChain.DescribeForeignAwait(root) is { } chain) return $": {chain}";
        return op.Location is { } where ? $", in {where}" : $", in {op.Body?.Method.DeclaringType?.Name}.{op.Body?.Method.Name}";
    }

    public static string UnhandledException(Operation op, Exception e)
    {
        string where = e.StackTrace?.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal))?.Trim() ?? "";
        return $"unhandled {e.GetType().Name} in '{op.Name}': {e.Message}{(where.Length > 0 ? " (" + where + ")" : "")}";
    }

    public static string Deadlock(List<Operation> blocked) =>
        $"deadlock: no operation can run; {string.Join("; ", blocked.ConvertAll(o => $"'{o.Name}' waits for {o.Blocker!.Describe(o)}"))}";
}
