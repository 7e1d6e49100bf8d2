using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Statistics;

/// <summary>
/// Per-product shopper demand over event-time sliding windows: views, add-to-carts, purchases, units and
/// revenue, with conversion and per-hour rates (the demand-surge rule compares a short window's rate
/// with a long window's). Products are dense ids; adding an event allocates nothing.
/// </summary>
/// <remarks>
/// Same bucket mechanism as <see cref="SlidingWindowSeries"/>: each window of length L is B buckets of
/// width w = L / B aligned to the epoch, and the window read at <c>asOf</c> is the B whole buckets ending
/// with asOf's bucket, so it slides by w. Counts are exact for events in those buckets. An event older than
/// the product's newest time minus the allowed lateness is dropped (<see cref="Add"/> returns false);
/// an out-of-order event within the lateness goes into its own bucket. Memory:
/// <see cref="BytesPerProduct"/> = 52 + 2·K + 24·K·B bytes (K = 2, B = 24: 1,208 B);
/// an in-order event touches only the 52-byte product state (the rings are written once per bucket boundary).
/// </remarks>
[SkipLocalsInit]
internal sealed class DemandWindows
{
    private readonly long[] _widths;
    private readonly int _windowCount;
    private readonly int _buckets;
    private readonly long _lateness;

    private ProductState[] _state;
    private ushort[] _heads;
    private DemandBucket[] _bucketData;

    /// <summary>Creates the state for <paramref name="initialProducts"/> products; it grows on demand.</summary>
    /// <param name="windowLengthsMs">Window lengths in ms, each at least <paramref name="bucketsPerWindow"/>; 1 to 16 windows.</param>
    /// <param name="bucketsPerWindow">Buckets per window, 1 to 1024.</param>
    /// <param name="allowedLatenessMs">How far behind a product's newest event time an event may be and still be counted, ≥ 0.</param>
    /// <param name="initialProducts">Products to allocate up front.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public DemandWindows(ReadOnlySpan<long> windowLengthsMs, int bucketsPerWindow, long allowedLatenessMs, int initialProducts)
    {
        _widths = WindowMath.BucketWidths(windowLengthsMs, bucketsPerWindow, SlidingWindowSeries.MaxWindows);
        if (_widths.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(windowLengthsMs), 0, "At least one demand window is needed.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(allowedLatenessMs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialProducts);
        _windowCount = _widths.Length;
        _buckets = bucketsPerWindow;
        _lateness = allowedLatenessMs;
        _state = [];
        _heads = [];
        _bucketData = [];
        if (initialProducts > 0)
        {
            Grow(initialProducts);
        }
    }

    /// <summary>Windows per product (K).</summary>
    public int WindowCount => _windowCount;

    /// <summary>Products the arrays hold now.</summary>
    public int Capacity => _state.Length;

    /// <summary>Bytes of state one product takes with this configuration.</summary>
    public int BytesPerProduct =>
        Unsafe.SizeOf<ProductState>() + (_windowCount * sizeof(ushort)) + (_windowCount * _buckets * Unsafe.SizeOf<DemandBucket>());

    /// <summary>Values dropped because they were later than the allowed lateness (the ones <c>Add</c> returned false for).</summary>
    public long LateDrops { get; private set; }

    /// <summary>Makes room for product ids 0..<paramref name="productCount"/>-1.</summary>
    public void EnsureCapacity(int productCount)
    {
        if (productCount > _state.Length)
        {
            Grow(productCount);
        }
    }

    /// <summary>Asks for the cache line an <see cref="Add"/> of <paramref name="product"/> will touch first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int product) => Core.CachePrefetch.Line(_state, product);

    /// <summary>
    /// Counts one shopper action. A purchase adds one purchase, <paramref name="quantity"/> units and
    /// <paramref name="paidUnitPrice"/> × <paramref name="quantity"/> revenue; views and add-to-carts add
    /// one each; <see cref="DemandAction.None"/> only moves the product's clock.
    /// </summary>
    /// <returns>False when the event was later than the allowed lateness and was dropped.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="product"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(int product, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
    {
        var state = _state;
        if ((uint)product < (uint)state.Length)
        {
            ref var s = ref state[product];
            if (timestamp >= s.NewestTs && timestamp < s.NextBoundary)
            {
                s.NewestTs = timestamp;
                s.AddPending(action, quantity, paidUnitPrice);
                return true;
            }
        }

        return AddSlow(product, timestamp, action, quantity, paidUnitPrice);
    }

    /// <summary>Demand of one product over window <paramref name="window"/> as of <paramref name="asOfTimestamp"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> is not a window index.</exception>
    public DemandStats Read(int product, int window, long asOfTimestamp)
    {
        if ((uint)window >= (uint)_windowCount)
        {
            WindowMath.ThrowWindowIndex(window, _windowCount);
        }

        if ((uint)product >= (uint)_state.Length || _state[product].HasValue == 0)
        {
            return default;
        }

        ref readonly var s = ref _state[product];
        int b = _buckets;
        long width = _widths[window];
        long newestBucket = WindowMath.FloorDiv(s.NewestTs, width);
        long asOfBucket = WindowMath.FloorDiv(asOfTimestamp, width);
        long shift = asOfBucket - newestBucket;
        int jStart = (int)Math.Clamp(-shift, 0, b);
        int jEnd = (int)Math.Clamp(b - shift, 0, b);
        int headIndex = (product * _windowCount) + window;
        int head = _heads[headIndex];
        ReadOnlySpan<DemandBucket> ring = _bucketData.AsSpan(headIndex * b, b);
        long views = 0, carts = 0, purchases = 0, units = 0;
        double revenue = 0;
        for (int j = jStart; j < jEnd; j++)
        {
            int slot = head - j;
            if (slot < 0)
            {
                slot += b;
            }

            ref readonly var bucket = ref ring[slot];
            views += bucket.Views;
            carts += bucket.AddToCarts;
            purchases += bucket.Purchases;
            units += bucket.Units;
            revenue += bucket.Revenue;
        }

        if (jStart == 0 && jEnd > 0)
        {
            // The pending counts are part of the newest bucket of every window.
            views += s.PendingViews;
            carts += s.PendingAddToCarts;
            purchases += s.PendingPurchases;
            units += s.PendingUnits;
            revenue += s.PendingRevenue;
        }

        // Covered time: from the first bucket still in the window (or the product's first event, if later) to asOf.
        long windowStart = (Math.Max(asOfBucket, newestBucket) - b + 1) * width;
        long coveredMs = asOfTimestamp - Math.Max(windowStart, s.FirstTs) + 1;
        return new DemandStats(views, carts, purchases, units, revenue, Math.Max(0, coveredMs));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AddSlow(int product, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
    {
        if (product < 0)
        {
            WindowMath.ThrowNegativeId(nameof(product), product);
        }

        if (product >= _state.Length)
        {
            Grow(product + 1);
        }

        ref var s = ref _state[product];
        int b = _buckets;
        if (s.HasValue == 0)
        {
            long boundary = long.MaxValue;
            for (int w = 0; w < _windowCount; w++)
            {
                long bucket = WindowMath.FloorDiv(timestamp, _widths[w]);
                _heads[(product * _windowCount) + w] = (ushort)WindowMath.FloorMod(bucket, b);
                boundary = Math.Min(boundary, NextBucketStart(bucket, _widths[w]));
            }

            s.HasValue = 1;
            s.FirstTs = timestamp;
            s.NewestTs = timestamp;
            s.NextBoundary = boundary;
            s.AddPending(action, quantity, paidUnitPrice);
            return true;
        }

        if (timestamp < s.NewestTs)
        {
            if (s.NewestTs - timestamp > _lateness)
            {
                LateDrops++;
                return false;
            }

            MergeOutOfOrder(product, ref s, timestamp, action, quantity, paidUnitPrice);
            return true;
        }

        // Crossing a bucket boundary: merge the pending counts into every window's head bucket, then move the heads.
        long next = long.MaxValue;
        for (int w = 0; w < _windowCount; w++)
        {
            long width = _widths[w];
            int headIndex = (product * _windowCount) + w;
            var ring = _bucketData.AsSpan(headIndex * b, b);
            int head = _heads[headIndex];
            ref var headBucket = ref ring[head];
            headBucket.Views += s.PendingViews;
            headBucket.AddToCarts += s.PendingAddToCarts;
            headBucket.Purchases += s.PendingPurchases;
            headBucket.Units += s.PendingUnits;
            headBucket.Revenue += s.PendingRevenue;
            long newBucket = WindowMath.FloorDiv(timestamp, width);
            long steps = newBucket - WindowMath.FloorDiv(s.NewestTs, width);
            if (steps > 0)
            {
                int clear = (int)Math.Min(steps, b);
                for (int j = 1; j <= clear; j++)
                {
                    int slot = head + j;
                    ring[slot >= b ? slot - b : slot] = default;
                }

                _heads[headIndex] = (ushort)WindowMath.FloorMod(newBucket, b);
            }

            next = Math.Min(next, NextBucketStart(newBucket, width));
        }

        s.PendingViews = 0;
        s.PendingAddToCarts = 0;
        s.PendingPurchases = 0;
        s.PendingUnits = 0;
        s.PendingRevenue = 0;
        s.NextBoundary = next;
        s.NewestTs = timestamp;
        s.AddPending(action, quantity, paidUnitPrice);
        return true;
    }

    private void MergeOutOfOrder(int product, ref ProductState s, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
    {
        bool isPurchase = action == DemandAction.Purchase;
        int b = _buckets;
        for (int w = 0; w < _windowCount; w++)
        {
            long width = _widths[w];
            long back = WindowMath.FloorDiv(s.NewestTs, width) - WindowMath.FloorDiv(timestamp, width);
            if (back >= b)
            {
                continue; // its bucket has left this window's ring
            }

            int headIndex = (product * _windowCount) + w;
            int slot = _heads[headIndex] - (int)back;
            ref var bucket = ref _bucketData[(headIndex * b) + (slot < 0 ? slot + b : slot)];
            bucket.Views += action == DemandAction.View ? 1 : 0;
            bucket.AddToCarts += action == DemandAction.AddToCart ? 1 : 0;
            bucket.Purchases += isPurchase ? 1 : 0;
            bucket.Units += isPurchase ? quantity : 0;
            bucket.Revenue += isPurchase ? paidUnitPrice * quantity : 0;
        }

        if (timestamp < s.FirstTs)
        {
            s.FirstTs = timestamp;
        }
    }

    /// <summary>Writes the state of products 0..<paramref name="productCount"/>-1 (all products with events must be below it) and the late-drop count.</summary>
    public void WriteState(ref SnapshotWriter w, int productCount)
    {
        w.WriteSection("DEMD"u8);
        w.WriteInt32(_windowCount);
        w.WriteInt32(_buckets);
        w.WriteInt32(productCount);
        w.WriteInt64(LateDrops);
        w.WriteArray<ProductState>(_state.AsSpan(0, productCount));
        w.WriteArray<ushort>(_heads.AsSpan(0, productCount * _windowCount));
        w.WriteArray<DemandBucket>(_bucketData.AsSpan(0, productCount * _windowCount * _buckets));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) instance, which must have the same shape.</summary>
    /// <exception cref="InvalidDataException">The shape differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("DEMD"u8);
        int windows = r.ReadInt32("demand window count");
        int buckets = r.ReadInt32("demand buckets per window");
        if (windows != _windowCount || buckets != _buckets)
        {
            SnapshotFormat.ThrowInvalid($"the demand windows were written with {windows} windows of {buckets} buckets; this engine has {_windowCount} of {_buckets}.");
        }

        int n = r.ReadCount("demand product count");
        LateDrops = r.ReadInt64("demand late drops");
        EnsureCapacity(n);
        r.ReadArray(_state.AsSpan(0, n), "demand product states");
        r.ReadArray(_heads.AsSpan(0, n * _windowCount), "demand bucket heads");
        r.ReadArray(_bucketData.AsSpan(0, n * _windowCount * _buckets), "demand buckets");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long NextBucketStart(long bucket, long width) =>
        bucket >= (long.MaxValue / width) - 1 ? long.MaxValue : (bucket + 1) * width;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = WindowMath.GrownCapacity(_state.Length, needed);
        Array.Resize(ref _state, capacity);
        Array.Resize(ref _heads, checked(capacity * _windowCount));
        Array.Resize(ref _bucketData, checked(capacity * _windowCount * _buckets));
    }

    /// <summary>
    /// Per-product clock and the pending counts (in-order events since the last bucket boundary, which
    /// belong to the newest bucket of every window). All-zero means no event yet (NextBoundary = 0 keeps
    /// the fast path off).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct ProductState
    {
        public long NewestTs;
        public long NextBoundary;
        public double PendingRevenue;
        public int PendingViews;
        public int PendingAddToCarts;
        public int PendingPurchases;
        public int PendingUnits;
        public long FirstTs;
        public int HasValue;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddPending(DemandAction action, int quantity, double paidUnitPrice)
        {
            bool isPurchase = action == DemandAction.Purchase;
            PendingViews += action == DemandAction.View ? 1 : 0;
            PendingAddToCarts += action == DemandAction.AddToCart ? 1 : 0;
            PendingPurchases += isPurchase ? 1 : 0;
            PendingUnits += isPurchase ? quantity : 0;
            PendingRevenue += isPurchase ? paidUnitPrice * quantity : 0;
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct DemandBucket
    {
        public int Views;
        public int AddToCarts;
        public int Purchases;
        public int Units;
        public double Revenue;
    }
}

/// <summary>Demand of one product over one window, as read by <see cref="DemandWindows.Read"/>.</summary>
/// <param name="Views">Product page views.</param>
/// <param name="AddToCarts">Add-to-carts.</param>
/// <param name="Purchases">Purchase events.</param>
/// <param name="Units">Units purchased.</param>
/// <param name="Revenue">Sum of paid unit price × quantity.</param>
/// <param name="CoveredMs">Time the figures cover: from the start of the window's oldest bucket (or the
/// product's first event, when later) to asOf inclusive; 0 when nothing is covered.</param>
internal readonly record struct DemandStats(long Views, long AddToCarts, long Purchases, long Units, double Revenue, long CoveredMs)
{
    /// <summary>Purchases / views; 0 without views.</summary>
    public double Conversion => Views == 0 ? 0 : Purchases / (double)Views;

    /// <summary>Views per hour over the covered time; 0 when nothing is covered.</summary>
    public double ViewsPerHour => PerHour(Views);

    /// <summary>Add-to-carts per hour over the covered time.</summary>
    public double AddToCartsPerHour => PerHour(AddToCarts);

    /// <summary>Purchases per hour over the covered time.</summary>
    public double PurchasesPerHour => PerHour(Purchases);

    /// <summary>Units per hour over the covered time.</summary>
    public double UnitsPerHour => PerHour(Units);

    /// <summary>Revenue per hour over the covered time.</summary>
    public double RevenuePerHour => CoveredMs <= 0 ? 0 : Revenue * WindowMath.MsPerHour / CoveredMs;

    /// <summary>All shopper actions (views + add-to-carts + purchases) per hour: the demand-surge rate.</summary>
    public double ActionsPerHour => PerHour(Views + AddToCarts + Purchases);

    private double PerHour(long count) => CoveredMs <= 0 ? 0 : count * WindowMath.MsPerHour / CoveredMs;
}
