using FsCheck.Xunit;
using PriceIntel.Engine.Windows;

namespace PriceIntel.Engine.Tests.Windows;

public class PaneKernelsPropertyTests
{
    [Property(MaxTest = 200)]
    public void Simd_kernels_equal_their_scalar_twins(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(0, 70);
        var a = RandomCells(rng, n);
        var b = RandomCells(rng, n);

        var simdMerge = Copy(a);
        var scalarMerge = Copy(a);
        PaneKernels.MergeInto(simdMerge.View, b.View, simd: true);
        PaneKernels.MergeInto(scalarMerge.View, b.View, simd: false);
        AssertEqual(scalarMerge, simdMerge);

        var simdCombine = RandomCells(rng, n);
        var scalarCombine = RandomCells(rng, n);
        PaneKernels.Combine(simdCombine.View, a.View, b.View, simd: true);
        PaneKernels.Combine(scalarCombine.View, a.View, b.View, simd: false);
        AssertEqual(scalarCombine, simdCombine);
        AssertEqual(scalarCombine, scalarMerge); // a ⊕ b either way

        var shift = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 1000).ToArray();
        var (meanSimd, stdSimd, meanScalar, stdScalar) = (new double[n], new double[n], new double[n], new double[n]);
        PaneKernels.Finish(scalarMerge.View, shift, meanSimd, stdSimd, simd: true);
        PaneKernels.Finish(scalarMerge.View, shift, meanScalar, stdScalar, simd: false);
        Assert.Equal(meanScalar, meanSimd);
        Assert.Equal(stdScalar, stdSimd);
        for (int i = 0; i < n; i++)
        {
            double m1 = scalarMerge.Sum[i] / scalarMerge.Count[i];
            Assert.Equal(shift[i] + m1, meanScalar[i], 9);
        }
    }

    private sealed record Columns(int[] Count, double[] Sum, double[] SumSquares, double[] Min, double[] Max)
    {
        public PaneCells View => new(Count, Sum, SumSquares, Min, Max);
    }

    private static Columns RandomCells(Random rng, int n)
    {
        var c = new Columns(new int[n], new double[n], new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            c.Count[i] = rng.Next(1, 1000);
            c.Sum[i] = (rng.NextDouble() - 0.5) * 1e4;
            c.SumSquares[i] = (c.Sum[i] * c.Sum[i] / c.Count[i]) + (rng.NextDouble() * 1e3);
            c.Min[i] = rng.NextDouble() * 100;
            c.Max[i] = c.Min[i] + (rng.NextDouble() * 100);
        }

        return c;
    }

    private static Columns Copy(Columns c) =>
        new((int[])c.Count.Clone(), (double[])c.Sum.Clone(), (double[])c.SumSquares.Clone(), (double[])c.Min.Clone(), (double[])c.Max.Clone());

    private static void AssertEqual(Columns expected, Columns actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Sum, actual.Sum);
        Assert.Equal(expected.SumSquares, actual.SumSquares);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);
    }
}
