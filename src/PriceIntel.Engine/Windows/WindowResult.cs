using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PriceIntel.Engine.Windows;

/// <summary>
/// Statistics of one key over one closed window <c>[WindowStart, WindowEnd)</c> of event time.
/// Fields are ordered so the struct packs into 56 bytes with no padding.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct WindowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WindowResult(int key, long windowStart, long windowEnd, int count, double mean, double min, double max, double stdDev)
    {
        WindowStart = windowStart;
        WindowEnd = windowEnd;
        Mean = mean;
        Min = min;
        Max = max;
        StdDev = stdDev;
        Key = key;
        Count = count;
    }

    /// <summary>Window start, inclusive, Unix milliseconds.</summary>
    public long WindowStart { get; }

    /// <summary>Window end, exclusive, Unix milliseconds.</summary>
    public long WindowEnd { get; }

    /// <summary>Arithmetic mean of the values.</summary>
    public double Mean { get; }

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>Population standard deviation of the values.</summary>
    public double StdDev { get; }

    /// <summary>Dense key id.</summary>
    public int Key { get; }

    /// <summary>Number of values (at least 1).</summary>
    public int Count { get; }
}
