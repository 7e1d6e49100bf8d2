using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Configuration;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;
using PriceIntel.Mongo;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// What the MongoDB store sends and reads, checked without a server: options and their configuration
/// keys, the time-series collection's options and documents (through BSON bytes), the server-version
/// and collection checks, filters and index definitions rendered to BSON, and the minute roll-up
/// against a LINQ recomputation.
/// </summary>
public sealed class MongoDocumentTests
{
    private static MongoStoreOptions Bind(params (string Key, string Value)[] values) =>
        MongoStoreOptions.Bind(new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Build());

    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));

    [Fact]
    public void Options_default_to_a_minutes_time_series_and_keep_everything()
    {
        var options = new MongoStoreOptions();
        Assert.Equal(MongoPriceHistoryLayout.TimeSeries, options.PriceHistory);
        Assert.Equal(TimeSeriesGranularity.Minutes, options.Granularity);
        Assert.Equal(new StoreRetention(), options.Retention);
    }

    [Fact]
    public void Layout_granularity_and_retention_bind_from_configuration()
    {
        var options = Bind(
            ("database:mongodb:priceHistory", "regular"),
            ("database:mongodb:granularity", "hours"),
            ("database:mongodb:retention:competitorPricesDays", "30"),
            ("database:mongodb:retention:demand_events_days", "14"),
            ("database:mongodb:retention:demandHourBucketsDays", "60"),
            ("database:mongodb:retention:dayBucketsDays", "365"));
        Assert.Equal(MongoPriceHistoryLayout.Regular, options.PriceHistory);
        Assert.Equal(TimeSeriesGranularity.Hours, options.Granularity);
        Assert.Equal(
            new StoreRetention { CompetitorPrices = TimeSpan.FromDays(30), DemandEvents = TimeSpan.FromDays(14), DemandHourBuckets = TimeSpan.FromDays(60), DayBuckets = TimeSpan.FromDays(365) },
            options.Retention);
        Assert.Equal(MongoPriceHistoryLayout.TimeSeries, Bind(("database:mongodb:price_history", "time-series")).PriceHistory);
        Assert.Equal(TimeSeriesGranularity.Seconds, Bind(("database:mongodb:granularity", "Seconds")).Granularity);
    }

    [Theory]
    [InlineData("database:mongodb:priceHistory", "capped", "timeSeries or regular")]
    [InlineData("database:mongodb:granularity", "days", "seconds, minutes or hours")]
    [InlineData("database:mongodb:retention:demandEventsDays", "0", "database:mongodb:retention:demandEventsDays = '0'")]
    [InlineData("database:mongodb:retention:outputsDays", "ten", "whole number of days")]
    [InlineData("database:mongodb:retention:minuteBucketsDays", "3", "unknown key database:mongodb:retention:minuteBucketsDays")]
    [InlineData("database:mongodb:timeseries", "true", "unknown key")]
    public void A_bad_value_or_unknown_key_is_refused_naming_the_key_and_value(string key, string value, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Bind((key, value)));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Setters_refuse_undefined_values_naming_the_option()
    {
        var options = new MongoStoreOptions();
        Assert.Contains("database.mongodb.priceHistory", Assert.Throws<ArgumentException>(() => options.PriceHistory = (MongoPriceHistoryLayout)7).Message, StringComparison.Ordinal);
        Assert.Contains("database.mongodb.granularity", Assert.Throws<ArgumentException>(() => options.Granularity = (TimeSeriesGranularity)9).Message, StringComparison.Ordinal);
        Assert.Contains("retention.demandHourBuckets", Assert.ThrowsAny<ArgumentException>(() => options.Retention = new StoreRetention { DemandHourBuckets = TimeSpan.Zero }).Message, StringComparison.Ordinal);
        Assert.Equal(MongoPriceHistoryLayout.TimeSeries, options.PriceHistory);
    }

    [Theory]
    [InlineData(TimeSeriesGranularity.Seconds, "seconds")]
    [InlineData(TimeSeriesGranularity.Minutes, "minutes")]
    [InlineData(TimeSeriesGranularity.Hours, "hours")]
    public void The_time_series_collection_is_created_with_time_t_meta_m_and_the_configured_granularity(TimeSeriesGranularity granularity, string name)
    {
        Assert.Equal(
            new BsonDocument { { "timeField", "t" }, { "metaField", "m" }, { "granularity", name } },
            MongoStore.TimeSeriesCollectionOptions(granularity).ToBsonDocument());
    }

    [Fact]
    public void A_ledger_observation_becomes_a_time_series_document_with_the_same_id_a_date_and_the_meta_fields_and_reads_back_equal()
    {
        var time = T0.AddMinutes(3).AddMilliseconds(417);
        var (ledger, _, _, _, _, _) = MongoStore.Observation("SKU-1", "acme", "web", time.ToUnixTimeMilliseconds(), Money.FromDecimal(19.99m).Ticks, "EUR", Availability.LimitedStock);
        ledger["pending"] = 1_700_000_000_000L;
        Assert.Equal(MongoStore.Sid(StoreIds.Observation("SKU-1", "acme", "web", time.ToUnixTimeMilliseconds())), ledger["_id"].AsInt64);

        var ts = MongoStore.TimeSeriesDocument(ledger);
        Assert.Equal(
            new BsonDocument
            {
                { "_id", ledger["_id"] },
                { "t", new BsonDateTime(time.ToUnixTimeMilliseconds()) },
                { "m", new BsonDocument { { "p", "SKU-1" }, { "c", "acme" }, { "pl", "web" } } },
                { "price", 199_900L },
                { "cur", "EUR" },
                { "av", (int)Availability.LimitedStock },
            },
            ts);

        // Through BSON bytes, as the server stores it: the date keeps its milliseconds.
        var stored = BsonSerializer.Deserialize<BsonDocument>(ts.ToBson());
        Assert.Equal(
            new PriceObservation("SKU-1", "acme", "web", 19.99m, "EUR", Availability.LimitedStock, time),
            MongoStore.ReadTimeSeriesObservation(stored));

        var (noPlatform, _, _, _, _, _) = MongoStore.Observation("SKU-1", "acme", null, time.ToUnixTimeMilliseconds(), 10_000, "USD", Availability.InStock);
        Assert.Null(MongoStore.ReadTimeSeriesObservation(BsonSerializer.Deserialize<BsonDocument>(MongoStore.TimeSeriesDocument(noPlatform).ToBson())).Platform);
    }

    [Theory]
    [InlineData(new[] { 6, 0, 14, 0 }, "6.0.14")]
    [InlineData(new[] { 5, 0, 3, 0 }, "5.0.3")]
    public void A_server_older_than_7_is_refused_for_the_time_series_layout_naming_the_setting(int[] versionArray, string version)
    {
        var buildInfo = new BsonDocument { { "version", version }, { "versionArray", new BsonArray(versionArray) } };
        var error = Assert.Throws<MarketStoreException>(() => MongoStore.RequireTimeSeriesServer(buildInfo, "db1:27017"));
        Assert.Contains("database:mongodb:priceHistory to regular", error.Message, StringComparison.Ordinal);
        Assert.Contains($"db1:27017 is {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains("7.0 or newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Servers_from_7_are_accepted_and_one_without_a_version_is_refused()
    {
        MongoStore.RequireTimeSeriesServer(new BsonDocument { { "version", "7.0.2" }, { "versionArray", new BsonArray { 7, 0, 2, 0 } } }, "db");
        MongoStore.RequireTimeSeriesServer(new BsonDocument { { "version", "8.0.4" }, { "versionArray", new BsonArray { 8, 0, 4, 0 } } }, "db");
        MongoStore.RequireTimeSeriesServer(new BsonDocument("version", "7.3.1"), "db");
        Assert.Contains("is unknown", Assert.Throws<MarketStoreException>(() => MongoStore.RequireTimeSeriesServer(new BsonDocument("ok", 1), "db")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_collection_of_the_time_series_name_must_be_a_time_series_collection()
    {
        Assert.False(MongoStore.CheckTimeSeriesCollection(null, "db"));
        Assert.True(MongoStore.CheckTimeSeriesCollection(new BsonDocument { { "name", MongoStore.TimeSeriesName }, { "type", "timeseries" } }, "db"));
        var error = Assert.Throws<MarketStoreException>(() => MongoStore.CheckTimeSeriesCollection(new BsonDocument { { "name", MongoStore.TimeSeriesName }, { "type", "collection" } }, "db"));
        Assert.Contains("competitor_prices_ts at db exists but is a collection", error.Message, StringComparison.Ordinal);
        Assert.Contains("database:mongodb:priceHistory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void History_filters_use_dates_for_the_time_series_collection_and_milliseconds_for_the_ledger()
    {
        var cursorTime = Ms(30);
        var query = new PriceHistoryQuery("SKU-1") { From = T0, To = T0.AddHours(1), Cursor = StoreCursor.Encode(cursorTime, 0x8000_0000_0000_0005UL) };
        var ts = MongoStore.HistoryFilter(MongoStore.RawFilter("SKU-1", "acme", long.MinValue, long.MaxValue, timeSeries: true), query, dates: true);
        Assert.Equal(
            BsonDocument.Parse($$"""
                { "$and": [
                    { "m.p": "SKU-1", "m.c": "acme" },
                    { "t": { "$gte": { "$date": { "$numberLong": "{{Ms(0)}}" } }, "$lt": { "$date": { "$numberLong": "{{Ms(60)}}" } } } },
                    { "$or": [
                        { "t": { "$lt": { "$date": { "$numberLong": "{{cursorTime}}" } } } },
                        { "t": { "$date": { "$numberLong": "{{cursorTime}}" } }, "_id": { "$lt": { "$numberLong": "5" } } } ] } ] }
                """),
            ts);

        var ledger = MongoStore.HistoryFilter(MongoStore.RawFilter("SKU-1", null, long.MinValue, long.MaxValue, timeSeries: false), new PriceHistoryQuery("SKU-1") { To = T0 }, dates: false);
        Assert.Equal(BsonDocument.Parse($$"""{ "$and": [ { "p": "SKU-1" }, { "t": { "$lt": { "$numberLong": "{{Ms(0)}}" } } } ] }"""), ledger);
        Assert.Equal(BsonDocument.Parse($$"""{ "m.p": "SKU-1", "t": { "$gte": { "$date": { "$numberLong": "{{Ms(1)}}" } } } }"""), MongoStore.RawFilter("SKU-1", null, Ms(1), long.MaxValue, timeSeries: true));
    }

    [Fact]
    public void Indexes_cover_the_time_series_queries_and_the_ledgers_pending_documents()
    {
        Assert.Equal(
            [BsonDocument.Parse("""{ "m.p": 1, "t": -1 }"""), BsonDocument.Parse("""{ "m.p": 1, "m.c": 1, "t": -1 }""")],
            MongoStore.TimeSeriesIndexKeys());
        var pending = MongoStore.PendingIndex();
        Assert.Equal(new BsonDocument("pending", 1), pending.Keys.Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry)));
        var options = Assert.IsType<CreateIndexOptions<BsonDocument>>(pending.Options);
        Assert.Equal(BsonDocument.Parse("""{ "pending": { "$exists": true } }"""), Render(options.PartialFilterExpression));
    }

    [Fact]
    public void Retention_deletes_by_time_and_size_and_only_raises_the_demand_floor()
    {
        Assert.Equal(BsonDocument.Parse("""{ "size": 2, "t": { "$lt": { "$numberLong": "1000" } } }"""), MongoStore.OlderThan(1000, (int)PriceBucketSize.Hour));
        Assert.Equal(BsonDocument.Parse("""{ "t": { "$lt": { "$date": { "$numberLong": "1000" } } } }"""), MongoStore.OlderThan(1000, dates: true));
        Assert.Equal(BsonDocument.Parse("""{ "$max": { "value": { "$numberLong": "42" } } }"""), MongoStore.RaiseFloor(42));
    }

    [Fact]
    public void A_bucket_upsert_is_one_pipeline_stage_merging_into_the_stored_bucket()
    {
        var stage = MongoStore.BucketMerge(("SKU-1", "acme", PriceBucketSize.Hour, Ms(60)), (Ms(61), 1_000, 1_500, 900, Ms(90), 1_200, 4, "USD"));
        var rendered = new PipelineUpdateDefinition<BsonDocument>(new[] { stage })
            .Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));
        var set = Assert.Single(rendered.AsBsonArray).AsBsonDocument["$set"].AsBsonDocument;
        Assert.Equal(["p", "c", "size", "t", "o", "ot", "cl", "cur", "ct", "h", "l", "n"], set.Names);
        Assert.Equal(("SKU-1", "acme", 2, Ms(60)), (set["p"].AsString, set["c"].AsString, set["size"].AsInt32, set["t"].AsInt64));
        Assert.Equal(BsonDocument.Parse("""{ "$max": ["$h", { "$numberLong": "1500" }] }"""), set["h"]);
        Assert.Equal(BsonDocument.Parse("""{ "$min": ["$l", { "$numberLong": "900" }] }"""), set["l"]);
        Assert.Equal(BsonDocument.Parse("""{ "$add": [{ "$ifNull": ["$n", { "$numberLong": "0" }] }, { "$numberLong": "4" }] }"""), set["n"]);

        // The open is replaced when the stored bucket is new (no open time) or opened later, or at the same time higher.
        Assert.Equal(
            BsonDocument.Parse($$"""
                { "$cond": [
                    { "$or": [
                        { "$eq": [{ "$type": "$ot" }, "missing"] },
                        { "$lt": [{ "$numberLong": "{{Ms(61)}}" }, "$ot"] },
                        { "$and": [{ "$eq": [{ "$numberLong": "{{Ms(61)}}" }, "$ot"] }, { "$lt": [{ "$numberLong": "1000" }, "$o"] }] } ] },
                    { "$numberLong": "1000" }, "$o"] }
                """),
            set["o"]);
    }

    /// <summary>One raw observation for the roll-up: competitor index, seconds after T0, price in cents, euro or not.</summary>
    public sealed record RawCase(int Competitor, int Second, int Cents, bool Euro);

    [Fact]
    public void Minute_pages_equal_a_recomputation_from_all_observations_and_their_cursors_walk_it_exactly()
    {
        var one =
            from competitor in Gen.Choose(0, 2)
            from second in Gen.Frequency((4, Gen.Choose(0, 600)), (1, Gen.Choose(0, 3).Select(s => s * 60)))
            from cents in Gen.Choose(100, 104)
            from euro in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
            select new RawCase(competitor, second, cents, euro);
        var cases =
            from raw in one.ListOf().Select(l => l.ToArray())
            from limit in Gen.Choose(1, 5)
            from fromMinute in Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Choose(0, 10)))
            from toMinute in Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Choose(0, 11)))
            from competitor in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, 2)))
            select (raw, limit, fromMinute, toMinute, competitor);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var observations = c.raw
                .Where(r => c.competitor < 0 || r.Competitor == c.competitor)
                .Select(r => (Competitor: "c" + r.Competitor, Time: Ms(0) + (r.Second * 1000L) + (r.Cents % 7), Ticks: r.Cents * 100L, Currency: r.Euro ? "EUR" : "USD"))
                .ToList();
            var query = new PriceBucketQuery("SKU-M", PriceBucketSize.Minute)
            {
                From = c.fromMinute < 0 ? null : T0.AddMinutes(c.fromMinute).AddSeconds(-20),
                To = c.toMinute < 0 ? null : T0.AddMinutes(c.toMinute).AddSeconds(15),
                Limit = c.limit,
            };
            var expected = Recompute(observations, query);
            var walked = new List<PriceBucket>();
            string? cursor = null;
            int pages = 0;
            do
            {
                var page = Page(observations, query with { Cursor = cursor });
                if (page.Items.Count > c.limit || (page.NextCursor is not null && page.Items.Count != c.limit))
                {
                    return false.Label($"page of {page.Items.Count} for limit {c.limit}");
                }

                walked.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null && ++pages < 1000);
            return expected.SequenceEqual(walked).Label($"expected [{string.Join(", ", expected)}] got [{string.Join(", ", walked)}]");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void The_minute_roll_up_refuses_observations_out_of_newest_first_order()
    {
        var page = new MinuteBucketPage("SKU-1", new PriceBucketQuery("SKU-1", PriceBucketSize.Minute));
        Assert.True(page.Add("acme", Ms(5), 100, "USD"));
        Assert.Throws<ArgumentException>(() => page.Add("acme", Ms(6), 100, "USD"));
    }

    /// <summary>The store's way: read only the time window the page asks for, newest first, stop when told.</summary>
    private static StorePage<PriceBucket> Page(List<(string Competitor, long Time, long Ticks, string Currency)> observations, PriceBucketQuery query)
    {
        var page = new MinuteBucketPage(query.Product, query);
        foreach (var o in observations.Where(o => o.Time >= page.FromTime && o.Time < page.ToTime).OrderByDescending(o => o.Time))
        {
            if (!page.Add(o.Competitor, o.Time, o.Ticks, o.Currency))
            {
                break;
            }
        }

        return page.Finish();
    }

    /// <summary>The slow twin: every bucket of the whole history by grouping, filtered by start, newest start then id descending.</summary>
    private static List<PriceBucket> Recompute(List<(string Competitor, long Time, long Ticks, string Currency)> observations, PriceBucketQuery query) =>
        [.. observations
            .GroupBy(o => (o.Competitor, Start: PriceBucket.StartOf(o.Time, PriceBucketSize.Minute)))
            .Select(g =>
            {
                var open = g.OrderBy(o => o.Time).ThenBy(o => o.Ticks).First();
                var close = g.OrderBy(o => o.Time).ThenBy(o => o.Ticks).ThenBy(o => o.Currency, StringComparer.Ordinal).Last();
                return new PriceBucket(
                    query.Product, g.Key.Competitor, PriceBucketSize.Minute, DateTimeOffset.FromUnixTimeMilliseconds(g.Key.Start),
                    new Money(open.Ticks).ToDecimal(), new Money(g.Max(o => o.Ticks)).ToDecimal(), new Money(g.Min(o => o.Ticks)).ToDecimal(), new Money(close.Ticks).ToDecimal(),
                    g.Count(), close.Currency);
            })
            .Where(b => (query.From is not { } f || b.Start >= f) && (query.To is not { } t || b.Start < t))
            .OrderByDescending(b => b.Start)
            .ThenByDescending(b => b.Id)];
}
