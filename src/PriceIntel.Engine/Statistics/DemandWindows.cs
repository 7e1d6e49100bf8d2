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
/// with asOf's bucket, so it slides by w (the rings are <see cref="WindowRings{TBucket, TPending}"/>, shared with
/// the price windows). Counts are exact for events in those buckets. An out-of-order event goes into its own
/// bucket while that bucket is in the ring (lateness is the engine's check, before events reach here). Memory:
/// <see cref="BytesPerProduct"/> = 52 + 2·K + 24·K·B bytes (K = 2, B = 24: 1,208 B);
/// an in-order event touches only the 52-byte product state (the rings are written once per bucket boundary).
/// </remarks>
[SkipLocalsInit]
internal sealed class DemandWindows
{
    private readonly WindowRings<DemandBucket, DemandCounts> _rings;
    private readonly int _windowCount;

    private ProductState[] _state;

    /// <summary>Creates the state for <paramref name="initialProducts"/> products; it grows on demand.</summary>
    /// <param name="windowLengthsMs">Window lengths in ms, each at least <paramref name="bucketsPerWindow"/>; 1 to 16 windows.</param>
    /// <param name="bucketsPerWindow">Buckets per window, 1 to 1024.</param>
    /// <param name="initialProducts">Products to allocate up front.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public DemandWindows(ReadOnlySpan<long> windowLengthsMs, int bucketsPerWindow, int initialProducts)
    {
        _rings = new WindowRings<DemandBucket, DemandCounts>(windowLengthsMs, bucketsPerWindow, SlidingWindowSeries.MaxWindows, default);
        if (_rings.WindowCount == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(windowLengthsMs), 0, "At least one demand window is needed.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(initialProducts);
        _windowCount = _rings.WindowCount;
        _state = [];
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
    public int BytesPerProduct => Unsafe.SizeOf<ProductState>() + _rings.BytesPerKey;

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
    /// one each; <see cref="DemandAction.None"/> only moves the product's clock. Any time is counted (the caller
    /// drops events that are too late).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="product"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int product, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
    {
        var state = _state;
        if ((uint)product < (uint)state.Length)
        {
            ref var s = ref state[product];
            if (timestamp >= s.NewestTs && timestamp < s.NextBoundary)
            {
                s.NewestTs = timestamp;
                s.Pending.Add(action, quantity, paidUnitPrice);
                return;
            }
        }

        AddSlow(product, timestamp, action, quantity, paidUnitPrice);
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
        var buckets = _rings.Read(product, window, s.NewestTs, asOfTimestamp);
        long views = 0, carts = 0, purchases = 0, units = 0;
        double revenue = 0;
        foreach (ref readonly var bucket in buckets)
        {
            views += bucket.Views;
            carts += bucket.AddToCarts;
            purchases += bucket.Purchases;
            units += bucket.Units;
            revenue += bucket.Revenue;
        }

        if (buckets.IncludesNewest)
        {
            // The pending counts are part of the newest bucket of every window.
            views += s.Pending.Views;
            carts += s.Pending.AddToCarts;
            purchases += s.Pending.Purchases;
            units += s.Pending.Units;
            revenue += s.Pending.Revenue;
        }

        // Covered time: from the first bucket still in the window (or the product's first event, if later) to asOf.
        long coveredMs = asOfTimestamp - Math.Max(buckets.StartMs, s.FirstTs) + 1;
        return new DemandStats(views, carts, purchases, units, revenue, Math.Max(0, coveredMs));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(int product, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
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
        if (s.HasValue == 0)
        {
            s.HasValue = 1;
            s.FirstTs = timestamp;
            s.NextBoundary = _rings.Start(product, timestamp);
        }
        else if (timestamp < s.NewestTs)
        {
            MergeOutOfOrder(product, ref s, timestamp, action, quantity, paidUnitPrice);
            return;
        }
        else
        {
            // Crossing a bucket boundary: the pending counts go into every window's head bucket, the heads move.
            s.NextBoundary = _rings.Advance(product, s.NewestTs, timestamp, in s.Pending);
            s.Pending = default;
        }

        s.NewestTs = timestamp;
        s.Pending.Add(action, quantity, paidUnitPrice);
    }

    private void MergeOutOfOrder(int product, ref ProductState s, long timestamp, DemandAction action, int quantity, double paidUnitPrice)
    {
        for (int w = 0; w < _windowCount; w++)
        {
            ref var bucket = ref _rings.BucketOf(product, w, s.NewestTs, timestamp);
            if (!Unsafe.IsNullRef(ref bucket))
            {
                bucket.Add(action, quantity, paidUnitPrice); // else its bucket has left this window's ring
            }
        }

        if (timestamp < s.FirstTs)
        {
            s.FirstTs = timestamp;
        }
    }

    /// <summary>Writes the state of products 0..<paramref name="productCount"/>-1 (all products with events must be below it).</summary>
    public void WriteState(ref SnapshotWriter w, int productCount)
    {
        w.WriteSection("DEMD"u8);
        w.WriteInt32(_windowCount);
        w.WriteInt32(_rings.BucketsPerWindow);
        w.WriteInt32(productCount);
        w.WriteInt64(0); // reserved: format 1 had a per-product late-drop count here (lateness is the engine's check)
        w.WriteArray<ProductState>(_state.AsSpan(0, productCount));
        _rings.WriteState(ref w, productCount);
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote into this (fresh) instance, which must have the same shape. The
    /// product count must be <paramref name="expectedCount"/> and is checked before anything grows; every ring head
    /// is checked.
    /// </summary>
    /// <exception cref="InvalidDataException">The shape or count differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r, int expectedCount)
    {
        r.ExpectSection("DEMD"u8);
        int windows = r.ReadInt32("demand window count");
        int buckets = r.ReadInt32("demand buckets per window");
        if (windows != _windowCount || buckets != _rings.BucketsPerWindow)
        {
            SnapshotFormat.ThrowInvalid($"the demand windows were written with {windows} windows of {buckets} buckets; this engine has {_windowCount} of {_rings.BucketsPerWindow}.");
        }

        int n = r.ReadCount("demand product count", Array.MaxLength, BytesPerProduct);
        SnapshotFormat.ThrowIfCountDiffers("demand product count", n, expectedCount);
        _ = r.ReadInt64("reserved");
        EnsureCapacity(n);
        r.ReadArray(_state.AsSpan(0, n), "demand product states");
        _rings.ReadState(ref r, n, "demand");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = WindowMath.GrownCapacity(_state.Length, needed);
        Array.Resize(ref _state, capacity);
        _rings.EnsureCapacity(capacity);
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
        public DemandCounts Pending;
        public long FirstTs;
        public int HasValue;
    }

    /// <summary>Shopper actions counted since the last bucket boundary (laid out as format 1 wrote them).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct DemandCounts
    {
        public double Revenue;
        public int Views;
        public int AddToCarts;
        public int Purchases;
        public int Units;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(DemandAction action, int quantity, double paidUnitPrice)
        {
            bool isPurchase = action == DemandAction.Purchase;
            Views += action == DemandAction.View ? 1 : 0;
            AddToCarts += action == DemandAction.AddToCart ? 1 : 0;
            Purchases += isPurchase ? 1 : 0;
            Units += isPurchase ? quantity : 0;
            Revenue += isPurchase ? paidUnitPrice * quantity : 0;
        }
    }

    /// <summary>One bucket of one window.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct DemandBucket : IWindowBucket<DemandCounts>
    {
        public int Views;
        public int AddToCarts;
        public int Purchases;
        public int Units;
        public double Revenue;

        public void Merge(in DemandCounts pending)
        {
            Views += pending.Views;
            AddToCarts += pending.AddToCarts;
            Purchases += pending.Purchases;
            Units += pending.Units;
            Revenue += pending.Revenue;
        }

        public void Add(DemandAction action, int quantity, double paidUnitPrice)
        {
            bool isPurchase = action == DemandAction.Purchase;
            Views += action == DemandAction.View ? 1 : 0;
            AddToCarts += action == DemandAction.AddToCart ? 1 : 0;
            Purchases += isPurchase ? 1 : 0;
            Units += isPurchase ? quantity : 0;
            Revenue += isPurchase ? paidUnitPrice * quantity : 0;
        }
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
