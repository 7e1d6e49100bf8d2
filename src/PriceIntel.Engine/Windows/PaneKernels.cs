using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PriceIntel.Engine.Windows;

/// <summary>
/// The bulk operations on pane columns: merge, combine and finalise into mean and standard deviation.
/// Each has a SIMD version (<see cref="Vector{T}"/>, used only when
/// <see cref="Vector.IsHardwareAccelerated"/>) and a scalar twin that computes bit-for-bit the same
/// values; property tests hold them to that.
/// </summary>
internal static class PaneKernels
{
    /// <summary>True when the SIMD versions can run on this machine.</summary>
    public static bool SimdAvailable => Vector.IsHardwareAccelerated;

    /// <summary><paramref name="destination"/> ⊕= <paramref name="source"/>, key by key.</summary>
    public static void MergeInto(PaneCells destination, PaneCells source, bool simd)
    {
        CheckSameLength(destination.Length, source.Length);
        int countDone = 0;
        int doubleDone = 0;
        if (simd && Vector.IsHardwareAccelerated)
        {
            countDone = AddVector(destination.Count, source.Count);
            AddVector(destination.Sum, source.Sum);
            AddVector(destination.SumSquares, source.SumSquares);
            MinVector(destination.Min, source.Min);
            doubleDone = MaxVector(destination.Max, source.Max);
        }

        MergeScalarTail(destination, source, countDone, doubleDone);
    }

    /// <summary><paramref name="destination"/> = <paramref name="left"/> ⊕ <paramref name="right"/>, key by key.</summary>
    public static void Combine(PaneCells destination, PaneCells left, PaneCells right, bool simd)
    {
        CheckSameLength(destination.Length, left.Length);
        CheckSameLength(destination.Length, right.Length);
        int countDone = 0;
        int doubleDone = 0;
        if (simd && Vector.IsHardwareAccelerated)
        {
            countDone = AddVector(destination.Count, left.Count, right.Count);
            AddVector(destination.Sum, left.Sum, right.Sum);
            AddVector(destination.SumSquares, left.SumSquares, right.SumSquares);
            MinVector(destination.Min, left.Min, right.Min);
            doubleDone = MaxVector(destination.Max, left.Max, right.Max);
        }

        for (int i = countDone; i < destination.Length; i++)
        {
            destination.Count[i] = left.Count[i] + right.Count[i];
        }

        for (int i = doubleDone; i < destination.Length; i++)
        {
            destination.Sum[i] = left.Sum[i] + right.Sum[i];
            destination.SumSquares[i] = left.SumSquares[i] + right.SumSquares[i];
            destination.Min[i] = double.MinNative(left.Min[i], right.Min[i]);
            destination.Max[i] = double.MaxNative(left.Max[i], right.Max[i]);
        }
    }

    /// <summary>
    /// Mean and population standard deviation of each cell: mean = shift + S/n,
    /// variance = max(0, Q/n − (S/n)²). Cells with count 0 give unspecified values (callers skip them).
    /// </summary>
    public static void Finish(PaneCells cells, ReadOnlySpan<double> shift, Span<double> mean, Span<double> stdDev, bool simd)
    {
        int n = cells.Length;
        CheckSameLength(n, shift.Length);
        CheckSameLength(n, mean.Length);
        CheckSameLength(n, stdDev.Length);
        int done = 0;
        if (simd && Vector.IsHardwareAccelerated)
        {
            done = FinishVector(cells, shift, mean, stdDev);
        }

        for (int i = done; i < n; i++)
        {
            double inverse = 1.0 / cells.Count[i];
            double m1 = cells.Sum[i] * inverse;
            double variance = (cells.SumSquares[i] * inverse) - (m1 * m1);
            variance = variance < 0 ? 0 : variance;
            mean[i] = shift[i] + m1;
            stdDev[i] = Math.Sqrt(variance);
        }
    }

    private static int FinishVector(PaneCells cells, ReadOnlySpan<double> shift, Span<double> mean, Span<double> stdDev)
    {
        int width = Vector<int>.Count;
        int half = Vector<double>.Count;
        int blocks = cells.Length / width;
        ref int countRef = ref MemoryMarshal.GetReference(cells.Count);
        ref double sumRef = ref MemoryMarshal.GetReference(cells.Sum);
        ref double sqRef = ref MemoryMarshal.GetReference(cells.SumSquares);
        ref double shiftRef = ref MemoryMarshal.GetReference(shift);
        ref double meanRef = ref MemoryMarshal.GetReference(mean);
        ref double stdRef = ref MemoryMarshal.GetReference(stdDev);
        for (int b = 0; b < blocks; b++)
        {
            nuint i = (nuint)(b * width);
            var counts = Vector.LoadUnsafe(ref countRef, i);
            Vector.Widen(counts, out Vector<long> low, out Vector<long> high);
            FinishLanes(Vector.ConvertToDouble(low), i, ref sumRef, ref sqRef, ref shiftRef, ref meanRef, ref stdRef);
            FinishLanes(Vector.ConvertToDouble(high), i + (nuint)half, ref sumRef, ref sqRef, ref shiftRef, ref meanRef, ref stdRef);
        }

        return blocks * width;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishLanes(Vector<double> n, nuint at, ref double sumRef, ref double sqRef, ref double shiftRef, ref double meanRef, ref double stdRef)
    {
        var inverse = Vector<double>.One / n;
        var m1 = Vector.LoadUnsafe(ref sumRef, at) * inverse;
        var variance = (Vector.LoadUnsafe(ref sqRef, at) * inverse) - (m1 * m1);
        variance = Vector.ConditionalSelect(Vector.LessThan(variance, Vector<double>.Zero), Vector<double>.Zero, variance);
        (Vector.LoadUnsafe(ref shiftRef, at) + m1).StoreUnsafe(ref meanRef, at);
        Vector.SquareRoot(variance).StoreUnsafe(ref stdRef, at);
    }

    private static void MergeScalarTail(PaneCells destination, PaneCells source, int countFrom, int doubleFrom)
    {
        for (int i = countFrom; i < destination.Length; i++)
        {
            destination.Count[i] += source.Count[i];
        }

        for (int i = doubleFrom; i < destination.Length; i++)
        {
            destination.Sum[i] += source.Sum[i];
            destination.SumSquares[i] += source.SumSquares[i];
            destination.Min[i] = double.MinNative(destination.Min[i], source.Min[i]);
            destination.Max[i] = double.MaxNative(destination.Max[i], source.Max[i]);
        }
    }

    private static int AddVector<T>(Span<T> destination, ReadOnlySpan<T> source)
        where T : unmanaged, INumber<T>
    {
        var d = MemoryMarshal.Cast<T, Vector<T>>(destination);
        var s = MemoryMarshal.Cast<T, Vector<T>>(source);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] += s[i];
        }

        return d.Length * Vector<T>.Count;
    }

    private static int AddVector<T>(Span<T> destination, ReadOnlySpan<T> left, ReadOnlySpan<T> right)
        where T : unmanaged, INumber<T>
    {
        var d = MemoryMarshal.Cast<T, Vector<T>>(destination);
        var l = MemoryMarshal.Cast<T, Vector<T>>(left);
        var r = MemoryMarshal.Cast<T, Vector<T>>(right);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = l[i] + r[i];
        }

        return d.Length * Vector<T>.Count;
    }

    private static int MinVector(Span<double> destination, ReadOnlySpan<double> source) =>
        MinVector(destination, destination, source);

    private static int MaxVector(Span<double> destination, ReadOnlySpan<double> source) =>
        MaxVector(destination, destination, source);

    private static int MinVector(Span<double> destination, ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        var d = MemoryMarshal.Cast<double, Vector<double>>(destination);
        var l = MemoryMarshal.Cast<double, Vector<double>>(left);
        var r = MemoryMarshal.Cast<double, Vector<double>>(right);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = Vector.MinNative(l[i], r[i]);
        }

        return d.Length * Vector<double>.Count;
    }

    private static int MaxVector(Span<double> destination, ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        var d = MemoryMarshal.Cast<double, Vector<double>>(destination);
        var l = MemoryMarshal.Cast<double, Vector<double>>(left);
        var r = MemoryMarshal.Cast<double, Vector<double>>(right);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = Vector.MaxNative(l[i], r[i]);
        }

        return d.Length * Vector<double>.Count;
    }

    private static void CheckSameLength(int expected, int actual)
    {
        if (expected != actual)
        {
            ThrowLengthMismatch(expected, actual);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(int expected, int actual) =>
        throw new ArgumentException($"Pane column lengths differ: {expected} and {actual}.");
}
