using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Statistics;

/// <summary>What <see cref="CompetitorBoard.Update"/> did with an observation.</summary>
internal enum BoardUpdate : byte
{
    /// <summary>Older than the competitor's current observation: ignored.</summary>
    Stale = 0,

    /// <summary>Replaced the competitor's current price (same or newer event time).</summary>
    Updated = 1,

    /// <summary>First observation of this competitor for the product: took a free slot.</summary>
    Added = 2,

    /// <summary>All slots were taken: replaced the competitor whose observation was the oldest (counted in <see cref="CompetitorBoard.Evictions"/>).</summary>
    Evicted = 3,

    /// <summary>All slots were taken by newer observations: ignored (counted in <see cref="CompetitorBoard.Drops"/>).</summary>
    Dropped = 4,
}

/// <summary>One competitor's current observation for a product.</summary>
/// <param name="CompetitorId">Competitor id, or -1 when there is none.</param>
/// <param name="Price">Latest price by event time.</param>
/// <param name="Availability">Stock status with that price.</param>
/// <param name="Timestamp">Event time of the observation, Unix ms.</param>
internal readonly record struct CompetitorQuote(int CompetitorId, Money Price, Availability Availability, long Timestamp)
{
    /// <summary>No observation.</summary>
    public static CompetitorQuote None => new(-1, default, Availability.Unknown, long.MinValue);

    /// <summary>True when this is an observation.</summary>
    public bool HasValue => CompetitorId >= 0;

    /// <summary>True unless the competitor is out of stock (Unknown counts as in stock).</summary>
    public bool IsInStock => Availability != Availability.OutOfStock;
}

/// <summary>
/// The market for one product as read by <see cref="CompetitorBoard.Read"/>: in-stock competitor prices
/// (Unknown availability counts as in stock, OutOfStock is excluded) and our position among them.
/// </summary>
/// <param name="CompetitorCount">Competitors on the board, in stock or not.</param>
/// <param name="InStockCount">Competitors in stock.</param>
/// <param name="Lowest">Lowest in-stock price (zero when none).</param>
/// <param name="Median">Median in-stock price; the mean of the two middle prices rounded down to the tick when the count is even (zero when none).</param>
/// <param name="Highest">Highest in-stock price (zero when none).</param>
/// <param name="CheapestCompetitorId">Competitor at the lowest price (the earliest on the board on ties), or -1.</param>
/// <param name="OurPrice">Our price as given; zero means unknown and leaves the position fields at zero.</param>
/// <param name="CheaperCount">In-stock competitors strictly cheaper than us.</param>
/// <param name="NewestTimestamp">Newest observation time on the board (long.MinValue when empty).</param>
internal readonly record struct ProductBoard(
    int CompetitorCount,
    int InStockCount,
    Money Lowest,
    Money Median,
    Money Highest,
    int CheapestCompetitorId,
    Money OurPrice,
    int CheaperCount,
    long NewestTimestamp)
{
    /// <summary>True when at least one competitor is in stock.</summary>
    public bool HasInStock => InStockCount > 0;

    /// <summary>Our rank among in-stock competitors: 1 + the number strictly cheaper (1 = cheapest or tied).</summary>
    public int Rank => CheaperCount + 1;

    /// <summary>Fraction of in-stock competitors strictly cheaper than us (0 without competitors or our price).</summary>
    public double FractionCheaper => InStockCount == 0 ? 0 : CheaperCount / (double)InStockCount;

    /// <summary>(Our price − lowest) / lowest: above 0 when we are dearer than the cheapest; 0 without competitors or our price.</summary>
    public double GapToLowest => InStockCount == 0 || OurPrice.Ticks <= 0 || Lowest.Ticks <= 0
        ? 0
        : (OurPrice.Ticks - Lowest.Ticks) / (double)Lowest.Ticks;
}

/// <summary>
/// The live board: per product, each competitor's latest price by event time, its availability and
/// time. Compact fixed slots: up to <see cref="SlotsPerProduct"/> competitors per product, found by a
/// vectorised scan of the product's slot ids. Updates and reads allocate nothing.
/// </summary>
/// <remarks>
/// <para>An observation older than the competitor's current one never overwrites it (same time: the later
/// arrival wins). When a product's slots are all taken, a new competitor replaces the competitor whose
/// observation is oldest if the new one is newer (<see cref="Evictions"/>), otherwise it is ignored
/// (<see cref="Drops"/>); so the board keeps the S most recently seen competitors. Prices are compared
/// as ticks: the caller keeps one currency per product.</para>
/// <para>Layout: per product S slot ids (competitor id + 1, 0 = free; 64 bytes for S = 16, one cache line)
/// and S 16-byte slots (price ticks; event time shifted left 8 bits with the availability in the low
/// byte, so times must be within ±2^55 ms). An update touches the id line and one slot.
/// Memory: <see cref="BytesPerProduct"/> = 20·S bytes (S = 16: 320 B).</para>
/// </remarks>
[SkipLocalsInit]
internal sealed class CompetitorBoard
{
    /// <summary>Default slots per product.</summary>
    public const int DefaultSlots = 16;

    private readonly int _slots;
    private int[] _ids;
    private Slot[] _data;
    private int _capacity;

    /// <summary>Creates the board for <paramref name="initialProducts"/> products; it grows on demand.</summary>
    /// <param name="initialProducts">Products to allocate up front.</param>
    /// <param name="slotsPerProduct">Competitors kept per product, 1 to 255.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public CompetitorBoard(int initialProducts, int slotsPerProduct = DefaultSlots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialProducts);
        if (slotsPerProduct is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(slotsPerProduct), slotsPerProduct, "slotsPerProduct must be between 1 and 255.");
        }

        _slots = slotsPerProduct;
        _ids = [];
        _data = [];
        if (initialProducts > 0)
        {
            Grow(initialProducts);
        }
    }

    /// <summary>Competitor slots per product (S).</summary>
    public int SlotsPerProduct => _slots;

    /// <summary>Products the arrays hold now.</summary>
    public int Capacity => _capacity;

    /// <summary>Bytes of state one product takes.</summary>
    public int BytesPerProduct => _slots * (sizeof(int) + Unsafe.SizeOf<Slot>());

    /// <summary>Observations ignored because the competitor already had a newer one.</summary>
    public long StaleObservations { get; private set; }

    /// <summary>New competitors that replaced the stalest competitor of a full product.</summary>
    public long Evictions { get; private set; }

    /// <summary>New competitors ignored because the product was full of newer observations.</summary>
    public long Drops { get; private set; }

    /// <summary>Makes room for product ids 0..<paramref name="productCount"/>-1.</summary>
    public void EnsureCapacity(int productCount)
    {
        if (productCount > _capacity)
        {
            Grow(productCount);
        }
    }

    /// <summary>Asks for the cache lines an <see cref="Update"/> of <paramref name="product"/> will touch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int product)
    {
        Core.CachePrefetch.Line(_ids, product * _slots);
        Core.CachePrefetch.Line(_data, product * _slots);
    }

    /// <summary>Records a competitor's price for a product unless the board holds a newer one.</summary>
    /// <param name="product">Product id.</param>
    /// <param name="competitorId">Competitor id, 0 to int.MaxValue − 1.</param>
    /// <param name="price">The observed price.</param>
    /// <param name="availability">Stock status shown with it.</param>
    /// <param name="timestamp">Event time, Unix ms, within ±2^55.</param>
    /// <param name="previous">The competitor's observation before this call, or <see cref="CompetitorQuote.None"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="product"/> or <paramref name="competitorId"/> is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BoardUpdate Update(int product, int competitorId, Money price, Availability availability, long timestamp, out CompetitorQuote previous)
    {
        if ((uint)product < (uint)_capacity && competitorId >= 0)
        {
            int first = product * _slots;
            int slot = _ids.AsSpan(first, _slots).IndexOf(competitorId + 1);
            if (slot >= 0)
            {
                ref var data = ref _data[first + slot];
                previous = data.ToQuote(competitorId);
                if (timestamp < previous.Timestamp)
                {
                    StaleObservations++;
                    return BoardUpdate.Stale;
                }

                data = new Slot(price.Ticks, timestamp, availability);
                return BoardUpdate.Updated;
            }
        }

        previous = CompetitorQuote.None;
        return UpdateSlow(product, competitorId, price, availability, timestamp);
    }

    /// <summary>The product's board and our position on it.</summary>
    /// <param name="product">Product id (an unknown id reads as an empty board).</param>
    /// <param name="ourPrice">Our current price; zero when unknown.</param>
    public ProductBoard Read(int product, Money ourPrice)
    {
        int n = CompetitorCount(product);
        if (n == 0)
        {
            return new ProductBoard(0, 0, default, default, default, -1, ourPrice, 0, long.MinValue);
        }

        int first = product * _slots;
        var ids = _ids.AsSpan(first, n);
        var slots = _data.AsSpan(first, n);
        Span<long> sorted = stackalloc long[n];
        int m = 0;
        int cheapest = -1;
        long lowest = long.MaxValue;
        long newest = long.MinValue;
        for (int i = 0; i < n; i++)
        {
            ref readonly var slot = ref slots[i];
            newest = Math.Max(newest, slot.Timestamp);
            if (slot.Availability == Availability.OutOfStock)
            {
                continue;
            }

            long p = slot.Price;
            InsertSorted(sorted, m++, p);
            if (p < lowest)
            {
                lowest = p;
                cheapest = ids[i] - 1;
            }
        }

        if (m == 0)
        {
            return new ProductBoard(n, 0, default, default, default, -1, ourPrice, 0, newest);
        }

        long median = (m & 1) == 1 ? sorted[m >> 1] : MidpointDown(sorted[(m >> 1) - 1], sorted[m >> 1]);
        int cheaper = 0;
        if (ourPrice.Ticks > 0)
        {
            while (cheaper < m && sorted[cheaper] < ourPrice.Ticks)
            {
                cheaper++;
            }
        }

        return new ProductBoard(n, m, new Money(sorted[0]), new Money(median), new Money(sorted[m - 1]), cheapest, ourPrice, cheaper, newest);
    }

    /// <summary>
    /// Copies the product's in-stock competitor prices, lowest first, into <paramref name="destination"/>
    /// (the percentile strategies use them). Pass at least <see cref="SlotsPerProduct"/> elements to get all;
    /// a shorter span gets the lowest ones.
    /// </summary>
    /// <returns>How many prices were written.</returns>
    public int CopyInStockPrices(int product, Span<double> destination)
    {
        int n = CompetitorCount(product);
        var slots = _data.AsSpan(product * _slots, n);
        Span<long> sorted = stackalloc long[n];
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (slots[i].Availability != Availability.OutOfStock)
            {
                InsertSorted(sorted, m++, slots[i].Price);
            }
        }

        int written = Math.Min(m, destination.Length);
        for (int i = 0; i < written; i++)
        {
            destination[i] = sorted[i] / (double)Money.Scale;
        }

        return written;
    }

    /// <summary>Competitors on the product's board (slots in use).</summary>
    public int CompetitorCount(int product)
    {
        if ((uint)product >= (uint)_capacity)
        {
            return 0;
        }

        int free = _ids.AsSpan(product * _slots, _slots).IndexOf(0);
        return free < 0 ? _slots : free;
    }

    /// <summary>The observation in slot <paramref name="slot"/> (0..<see cref="CompetitorCount"/>-1) of a product.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slot is not in use.</exception>
    public CompetitorQuote GetSlot(int product, int slot)
    {
        if ((uint)slot >= (uint)CompetitorCount(product))
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"Product {product} has {CompetitorCount(product)} competitors on the board.");
        }

        int i = (product * _slots) + slot;
        return _data[i].ToQuote(_ids[i] - 1);
    }

    /// <summary>The competitor's current observation for the product; false when it is not on the board.</summary>
    public bool TryGetQuote(int product, int competitorId, out CompetitorQuote quote)
    {
        if ((uint)product < (uint)_capacity && competitorId >= 0)
        {
            int first = product * _slots;
            int slot = _ids.AsSpan(first, _slots).IndexOf(competitorId + 1);
            if (slot >= 0)
            {
                quote = _data[first + slot].ToQuote(competitorId);
                return true;
            }
        }

        quote = CompetitorQuote.None;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BoardUpdate UpdateSlow(int product, int competitorId, Money price, Availability availability, long timestamp)
    {
        if (product < 0)
        {
            WindowMath.ThrowNegativeId(nameof(product), product);
        }

        if (competitorId is < 0 or int.MaxValue)
        {
            WindowMath.ThrowNegativeId(nameof(competitorId), competitorId);
        }

        if (product >= _capacity)
        {
            Grow(product + 1);
        }

        int first = product * _slots;
        int n = CompetitorCount(product);
        BoardUpdate result;
        int slot;
        if (n < _slots)
        {
            slot = n;
            result = BoardUpdate.Added;
        }
        else
        {
            slot = 0;
            for (int i = 1; i < n; i++)
            {
                if (_data[first + i].Timestamp < _data[first + slot].Timestamp)
                {
                    slot = i;
                }
            }

            if (timestamp <= _data[first + slot].Timestamp)
            {
                Drops++;
                return BoardUpdate.Dropped;
            }

            Evictions++;
            result = BoardUpdate.Evicted;
        }

        _ids[first + slot] = competitorId + 1;
        _data[first + slot] = new Slot(price.Ticks, timestamp, availability);
        return result;
    }

    /// <summary>Writes the boards of products 0..<paramref name="productCount"/>-1 (all products on the board must be below it) and the counters.</summary>
    public void WriteState(ref SnapshotWriter w, int productCount)
    {
        w.WriteSection("BORD"u8);
        w.WriteInt32(_slots);
        w.WriteInt32(productCount);
        w.WriteInt64(StaleObservations);
        w.WriteInt64(Evictions);
        w.WriteInt64(Drops);
        w.WriteArray<int>(_ids.AsSpan(0, productCount * _slots));
        w.WriteArray<Slot>(_data.AsSpan(0, productCount * _slots));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote into this (fresh) instance, which must have as many slots per product;
    /// the product count must be <paramref name="expectedCount"/> and is checked before anything grows.
    /// </summary>
    /// <exception cref="InvalidDataException">The slot or product count differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r, int expectedCount)
    {
        r.ExpectSection("BORD"u8);
        int slots = r.ReadInt32("board slots per product");
        if (slots != _slots)
        {
            SnapshotFormat.ThrowInvalid($"the board was written with {slots} slots per product; this engine has {_slots}.");
        }

        int n = r.ReadCount("board product count", Array.MaxLength / _slots, BytesPerProduct);
        SnapshotFormat.ThrowIfCountDiffers("board product count", n, expectedCount);
        StaleObservations = r.ReadInt64("board stale observations");
        Evictions = r.ReadInt64("board evictions");
        Drops = r.ReadInt64("board drops");
        EnsureCapacity(n);
        r.ReadArray(_ids.AsSpan(0, n * _slots), "board slot ids");
        r.ReadArray(_data.AsSpan(0, n * _slots), "board slots");
    }

    /// <summary>Insertion step of an insertion sort: puts <paramref name="value"/> into sorted[0..count].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InsertSorted(Span<long> sorted, int count, long value)
    {
        int i = count;
        while (i > 0 && sorted[i - 1] > value)
        {
            sorted[i] = sorted[i - 1];
            i--;
        }

        sorted[i] = value;
    }

    /// <summary>(a + b) / 2 rounded down, without overflow.</summary>
    private static long MidpointDown(long a, long b) => (a >> 1) + (b >> 1) + (a & b & 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = WindowMath.GrownCapacity(_capacity, needed);
        Array.Resize(ref _ids, checked(capacity * _slots));
        Array.Resize(ref _data, checked(capacity * _slots));
        _capacity = capacity;
    }

    /// <summary>One competitor's observation: price ticks, and event time with the availability in the low byte.</summary>
    private readonly struct Slot(long price, long timestamp, Availability availability)
    {
        private readonly long _stamp = (timestamp << 8) | (byte)availability;

        public long Price { get; } = price;

        public long Timestamp => _stamp >> 8;

        public Availability Availability => (Availability)(byte)_stamp;

        public CompetitorQuote ToQuote(int competitorId) => new(competitorId, new Money(Price), Availability, Timestamp);
    }
}
