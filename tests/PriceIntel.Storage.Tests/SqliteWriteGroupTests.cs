using System.Diagnostics;
using PriceIntel.Storage.Sqlite;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// How the SQLite writer sizes its groups and where its WAL checkpoints run: the two causes of the
/// demo's slowdown once demand history was stored (issue 9).
/// </summary>
public sealed class SqliteWriteGroupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_recorded_batch_counts_each_event_toward_one_append_only_price_or_demand_history()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-1");
        var events = new List<MarketEvent>();
        for (int i = 0; i < 10; i++)
        {
            events.Add(Price(keys, "SKU-1", $"c{i % 3}", 10m + i, Ms(i)));
        }

        for (int i = 0; i < 4; i++)
        {
            events.Add(MarketEvent.ListPrice(p, Money.FromDecimal(12m), CurrencyCode.Usd, Ms(i)));
        }

        for (int i = 0; i < 7; i++)
        {
            events.Add(MarketEvent.Demand(p, i % 3 == 0 ? DemandAction.Purchase : DemandAction.View, 1, Money.FromDecimal(12m), CurrencyCode.Usd, Ms(i)));
        }

        events.Add(MarketEvent.Inventory(p, 40, Ms(1)));
        events.Add(MarketEvent.Inventory(p, 39, Ms(2)));
        events.Add(MarketEvent.Cost(p, Money.FromDecimal(7m), CurrencyCode.Usd, Ms(3)));

        var batch = events.ToArray();
        Assert.Equal(14, SqliteStore.PriceHistoryRows(batch));
        Assert.Equal(10, SqliteStore.DemandHistoryRows(batch));

        // Together they count the batch once, as the price append alone did before demand history.
        Assert.Equal(batch.Length, SqliteStore.PriceHistoryRows(batch) + SqliteStore.DemandHistoryRows(batch));
    }

    [Fact]
    public async Task Committed_pages_reach_the_database_file_while_the_store_stays_open_and_nothing_is_lost()
    {
        var path = _temp.File("checkpoint.db");
        var keys = new MarketKeys();
        long initial;
        await using (var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = path }))
        {
            initial = new FileInfo(path).Length;
            for (int b = 0; b < 20; b++)
            {
                var batch = Enumerable.Range(0, 500).Select(i => Price(keys, $"SKU-{i % 100}", $"c{i / 100}", 10m + b + (i / 1000m), Ms(b))).ToArray();
                Assert.Equal(500, await store.AppendMarketEventsAsync(batch, keys, CancellationToken.None));
            }

            // Far below the writer's own checkpoint threshold: only the background checkpoints copy the
            // committed pages from the WAL into the database file while the store is open.
            var waited = Stopwatch.StartNew();
            while (new FileInfo(path).Length <= initial && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }

            Assert.True(new FileInfo(path).Length > initial, $"database file still {initial} bytes after {waited.Elapsed}");
            Assert.True(((SqliteStore)store).BackgroundCheckpoints > 0);
            Assert.Equal(10_000, (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);

            // More writes after checkpoints (the WAL starts over) are stored as well.
            var last = Enumerable.Range(0, 500).Select(i => Price(keys, $"SKU-{i % 100}", $"c{i / 100}", 99m, Ms(100))).ToArray();
            Assert.Equal(500, await store.AppendMarketEventsAsync(last, keys, CancellationToken.None));
        }

        Assert.Equal("ok", SqliteMarketStore.CheckIntegrity(path));
        await using (var reopened = SqliteMarketStore.Open(new SqliteStoreOptions { Path = path }))
        {
            Assert.Equal(10_500, (await reopened.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
            var hours = (await reopened.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-7", PriceBucketSize.Hour) { Limit = 100 }, CancellationToken.None)).Items;
            Assert.Equal(105, hours.Sum(h => h.Count));
        }
    }
}
