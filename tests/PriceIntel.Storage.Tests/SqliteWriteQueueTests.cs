using Microsoft.Data.Sqlite;
using PriceIntel.Storage.Sqlite;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// The store's write queue and the recording source that feeds it: batches stored while the engine
/// runs, nothing counted as stored that is not, failures reaching the caller.
/// </summary>
public sealed class SqliteWriteQueueTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DbPath => _temp.File("store.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Queued_outputs_that_do_not_fit_fail_the_flush_and_every_later_write_and_are_not_stored()
    {
        var keys = new MarketKeys();
        var options = new SqliteStoreOptions { Path = DbPath, MaxSizeBytes = 1024 * 1024, WriteRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(5) };
        long flushed = 0;
        MarketStoreException? failure = null;
        await using (var store = SqliteMarketStore.Open(options))
        {
            for (int b = 0; b < 1000 && failure is null; b++)
            {
                var signals = Enumerable.Range(0, 1000).Select(i => Signal(keys, (ulong)((b * 1000) + i + 1), SignalKind.CompetitorPriceDrop, $"SKU-{i % 50}", "acme", Ms(b))).ToArray();
                await store.WriteAsync(Batch(keys, signals, []), CancellationToken.None);
                try
                {
                    await store.FlushAsync(CancellationToken.None);
                    flushed += signals.Length;
                }
                catch (MarketStoreException ex)
                {
                    failure = ex;
                }
            }

            Assert.IsType<StoreFullException>(failure);
            Assert.True(flushed > 0);
            var later = Batch(keys, [Signal(keys, 999_999_999, SignalKind.DemandSurge, "SKU-1", null, Ms(0))], []);
            await Assert.ThrowsAnyAsync<MarketStoreException>(async () => await store.WriteAsync(later, CancellationToken.None));
            await Assert.ThrowsAnyAsync<MarketStoreException>(async () => await store.FlushAsync(CancellationToken.None));
            Assert.Equal(flushed, (await store.GetStatisticsAsync(CancellationToken.None)).Signals);
        }

        Assert.Equal("ok", SqliteMarketStore.CheckIntegrity(DbPath));
        Assert.Equal(flushed, CountRows("signals"));
    }

    [Fact]
    public async Task Recording_stores_every_batch_by_the_end_of_the_source_and_reports_new_observations_once()
    {
        var keys = new MarketKeys();
        var batches = Enumerable.Range(0, 200)
            .Select(b => Enumerable.Range(0, 50).Select(i => Price(keys, $"SKU-{i % 10}", $"c{i / 10}", 10m + b + (i / 100m), Ms(b))).ToArray())
            .ToArray();
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        await using (var source = PriceHistorySources.Recording(MarketEventSources.InMemory(batches), store, keys))
        {
            var buffer = new MarketEvent[64];
            int read = 0;
            int n;
            while ((n = await source.ReadAsync(buffer, NoRejections.Instance, CancellationToken.None)) > 0)
            {
                read += n;
            }

            Assert.Equal(10_000, read);

            // The source has ended: every batch it handed out is stored.
            Assert.Equal(10_000, (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
        }

        var hours = (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-3", PriceBucketSize.Hour) { Limit = 1000 }, CancellationToken.None)).Items;
        Assert.Equal(1000, hours.Sum(b => b.Count));
        var minutes = (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-3", PriceBucketSize.Minute) { Competitor = "c2", Limit = 1000 }, CancellationToken.None)).Items;
        Assert.Equal(200, minutes.Count);
        Assert.Equal(batches.Select((batch, b) => batch.Where(e => keys.Products.GetName(e.ProductId) == "SKU-3" && keys.Competitors.GetName(e.CompetitorId) == "c2").Max(e => e.Price.ToDecimal())).Reverse(), minutes.Select(m => m.High));
    }

    [Fact]
    public async Task Recording_surfaces_a_store_failure_and_never_counts_the_failed_batch()
    {
        var keys = new MarketKeys();
        var batches = Enumerable.Range(0, 20)
            .Select(b => Enumerable.Range(0, 10).Select(i => Price(keys, $"SKU-{i}", "acme", 10m + b, Ms(b))).ToArray())
            .ToArray();
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        var failing = new FailingHistoryStore(store, failOnCall: 3);
        var source = PriceHistorySources.Recording(MarketEventSources.InMemory(batches), failing, keys);
        var buffer = new MarketEvent[10];
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (await source.ReadAsync(buffer, NoRejections.Instance, CancellationToken.None) > 0)
            {
            }
        });
        Assert.Equal("disk went away", error.Message);
        await source.DisposeAsync();

        // Every batch but the third was stored; the third's observations are not in the store.
        var stored = (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices;
        Assert.Equal(failing.Stored, stored);
        Assert.Equal(0, stored % 10);
        var sku0 = (await store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-0") { Limit = 100 }, CancellationToken.None)).Items;
        Assert.DoesNotContain(sku0, o => o.Time == DateTimeOffset.FromUnixTimeMilliseconds(Ms(2)));
    }

    [Fact]
    public async Task Output_batches_store_what_one_output_at_a_time_stores_whether_new_replayed_repeated_or_mixed()
    {
        // The writer stores 16 signals or decisions per statement; a statement of decisions holding one
        // already stored (a replay) or repeated is backed out and its rows stored one by one. The
        // reference stores the same outputs one per batch, i.e. one row per statement. Every 17th id
        // keeps its price (no point of our price history): some statements of 16 new decisions all
        // change the price (their price points go in one statement too), others do not.
        var keys = new MarketKeys();
        var random = new Random(9);
        var batches = new List<(MarketSignal[] Signals, PricingDecision[] Decisions)>();
        for (int b = 0; b < 13; b++)
        {
            // first 64 new ids that all change the price, then ids from a window that overlaps the earlier batches' (replays), with repeats inside a batch
            var ids = b == 0
                ? Enumerable.Range(0, 64).Select(i => (ulong)(1001 + (17 * i))).ToArray()
                : Enumerable.Range(0, random.Next(0, 70)).Select(_ => (ulong)random.Next(1, 200)).ToArray();
            batches.Add((
                ids.Select(id => Signal(keys, id, (SignalKind)(1 + ((int)id % 4)), $"SKU-{id % 7}", id % 3 == 0 ? null : $"c{id % 5}", Ms((int)id))).ToArray(),
                ids.Select(id => Decision(keys, id, $"SKU-{id % 7}", Ms((int)(id / 2)), newTicks: id % 17 == 0 ? 199_900 : 180_000 + ((long)id * 100))).ToArray()));
        }

        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        await using var reference = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("reference.db") });
        var catalog = Enumerable.Range(0, 7).Select(i => Product($"SKU-{i}")).ToArray();
        await store.UpsertProductsAsync(catalog, CancellationToken.None);
        await reference.UpsertProductsAsync(catalog, CancellationToken.None);
        foreach (var (signals, decisions) in batches)
        {
            await store.WriteAsync(Batch(keys, signals, decisions), CancellationToken.None);
            foreach (var s in signals)
            {
                await reference.WriteAsync(Batch(keys, [s], []), CancellationToken.None);
            }

            foreach (var d in decisions)
            {
                await reference.WriteAsync(Batch(keys, [], [d]), CancellationToken.None);
            }
        }

        await store.FlushAsync(CancellationToken.None);
        await reference.FlushAsync(CancellationToken.None);
        var distinct = batches.SelectMany(b => b.Decisions).Select(d => d.Id).Distinct().Count();
        Assert.True(distinct > 100, $"only {distinct} distinct ids");
        var expected = await reference.GetStatisticsAsync(CancellationToken.None);
        Assert.Equal(distinct, expected.Decisions);
        Assert.Equal(distinct, expected.Signals);
        Assert.Equal(expected, await store.GetStatisticsAsync(CancellationToken.None));
        Assert.Equal(distinct, CountRows("decisions"));
        Assert.Equal(distinct, CountRows("signals"));
        Assert.Equal(expected.OurPrices, CountRows("our_prices"));
        Assert.Equal(
            (await reference.QuerySignalsAsync(new SignalQuery { Limit = 1000 }, CancellationToken.None)).Items,
            (await store.QuerySignalsAsync(new SignalQuery { Limit = 1000 }, CancellationToken.None)).Items);
        Assert.Equal(
            (await reference.QueryDecisionsAsync(new DecisionQuery { Limit = 1000 }, CancellationToken.None)).Items,
            (await store.QueryDecisionsAsync(new DecisionQuery { Limit = 1000 }, CancellationToken.None)).Items);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(
                (await reference.QueryOurPricesAsync(new OurPriceQuery($"SKU-{i}") { Limit = 1000 }, CancellationToken.None)).Items,
                (await store.QueryOurPricesAsync(new OurPriceQuery($"SKU-{i}") { Limit = 1000 }, CancellationToken.None)).Items);
            Assert.Equal(
                (await reference.GetProductAsync($"SKU-{i}", CancellationToken.None))!.CurrentPrice,
                (await store.GetProductAsync($"SKU-{i}", CancellationToken.None))!.CurrentPrice);
        }
    }

    [Fact]
    public async Task Observation_batches_store_and_count_what_one_observation_at_a_time_does_whether_new_replayed_repeated_or_mixed()
    {
        // 16 observations per INSERT statement; one that meets a stored or repeated row is backed out
        // and its rows stored one by one. Batches overlap earlier ones (mixed new and stored rows in one
        // statement) and repeat keys inside a batch with other prices (the first one queued wins).
        var keys = new MarketKeys();
        var random = new Random(11);
        var batches = Enumerable.Range(0, 15)
            .Select(_ => Enumerable.Range(0, random.Next(1, 90))
                .Select(_ =>
                {
                    var k = random.Next(0, 400);
                    return Price(keys, $"SKU-{k % 3}", $"c{k % 4}", 10m + random.Next(0, 500), Ms(k / 2));
                })
                .ToArray())
            .ToArray();
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        await using var reference = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("reference.db") });
        foreach (var batch in batches)
        {
            int added = 0;
            foreach (var e in batch)
            {
                added += await reference.AppendMarketEventsAsync(new[] { e }, keys, CancellationToken.None);
            }

            Assert.Equal(added, await store.AppendMarketEventsAsync(batch, keys, CancellationToken.None));
        }

        var expected = await reference.GetStatisticsAsync(CancellationToken.None);
        Assert.True(expected.CompetitorPrices > 200, $"only {expected.CompetitorPrices} stored");
        Assert.Equal(expected, await store.GetStatisticsAsync(CancellationToken.None));
        for (int p = 0; p < 3; p++)
        {
            Assert.Equal(
                (await reference.QueryCompetitorPricesAsync(new PriceHistoryQuery($"SKU-{p}") { Limit = 1000 }, CancellationToken.None)).Items,
                (await store.QueryCompetitorPricesAsync(new PriceHistoryQuery($"SKU-{p}") { Limit = 1000 }, CancellationToken.None)).Items);
            foreach (var size in new[] { PriceBucketSize.Hour, PriceBucketSize.Day })
            {
                Assert.Equal(
                    (await reference.QueryPriceBucketsAsync(new PriceBucketQuery($"SKU-{p}", size) { Limit = 1000 }, CancellationToken.None)).Items,
                    (await store.QueryPriceBucketsAsync(new PriceBucketQuery($"SKU-{p}", size) { Limit = 1000 }, CancellationToken.None)).Items);
            }
        }
    }

    [Fact]
    public async Task A_read_only_store_opens_beside_the_writer_sees_its_commits_and_refuses_writes()
    {
        var keys = new MarketKeys();
        await using var writer = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        await writer.AppendMarketEventsAsync(new[] { Price(keys, "SKU-1", "acme", 10m, Ms(0)) }, keys, CancellationToken.None);
        await using var reader = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath, ReadOnly = true });
        Assert.Single((await reader.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-1"), CancellationToken.None)).Items);
        await writer.AppendMarketEventsAsync(new[] { Price(keys, "SKU-1", "acme", 11m, Ms(1)) }, keys, CancellationToken.None);
        Assert.Equal(2, (await reader.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-1"), CancellationToken.None)).Items.Count);
        var refused = await Assert.ThrowsAnyAsync<MarketStoreException>(async () => await reader.AppendMarketEventsAsync(new[] { Price(keys, "SKU-2", "acme", 12m, Ms(2)) }, keys, CancellationToken.None));
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.Throws<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("missing.db"), ReadOnly = true }));
    }

    [Fact]
    public async Task Deleting_existing_history_starts_empty_and_only_when_asked()
    {
        var keys = new MarketKeys();
        await using (var first = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }))
        {
            await first.AppendMarketEventsAsync(new[] { Price(keys, "SKU-1", "acme", 10m, Ms(0)) }, keys, CancellationToken.None);
        }

        await using (var kept = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }))
        {
            Assert.Equal(1, (await kept.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
        }

        await using var fresh = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath, DeleteExistingHistory = true });
        Assert.Equal(0, (await fresh.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
    }

    private long CountRows(string table)
    {
        using var raw = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        raw.Open();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }

    private sealed class NoRejections : IRejectionSink
    {
        public static readonly NoRejections Instance = new();

        public void Reject(RejectedInput rejected) => throw new InvalidOperationException("no rejections expected");
    }

    /// <summary>A store whose n-th append fails (as a disk error would) without storing anything; the others go to the real store.</summary>
    private sealed class FailingHistoryStore(IPriceHistoryStore inner, int failOnCall) : IPriceHistoryStore
    {
        private int _calls;
        private long _stored;

        public long Stored => Interlocked.Read(ref _stored);

        public async ValueTask<int> AppendMarketEventsAsync(ReadOnlyMemory<MarketEvent> events, MarketKeys keys, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == failOnCall)
            {
                await Task.Yield();
                throw new IOException("disk went away");
            }

            var added = await inner.AppendMarketEventsAsync(events, keys, cancellationToken);
            Interlocked.Add(ref _stored, added);
            return added;
        }

        public ValueTask<int> AppendCompetitorPricesAsync(IReadOnlyList<PriceObservation> observations, CancellationToken cancellationToken) => inner.AppendCompetitorPricesAsync(observations, cancellationToken);

        public ValueTask<int> AppendOurPricesAsync(IReadOnlyList<OurPricePoint> points, CancellationToken cancellationToken) => inner.AppendOurPricesAsync(points, cancellationToken);

        public ValueTask<StorePage<PriceObservation>> QueryCompetitorPricesAsync(PriceHistoryQuery query, CancellationToken cancellationToken) => inner.QueryCompetitorPricesAsync(query, cancellationToken);

        public ValueTask<StorePage<PriceBucket>> QueryPriceBucketsAsync(PriceBucketQuery query, CancellationToken cancellationToken) => inner.QueryPriceBucketsAsync(query, cancellationToken);

        public ValueTask<StorePage<OurPricePoint>> QueryOurPricesAsync(OurPriceQuery query, CancellationToken cancellationToken) => inner.QueryOurPricesAsync(query, cancellationToken);
    }
}
