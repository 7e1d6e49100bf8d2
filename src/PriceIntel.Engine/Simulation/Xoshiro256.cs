using System.Numerics;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Simulation;

/// <summary>
/// xoshiro256** (Blackman and Vigna): a small, fast, seedable generator whose whole state is four
/// words, seeded through SplitMix64 so that nearby seeds give unrelated streams. The simulator's
/// only source of randomness, so a seed fixes the event stream. A mutable struct: keep it in a
/// non-readonly field and call it in place.
/// </summary>
internal struct Xoshiro256
{
    private const double UnitScale = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1; // the all-zero state is the one state xoshiro cannot leave
        }
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * UnitScale;

    /// <summary>Uniform in [min, max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, maxExclusive) by multiply-shift (bias below 2^-32, irrelevant here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)(uint)maxExclusive) >> 32);

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Exponential with mean 1 (inversion; 1 − U lies in (0, 1], so the log is finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    /// <summary>Standard normal by Box–Muller (one of the pair; the rare callers do not need the other).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Roughly standard normal, cheaply: the centred sum of four uniforms scaled to unit variance
    /// (bounded at ±3.46). Good enough for price noise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextRoughGaussian() => (NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508075688772;

    /// <summary>Poisson with the given mean: inversion for small means, a rounded normal above 30.</summary>
    public int NextPoisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 30)
        {
            var x = Math.Round(mean + (Math.Sqrt(mean) * NextGaussian()));
            return x < 0 ? 0 : (int)x;
        }

        var u = NextDouble();
        var p = Math.Exp(-mean);
        var cumulative = p;
        var k = 0;
        while (u > cumulative && k < 1000)
        {
            k++;
            p *= mean / k;
            cumulative += p;
        }

        return k;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
