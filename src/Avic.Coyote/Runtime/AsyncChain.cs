using System.Reflection;
using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Finds, for an error message, which async method of the model is waiting on a task the engine does
/// not control. It follows the chain of awaited tasks from an operation's root task through the
/// compiler-generated state machines (what a debugger's "async call stack" shows). Only used on the
/// error path; when the runtime's internals differ it returns null and the caller says less.
/// </summary>
internal static class AsyncChain
{
    public static string? DescribeForeignAwait(Task root)
    {
        try
        {
            // A Task, or the pooled frame behind a ValueTask (it also keeps its state machine in a StateMachine field).
            object? task = root;
            string? lastMethod = null;
            for (int depth = 0; depth < 64 && task is not null; depth++)
            {
                object? stateMachine = task.GetType().GetField("StateMachine", BindingFlags.Public | BindingFlags.Instance)?.GetValue(task);
                if (stateMachine is null)
                    return lastMethod is null || task is not Task t ? null : $"{lastMethod} awaits {Describe(t)}";
                lastMethod = MethodName(stateMachine.GetType());
                task = AwaitedTask(stateMachine);
                if (task is null) return $"{lastMethod} awaits {AwaiterKinds(stateMachine)}";
            }
        }
        catch (Exception e) when (e is FieldAccessException or TargetException or ArgumentException or MemberAccessException)
        {
        }
        return null;
    }

    /// <summary>"&lt;Handle&gt;d__3" nested in Server → "Server.Handle"; async lambdas → "a lambda in Server.Main".</summary>
    private static string MethodName(Type stateMachine)
    {
        string name = stateMachine.Name;
        int start = 0;
        while (start < name.Length && name[start] == '<') start++;
        int close = name.IndexOf('>', start);
        string method = close > start ? name[start..close] : name;
        Type? owner = stateMachine.DeclaringType;
        while (owner is not null && owner.Name.StartsWith('<')) owner = owner.DeclaringType; // lambdas' display classes
        string where = owner is null ? method : $"{owner.Name}.{method}";
        return name.Contains("b__", StringComparison.Ordinal) ? $"a lambda in {where}" : where;
    }

    /// <summary>The task held by the state machine's active TaskAwaiter or ValueTaskAwaiter (compiler fields named &lt;&gt;u__N).</summary>
    private static object? AwaitedTask(object stateMachine)
    {
        foreach (FieldInfo f in stateMachine.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (!f.Name.StartsWith("<>u__", StringComparison.Ordinal)) continue;
            object? awaiter = f.GetValue(stateMachine);
            if (awaiter is null) continue;
            // TaskAwaiter keeps m_task; ConfiguredTaskAwaitable's awaiter wraps one in m_awaiter.
            object? inner = Field(awaiter, "m_task") ?? (Field(awaiter, "m_awaiter") is { } wrapped ? Field(wrapped, "m_task") : null);
            if (inner is Task t) return t;
            // ValueTaskAwaiter keeps the ValueTask in _value, which keeps its Task or pooled frame in _obj.
            if (Field(awaiter, "_value") is { } valueTask && Field(valueTask, "_obj") is { } source) return source;
        }
        return null;
    }

    /// <summary>For awaits without a task (Task.Yield, custom awaitables): name the awaiter types the method uses.</summary>
    private static string AwaiterKinds(object stateMachine)
    {
        var kinds = stateMachine.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.Name.StartsWith("<>u__", StringComparison.Ordinal) && !f.FieldType.FullName!.StartsWith("Avic.Coyote", StringComparison.Ordinal))
            .Select(f => f.FieldType.Name.Contains("Yield", StringComparison.Ordinal) ? "Task.Yield" : f.FieldType.Name)
            .Distinct().ToList();
        return kinds.Count == 0 ? "a value the engine does not control" : $"{string.Join(" or ", kinds)} (not engine awaitables)";
    }

    private static object? Field(object o, string name) =>
        o.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(o);

    private static string Describe(Task task)
    {
        string type = task.GetType().Name;
        return type switch
        {
            _ when type.Contains("Delay", StringComparison.Ordinal) => "Task.Delay",
            _ when task.CreationOptions.HasFlag(TaskCreationOptions.DenyChildAttach) => "a task started with Task.Run or Task.Factory",
            _ => $"a {type} that is not controlled",
        };
    }
}
