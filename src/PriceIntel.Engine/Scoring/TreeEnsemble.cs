using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PriceIntel.Engine.Scoring;

/// <summary>The ways <see cref="TreeEnsemble.PredictBatch(ReadOnlySpan{float}, Span{float})"/> can walk a block of eight rows; all bit-identical.</summary>
internal enum TreeBatchKernel
{
    /// <summary>Eight scalar chains over a feature-major copy of the block; runs everywhere.</summary>
    Scalar = 0,

    /// <summary>Every node's test for a row computed at once (vector permute of the row's features, compare, bit mask), then each tree walked over the bits (AVX-512, or AVX2 at half width; at most 16 features).</summary>
    NodeTests = 2,

    /// <summary><see cref="NodeTests"/> with AVX2 even where AVX-512 exists (eight node tests at a time), so tests cover that path.</summary>
    NodeTestsAvx2 = 3,
}

/// <summary>How a <see cref="TreeEnsemble"/> combines its trees.</summary>
public enum TreeAggregation : byte
{
    /// <summary>The sum of the trees' outputs (gradient-boosted trees, e.g. ML.NET FastTree).</summary>
    Sum = 1,

    /// <summary>The mean of the trees' outputs (a random forest, e.g. ML.NET FastForest).</summary>
    Mean = 2,
}

/// <summary>
/// One regression tree in the usual array encoding (ML.NET's): internal node i sends a row left when
/// <c>features[SplitFeatures[i]] &lt;= Thresholds[i]</c> (NaN goes right), a child index ≥ 0 is an
/// internal node and a negative one, c, is leaf ~c. A tree with no internal node has one leaf.
/// </summary>
/// <param name="SplitFeatures">Feature index of each internal node.</param>
/// <param name="Thresholds">Threshold of each internal node.</param>
/// <param name="LeftChild">Child taken when the feature is at or below the threshold.</param>
/// <param name="RightChild">Child taken otherwise.</param>
/// <param name="LeafValues">Output of each leaf.</param>
public sealed record RegressionTreeDescription(
    IReadOnlyList<int> SplitFeatures,
    IReadOnlyList<float> Thresholds,
    IReadOnlyList<int> LeftChild,
    IReadOnlyList<int> RightChild,
    IReadOnlyList<double> LeafValues);

/// <summary>
/// A trained tree ensemble compiled into one flat array of nodes, evaluated without the library it
/// was trained with and without allocating. Each tree's nodes are contiguous and its leaves follow
/// its internal nodes, so "is this a leaf" is one comparison; leaves point to themselves, so four rows
/// walk a tree together (their memory accesses overlap) until the last of them reaches a leaf, the
/// next node picked with a conditional move. The result is
/// bit-for-bit what ML.NET computes for FastTree (leaf values summed in double in tree order, then
/// rounded to float) and FastForest (that float divided by the tree count).
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class TreeEnsemble
{
    private const int Block = 8;
    private const int MaxBlockFeatures = 64;
    private readonly Node[] _nodes;
    private readonly double[] _values;
    private readonly int[] _roots;
    private readonly int[] _depths;
    private readonly int[] _leafBase;
    private readonly float _divisor;
    private readonly NodeTestLayout _tests;

    private TreeEnsemble(Node[] nodes, double[] values, int[] roots, int[] depths, int[] leafBase, int featureCount, TreeAggregation aggregation, IReadOnlyList<RegressionTreeDescription> trees)
    {
        _nodes = nodes;
        _values = values;
        _roots = roots;
        _depths = depths;
        _leafBase = leafBase;
        _tests = NodeTestLayout.Build(nodes, values, roots, depths, featureCount);
        DefaultKernel = Supports(TreeBatchKernel.NodeTests) ? TreeBatchKernel.NodeTests : TreeBatchKernel.Scalar;
        FeatureCount = featureCount;
        Aggregation = aggregation;
        _divisor = aggregation == TreeAggregation.Mean ? roots.Length : 1;
        Trees = trees;
    }

    /// <summary>Number of features a row must have.</summary>
    public int FeatureCount { get; }

    /// <summary>How the trees are combined.</summary>
    public TreeAggregation Aggregation { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _roots.Length;

    /// <summary>Deepest walk of any tree, in nodes.</summary>
    public int MaxDepth { get; private init; }

    /// <summary>True when <see cref="PredictBatch(ReadOnlySpan{float}, Span{float})"/> uses the AVX2 kernel (the CPU has AVX2 and the ensemble fits its encoding).</summary>
    internal TreeBatchKernel DefaultKernel { get; }

    /// <summary>The trees as they were given (for writing the model file).</summary>
    public IReadOnlyList<RegressionTreeDescription> Trees { get; }

    /// <summary>Compiles trees into an ensemble.</summary>
    /// <param name="trees">The trees, in the order their outputs are added.</param>
    /// <param name="featureCount">Number of features in a row; every split feature must be below it.</param>
    /// <param name="aggregation">Sum (boosting) or mean (forest).</param>
    /// <exception cref="ArgumentNullException"><paramref name="trees"/> is null.</exception>
    /// <exception cref="ArgumentException">A tree is malformed (array lengths, child or feature indices out of range, a node reached twice, an unused leaf) or there is no tree.</exception>
    public static TreeEnsemble Create(IReadOnlyList<RegressionTreeDescription> trees, int featureCount, TreeAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.Count == 0)
        {
            throw new ArgumentException("A tree ensemble needs at least one tree.", nameof(trees));
        }

        if (featureCount <= 0)
        {
            throw new ArgumentException($"featureCount must be positive; got {featureCount}.", nameof(featureCount));
        }

        if (aggregation is not (TreeAggregation.Sum or TreeAggregation.Mean))
        {
            throw new ArgumentException($"Unknown tree aggregation {aggregation}.", nameof(aggregation));
        }

        int total = 0;
        foreach (var t in trees)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(trees));
            total += t.SplitFeatures.Count + t.LeafValues.Count;
        }

        var nodes = new Node[total];
        var values = new double[total];
        var roots = new int[trees.Count];
        var depths = new int[trees.Count];
        var leafBases = new int[trees.Count];
        int next = 0, maxDepth = 0;
        for (int ti = 0; ti < trees.Count; ti++)
        {
            var t = trees[ti];
            int inner = t.SplitFeatures.Count;
            int leaves = t.LeafValues.Count;
            if (t.Thresholds.Count != inner || t.LeftChild.Count != inner || t.RightChild.Count != inner)
            {
                throw new ArgumentException($"Tree {ti}: {inner} split features but {t.Thresholds.Count} thresholds, {t.LeftChild.Count} left and {t.RightChild.Count} right children.", nameof(trees));
            }

            if (leaves != inner + 1)
            {
                throw new ArgumentException($"Tree {ti}: {inner} internal nodes need {inner + 1} leaves; got {leaves}.", nameof(trees));
            }

            int baseIndex = next;
            int leafBase = baseIndex + inner;
            for (int i = 0; i < inner; i++)
            {
                int f = t.SplitFeatures[i];
                if ((uint)f >= (uint)featureCount)
                {
                    throw new ArgumentException($"Tree {ti} node {i}: split feature {f} is outside the {featureCount} features.", nameof(trees));
                }

                nodes[baseIndex + i] = new Node(f, t.Thresholds[i], Map(t.LeftChild[i], ti, i, inner, baseIndex, leafBase), Map(t.RightChild[i], ti, i, inner, baseIndex, leafBase));
            }

            for (int l = 0; l < leaves; l++)
            {
                int self = leafBase + l;
                nodes[self] = new Node(0, float.PositiveInfinity, self, self);
                values[self] = t.LeafValues[l];
            }

            roots[ti] = inner == 0 ? leafBase : baseIndex;
            leafBases[ti] = leafBase;
            depths[ti] = inner == 0 ? 0 : CheckAndMeasure(nodes, baseIndex, inner, leaves, ti);
            maxDepth = Math.Max(maxDepth, depths[ti]);
            next += inner + leaves;
        }

        return new TreeEnsemble(nodes, values, roots, depths, leafBases, featureCount, aggregation, trees) { MaxDepth = maxDepth };
    }

    /// <summary>The prediction for one row.</summary>
    /// <param name="features">At least <see cref="FeatureCount"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is shorter than <see cref="FeatureCount"/>.</exception>
    public float Predict(ReadOnlySpan<float> features)
    {
        if (features.Length < FeatureCount)
        {
            ThrowShortRow(features.Length);
        }

        ref var node0 = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var value0 = ref MemoryMarshal.GetArrayDataReference(_values);
        ref readonly float x = ref MemoryMarshal.GetReference(features);
        double sum = 0;
        for (int t = 0; t < _roots.Length; t++)
        {
            int n = _roots[t];
            int leaves = _leafBase[t];
            while (n < leaves)
            {
                ref readonly var node = ref Unsafe.Add(ref node0, n);
                n = Unsafe.Add(ref Unsafe.AsRef(in x), node.Feature) <= node.Threshold ? node.Left : node.Right;
            }

            sum += Unsafe.Add(ref value0, n);
        }

        return (float)sum / _divisor;
    }

    /// <summary>
    /// Predictions for consecutive rows of <see cref="FeatureCount"/> values (row r at
    /// <c>rows[(r × FeatureCount)..]</c>), eight rows walked together: each block of eight rows is
    /// copied feature-major into a stack buffer, and each tree is walked a fixed number of steps (its
    /// depth) with branch-free child selection (leaves loop to themselves), so the eight walks are
    /// independent chains without data-dependent branches. Bit-identical to <see cref="Predict"/>.
    /// No allocation.
    /// </summary>
    /// <param name="rows">The rows, back to back.</param>
    /// <param name="predictions">One value per row; its length is the number of rows.</param>
    /// <exception cref="ArgumentException"><paramref name="rows"/> holds fewer than predictions.Length × FeatureCount values.</exception>
    [SkipLocalsInit]
    public void PredictBatch(ReadOnlySpan<float> rows, Span<float> predictions) =>
        PredictBatch(rows, predictions, DefaultKernel);

    /// <summary>Whether this machine and ensemble can run <paramref name="kernel"/> (else <see cref="PredictBatch(ReadOnlySpan{float}, Span{float}, TreeBatchKernel)"/> falls back to the scalar one).</summary>
    internal bool Supports(TreeBatchKernel kernel) => kernel switch
    {
        TreeBatchKernel.NodeTests => (Avx512F.IsSupported || Avx2.IsSupported) && _tests.Available,
        TreeBatchKernel.NodeTestsAvx2 => Avx2.IsSupported && _tests.Available,
        _ => true,
    };

    /// <summary>
    /// <see cref="PredictBatch(ReadOnlySpan{float}, Span{float})"/> with the kernel chosen by the caller
    /// (the scalar one where <paramref name="kernel"/> is not supported). Tests and benchmarks run each.
    /// </summary>
    [SkipLocalsInit]
    internal void PredictBatch(ReadOnlySpan<float> rows, Span<float> predictions, TreeBatchKernel kernel)
    {
        int count = predictions.Length;
        int stride = FeatureCount;
        if ((long)count * stride > rows.Length)
        {
            ThrowShortBatch(rows.Length, count);
        }

        if (!Supports(kernel))
        {
            kernel = TreeBatchKernel.Scalar;
        }

        int r = 0;
        if (kernel is TreeBatchKernel.NodeTests or TreeBatchKernel.NodeTestsAvx2)
        {
            bool wide = kernel == TreeBatchKernel.NodeTests && Avx512F.IsSupported;
            for (; r + Block <= count; r += Block)
            {
                PredictBlockByNodeTests(rows.Slice(r * stride, Block * stride), predictions.Slice(r, Block), wide);
            }
        }
        else if (stride <= MaxBlockFeatures)
        {
            Span<float> block = stackalloc float[Block * MaxBlockFeatures];
            for (; r + Block <= count; r += Block)
            {
                // Feature-major: feature f of row k at block[(f × 8) + k].
                var source = rows.Slice(r * stride, Block * stride);
                for (int k = 0; k < Block; k++)
                {
                    var row = source.Slice(k * stride, stride);
                    for (int f = 0; f < row.Length; f++)
                    {
                        block[(f * Block) + k] = row[f];
                    }
                }

                PredictBlock(block, predictions.Slice(r, Block));
            }
        }

        for (; r < count; r++)
        {
            predictions[r] = Predict(rows.Slice(r * stride, stride));
        }
    }

    /// <summary>
    /// Eight row-major rows: first every internal node's test for each row, sixteen (AVX-512) or eight
    /// (AVX2) nodes at a time — the row's features permuted into the nodes' order, compared with the
    /// nodes' thresholds, the "go right" results kept as a bit string per row (NaN goes right) — then
    /// each tree walked over its slice of the bits through a byte table of children (leaves loop to
    /// themselves), eight rows as independent chains, its depth in steps, and the leaf values added to
    /// each row's double sum in tree order, as the other kernels do.
    /// </summary>
    [SkipLocalsInit]
    private unsafe void PredictBlockByNodeTests(ReadOnlySpan<float> rows, Span<float> predictions, bool wide)
    {
        var tests = _tests;
        int stride = FeatureCount;
        int rowBytes = tests.RowBytes;
        byte* bits = stackalloc byte[Block * rowBytes];
        float* x = stackalloc float[NodeTestLayout.MaxFeatures];
        fixed (int* features = tests.Features)
        fixed (float* thresholds = tests.Thresholds)
        fixed (float* row0 = rows)
        {
            int nodes = tests.PaddedNodes;
            for (int k = 0; k < Block; k++)
            {
                var row = row0 + (k * stride);
                for (int f = 0; f < NodeTestLayout.MaxFeatures; f++)
                {
                    x[f] = f < stride ? row[f] : 0;
                }

                byte* rowBits = bits + (k * rowBytes);
                if (wide && Avx512F.IsSupported)
                {
                    var values = Avx512F.LoadVector512(x);
                    for (int j = 0; j < nodes; j += 16)
                    {
                        var selected = Avx512F.PermuteVar16x32(values, Avx512F.LoadVector512(features + j));
                        var goLeft = Vector512.LessThanOrEqual(selected, Avx512F.LoadVector512(thresholds + j));
                        *(ushort*)(rowBits + (j >> 3)) = (ushort)~goLeft.ExtractMostSignificantBits();
                    }
                }
                else
                {
                    var low = Avx.LoadVector256(x);
                    var high = Avx.LoadVector256(x + 8);
                    for (int j = 0; j < nodes; j += 8)
                    {
                        var index = Avx.LoadVector256(features + j);
                        var selected = Avx.BlendVariable(Avx2.PermuteVar8x32(low, index), Avx2.PermuteVar8x32(high, index), Avx2.ShiftLeftLogical(index, 28).AsSingle());
                        var goLeft = Avx.Compare(selected, Avx.LoadVector256(thresholds + j), FloatComparisonMode.OrderedLessThanOrEqualNonSignaling);
                        rowBits[j >> 3] = (byte)~Avx.MoveMask(goLeft);
                    }
                }

                // The bytes past the last node are read (and ignored) by the last trees' 64-bit loads.
                *(ulong*)(rowBits + (nodes >> 3)) = 0;
            }
        }

        var bitOffsets = tests.BitOffsets;
        var childBases = tests.ChildBases;
        var valueBases = tests.ValueBases;
        var depths = tests.Depths;
        ref byte children = ref MemoryMarshal.GetArrayDataReference(tests.Children);
        ref double leafValues = ref MemoryMarshal.GetArrayDataReference(tests.Values);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int t = 0; t < bitOffsets.Length && t < childBases.Length && t < valueBases.Length && t < depths.Length; t++)
        {
            int offset = bitOffsets[t];
            byte* first = bits + (offset >> 3);
            int shift = offset & 7;
            ulong g0 = *(ulong*)first >> shift;
            ulong g1 = *(ulong*)(first + rowBytes) >> shift;
            ulong g2 = *(ulong*)(first + (2 * rowBytes)) >> shift;
            ulong g3 = *(ulong*)(first + (3 * rowBytes)) >> shift;
            ulong g4 = *(ulong*)(first + (4 * rowBytes)) >> shift;
            ulong g5 = *(ulong*)(first + (5 * rowBytes)) >> shift;
            ulong g6 = *(ulong*)(first + (6 * rowBytes)) >> shift;
            ulong g7 = *(ulong*)(first + (7 * rowBytes)) >> shift;
            ref byte table = ref Unsafe.Add(ref children, childBases[t]);
            int n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0;
            for (int d = depths[t]; d > 0; d--)
            {
                n0 = Unsafe.Add(ref table, (n0 << 1) | (int)((g0 >> n0) & 1));
                n1 = Unsafe.Add(ref table, (n1 << 1) | (int)((g1 >> n1) & 1));
                n2 = Unsafe.Add(ref table, (n2 << 1) | (int)((g2 >> n2) & 1));
                n3 = Unsafe.Add(ref table, (n3 << 1) | (int)((g3 >> n3) & 1));
                n4 = Unsafe.Add(ref table, (n4 << 1) | (int)((g4 >> n4) & 1));
                n5 = Unsafe.Add(ref table, (n5 << 1) | (int)((g5 >> n5) & 1));
                n6 = Unsafe.Add(ref table, (n6 << 1) | (int)((g6 >> n6) & 1));
                n7 = Unsafe.Add(ref table, (n7 << 1) | (int)((g7 >> n7) & 1));
            }

            ref double value = ref Unsafe.Add(ref leafValues, valueBases[t]);
            s0 += Unsafe.Add(ref value, n0);
            s1 += Unsafe.Add(ref value, n1);
            s2 += Unsafe.Add(ref value, n2);
            s3 += Unsafe.Add(ref value, n3);
            s4 += Unsafe.Add(ref value, n4);
            s5 += Unsafe.Add(ref value, n5);
            s6 += Unsafe.Add(ref value, n6);
            s7 += Unsafe.Add(ref value, n7);
        }

        predictions[0] = (float)s0 / _divisor;
        predictions[1] = (float)s1 / _divisor;
        predictions[2] = (float)s2 / _divisor;
        predictions[3] = (float)s3 / _divisor;
        predictions[4] = (float)s4 / _divisor;
        predictions[5] = (float)s5 / _divisor;
        predictions[6] = (float)s6 / _divisor;
        predictions[7] = (float)s7 / _divisor;
    }

    private void PredictBlock(ReadOnlySpan<float> block, Span<float> predictions)
    {
        ref var node0 = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var value0 = ref MemoryMarshal.GetArrayDataReference(_values);
        ref float x = ref MemoryMarshal.GetReference(block);
        var roots = _roots;
        var depths = _depths;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int t = 0; t < roots.Length && t < depths.Length; t++)
        {
            int root = roots[t];
            int n0 = root, n1 = root, n2 = root, n3 = root, n4 = root, n5 = root, n6 = root, n7 = root;
            for (int d = depths[t]; d > 0; d--)
            {
                n0 = Step(ref node0, ref x, n0, 0);
                n1 = Step(ref node0, ref x, n1, 1);
                n2 = Step(ref node0, ref x, n2, 2);
                n3 = Step(ref node0, ref x, n3, 3);
                n4 = Step(ref node0, ref x, n4, 4);
                n5 = Step(ref node0, ref x, n5, 5);
                n6 = Step(ref node0, ref x, n6, 6);
                n7 = Step(ref node0, ref x, n7, 7);
            }

            s0 += Unsafe.Add(ref value0, n0);
            s1 += Unsafe.Add(ref value0, n1);
            s2 += Unsafe.Add(ref value0, n2);
            s3 += Unsafe.Add(ref value0, n3);
            s4 += Unsafe.Add(ref value0, n4);
            s5 += Unsafe.Add(ref value0, n5);
            s6 += Unsafe.Add(ref value0, n6);
            s7 += Unsafe.Add(ref value0, n7);
        }

        predictions[0] = (float)s0 / _divisor;
        predictions[1] = (float)s1 / _divisor;
        predictions[2] = (float)s2 / _divisor;
        predictions[3] = (float)s3 / _divisor;
        predictions[4] = (float)s4 / _divisor;
        predictions[5] = (float)s5 / _divisor;
        predictions[6] = (float)s6 / _divisor;
        predictions[7] = (float)s7 / _divisor;
    }

    /// <summary>One step down from node <paramref name="n"/> for row <paramref name="k"/> of a feature-major block: left when x ≤ threshold (NaN goes right), a leaf stays put.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref Node node0, ref float x, int n, int k)
    {
        ref readonly var node = ref Unsafe.Add(ref node0, n);
        int goRight = (int)Unsafe.BitCast<bool, byte>(!(Unsafe.Add(ref x, (node.Feature * Block) + k) <= node.Threshold));
        return node.Left ^ ((node.Left ^ node.Right) & -goRight);
    }

#pragma warning disable CA2208 // these helpers name the public caller's parameter (trees, features, rows), which the analyzer cannot see
    private static int Map(int child, int tree, int node, int inner, int baseIndex, int leafBase)
    {
        if (child >= 0)
        {
            if (child >= inner)
            {
                throw new ArgumentException($"Tree {tree} node {node}: child {child} is outside the {inner} internal nodes.", "trees");
            }

            if (child == 0)
            {
                throw new ArgumentException($"Tree {tree} node {node}: the root cannot be a child.", "trees");
            }

            return baseIndex + child;
        }

        int leaf = ~child;
        if (leaf >= inner + 1)
        {
            throw new ArgumentException($"Tree {tree} node {node}: leaf {leaf} is outside the {inner + 1} leaves.", "trees");
        }

        return leafBase + leaf;
    }

    /// <summary>Checks that every node and leaf is reached exactly once from the root (so it is a tree) and returns its depth.</summary>
    private static int CheckAndMeasure(Node[] nodes, int baseIndex, int inner, int leaves, int tree)
    {
        var seen = new bool[inner + leaves];
        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((baseIndex, 0));
        int depth = 0;
        while (stack.Count > 0)
        {
            var (n, d) = stack.Pop();
            int local = n - baseIndex;
            if (seen[local])
            {
                throw new ArgumentException($"Tree {tree}: node {local} is reached twice; the nodes do not form a tree.", "trees");
            }

            seen[local] = true;
            if (local >= inner)
            {
                depth = Math.Max(depth, d);
                continue;
            }

            stack.Push((nodes[n].Left, d + 1));
            stack.Push((nodes[n].Right, d + 1));
        }

        if (Array.IndexOf(seen, false) is var unused and >= 0)
        {
            throw new ArgumentException($"Tree {tree}: {(unused < inner ? $"node {unused}" : $"leaf {unused - inner}")} is never reached.", "trees");
        }

        return depth;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowShortRow(int length) =>
        throw new ArgumentException($"The model needs {FeatureCount} features per row; got {length}.", "features");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowShortBatch(int length, int count) =>
        throw new ArgumentException($"{count} rows of {FeatureCount} features need {(long)count * FeatureCount} values; got {length}.", "rows");
#pragma warning restore CA2208

    /// <summary>
    /// The trees re-laid for the node-test kernel: every internal node of every tree, in tree order, as
    /// (feature, threshold) in two arrays padded to a multiple of 16 (padding: feature 0, +∞); per tree
    /// the position of its first node in that order, and a byte table of children over local indices
    /// (internal nodes 0..k−1 in the trained order, root 0, then the leaves, which loop to themselves)
    /// with the leaf values beside it. A tree's node bits are read with one unaligned 64-bit load, so a
    /// tree may have at most 57 internal nodes; rows at most 16 features.
    /// </summary>
    private sealed class NodeTestLayout
    {
        public const int MaxFeatures = 16;
        private const int MaxInnerPerTree = 57;
        private const int MaxNodes = 1 << 14;

        private NodeTestLayout()
        {
        }

        public bool Available { get; private init; }

        public int PaddedNodes { get; private init; }

        /// <summary>Bytes of node bits per row, with eight bytes of slack for the last tree's 64-bit load.</summary>
        public int RowBytes { get; private init; }

        public int[] Features { get; private init; } = [];

        public float[] Thresholds { get; private init; } = [];

        public int[] BitOffsets { get; private init; } = [];

        public int[] ChildBases { get; private init; } = [];

        public int[] ValueBases { get; private init; } = [];

        public int[] Depths { get; private init; } = [];

        public byte[] Children { get; private init; } = [];

        public double[] Values { get; private init; } = [];

        public static NodeTestLayout Build(Node[] nodes, double[] values, int[] roots, int[] depths, int featureCount)
        {
            int trees = roots.Length;
            var inner = new int[trees];
            int totalInner = 0;
            for (int t = 0; t < trees; t++)
            {
                // A tree's nodes start at its root: internal nodes, then leaves, then the next tree's root.
                int end = t + 1 < trees ? roots[t + 1] : nodes.Length;
                int size = end - roots[t];
                inner[t] = (size - 1) / 2;
                totalInner += inner[t];
                if (inner[t] > MaxInnerPerTree)
                {
                    return new NodeTestLayout();
                }
            }

            if (featureCount > MaxFeatures || totalInner > MaxNodes)
            {
                return new NodeTestLayout();
            }

            int padded = Math.Max(16, (totalInner + 15) / 16 * 16);
            var features = new int[padded];
            var thresholds = new float[padded];
            Array.Fill(thresholds, float.PositiveInfinity);
            var bitOffsets = new int[trees];
            var childBases = new int[trees];
            var valueBases = new int[trees];
            var children = new byte[2 * nodes.Length];
            var leafValues = new double[nodes.Length];
            int next = 0;
            for (int t = 0; t < trees; t++)
            {
                int first = roots[t];
                int size = (2 * inner[t]) + 1;
                bitOffsets[t] = next;
                childBases[t] = 2 * first;
                valueBases[t] = first;
                for (int local = 0; local < size; local++)
                {
                    var node = nodes[first + local];
                    children[(2 * (first + local)) + 0] = (byte)(node.Left - first);
                    children[(2 * (first + local)) + 1] = (byte)(node.Right - first);
                    if (local < inner[t])
                    {
                        features[next + local] = node.Feature;
                        thresholds[next + local] = node.Threshold;
                    }
                    else
                    {
                        leafValues[first + local] = values[first + local];
                    }
                }

                next += inner[t];
            }

            return new NodeTestLayout
            {
                Available = true,
                PaddedNodes = padded,
                RowBytes = (padded / 8) + 8,
                Features = features,
                Thresholds = thresholds,
                BitOffsets = bitOffsets,
                ChildBases = childBases,
                ValueBases = valueBases,
                Depths = (int[])depths.Clone(),
                Children = children,
                Values = leafValues,
            };
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Node(int feature, float threshold, int left, int right)
    {
        public readonly int Feature = feature;
        public readonly float Threshold = threshold;
        public readonly int Left = left;
        public readonly int Right = right;
    }
}
