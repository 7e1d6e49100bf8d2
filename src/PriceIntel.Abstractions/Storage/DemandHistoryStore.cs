namespace PriceIntel;

/// <summary>
/// Shopper demand per product over time: views, add-to-carts, purchases, units and revenue per hour
/// and per day, with our price as shoppers saw it, our stock and our unit cost, so charts and demand
/// models can read it back. Appends take the demand, inventory and cost events of a batch together
/// with stable ids (<see cref="DemandEventIdAssigner"/>); an event already stored (same id) is
/// skipped and does not count twice in a bucket, so replays and retries are safe.
/// </summary>
public interface IDemandHistoryStore
{
    /// <summary>
    /// Stores the <see cref="MarketEventKind.Demand"/>, <see cref="MarketEventKind.Inventory"/> and
    /// <see cref="MarketEventKind.Cost"/> events of a batch (other kinds are ignored), rolling the new
    /// ones into their hour and day buckets.
    /// </summary>
    /// <param name="events">The events; only read during the call.</param>
    /// <param name="ids">The id of each event, from <see cref="DemandEventIdAssigner.Assign"/> (entries of ignored kinds are not read).</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>How many events were new (duplicates of stored ones and events older than the retention are not counted).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than <paramref name="events"/>.</exception>
    /// <exception cref="MarketStoreException">The store could not write the batch.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<int> AppendDemandEventsAsync(ReadOnlyMemory<MarketEvent> events, ReadOnlyMemory<ulong> ids, MarketKeys keys, CancellationToken cancellationToken);

    /// <summary>Demand buckets of one product, newest bucket first.</summary>
    /// <exception cref="ArgumentException">The query is invalid (product, size, limit, range, cursor).</exception>
    /// <exception cref="MarketStoreException">The store could not be read.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<DemandBucket>> QueryDemandAsync(DemandQuery query, CancellationToken cancellationToken);

    /// <summary>The products that have demand history (day buckets kept), by SKU ascending: what a reader of the whole history walks. As many entries as products, not history.</summary>
    /// <exception cref="MarketStoreException">The store could not be read.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<IReadOnlyList<string>> GetDemandProductsAsync(CancellationToken cancellationToken);
}

/// <summary>The width of a <see cref="DemandBucket"/>.</summary>
public enum DemandBucketSize : byte
{
    /// <summary>One hour (UTC).</summary>
    Hour = 2,

    /// <summary>One day (UTC).</summary>
    Day = 3,
}

/// <summary>Shopper demand for one product over one bucket of time.</summary>
/// <param name="Product">Product key (SKU).</param>
/// <param name="Size">Bucket width.</param>
/// <param name="Start">Bucket start (UTC, aligned to the width).</param>
/// <param name="Views">Product page views.</param>
/// <param name="AddToCarts">Add-to-cart actions.</param>
/// <param name="Purchases">Purchases.</param>
/// <param name="Units">Units purchased.</param>
/// <param name="Revenue">Sum of units × paid unit price over the purchases.</param>
/// <param name="ViewPriceSum">Sum of our prices shown with the views (divide by <see cref="PricedViews"/> for the mean).</param>
/// <param name="PricedViews">Views that showed a price.</param>
/// <param name="Currency">ISO 4217 code of the latest priced demand event; null when none had a price.</param>
/// <param name="Stock">Our units on hand as last reported in the bucket; null when no inventory event fell in it.</param>
/// <param name="UnitCost">Our unit cost as last reported in the bucket; null when no cost event fell in it.</param>
public sealed record DemandBucket(
    string Product,
    DemandBucketSize Size,
    DateTimeOffset Start,
    long Views,
    long AddToCarts,
    long Purchases,
    long Units,
    decimal Revenue,
    decimal ViewPriceSum,
    long PricedViews,
    string? Currency,
    long? Stock,
    decimal? UnitCost)
{
    /// <summary>Deterministic id: product, size and start (see <see cref="StoreIds.DemandBucket"/>).</summary>
    public ulong Id => StoreIds.DemandBucket(Product, Size, Start.ToUnixTimeMilliseconds());

    /// <summary>Our mean price as shoppers saw it (over the priced views); null without priced views.</summary>
    public decimal? AverageViewPrice => PricedViews > 0 ? Math.Round(ViewPriceSum / PricedViews, 4) : null;

    /// <summary>Purchases per view; null without views.</summary>
    public double? Conversion => Views > 0 ? (double)Purchases / Views : null;

    /// <summary>The bucket start of a time, Unix milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not defined.</exception>
    public static long StartOf(long unixMilliseconds, DemandBucketSize size)
    {
        var width = WidthMilliseconds(size);
        return unixMilliseconds - (((unixMilliseconds % width) + width) % width);
    }

    /// <summary>The width of a bucket size in milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not defined.</exception>
    public static long WidthMilliseconds(DemandBucketSize size) => size switch
    {
        DemandBucketSize.Hour => 3_600_000L,
        DemandBucketSize.Day => 86_400_000L,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "DemandBucketSize must be Hour or Day."),
    };
}

/// <summary>A query over one product's demand buckets (by bucket start).</summary>
/// <param name="Product">The product (required).</param>
/// <param name="Size">Bucket width.</param>
public sealed record DemandQuery(string Product, DemandBucketSize Size) : HistoryQuery
{
    /// <inheritdoc />
    public override void Validate()
    {
        StoreValidation.Key(Product, "DemandQuery.Product");
        if (Size is not (DemandBucketSize.Hour or DemandBucketSize.Day))
        {
            throw new ArgumentException($"DemandQuery.Size must be Hour or Day; got {Size}.", nameof(Size));
        }

        base.Validate();
    }
}

/// <summary>
/// Gives the demand, inventory and cost events of one stream ids that are the same every time the
/// stream is read: a hash of the product, kind, action, quantity, price, currency and time, plus the
/// event's rank among identical events earlier in the stream (two views of one product in the same
/// millisecond are two events). Keep one per stream and feed it every batch in order. Identical events
/// are told apart only within a minute of event time (older ranks are forgotten to bound memory).
/// Not thread-safe.
/// </summary>
public sealed class DemandEventIdAssigner
{
    private const long Horizon = 60_000;
    private const int PruneAbove = 65_536;
    private readonly Dictionary<ulong, (int Next, long Time)> _seen = [];
    private long _newest = long.MinValue;

    /// <summary>Writes the id of every demand, inventory and cost event into <paramref name="ids"/> (0 for other kinds).</summary>
    /// <param name="events">The batch, in stream order.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="ids">Receives one id per event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than <paramref name="events"/>.</exception>
    public void Assign(ReadOnlySpan<MarketEvent> events, MarketKeys keys, Span<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (ids.Length < events.Length)
        {
            throw new ArgumentException($"ids holds {ids.Length} entries for {events.Length} events.", nameof(ids));
        }

        for (int i = 0; i < events.Length; i++)
        {
            ref readonly var e = ref events[i];
            if (!IsDemandHistoryEvent(in e) || (uint)e.ProductId >= (uint)keys.Products.Count)
            {
                ids[i] = 0;
                continue;
            }

            var first = StoreIds.DemandEvent(keys.Products.GetStableHash(e.ProductId), e.Kind, e.Action, e.Quantity, e.Price.Ticks, e.Currency.Value, e.Timestamp, 0);
            int rank = 0;
            if (_seen.TryGetValue(first, out var known))
            {
                rank = known.Next;
            }

            _seen[first] = (rank + 1, e.Timestamp);
            ids[i] = rank == 0 ? first : StoreIds.DemandEvent(keys.Products.GetStableHash(e.ProductId), e.Kind, e.Action, e.Quantity, e.Price.Ticks, e.Currency.Value, e.Timestamp, rank);
            _newest = Math.Max(_newest, e.Timestamp);
        }

        if (_seen.Count > PruneAbove)
        {
            Prune();
        }
    }

    /// <summary>True for the kinds an <see cref="IDemandHistoryStore"/> keeps: demand, inventory and cost events.</summary>
    public static bool IsDemandHistoryEvent(in MarketEvent e) =>
        e.Kind is MarketEventKind.Demand or MarketEventKind.Inventory or MarketEventKind.Cost;

    private void Prune()
    {
        var cutoff = _newest - Horizon;
        foreach (var (id, entry) in _seen)
        {
            if (entry.Time < cutoff)
            {
                _seen.Remove(id);
            }
        }
    }
}
