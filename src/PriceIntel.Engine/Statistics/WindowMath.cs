using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Statistics;

/// <summary>Bucket arithmetic shared by the windowed state types, and their throw helpers.</summary>
internal static class WindowMath
{
    /// <summary>Milliseconds in an hour, for per-hour rates.</summary>
    public const double MsPerHour = 3_600_000;

    /// <summary>Floor division: the bucket number of <paramref name="timestamp"/> for buckets of <paramref name="width"/> ms (correct for negative times too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FloorDiv(long timestamp, long width)
    {
        long q = timestamp / width;
        return timestamp < 0 && q * width != timestamp ? q - 1 : q;
    }

    /// <summary>Non-negative remainder of <paramref name="bucket"/> by <paramref name="ringSize"/>: the ring slot of a bucket number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FloorMod(long bucket, int ringSize)
    {
        long r = bucket % ringSize;
        return (int)(r < 0 ? r + ringSize : r);
    }

    /// <summary>Checks the window lengths and bucket count and returns each window's bucket width (length / buckets, truncated).</summary>
    public static long[] BucketWidths(ReadOnlySpan<long> windowLengthsMs, int bucketsPerWindow, int maxWindows)
    {
        if (bucketsPerWindow is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketsPerWindow), bucketsPerWindow, "bucketsPerWindow must be between 1 and 1024.");
        }

        if (windowLengthsMs.Length > maxWindows)
        {
            throw new ArgumentOutOfRangeException(nameof(windowLengthsMs), windowLengthsMs.Length, $"At most {maxWindows} windows are supported.");
        }

        var widths = new long[windowLengthsMs.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            if (windowLengthsMs[i] < bucketsPerWindow)
            {
                throw new ArgumentOutOfRangeException(nameof(windowLengthsMs), windowLengthsMs[i], $"Window {i} is {windowLengthsMs[i]} ms; it must be at least bucketsPerWindow ({bucketsPerWindow}) ms.");
            }

            widths[i] = windowLengthsMs[i] / bucketsPerWindow;
        }

        return widths;
    }

    /// <summary>New capacity for a grow to at least <paramref name="needed"/>: doubling, at least 4.</summary>
    public static int GrownCapacity(int current, int needed)
    {
        long doubled = Math.Max(4L, current * 2L);
        return (int)Math.Min(Math.Max(doubled, needed), Array.MaxLength);
    }

    [DoesNotReturn]
    public static void ThrowNegativeId(string parameter, int value) =>
        throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must be a non-negative dense id; got {value}.");

    [DoesNotReturn]
    public static void ThrowWindowIndex(int window, int windowCount) =>
        throw new ArgumentOutOfRangeException(nameof(window), window, $"window must be between 0 and {windowCount - 1}.");
}
