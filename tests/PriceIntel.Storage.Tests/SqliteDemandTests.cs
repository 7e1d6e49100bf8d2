using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PriceIntel.Storage.Sqlite;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>Demand history in the SQLite store: a simulated run recorded through the recording source, retention, configuration.</summary>
public sealed class SqliteDemandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static MarketSimulator Simulator(MarketKeys keys) => new(
        new MarketSimulatorOptions { ProductCount = 20, CompetitorCount = 3, Duration = TimeSpan.FromHours(30), Seed = 11, Feedback = SimulatorFeedbackMode.OpenLoop, Tick = TimeSpan.FromMinutes(1) },
        keys);

    private static async Task<long> DrainAsync(IMarketEventSource source)
    {
        var buffer = new MarketEvent[1000];
        long n = 0;
        await using (source)
        {
            int read;
            while ((read = await source.ReadAsync(buffer, new CountingRejections(), CancellationToken.None)) > 0)
            {
                n += read;
            }
        }

        return n;
    }

    private static async Task<List<DemandBucket>> AllAsync(IMarketStore store, MarketKeys keys, DemandBucketSize size)
    {
        var all = new List<DemandBucket>();
        for (int p = 0; p < keys.Products.Count; p++)
        {
            all.AddRange((await store.QueryDemandAsync(new DemandQuery(keys.Products.GetName(p), size) { Limit = HistoryQuery.MaxLimit }, CancellationToken.None)).Items);
        }

        return all;
    }

    [Fact]
    public async Task A_simulated_run_recorded_into_the_store_keeps_every_view_purchase_and_unit_and_a_replay_adds_nothing()
    {
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("sim.db") });
        var keys = new MarketKeys();
        var simulator = Simulator(keys);
        await DrainAsync(PriceHistorySources.Recording(simulator, store, keys));
        var stats = simulator.GetStatistics();
        Assert.True(stats.Views > 1000 && stats.Purchases > 20, $"a run with demand: {stats}");

        var hours = await AllAsync(store, keys, DemandBucketSize.Hour);
        var days = await AllAsync(store, keys, DemandBucketSize.Day);
        foreach (var buckets in new[] { hours, days })
        {
            Assert.Equal(stats.Views, buckets.Sum(b => b.Views));
            Assert.Equal(stats.AddToCarts, buckets.Sum(b => b.AddToCarts));
            Assert.Equal(stats.Purchases, buckets.Sum(b => b.Purchases));
            Assert.Equal(stats.UnitsSold, buckets.Sum(b => b.Units));
        }

        Assert.Equal(hours.Sum(b => b.Revenue), days.Sum(b => b.Revenue));
        Assert.Contains(hours, b => b.Stock is not null && b.UnitCost is not null);

        // The same run replayed (same seed) through a new recording source: every event is already stored.
        var replayKeys = new MarketKeys();
        await DrainAsync(PriceHistorySources.Recording(Simulator(replayKeys), store, replayKeys));
        Assert.Equal(hours, await AllAsync(store, keys, DemandBucketSize.Hour));
    }

    [Fact]
    public async Task Appends_in_flight_together_share_their_buckets_and_store_what_one_append_at_a_time_stores()
    {
        // One simulated run's events with their ids, cut into batches of 37.
        var keys = new MarketKeys();
        var simulator = Simulator(keys);
        var events = new List<MarketEvent>();
        var buffer = new MarketEvent[1000];
        int read;
        while ((read = await simulator.ReadAsync(buffer, new CountingRejections(), CancellationToken.None)) > 0)
        {
            events.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        var all = events.ToArray();
        var ids = new ulong[all.Length];
        new DemandEventIdAssigner().Assign(all, keys, ids);
        var batches = Enumerable.Range(0, (all.Length + 36) / 37)
            .Select(b => (Events: all.AsMemory(b * 37, Math.Min(37, all.Length - (b * 37))), Ids: ids.AsMemory(b * 37, Math.Min(37, all.Length - (b * 37)))))
            .ToArray();

        await using var oneByOne = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("one.db") });
        int addedOneByOne = 0;
        foreach (var (e, i) in batches)
        {
            addedOneByOne += await oneByOne.AppendDemandEventsAsync(e, i, keys, CancellationToken.None);
        }

        // Every batch twice and all of them at once: the writer joins them into groups whose buckets
        // are rolled up together; the second copy of a batch is all stored already (or races the first).
        await using var together = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("together.db") });
        var appends = batches.Concat(batches.Reverse())
            .Select(b => together.AppendDemandEventsAsync(b.Events, b.Ids, keys, CancellationToken.None).AsTask())
            .ToArray();
        var added = await Task.WhenAll(appends);

        Assert.True(addedOneByOne > 1000, $"a run with demand: {addedOneByOne}");
        Assert.Equal(addedOneByOne, added.Sum());
        foreach (var size in new[] { DemandBucketSize.Hour, DemandBucketSize.Day })
        {
            Assert.Equal(await AllAsync(oneByOne, keys, size), await AllAsync(together, keys, size));
        }
    }

    [Fact]
    public async Task Retention_drops_old_demand_buckets_and_old_events_are_not_counted_again()
    {
        var retention = new StoreRetention { DemandEvents = TimeSpan.FromDays(2), DemandHourBuckets = TimeSpan.FromDays(1), DayBuckets = TimeSpan.FromDays(5) };
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("ret.db"), Retention = retention });
        var keys = new MarketKeys();
        int sku = keys.Products.Intern("SKU-R");
        var stream = Enumerable.Range(0, 10).Select(d => MarketEvent.Demand(sku, DemandAction.View, 0, Money.FromDecimal(5m), CurrencyCode.Usd, Ms(d * 24 * 60) + 1000)).ToArray();
        var ids = new ulong[stream.Length];
        new DemandEventIdAssigner().Assign(stream, keys, ids);
        Assert.Equal(10, await store.AppendDemandEventsAsync(stream, ids, keys, CancellationToken.None));

        Assert.True(await ((SqliteStore)store).ApplyDemandRetentionAsync(CancellationToken.None) > 0);
        Assert.Equal(3, (await store.GetStatisticsAsync(CancellationToken.None)).DemandEvents); // days 7, 8 and 9
        var newest = T0.AddDays(9);
        var hours = (await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Hour), CancellationToken.None)).Items;
        var days = (await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Day), CancellationToken.None)).Items;
        Assert.Equal([newest], hours.Select(b => b.Start)); // hour buckets: the last day only
        Assert.Equal(Enumerable.Range(5, 5).Reverse().Select(d => T0.AddDays(d)), days.Select(b => b.Start)); // day buckets starting within five days of the newest event

        // The whole stream replayed: events before the demand-event cutoff (day 7) are refused, so no day bucket counts twice.
        Assert.Equal(0, await store.AppendDemandEventsAsync(stream, ids, keys, CancellationToken.None));
        Assert.All((await store.QueryDemandAsync(new DemandQuery("SKU-R", DemandBucketSize.Day), CancellationToken.None)).Items, b => Assert.Equal(1, b.Views));
    }

    [Fact]
    public async Task Demand_retention_binds_from_configuration_and_the_store_is_registered_as_a_demand_history_store()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["database:sqlite:path"] = _temp.File("di.db"),
            ["database:sqlite:retention:demandEventsDays"] = "30",
            ["database:sqlite:retention:demand_hour_buckets_days"] = "90",
        }).Build();
        var options = SqliteStoreOptions.Bind(config);
        Assert.Equal(TimeSpan.FromDays(30), options.Retention.DemandEvents);
        Assert.Equal(TimeSpan.FromDays(90), options.Retention.DemandHourBuckets);
        var error = Assert.ThrowsAny<ArgumentException>(() => SqliteStoreOptions.Bind(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["database:sqlite:retention:demandEventsDays"] = "0" }).Build()));
        Assert.Contains("demandEvents", error.Message, StringComparison.Ordinal);

        var services = new ServiceCollection().AddPriceIntelSqlite(config);
        await using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<IMarketStore>(), provider.GetRequiredService<IDemandHistoryStore>());
    }

    private sealed class CountingRejections : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
        }
    }
}
