using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PriceIntel.Engine.Anomaly;

/// <summary>
/// Median and median absolute deviation without allocation. Two implementations that must agree
/// (a property test checks it): <see cref="MedianAndMad"/>, in-place selection (Hoare's quickselect with a
/// median-of-three pivot, O(n) expected, the input is reordered), and <see cref="MedianAndMadByRank"/>,
/// a branch-free SIMD rank count for up to <see cref="MaxRankCount"/> values. On fresh price data
/// quickselect's branches are unpredictable; counting ranks with Vector256 compares has no data-dependent
/// branch and measured about 4× faster for 32 values.
/// </summary>
internal static class RobustStats
{
    /// <summary>Consistency constant: 1.4826 · MAD estimates σ for normal data.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Most values <see cref="MedianAndMadByRank"/> takes.</summary>
    public const int MaxRankCount = 32;

    /// <summary>True when <see cref="MedianAndMadByRank"/> runs on hardware SIMD.</summary>
    public static bool IsRankCountAccelerated => Vector256.IsHardwareAccelerated;

    /// <summary>Median and MAD of <paramref name="values"/>, choosing the fastest exact method; <paramref name="scratch"/> (≥ 32 and ≥ values) is overwritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Median, float Mad) Compute(ReadOnlySpan<float> values, Span<float> scratch)
    {
        if (values.Length <= MaxRankCount && IsRankCountAccelerated)
        {
            return MedianAndMadByRank(values, scratch);
        }

        var work = scratch[..values.Length];
        values.CopyTo(work);
        return MedianAndMad(work);
    }

    /// <summary>
    /// Median and MAD of 1 to 32 values by counting, for every value, how many are smaller and how many equal
    /// (Vector256, four blocks of eight, padding +∞). Exact, including ties. <paramref name="scratch"/> needs 32 floats.
    /// </summary>
    [SkipLocalsInit]
    public static (float Median, float Mad) MedianAndMadByRank(ReadOnlySpan<float> values, Span<float> scratch)
    {
        int n = values.Length;
        if ((uint)(n - 1) >= MaxRankCount || scratch.Length < MaxRankCount)
        {
            ThrowBadLength(n);
        }

        var work = scratch[..MaxRankCount];
        values.CopyTo(work);
        work[n..].Fill(float.PositiveInfinity);
        ref float w = ref MemoryMarshal.GetReference(work);
        float median = MedianByRank(ref w, n);
        var center = Vector256.Create(median);
        for (int b = 0; b < MaxRankCount; b += 8)
        {
            Vector256.Abs(Vector256.LoadUnsafe(ref w, (nuint)b) - center).StoreUnsafe(ref w, (nuint)b);
        }

        return (median, MedianByRank(ref w, n));
    }

    private static float MedianByRank(ref float w, int n)
    {
        var x0 = Vector256.LoadUnsafe(ref w, 0);
        var x1 = Vector256.LoadUnsafe(ref w, 8);
        var x2 = Vector256.LoadUnsafe(ref w, 16);
        var x3 = Vector256.LoadUnsafe(ref w, 24);
        Vector256<int> less0 = default, less1 = default, less2 = default, less3 = default;
        Vector256<int> eq0 = default, eq1 = default, eq2 = default, eq3 = default;
        for (int j = 0; j < n; j++)
        {
            var y = Vector256.Create(Unsafe.Add(ref w, j));
            less0 -= Vector256.GreaterThan(x0, y).AsInt32();
            less1 -= Vector256.GreaterThan(x1, y).AsInt32();
            less2 -= Vector256.GreaterThan(x2, y).AsInt32();
            less3 -= Vector256.GreaterThan(x3, y).AsInt32();
            eq0 -= Vector256.Equals(x0, y).AsInt32();
            eq1 -= Vector256.Equals(x1, y).AsInt32();
            eq2 -= Vector256.Equals(x2, y).AsInt32();
            eq3 -= Vector256.Equals(x3, y).AsInt32();
        }

        // Value i is the k-th smallest (0-based) when less_i ≤ k < less_i + eq_i.
        int kHigh = n >> 1;
        int kLow = (n & 1) != 0 ? kHigh : kHigh - 1;
        ulong high = RankMask(less0, eq0, kHigh) | (RankMask(less1, eq1, kHigh) << 8) | (RankMask(less2, eq2, kHigh) << 16) | (RankMask(less3, eq3, kHigh) << 24);
        ulong low = RankMask(less0, eq0, kLow) | (RankMask(less1, eq1, kLow) << 8) | (RankMask(less2, eq2, kLow) << 16) | (RankMask(less3, eq3, kLow) << 24);
        float upper = Unsafe.Add(ref w, BitOperations.TrailingZeroCount(high));
        float lower = Unsafe.Add(ref w, BitOperations.TrailingZeroCount(low));
        return lower + ((upper - lower) * 0.5f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RankMask(Vector256<int> less, Vector256<int> equal, int k)
    {
        var kv = Vector256.Create(k);
        return (Vector256.LessThanOrEqual(less, kv) & Vector256.GreaterThan(less + equal, kv)).ExtractMostSignificantBits();
    }

    private static void ThrowBadLength(int n) =>
        throw new ArgumentOutOfRangeException(nameof(n), n, "MedianAndMadByRank takes 1 to 32 values and a scratch of at least 32.");

    /// <summary>Median and MAD of <paramref name="values"/> (reordered and overwritten with absolute deviations).</summary>
    public static (float Median, float Mad) MedianAndMad(Span<float> values)
    {
        float median = Median(values);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Abs(values[i] - median);
        }

        return (median, Median(values));
    }

    /// <summary>The median (mean of the two middle values for an even count) of a non-empty span; reorders it.</summary>
    public static float Median(Span<float> values)
    {
        int n = values.Length;
        int k = n >> 1;
        float upper = Select(values, k);
        if ((n & 1) != 0)
        {
            return upper;
        }

        // After selection everything left of k is ≤ values[k]; the lower middle is their maximum.
        float lower = values[0];
        for (int i = 1; i < k; i++)
        {
            if (values[i] > lower)
            {
                lower = values[i];
            }
        }

        return lower + ((upper - lower) * 0.5f);
    }

    /// <summary>Reorders <paramref name="values"/> so that index <paramref name="k"/> holds the k-th smallest, smaller ones left of it, larger right; returns it.</summary>
    public static float Select(Span<float> values, int k)
    {
        int lo = 0;
        int hi = values.Length - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (values[mid] < values[lo])
            {
                Swap(values, lo, mid);
            }

            if (values[hi] < values[lo])
            {
                Swap(values, lo, hi);
            }

            if (values[hi] < values[mid])
            {
                Swap(values, mid, hi);
            }

            float pivot = values[mid];
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap(Span<float> values, int a, int b) => (values[a], values[b]) = (values[b], values[a]);
}
