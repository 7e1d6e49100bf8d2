using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Statistics;

/// <summary>What <see cref="MarketSnapshot.Update"/> did with an observation.</summary>
internal enum BoardUpdate : byte
{
    /// <summary>Older than the competitor's current observation: ignored.</summary>
    Stale = 0,

    /// <summary>Replaced the competitor's current price (same or newer event time).</summary>
    Updated = 1,

    /// <summary>First observation of this competitor for the product: took a free slot.</summary>
    Added = 2,

    /// <summary>All slots were taken: replaced the competitor whose observation was the oldest (counted in <see cref="MarketSnapshot.Evictions"/>).</summary>
    Evicted = 3,

    /// <summary>All slots were taken by newer observations: ignored (counted in <see cref="MarketSnapshot.Drops"/>).</summary>
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
/// The market for one product as read by <see cref="MarketSnapshot.Read"/>: in-stock competitor prices
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
/// An observation older than the competitor's current one never overwrites it (same time: the later
/// arrival wins). When a product's slots are all taken, a new competitor replaces the competitor whose
/// observation is oldest if the new one is newer (<see cref="Evictions"/>), otherwise it is ignored
/// (<see cref="Drops"/>); so the board keeps the S most recently seen competitors. Prices are compared
/// as ticks: the caller keeps one currency per product. Memory: <see cref="BytesPerProduct"/> = 21·S + 1
/// bytes (S = 16: 337 B).
/// </remarks>
[SkipLocalsInit]
internal sealed class MarketSnapshot
{
    /// <summary>Default slots per product.</summary>
    public const int DefaultSlots = 16;

    private readonly int _slots;
    private byte[] _counts;
    private int[] _competitors;
    private long[] _prices;
    private long[] _timestamps;
    private Availability[] _availability;

    /// <summary>Creates the board for <paramref name="initialProducts"/> products; it grows on demand.</summary>
    /// <param name="initialProducts">Products to allocate up front.</param>
    /// <param name="slotsPerProduct">Competitors kept per product, 1 to 255.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public MarketSnapshot(int initialProducts, int slotsPerProduct = DefaultSlots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialProducts);
        if (slotsPerProduct is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(slotsPerProduct), slotsPerProduct, "slotsPerProduct must be between 1 and 255.");
        }

        _slots = slotsPerProduct;
        _counts = [];
        _competitors = [];
        _prices = [];
        _timestamps = [];
        _availability = [];
        if (initialProducts > 0)
        {
            Grow(initialProducts);
        }
    }

    /// <summary>Competitor slots per product (S).</summary>
    public int SlotsPerProduct => _slots;

    /// <summary>Products the arrays hold now.</summary>
    public int Capacity => _counts.Length;

    /// <summary>Bytes of state one product takes.</summary>
    public int BytesPerProduct => 1 + (_slots * (sizeof(int) + sizeof(long) + sizeof(long) + sizeof(Availability)));

    /// <summary>New competitors that replaced the stalest competitor of a full product.</summary>
    public long Evictions { get; private set; }

    /// <summary>New competitors ignored because the product was full of newer observations.</summary>
    public long Drops { get; private set; }

    /// <summary>Makes room for product ids 0..<paramref name="productCount"/>-1.</summary>
    public void EnsureCapacity(int productCount)
    {
        if (productCount > _counts.Length)
        {
            Grow(productCount);
        }
    }

    /// <summary>Records a competitor's price for a product unless the board holds a newer one.</summary>
    /// <param name="product">Product id.</param>
    /// <param name="competitorId">Competitor id, ≥ 0.</param>
    /// <param name="price">The observed price.</param>
    /// <param name="availability">Stock status shown with it.</param>
    /// <param name="timestamp">Event time, Unix ms.</param>
    /// <param name="previous">The competitor's observation before this call, or <see cref="CompetitorQuote.None"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="product"/> or <paramref name="competitorId"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BoardUpdate Update(int product, int competitorId, Money price, Availability availability, long timestamp, out CompetitorQuote previous)
    {
        var counts = _counts;
        if ((uint)product < (uint)counts.Length && competitorId >= 0)
        {
            int first = product * _slots;
            int slot = _competitors.AsSpan(first, counts[product]).IndexOf(competitorId);
            if (slot >= 0)
            {
                int i = first + slot;
                previous = new CompetitorQuote(competitorId, new Money(_prices[i]), _availability[i], _timestamps[i]);
                if (timestamp < previous.Timestamp)
                {
                    return BoardUpdate.Stale;
                }

                _prices[i] = price.Ticks;
                _timestamps[i] = timestamp;
                _availability[i] = availability;
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
        if ((uint)product >= (uint)_counts.Length || _counts[product] == 0)
        {
            return new ProductBoard(0, 0, default, default, default, -1, ourPrice, 0, long.MinValue);
        }

        int n = _counts[product];
        int first = product * _slots;
        Span<long> inStock = stackalloc long[n];
        int m = 0;
        int cheapest = -1;
        long lowest = long.MaxValue;
        long newest = long.MinValue;
        for (int i = first; i < first + n; i++)
        {
            newest = Math.Max(newest, _timestamps[i]);
            if (_availability[i] == Availability.OutOfStock)
            {
                continue;
            }

            long p = _prices[i];
            inStock[m++] = p;
            if (p < lowest)
            {
                lowest = p;
                cheapest = _competitors[i];
            }
        }

        if (m == 0)
        {
            return new ProductBoard(n, 0, default, default, default, -1, ourPrice, 0, newest);
        }

        var sorted = inStock[..m];
        sorted.Sort();
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
        if ((uint)product >= (uint)_counts.Length)
        {
            return 0;
        }

        int n = _counts[product];
        int first = product * _slots;
        Span<long> inStock = stackalloc long[n];
        int m = 0;
        for (int i = first; i < first + n; i++)
        {
            if (_availability[i] != Availability.OutOfStock)
            {
                inStock[m++] = _prices[i];
            }
        }

        var sorted = inStock[..m];
        sorted.Sort();
        int written = Math.Min(m, destination.Length);
        for (int i = 0; i < written; i++)
        {
            destination[i] = sorted[i] / (double)Money.Scale;
        }

        return written;
    }

    /// <summary>Competitors on the product's board (slots in use).</summary>
    public int CompetitorCount(int product) => (uint)product < (uint)_counts.Length ? _counts[product] : 0;

    /// <summary>The observation in slot <paramref name="slot"/> (0..<see cref="CompetitorCount"/>-1) of a product.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slot is not in use.</exception>
    public CompetitorQuote GetSlot(int product, int slot)
    {
        if ((uint)slot >= (uint)CompetitorCount(product))
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"Product {product} has {CompetitorCount(product)} competitors on the board.");
        }

        int i = (product * _slots) + slot;
        return new CompetitorQuote(_competitors[i], new Money(_prices[i]), _availability[i], _timestamps[i]);
    }

    /// <summary>The competitor's current observation for the product; false when it is not on the board.</summary>
    public bool TryGetQuote(int product, int competitorId, out CompetitorQuote quote)
    {
        if ((uint)product < (uint)_counts.Length)
        {
            int first = product * _slots;
            int slot = _competitors.AsSpan(first, _counts[product]).IndexOf(competitorId);
            if (slot >= 0)
            {
                quote = GetSlot(product, slot);
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

        if (competitorId < 0)
        {
            WindowMath.ThrowNegativeId(nameof(competitorId), competitorId);
        }

        if (product >= _counts.Length)
        {
            Grow(product + 1);
        }

        int first = product * _slots;
        int n = _counts[product];
        BoardUpdate result;
        int slot;
        if (n < _slots)
        {
            slot = n;
            _counts[product] = (byte)(n + 1);
            result = BoardUpdate.Added;
        }
        else
        {
            slot = 0;
            for (int i = 1; i < n; i++)
            {
                if (_timestamps[first + i] < _timestamps[first + slot])
                {
                    slot = i;
                }
            }

            if (timestamp <= _timestamps[first + slot])
            {
                Drops++;
                return BoardUpdate.Dropped;
            }

            Evictions++;
            result = BoardUpdate.Evicted;
        }

        int index = first + slot;
        _competitors[index] = competitorId;
        _prices[index] = price.Ticks;
        _timestamps[index] = timestamp;
        _availability[index] = availability;
        return result;
    }

    /// <summary>(a + b) / 2 rounded down, without overflow.</summary>
    private static long MidpointDown(long a, long b) => (a >> 1) + (b >> 1) + (a & b & 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int capacity = WindowMath.GrownCapacity(_counts.Length, needed);
        Array.Resize(ref _counts, capacity);
        Array.Resize(ref _competitors, checked(capacity * _slots));
        Array.Resize(ref _prices, checked(capacity * _slots));
        Array.Resize(ref _timestamps, checked(capacity * _slots));
        Array.Resize(ref _availability, checked(capacity * _slots));
    }
}
