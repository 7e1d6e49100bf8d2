using MongoDB.Bson;
using MongoDB.Driver;
using PriceIntel.Mongo;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// MongoDB behaviour beyond the shared contract, against the server named by PRICEINTEL_MONGO_URI (a fresh
/// database per test, dropped afterwards): the time-series ledger and its repair, switching layouts,
/// retention. Without the variable every test is reported as skipped, with the reason.
/// </summary>
public sealed class MongoServerTests : IDisposable
{
    private readonly string _database = "priceintel_test_" + Guid.NewGuid().ToString("N")[..12];
    private readonly MarketKeys _keys = new();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        if (MongoMarketStoreContractTests.Uri is { } uri)
        {
            using var client = new MongoClient(uri);
            client.DropDatabase(_database);
        }
    }

    private MongoStoreOptions Options(MongoPriceHistoryLayout layout = MongoPriceHistoryLayout.TimeSeries, StoreRetention? retention = null)
    {
        Skip.If(MongoMarketStoreContractTests.Uri is null, MongoMarketStoreContractTests.Reason);
        return new MongoStoreOptions { ConnectionString = MongoMarketStoreContractTests.Uri!, Database = _database, PriceHistory = layout, Retention = retention ?? new StoreRetention() };
    }

    private IMongoDatabase Database()
    {
        var client = new MongoClient(MongoMarketStoreContractTests.Uri!);
        return client.GetDatabase(_database);
    }

    private MarketEvent[] Prices(int count, int startMinute = 0) =>
        [.. Enumerable.Range(startMinute, count).Select(i => Price(_keys, "SKU-TS", i % 2 == 0 ? "acme" : "zeta", 10m + (i % 7), Ms(i)))];

    private static async Task<List<PriceObservation>> AllRawAsync(IMarketStore store) =>
        [.. (await store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-TS") { Limit = HistoryQuery.MaxLimit }, Ct)).Items];

    [SkippableFact]
    public async Task Observations_go_to_the_time_series_collection_once_and_the_ledger_keeps_none_pending()
    {
        var options = Options();
        await using (var store = await MongoMarketStore.OpenAsync(options))
        {
            Assert.Equal(40, await store.AppendMarketEventsAsync(Prices(40), _keys, Ct));
            Assert.Equal(0, await store.AppendMarketEventsAsync(Prices(40), _keys, Ct));
            Assert.Equal(40, (await AllRawAsync(store)).Count);
        }

        var db = Database();
        var info = await (await db.ListCollectionsAsync(new ListCollectionsOptions { Filter = new BsonDocument("name", MongoStore.TimeSeriesName) })).FirstAsync();
        Assert.Equal("timeseries", info["type"].AsString);
        Assert.Equal("minutes", info["options"]["timeseries"]["granularity"].AsString);
        Assert.Equal(40, await db.GetCollection<BsonDocument>(MongoStore.TimeSeriesName).CountDocumentsAsync(new BsonDocument()));
        Assert.Equal(0, await db.GetCollection<BsonDocument>("competitor_prices").CountDocumentsAsync(new BsonDocument("pending", new BsonDocument("$exists", true))));
    }

    [SkippableFact]
    public async Task A_move_interrupted_after_the_ledger_insert_is_repaired_on_open_without_duplicates()
    {
        var options = Options();
        List<PriceObservation> expected;
        await using (var store = await MongoMarketStore.OpenAsync(options))
        {
            await store.AppendMarketEventsAsync(Prices(20), _keys, Ct);
            expected = await AllRawAsync(store);
        }

        // As a crash would leave it: five ledger documents pending long ago; three of them in the time-series
        // collection already (one twice is impossible, but a copy must not stay), two missing.
        var db = Database();
        var ledger = db.GetCollection<BsonDocument>("competitor_prices");
        var ts = db.GetCollection<BsonDocument>(MongoStore.TimeSeriesName);
        var victims = await ledger.Find(new BsonDocument()).Sort(new BsonDocument("_id", 1)).Limit(5).ToListAsync();
        var ids = new BsonArray(victims.Select(v => v["_id"]));
        await ledger.UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$in", ids)), new BsonDocument("$set", new BsonDocument("pending", 0L)));
        await ts.DeleteManyAsync(new BsonDocument("_id", new BsonDocument("$in", new BsonArray(ids.Take(2)))));
        Assert.Equal(18, await ts.CountDocumentsAsync(new BsonDocument()));

        await using (var store = await MongoMarketStore.OpenAsync(options))
        {
            Assert.Equal(expected, await AllRawAsync(store));
        }

        Assert.Equal(20, await ts.CountDocumentsAsync(new BsonDocument()));
        Assert.Equal(0, await ledger.CountDocumentsAsync(new BsonDocument("pending", new BsonDocument("$exists", true))));
    }

    [SkippableFact]
    public async Task Switching_from_the_regular_layout_copies_the_ledger_and_minute_buckets_read_either_way()
    {
        var regular = Options(MongoPriceHistoryLayout.Regular);
        List<PriceObservation> raw;
        IReadOnlyList<PriceBucket> minutes;
        await using (var store = await MongoMarketStore.OpenAsync(regular))
        {
            Assert.Equal(30, await store.AppendMarketEventsAsync(Prices(30), _keys, Ct));
            raw = await AllRawAsync(store);
            minutes = (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-TS", PriceBucketSize.Minute) { Limit = 1000 }, Ct)).Items;
            Assert.Equal(30, minutes.Count);
        }

        await using (var store = await MongoMarketStore.OpenAsync(Options()))
        {
            Assert.Equal(raw, await AllRawAsync(store));
            Assert.Equal(minutes, (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-TS", PriceBucketSize.Minute) { Limit = 1000 }, Ct)).Items);
            Assert.Equal(10, await store.AppendMarketEventsAsync(Prices(10, startMinute: 30), _keys, Ct));
            Assert.Equal(40, (await AllRawAsync(store)).Count);
        }

        Assert.Equal(40, await Database().GetCollection<BsonDocument>(MongoStore.TimeSeriesName).CountDocumentsAsync(new BsonDocument()));
    }

    [SkippableFact]
    public async Task Demand_retention_drops_old_buckets_and_old_events_are_not_counted_again()
    {
        var retention = new StoreRetention { DemandEvents = TimeSpan.FromDays(2), DemandHourBuckets = TimeSpan.FromDays(1), DayBuckets = TimeSpan.FromDays(5) };
        await using var store = await MongoMarketStore.OpenAsync(Options(retention: retention));
        int sku = _keys.Products.Intern("SKU-R");
        var stream = Enumerable.Range(0, 10).Select(d => MarketEvent.Demand(sku, DemandAction.View, 0, Money.FromDecimal(5m), CurrencyCode.Usd, Ms(d * 24 * 60) + 1000)).ToArray();
        var ids = new ulong[stream.Length];
        new DemandEventIdAssigner().Assign(stream, _keys, ids);
        Assert.Equal(10, await store.AppendDemandEventsAsync(stream, ids, _keys, Ct));
        Assert.Equal(10, (await store.GetStatisticsAsync(Ct)).DemandEvents);

        Assert.True(await ((MongoStore)store).ApplyRetentionAsync(Ct) > 0);
        Assert.Equal(3, (await store.GetStatisticsAsync(Ct)).DemandEvents); // days 7, 8 and 9
        var hours = (await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Hour), Ct)).Items;
        var days = (await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Day), Ct)).Items;
        Assert.Equal([T0.AddDays(9)], hours.Select(b => b.Start));
        Assert.Equal(Enumerable.Range(5, 5).Reverse().Select(d => T0.AddDays(d)), days.Select(b => b.Start));

        // The whole stream replayed: events before the demand-event cutoff (day 7) are refused, so no day bucket counts twice.
        Assert.Equal(0, await store.AppendDemandEventsAsync(stream, ids, _keys, Ct));
        Assert.All((await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Day), Ct)).Items, b => Assert.Equal(1, b.Views));
    }

    [SkippableFact]
    public async Task Price_retention_deletes_raw_prices_from_both_collections_and_old_buckets()
    {
        await using var store = await MongoMarketStore.OpenAsync(Options(retention: new StoreRetention { CompetitorPrices = TimeSpan.FromHours(1), HourBuckets = TimeSpan.FromHours(2) }));
        Assert.Equal(300, await store.AppendMarketEventsAsync(Prices(300), _keys, Ct)); // five hours, one a minute
        Assert.True(await ((MongoStore)store).ApplyRetentionAsync(Ct) > 0);
        var raw = await AllRawAsync(store);
        Assert.Equal(61, raw.Count); // minutes 239..299: newest minus one hour, inclusive
        Assert.All(raw, o => Assert.True(o.Time >= T0.AddMinutes(239)));
        var hours = (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-TS", PriceBucketSize.Hour) { Competitor = "acme" }, Ct)).Items;
        Assert.Equal([T0.AddHours(4), T0.AddHours(3), T0.AddHours(2)], hours.Select(b => b.Start));
        Assert.Equal(61, await Database().GetCollection<BsonDocument>(MongoStore.TimeSeriesName).CountDocumentsAsync(new BsonDocument()));
    }
}
