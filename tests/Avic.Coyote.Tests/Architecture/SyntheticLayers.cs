// Two tiny layers for LayeringTests: Low may not use High. Two types of Low do (one in a field, one only
// inside a method body); the checker must flag both and nothing else.
namespace Avic.Coyote.Tests.Architecture.Synthetic.Low
{
    public sealed class Floor
    {
        public int Height => 2;
    }

    public sealed class ReachesUp
    {
        public High.Roof? Above;
    }

    public sealed class ReachesUpInABody
    {
        public int Measure() => new High.Roof().Height;
    }
}

namespace Avic.Coyote.Tests.Architecture.Synthetic.High
{
    public sealed class Roof
    {
        public int Height => 40 + new Low.Floor().Height;
    }
}
