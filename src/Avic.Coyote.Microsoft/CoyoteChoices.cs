using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Generator = Microsoft.Coyote.Random.Generator;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// The random values of a model running on Microsoft.Coyote. They come from Coyote's
/// <see cref="Generator"/>, so Coyote's strategy decides them and its .trace records and replays them.
/// Coyote's strategy also picks the operations (<see cref="CoyoteDriver"/>), so <see cref="NextOperation"/> is never called.
/// </summary>
internal sealed class CoyoteChoices : ISchedulingStrategy
{
    private readonly Generator generator = Generator.Create();

    public string Name => "microsoft-coyote";

    public bool PrepareIteration(int iteration) => true;

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) =>
        throw new InvalidOperationException("Microsoft.Coyote picks the operations; the runtime must not ask this strategy");

    public bool NextBoolean(int step) => generator.NextBoolean();

    public int NextInteger(int maxValue, int step) => generator.NextInteger(maxValue);
}
