namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>A strategy that explores a whole tree of executions and can say, in words, what it covered.</summary>
public interface IExhaustiveStrategy : ISchedulingStrategy
{
    /// <summary>Executions that ran to the end (a bug, quiescence, or the bound).</summary>
    int CompleteExecutions { get; }

    /// <summary>Executions cut short as equivalent to explored ones: the reduction's wasted work.</summary>
    int PrunedExecutions { get; }

    /// <summary>"complete: …", "incomplete: …" or "bug found after …", for reports.</summary>
    string Describe(bool bugFound);

    /// <summary>For the progress line: how far the search is, or null.</summary>
    string? ProgressText => null;
}
