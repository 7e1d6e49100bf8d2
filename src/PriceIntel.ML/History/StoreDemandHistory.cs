namespace PriceIntel.ML.History;

/// <summary>
/// Builds a <see cref="DemandHistory"/> from a store instead of a recording: for every product with
/// demand history (<see cref="IDemandHistoryStore.GetDemandProductsAsync"/>), its competitor
/// observations and our list prices as they were stored (decisions are not replayed: the prices
/// shown with the views say what shoppers saw, as in a recording),
/// and its hour demand buckets replayed as the events the <see cref="DemandHistoryBuilder"/> reads:
/// the bucket's views at its start (carrying the bucket's view prices, so the hour's mean price is
/// exact), one purchase of the bucket's units, and the bucket's latest stock and unit cost at its end.
/// The store is read one day at a time (memory holds one day of one store's events), oldest first.
/// Compared with reading the recording of the same run, the labels (units per product-hour) are the
/// same; within an hour the views' individual times and prices are not kept, so the price features
/// can differ slightly where our price changed inside an hour.
/// </summary>
public static class StoreDemandHistory
{
    private const long Day = 86_400_000L;
    private const long Hour = 3_600_000L;

    /// <summary>Reads the whole demand history a store holds.</summary>
    /// <param name="store">The store (SQLite, MongoDB).</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The history; empty when the store holds no demand.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is null.</exception>
    /// <exception cref="MarketStoreException">The store could not be read.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<DemandHistory> ReadAsync(IMarketStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var keys = new MarketKeys();
        var builder = new DemandHistoryBuilder(keys);
        var products = await store.GetDemandProductsAsync(cancellationToken).ConfigureAwait(false);
        long first = long.MaxValue, last = long.MinValue;
        foreach (var product in products)
        {
            await foreach (var day in AllAsync((q, ct) => store.QueryDemandAsync(q, ct), new DemandQuery(product, DemandBucketSize.Day), cancellationToken).ConfigureAwait(false))
            {
                var start = day.Start.ToUnixTimeMilliseconds();
                first = Math.Min(first, start);
                last = Math.Max(last, start);
            }
        }

        var events = new List<(long Time, int Order, MarketEvent Event)>();
        var batch = new List<MarketEvent>();
        for (long day = first; day <= last && first != long.MaxValue; day += Day)
        {
            events.Clear();
            var from = DateTimeOffset.FromUnixTimeMilliseconds(day);
            var to = DateTimeOffset.FromUnixTimeMilliseconds(day + Day);
            foreach (var product in products)
            {
                int id = keys.Products.Intern(product);
                await foreach (var o in AllAsync((q, ct) => store.QueryCompetitorPricesAsync(q, ct), new PriceHistoryQuery(product) { From = from, To = to }, cancellationToken).ConfigureAwait(false))
                {
                    var t = o.Time.ToUnixTimeMilliseconds();
                    events.Add((t, 0, MarketEvent.CompetitorPrice(
                        id, keys.Competitors.Intern(o.Competitor), o.Platform is null ? -1 : keys.Platforms.Intern(o.Platform),
                        Money.FromDecimal(o.Price), CurrencyCode.Parse(o.Currency), o.Availability, t)));
                }

                await foreach (var p in AllAsync((q, ct) => store.QueryOurPricesAsync(q, ct), new OurPriceQuery(product) { From = from, To = to }, cancellationToken).ConfigureAwait(false))
                {
                    if (p.Source != OurPriceSource.ListPrice)
                    {
                        // Decisions reach shoppers only if the storefront applies them: the views' prices say what was shown.
                        continue;
                    }

                    var t = p.Time.ToUnixTimeMilliseconds();
                    events.Add((t, 1, MarketEvent.ListPrice(id, Money.FromDecimal(p.Price), CurrencyCode.Parse(p.Currency), t)));
                }

                await foreach (var b in AllAsync((q, ct) => store.QueryDemandAsync(q, ct), new DemandQuery(product, DemandBucketSize.Hour) { From = from, To = to }, cancellationToken).ConfigureAwait(false))
                {
                    AddBucket(events, id, b);
                }
            }

            events.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));
            batch.Clear();
            foreach (var e in events)
            {
                batch.Add(e.Event);
            }

            builder.Add(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
        }

        return builder.Build();
    }

    /// <summary>One hour bucket as builder events: views (with the bucket's view prices spread so their sum is exact) and one purchase at the start; stock and cost at the end.</summary>
    private static void AddBucket(List<(long, int, MarketEvent)> events, int id, DemandBucket b)
    {
        long start = b.Start.ToUnixTimeMilliseconds();
        var currency = b.Currency is null ? default : CurrencyCode.Parse(b.Currency);
        long priced = b.PricedViews;
        if (priced > 0)
        {
            long sum = Money.FromDecimal(b.ViewPriceSum).Ticks;
            long each = sum / priced, extra = sum % priced;
            for (long i = 0; i < priced; i++)
            {
                // The views carrying one tick more come first, so the price left in force is the lower one.
                events.Add((start, 3, MarketEvent.Demand(id, DemandAction.View, 0, new Money(each + (i < extra ? 1 : 0)), currency, start)));
            }
        }

        for (long i = priced; i < b.Views; i++)
        {
            events.Add((start, 3, MarketEvent.Demand(id, DemandAction.View, 0, default, currency, start)));
        }

        if (b.Units > 0)
        {
            events.Add((start, 4, MarketEvent.Demand(id, DemandAction.Purchase, (int)Math.Min(b.Units, int.MaxValue), default, currency, start)));
        }

        long end = start + Hour - 1;
        if (b.Stock is { } stock)
        {
            events.Add((end, 2, MarketEvent.Inventory(id, (int)Math.Clamp(stock, int.MinValue, int.MaxValue), end)));
        }

        if (b.UnitCost is { } cost)
        {
            events.Add((end, 2, MarketEvent.Cost(id, Money.FromDecimal(cost), currency, end)));
        }
    }

    /// <summary>Every record of a query, page after page (newest first, as stores return them).</summary>
    private static async IAsyncEnumerable<T> AllAsync<T, TQuery>(
        Func<TQuery, CancellationToken, ValueTask<StorePage<T>>> query,
        TQuery first,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where TQuery : HistoryQuery
    {
        var q = first with { Limit = HistoryQuery.MaxLimit };
        while (true)
        {
            var page = await query((TQuery)q, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            q = q with { Cursor = page.NextCursor };
        }
    }
}
