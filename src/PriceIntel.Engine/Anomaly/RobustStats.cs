using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Anomaly;

/// <summary>
/// Median and median absolute deviation by in-place selection (Hoare's quickselect with a
/// median-of-three pivot): O(n) expected, no allocation. The input span is reordered.
/// </summary>
internal static class RobustStats
{
    /// <summary>Consistency constant: 1.4826 · MAD estimates σ for normal data.</summary>
    public const double MadToSigma = 1.4826;

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
