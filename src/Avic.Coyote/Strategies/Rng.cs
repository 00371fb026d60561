namespace Avic.Coyote.Strategies;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, allocation-free, and the same sequence on every
/// machine and .NET version (System.Random promises neither).
/// </summary>
public struct Rng
{
    private ulong s0, s1, s2, s3;

    public Rng(ulong seed) => Reseed(seed);

    public void Reseed(ulong seed)
    {
        s0 = SplitMix(ref seed);
        s1 = SplitMix(ref seed);
        s2 = SplitMix(ref seed);
        s3 = SplitMix(ref seed);
    }

    /// <summary>The seed of iteration <paramref name="iteration"/> of a run started with <paramref name="seed"/>.</summary>
    public static ulong IterationSeed(ulong seed, int iteration)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(iteration + 1));
        return SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) (Lemire's multiply-shift; bias is negligible for the small n used here).</summary>
    public int Next(int n) => (int)((NextUInt64() >> 32) * (ulong)(uint)n >> 32);

    public bool NextBool() => (NextUInt64() >> 63) != 0;
}
