namespace PriceIntel.Mongo;

/// <summary>
/// One page of minute buckets rolled up from raw observations that arrive newest first (by time; any
/// order within a millisecond), as the SQLite store rolls them: open = earliest observation (ties: lower
/// price), close = latest (ties: higher price) with its currency, ids from <see cref="StoreIds.Bucket"/>,
/// page order newest start first then id descending, keyset cursor (start, id). Reading stops as soon as
/// the page and the minute it ends in are complete (<see cref="Add"/> returns false).
/// </summary>
internal sealed class MinuteBucketPage
{
    private const long Width = 60_000;

    private readonly string _product;
    private readonly int _limit;
    private readonly (long Time, ulong Id)? _after;
    private readonly List<PriceBucket> _items;
    private readonly List<(string Competitor, Aggregate Value)> _minute = [];
    private long _current = long.MinValue;

    public MinuteBucketPage(string product, HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        _product = product;
        _limit = query.Limit;
        var (from, to, after) = query.Bounds();
        _after = after;
        _items = new List<PriceBucket>(Math.Min(query.Limit + 1, 1024));

        // A bucket starting at or after `from` holds times from the first minute boundary at or after it;
        // one starting before `to` (or at the cursor's minute) holds times before the boundary after that.
        FromTime = from == long.MinValue ? long.MinValue : FirstBoundaryAtOrAfter(from);
        var end = to == long.MaxValue ? long.MaxValue : FirstBoundaryAtOrAfter(to);
        if (after is { } cursor)
        {
            end = Math.Min(end, cursor.Time + Width);
        }

        ToTime = end;
    }

    /// <summary>The raw observations to read have a time at or after this (<see cref="long.MinValue"/>: no bound).</summary>
    public long FromTime { get; }

    /// <summary>The raw observations to read have a time before this (<see cref="long.MaxValue"/>: no bound).</summary>
    public long ToTime { get; }

    /// <summary>Adds the next observation (time not after the previous one's).</summary>
    /// <returns>False once the page is full: stop reading and call <see cref="Finish"/>.</returns>
    /// <exception cref="ArgumentException">The observation is newer than the previous one.</exception>
    public bool Add(string competitor, long time, long priceTicks, string currency)
    {
        var start = PriceBucket.StartOf(time, PriceBucketSize.Minute);
        if (start != _current)
        {
            if (_current != long.MinValue && start > _current)
            {
                throw new ArgumentException($"observations must arrive newest first: {time} after the minute starting {_current}.", nameof(time));
            }

            Emit();
            if (_items.Count > _limit)
            {
                return false;
            }

            _current = start;
        }

        for (int i = 0; i < _minute.Count; i++)
        {
            if (string.Equals(_minute[i].Competitor, competitor, StringComparison.Ordinal))
            {
                _minute[i] = (competitor, _minute[i].Value.With(time, priceTicks, currency));
                return true;
            }
        }

        _minute.Add((competitor, new Aggregate(time, priceTicks, priceTicks, priceTicks, time, priceTicks, 1, currency)));
        return true;
    }

    /// <summary>The page: at most the query's limit of buckets, and the cursor of the next page when there is more.</summary>
    public StorePage<PriceBucket> Finish()
    {
        Emit();
        string? next = null;
        if (_items.Count > _limit)
        {
            _items.RemoveRange(_limit, _items.Count - _limit);
            next = StoreCursor.Encode(_items[^1].Start.ToUnixTimeMilliseconds(), _items[^1].Id);
        }

        return new StorePage<PriceBucket>([.. _items], next);
    }

    private void Emit()
    {
        if (_minute.Count == 0)
        {
            return;
        }

        var buckets = new List<PriceBucket>(_minute.Count);
        foreach (var (competitor, a) in _minute)
        {
            var bucket = new PriceBucket(
                _product, competitor, PriceBucketSize.Minute, DateTimeOffset.FromUnixTimeMilliseconds(_current),
                new Money(a.OpenPrice).ToDecimal(), new Money(a.High).ToDecimal(), new Money(a.Low).ToDecimal(), new Money(a.ClosePrice).ToDecimal(),
                a.Count, a.Currency);
            if (_after is not { } c || _current < c.Time || bucket.Id < c.Id)
            {
                buckets.Add(bucket);
            }
        }

        buckets.Sort(static (x, y) => y.Id.CompareTo(x.Id));
        _items.AddRange(buckets);
        _minute.Clear();
    }

    private static long FirstBoundaryAtOrAfter(long t) => PriceBucket.StartOf(t - 1, PriceBucketSize.Minute) + Width;

    /// <summary>One minute of one competitor.</summary>
    private readonly record struct Aggregate(long OpenTime, long OpenPrice, long High, long Low, long CloseTime, long ClosePrice, long Count, string Currency)
    {
        public Aggregate With(long time, long price, string currency)
        {
            var (openTime, openPrice) = time < OpenTime || (time == OpenTime && price < OpenPrice) ? (time, price) : (OpenTime, OpenPrice);
            var later = time > CloseTime || (time == CloseTime && (price > ClosePrice || (price == ClosePrice && string.CompareOrdinal(currency, Currency) > 0)));
            var (closeTime, closePrice, closeCurrency) = later ? (time, price, currency) : (CloseTime, ClosePrice, Currency);
            return new Aggregate(openTime, openPrice, Math.Max(High, price), Math.Min(Low, price), closeTime, closePrice, Count + 1, closeCurrency);
        }
    }
}
