using FsCheck;
using FsCheck.Fluent;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>The demand-history part of the store contract (<see cref="IDemandHistoryStore"/>), run against every store.</summary>
public abstract partial class MarketStoreContractTests
{
    private static readonly long HourMs = DemandBucket.WidthMilliseconds(DemandBucketSize.Hour);

    private MarketEvent View(string product, decimal price, long ts) =>
        MarketEvent.Demand(Keys.Products.Intern(product), DemandAction.View, 0, Money.FromDecimal(price), CurrencyCode.Usd, ts);

    private MarketEvent Cart(string product, int quantity, long ts) =>
        MarketEvent.Demand(Keys.Products.Intern(product), DemandAction.AddToCart, quantity, Money.FromDecimal(10m), CurrencyCode.Usd, ts);

    private MarketEvent Purchase(string product, int quantity, decimal price, long ts) =>
        MarketEvent.Demand(Keys.Products.Intern(product), DemandAction.Purchase, quantity, Money.FromDecimal(price), CurrencyCode.Usd, ts);

    /// <summary>Assigns ids with a fresh assigner (as a new reader of the stream would) and appends in batches of <paramref name="batch"/>.</summary>
    private async Task<int> AppendStreamAsync(List<MarketEvent> stream, int batch)
    {
        var assigner = new DemandEventIdAssigner();
        int added = 0;
        for (int i = 0; i < stream.Count; i += batch)
        {
            var events = stream.Skip(i).Take(batch).ToArray();
            var ids = new ulong[events.Length];
            assigner.Assign(events, Keys, ids);
            added += await Store.AppendDemandEventsAsync(events, ids, Keys, Ct);
        }

        return added;
    }

    private async Task<List<DemandBucket>> AllDemandAsync(string product, DemandBucketSize size) =>
        [.. (await Store.QueryDemandAsync(new DemandQuery(product, size) { Limit = HistoryQuery.MaxLimit }, Ct)).Items];

    [SkippableFact]
    public async Task Demand_rolls_up_per_hour_and_day_and_a_replay_counts_nothing_twice()
    {
        var t = Ms(0); // T0 is midnight UTC
        var stream = new List<MarketEvent>
        {
            View("SKU-D", 20m, t + 1_000),
            View("SKU-D", 22m, t + 2_000),
            Cart("SKU-D", 2, t + 3_000),
            Purchase("SKU-D", 2, 21m, t + 4_000),
            MarketEvent.Inventory(Keys.Products.Intern("SKU-D"), 40, t + 5_000),
            MarketEvent.Cost(Keys.Products.Intern("SKU-D"), Money.FromDecimal(12.5m), CurrencyCode.Usd, t + 5_000),
            MarketEvent.Inventory(Keys.Products.Intern("SKU-D"), 38, t + 6_000),
            View("SKU-D", 30m, t + HourMs + 10),
            Purchase("SKU-D", 1, 30m, t + HourMs + 20),
            MarketEvent.Demand(Keys.Products.Intern("SKU-D"), DemandAction.View, 0, default, default, t + HourMs + 30), // a view without a price
            Price(Keys, "SKU-D", "acme", 19m, t + 7_000), // not demand: ignored
            View("SKU-OTHER", 5m, t + 1_000),
        };

        Assert.Equal(11, await AppendStreamAsync(stream, batch: 4));
        var hours = await AllDemandAsync("SKU-D", DemandBucketSize.Hour);
        Assert.Equal(
            [
                new DemandBucket("SKU-D", DemandBucketSize.Hour, T0.AddHours(1), 2, 0, 1, 1, 30m, 30m, 1, "USD", null, null),
                new DemandBucket("SKU-D", DemandBucketSize.Hour, T0, 2, 1, 1, 2, 42m, 42m, 2, "USD", 38, 12.5m),
            ],
            hours);
        Assert.Equal(21m, hours[1].AverageViewPrice);
        Assert.Equal(0.5, hours[1].Conversion);
        Assert.Equal(
            [new DemandBucket("SKU-D", DemandBucketSize.Day, T0, 4, 1, 2, 3, 72m, 72m, 3, "USD", 38, 12.5m)],
            await AllDemandAsync("SKU-D", DemandBucketSize.Day));

        // The same stream again, in other batches, through a new assigner: nothing new, nothing changed.
        Assert.Equal(0, await AppendStreamAsync(stream, batch: 3));
        Assert.Equal(hours, await AllDemandAsync("SKU-D", DemandBucketSize.Hour));
        Assert.Equal(11, (await Store.GetStatisticsAsync(Ct)).DemandEvents);

        // Reopened, the store still has it and still refuses the replay.
        _store = await ReopenAsync(Store);
        Assert.Equal(hours, await AllDemandAsync("SKU-D", DemandBucketSize.Hour));
        Assert.Equal(0, await AppendStreamAsync(stream, batch: 100));
        Assert.Equal(11, (await Store.GetStatisticsAsync(Ct)).DemandEvents);
    }

    [SkippableFact]
    public async Task Identical_demand_events_in_one_millisecond_are_two_events_and_stay_two_under_replay()
    {
        var t = Ms(10);
        var stream = new List<MarketEvent> { View("SKU-TWIN", 9m, t), View("SKU-TWIN", 9m, t), View("SKU-TWIN", 9m, t), Purchase("SKU-TWIN", 1, 9m, t), Purchase("SKU-TWIN", 1, 9m, t) };

        // Split across batches: the second and third views get ranks 1 and 2 from the assigner, not rank 0 again.
        Assert.Equal(5, await AppendStreamAsync(stream, batch: 1));
        Assert.Equal(0, await AppendStreamAsync(stream, batch: 2));
        var bucket = Assert.Single(await AllDemandAsync("SKU-TWIN", DemandBucketSize.Hour));
        Assert.Equal((3L, 2L, 2L), (bucket.Views, bucket.Purchases, bucket.Units));

        // A longer stream that starts the same: only its new tail is stored.
        Assert.Equal(1, await AppendStreamAsync([.. stream, View("SKU-TWIN", 9m, t)], batch: 4));
        Assert.Equal(4, Assert.Single(await AllDemandAsync("SKU-TWIN", DemandBucketSize.Hour)).Views);
    }

    [SkippableFact]
    public async Task Demand_pages_follow_the_cursor_and_stay_stable_while_newer_buckets_arrive()
    {
        var stream = Enumerable.Range(0, 30).Select(h => View("SKU-PAGE", 10m + h, Ms(0) + (h * HourMs) + 5)).ToList();
        await AppendStreamAsync(stream, batch: 7);
        var expected = (await AllDemandAsync("SKU-PAGE", DemandBucketSize.Hour)).Where(b => b.Start < T0.AddHours(25)).ToList();
        Assert.Equal(25, expected.Count);

        var seen = new List<DemandBucket>();
        string? cursor = null;
        int newer = 100;
        do
        {
            var page = await Store.QueryDemandAsync(new DemandQuery("SKU-PAGE", DemandBucketSize.Hour) { To = T0.AddHours(25), Limit = 4, Cursor = cursor }, Ct);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;

            // Demand arriving meanwhile, newer and older than the page: the pages already read do not shift.
            var assigner = new DemandEventIdAssigner();
            MarketEvent[] late = [View("SKU-PAGE", 1m, Ms(0) + (newer++ * HourMs))];
            var ids = new ulong[1];
            assigner.Assign(late, Keys, ids);
            await Store.AppendDemandEventsAsync(late, ids, Keys, Ct);
        }
        while (cursor is not null);

        Assert.Equal(expected.Select(b => b.Start), seen.Select(b => b.Start));
        Assert.Equal(expected, seen);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Start > p.Second.Start), "newest first");
    }

    [SkippableFact]
    public async Task Bad_demand_queries_and_appends_are_refused_with_the_field_named()
    {
        var store = Store; // skips here (not inside the lambdas below) when there is no store
        var bad = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.QueryDemandAsync(new DemandQuery("SKU-1", (DemandBucketSize)1), Ct));
        Assert.Contains("DemandQuery.Size", bad.Message, StringComparison.Ordinal);
        bad = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.QueryDemandAsync(new DemandQuery(string.Empty, DemandBucketSize.Hour), Ct));
        Assert.Contains("DemandQuery.Product", bad.Message, StringComparison.Ordinal);
        bad = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.QueryDemandAsync(new DemandQuery("SKU-1", DemandBucketSize.Day) { Limit = 0 }, Ct));
        Assert.Contains("Limit", bad.Message, StringComparison.Ordinal);
        MarketEvent[] events = [View("SKU-1", 1m, Ms(0)), View("SKU-1", 1m, Ms(1))];
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendDemandEventsAsync(events, new ulong[1], Keys, Ct));
        Assert.Empty(await AllDemandAsync("SKU-1", DemandBucketSize.Hour));
    }

    /// <summary>One generated demand-history event: product index, kind, action, quantity, price in cents, currency, time offset.</summary>
    public sealed record DemandCase(int Product, int Kind, int Action, int Quantity, int Cents, bool Euro, long Offset);

    [SkippableFact]
    public void Stored_buckets_equal_a_recomputation_from_the_distinct_events_whatever_the_batches_and_replays()
    {
        _ = Store;
        var one =
            from product in Gen.Choose(0, 2)
            from kind in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
            from action in Gen.Choose(1, 3)
            from quantity in Gen.Choose(0, 4)
            from cents in Gen.Frequency((1, Gen.Constant(0)), (5, Gen.Choose(100, 400)))
            from euro in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
            from offset in Gen.Frequency((3, Gen.Choose(0, 3 * 24 * 60).Select(m => m * 60_000L)), (1, Gen.Choose(0, 3).Select(m => m * 1_000L)))
            select new DemandCase(product, kind, action, quantity, cents, euro, offset);
        var cases =
            from events in one.ListOf().Select(l => l.ToArray())
            from batch in Gen.Choose(1, 9)
            from replayBatch in Gen.Choose(1, 9)
            from replayed in Gen.Choose(0, 100)
            select (events, batch, replayBatch, replayed);
        int run = 0;
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var prefix = $"PROP-{run++}-";
            var stream = c.events.Select(e => ToEvent(prefix, e)).ToList();
            AppendStreamAsync(stream, c.batch).GetAwaiter().GetResult();
            AppendStreamAsync(stream.Take(stream.Count * c.replayed / 100).ToList(), c.replayBatch).GetAwaiter().GetResult();
            foreach (var size in new[] { DemandBucketSize.Hour, DemandBucketSize.Day })
            {
                for (int p = 0; p < 3; p++)
                {
                    var product = prefix + p;
                    var expected = Recompute(stream, product, size);
                    var stored = AllDemandAsync(product, size).GetAwaiter().GetResult();
                    if (!expected.SequenceEqual(stored))
                    {
                        return false.Label($"{product} {size}: expected [{string.Join(", ", expected)}] got [{string.Join(", ", stored)}]");
                    }
                }
            }

            return true.ToProperty();
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    private MarketEvent ToEvent(string prefix, DemandCase c)
    {
        int product = Keys.Products.Intern(prefix + c.Product);
        long ts = Ms(0) + c.Offset;
        var price = new Money(c.Cents * 100L);
        return c.Kind switch
        {
            0 => MarketEvent.Demand(product, (DemandAction)c.Action, c.Quantity, price, c.Euro ? CurrencyCode.Parse("EUR") : CurrencyCode.Usd, ts),
            1 => MarketEvent.Inventory(product, c.Quantity * 10, ts),
            _ => MarketEvent.Cost(product, price, CurrencyCode.Usd, ts),
        };
    }

    /// <summary>The slow twin: every distinct event (the first of each id), grouped by bucket, folded the obvious way; newest first.</summary>
    private List<DemandBucket> Recompute(List<MarketEvent> stream, string product, DemandBucketSize size)
    {
        var ids = new ulong[stream.Count];
        new DemandEventIdAssigner().Assign(stream.ToArray(), Keys, ids);
        var distinct = stream.Select((e, i) => (e, id: ids[i])).DistinctBy(x => x.id).Select(x => x.e)
            .Where(e => Keys.Products.GetName(e.ProductId) == product);
        return [.. distinct
            .GroupBy(e => DemandBucket.StartOf(e.Timestamp, size))
            .OrderByDescending(g => g.Key)
            .Select(g =>
            {
                var demand = g.Where(e => e.Kind == MarketEventKind.Demand).ToList();
                var views = demand.Where(e => e.Action == DemandAction.View).ToList();
                var pricedViews = views.Where(e => e.Price.Ticks > 0).ToList();
                var purchases = demand.Where(e => e.Action == DemandAction.Purchase).ToList();
                var currency = demand.Where(e => e.Price.Ticks > 0).OrderBy(e => e.Timestamp).ThenBy(e => e.Currency.Value).Select(e => e.Currency.ToString()).LastOrDefault();
                var stock = g.Where(e => e.Kind == MarketEventKind.Inventory).OrderBy(e => e.Timestamp).ThenBy(e => e.Quantity).Select(e => (long?)e.Quantity).LastOrDefault();
                var cost = g.Where(e => e.Kind == MarketEventKind.Cost).OrderBy(e => e.Timestamp).ThenBy(e => e.Price.Ticks).Select(e => (decimal?)e.Price.ToDecimal()).LastOrDefault();
                return new DemandBucket(
                    product,
                    size,
                    DateTimeOffset.FromUnixTimeMilliseconds(g.Key),
                    views.Count,
                    demand.Count(e => e.Action == DemandAction.AddToCart),
                    purchases.Count,
                    purchases.Sum(e => (long)e.Quantity),
                    purchases.Where(e => e.Price.Ticks > 0).Sum(e => e.Quantity * e.Price.ToDecimal()),
                    pricedViews.Sum(e => e.Price.ToDecimal()),
                    pricedViews.Count,
                    currency,
                    stock,
                    cost);
            })];
    }
}
