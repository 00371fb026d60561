using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// Symmetry reduction for `-s dfs` / `dfs-bounded`: a test declares operations that are interchangeable (e.g. worker
/// threads with the same program on the same configuration), and the search runs their <i>opening</i> steps (each
/// one's first step that touches something, i.e. declares an access) only in declaration order — one representative
/// per permutation of who opens first. Every other strategy ignores it.
/// <para>
/// Sound when the declared operations are interchangeable from the declaration on: for every permutation π of
/// them, renaming member i to π(i) (and each member's own objects with it) maps the program and its state at the
/// declaration onto themselves — same code for each, no member started yet, equal own state, every other operation
/// treats them alike, and every check about a member is the same check (same invariant) about each. Then an
/// execution E in which members open out of order has an image π(E) (π sorts them by opening; those that never
/// open last), with the openings in order, that ends in a bug of the same kind and invariant (naming the other
/// member). An execution in which only held-back members could go on is cut short (a member that never opens holds
/// back the later ones), as equivalent: its image is explored. Reports and invariants stay per member:
/// only the order of first steps is restricted. Explored executions are always real executions, so a declaration
/// that breaks these conditions can hide a bug but never invent one.
/// </para>
/// </summary>
public static class Symmetry
{
    /// <summary>Interface of the searches that take declarations.</summary>
    internal interface ITarget
    {
        void DeclareSymmetric(IReadOnlyList<Operation> members);
    }

    [ThreadStatic] private static ITarget? target;
    [ThreadStatic] private static ControlledRuntime? targetRuntime;

    /// <summary>Declares <paramref name="members"/> interchangeable (see the class comment for when that is sound). Call it
    /// in the test body right after creating them, before any of them ran a step; a no-op unless the running strategy
    /// is an exhaustive search that reduces by symmetry.</summary>
    public static void Declare(IActorRuntime runtime, IEnumerable<Operation> members)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(members);
        if (target is null || !ReferenceEquals(runtime, targetRuntime) || !ReferenceEquals(ControlledRuntime.Current, runtime)) return;
        var list = members.ToList();
        foreach (Operation op in list)
            if (op.Status != OperationStatus.NotStarted)
                throw new InvalidOperationException($"Symmetry.Declare: '{op.Name}' already ran a step; declare interchangeable operations right after creating them");
        if (list.Count > 1) target.DeclareSymmetric(list);
    }

    /// <summary>Called by a search at the first step of each execution: declarations in it go to <paramref name="search"/>.</summary>
    internal static void Attach(ITarget search, ControlledRuntime? runtime)
    {
        target = search;
        targetRuntime = runtime;
    }
}
