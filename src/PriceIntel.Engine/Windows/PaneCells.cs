using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Windows;

/// <summary>
/// A view over the per-key statistics of one pane (or one merged range of panes) for a run of keys,
/// stored as struct-of-arrays: element <c>i</c> of each span belongs to the same key. Sums are of
/// values shifted by the key's reference value (see <see cref="HoppingWindowAggregator"/>), so merging
/// two cells is plain addition; min and max are of the raw values.
/// </summary>
internal readonly ref struct PaneCells
{
    public PaneCells(Span<int> count, Span<double> sum, Span<double> sumSquares, Span<double> min, Span<double> max)
    {
        Count = count;
        Sum = sum;
        SumSquares = sumSquares;
        Min = min;
        Max = max;
    }

    /// <summary>Number of values.</summary>
    public Span<int> Count { get; }

    /// <summary>Sum of shifted values.</summary>
    public Span<double> Sum { get; }

    /// <summary>Sum of squared shifted values.</summary>
    public Span<double> SumSquares { get; }

    /// <summary>Smallest raw value (+∞ when empty).</summary>
    public Span<double> Min { get; }

    /// <summary>Largest raw value (−∞ when empty).</summary>
    public Span<double> Max { get; }

    /// <summary>Number of keys in the view.</summary>
    public int Length => Count.Length;

    /// <summary>The same columns over keys <c>[start, start + length)</c> of this view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PaneCells Slice(int start, int length) =>
        new(Count.Slice(start, length), Sum.Slice(start, length), SumSquares.Slice(start, length), Min.Slice(start, length), Max.Slice(start, length));

    /// <summary>Empties every cell: count and sums 0, min +∞, max −∞.</summary>
    public void Clear()
    {
        Count.Clear();
        Sum.Clear();
        SumSquares.Clear();
        Min.Fill(double.PositiveInfinity);
        Max.Fill(double.NegativeInfinity);
    }

    /// <summary>Copies every column into <paramref name="destination"/> (same length).</summary>
    public void CopyTo(PaneCells destination)
    {
        Count.CopyTo(destination.Count);
        Sum.CopyTo(destination.Sum);
        SumSquares.CopyTo(destination.SumSquares);
        Min.CopyTo(destination.Min);
        Max.CopyTo(destination.Max);
    }
}
