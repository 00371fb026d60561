using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>Picks uniformly among the enabled operations at every step.</summary>
public sealed class RandomStrategy : ISchedulingStrategy
{
    private readonly ulong seed;
    private Rng rng;

    public RandomStrategy(ulong seed) => this.seed = seed;

    public string Name => "random";

    public bool IsFair => true;

    public bool PrepareIteration(int iteration)
    {
        rng.Reseed(Rng.IterationSeed(seed, iteration));
        return true;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) => rng.Next(enabled.Length);

    public bool NextBoolean(int step) => rng.NextBool();

    public int NextInteger(int maxValue, int step) => rng.Next(maxValue);
}
