namespace Avic.Coyote.Strategies.Exhaustive.Parallel;

/// <summary>
/// An exhaustive search whose tree can be cut into subtrees explored elsewhere, for
/// <see cref="ParallelExhaustiveSearch"/>. The exploration of a subtree must be a function of its
/// <see cref="SubtreeKey"/> alone (the path to it and whatever state of the nodes above it the
/// subtree reads); what it writes into the nodes above it is handed back by <see cref="Absorb"/>.
/// </summary>
internal interface ISplittableSearch : IExhaustiveStrategy
{
    /// <summary>The index of the next choice point of the running execution.</summary>
    int Depth { get; }

    /// <summary>Choice points on the current path.</summary>
    int PathLength { get; }

    /// <summary>Every branch below the search's root was explored (bound hits or not).</summary>
    bool Finished { get; }

    /// <summary>After an execution cut where a new choice point would start (<see cref="Depth"/> =
    /// <see cref="PathLength"/>): a string equal for two cuts exactly when their subtrees are explored alike.</summary>
    string SubtreeKey();

    /// <summary>A copy of the whole search (for looking ahead), or, with <paramref name="subtree"/>, a search
    /// of just the subtree below the cut: it replays the path, never backtracks above it, and collects
    /// what its races add to the nodes above it.</summary>
    ISplittableSearch Fork(bool subtree);

    /// <summary>Takes in a finished subtree search forked at the current cut: the additions to the nodes
    /// above it and its counts, exactly as if this search had explored the subtree itself.</summary>
    void Absorb(ISplittableSearch subtree);
}
