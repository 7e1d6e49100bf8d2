using Microsoft.Data.Sqlite;
using PriceIntel.Storage.Sqlite;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>Faults of the SQLite store: a second writer, a full disk, a busy database, concurrent writers of the same ids.</summary>
public sealed class SqliteFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DbPath => _temp.File("store.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_as_in_use_until_the_first_closes()
    {
        var first = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        var error = Assert.Throws<StoreInUseException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }));
        Assert.Contains("store in use", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(DbPath), error.Message, StringComparison.Ordinal);
        await first.DisposeAsync();
        await using var second = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
    }

    [Theory]
    [InlineData("/proc/priceintel-x/store.db", "cannot create the store directory '/proc/priceintel-x': the file system at '/proc' does not allow creating it (a virtual or read-only file system?)")]
    [InlineData("/proc/priceintel-x.db", "cannot create the lock file '/proc/priceintel-x.db.lock': the file system at '/proc' does not allow creating it (a virtual or read-only file system?)")]
    public void A_store_path_that_cannot_be_created_names_the_path_and_the_reason(string path, string expected)
    {
        // .NET reports both as "Could not find file '/proc/…'", which names a file the user never asked for.
        var error = Assert.Throws<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = path }));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_store_path_below_a_file_says_that_file_is_not_a_directory()
    {
        string file = _temp.File("plain");
        File.WriteAllText(file, "x");
        var error = Assert.Throws<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(file, "sub", "store.db") }));
        Assert.Equal($"cannot create the store directory '{Path.Combine(Path.GetFullPath(file), "sub")}': '{Path.GetFullPath(file)}' is a file, not a directory", error.Message);
    }

    [Fact]
    public async Task A_second_process_gets_store_in_use_and_the_lock_dies_with_its_holder()
    {
        await using (SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }))
        {
            var (code, output) = await ChildProcess.RunAsync("open", DbPath);
            Assert.Equal(3, code);
            Assert.StartsWith("store in use: '" + Path.GetFullPath(DbPath) + "'", output, StringComparison.Ordinal);
        }

        using var holder = ChildProcess.Start("hold", DbPath);
        Assert.Equal("open", await holder.StandardOutput.ReadLineAsync());
        Assert.Throws<StoreInUseException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }));
        holder.Kill();
        await holder.WaitForExitAsync();
        await using var reopened = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
    }

    [Fact]
    public async Task Sixteen_concurrent_writers_of_the_same_ids_leave_one_row_each()
    {
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
        var keys = new MarketKeys();
        var events = Enumerable.Range(0, 500).Select(i => Price(keys, $"SKU-{i % 20}", $"c{i % 3}", 10m + i, Ms(i))).ToArray();
        var signals = Enumerable.Range(0, 100).Select(i => Signal(keys, (ulong)i + 1, SignalKind.PriceAnomaly, $"SKU-{i % 20}", null, Ms(i))).ToArray();
        var decisions = Enumerable.Range(0, 100).Select(i => Decision(keys, (ulong)i + 1000, $"SKU-{i % 20}", Ms(i))).ToArray();
        var added = await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            int n = 0;
            for (int start = 0; start < events.Length; start += 50)
            {
                n += await store.AppendMarketEventsAsync(events.AsMemory(start, 50), keys, CancellationToken.None);
                await store.WriteAsync(Batch(keys, signals[(start / 5)..((start / 5) + 10)], decisions[(start / 5)..((start / 5) + 10)]), CancellationToken.None);
            }

            return n;
        })));

        Assert.Equal(500, added.Sum());
        await store.FlushAsync(CancellationToken.None);
        var stats = await store.GetStatisticsAsync(CancellationToken.None);
        Assert.Equal((500L, 100L, 100L), (stats.CompetitorPrices, stats.Signals, stats.Decisions));
        Assert.Equal(100, (await store.QuerySignalsAsync(new SignalQuery { Limit = 1000 }, CancellationToken.None)).Items.Select(s => s.Id).Distinct().Count());
        var day = (await store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-0", PriceBucketSize.Day), CancellationToken.None)).Items;
        Assert.Equal(25, day.Sum(b => b.Count));
        Assert.Equal(500, CountRows("competitor_prices"));
    }

    [Fact]
    public async Task A_full_store_fails_the_batch_whole_keeps_every_committed_one_and_takes_it_after_room_is_made()
    {
        var options = new SqliteStoreOptions { Path = DbPath, MaxSizeBytes = 1024 * 1024, WriteRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(5) };
        var stored = new List<PriceObservation>();
        PriceObservation[]? refused = null;
        await using (var store = SqliteMarketStore.Open(options))
        {
            for (int b = 0; b < 1000 && refused is null; b++)
            {
                var batch = CrashWorkload.Batch(b, 500);
                try
                {
                    Assert.Equal(500, await store.AppendCompetitorPricesAsync(batch, CancellationToken.None));
                    stored.AddRange(batch);
                }
                catch (StoreFullException ex)
                {
                    Assert.Contains(Path.GetFullPath(DbPath), ex.Message, StringComparison.Ordinal);
                    refused = batch;
                }
            }

            Assert.NotNull(refused);
            Assert.NotEmpty(stored);
            Assert.Equal(stored.Count, (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
        }

        Assert.Equal("ok", SqliteMarketStore.CheckIntegrity(DbPath));
        Assert.Equal(stored.Count, CountRows("competitor_prices"));
        await using (var roomier = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }))
        {
            Assert.Equal(500, await roomier.AppendCompetitorPricesAsync(refused!, CancellationToken.None));
            Assert.Equal(stored.Count + 500, (await roomier.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
        }
    }

    [Fact]
    public async Task A_busy_database_is_retried_while_the_caller_waits_and_the_write_lands()
    {
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath, BusyTimeout = TimeSpan.FromSeconds(1), WriteRetries = 20, RetryDelay = TimeSpan.FromMilliseconds(50) });
        await store.AppendCompetitorPricesAsync(CrashWorkload.Batch(0, 10), CancellationToken.None);
        using var blocker = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var write = store.AppendCompetitorPricesAsync(CrashWorkload.Batch(1, 10), CancellationToken.None).AsTask();
        await Task.Delay(1500);
        Assert.False(write.IsCompleted);
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        Assert.Equal(10, await write);
        Assert.Equal(20, (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
    }

    [Fact]
    public async Task A_store_file_that_is_not_a_database_is_named_in_one_line()
    {
        await File.WriteAllTextAsync(DbPath, "this is not a database, it is a text file of some length to fill a header page........................................");
        var error = Assert.ThrowsAny<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }));
        Assert.Contains("is not a PriceIntel store", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(DbPath), error.Message, StringComparison.Ordinal);
        await using var other = SqliteMarketStore.Open(new SqliteStoreOptions { Path = _temp.File("fresh.db") });
    }

    [Fact]
    public void A_directory_that_cannot_be_created_is_named()
    {
        File.WriteAllText(_temp.File("plain-file"), "x");
        var error = Assert.ThrowsAny<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(_temp.File("plain-file"), "sub", "store.db") }));
        Assert.Contains(Path.Combine(_temp.File("plain-file"), "sub"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_schema_is_refused_not_downgraded()
    {
        await using (SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }))
        {
        }

        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99";
            cmd.ExecuteNonQuery();
        }

        var error = Assert.ThrowsAny<MarketStoreException>(() => SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_deletes_only_what_is_older_than_configured_relative_to_the_newest_observation()
    {
        var options = new SqliteStoreOptions { Path = DbPath, Retention = new StoreRetention { CompetitorPrices = TimeSpan.FromHours(1), MinuteBuckets = TimeSpan.FromHours(2) } };
        await using var store = SqliteMarketStore.Open(options);
        var all = Enumerable.Range(0, 600).Select(i => CrashWorkload.Observation(i)).ToArray();
        await store.AppendCompetitorPricesAsync(all, CancellationToken.None);
        var deleted = await ((SqliteStore)store).ApplyRetentionAsync(CancellationToken.None);
        var newest = all[^1].Time;
        var keptRaw = all.Where(o => o.Time >= newest.AddHours(-1)).ToArray();
        Assert.Equal(61, keptRaw.Length);
        Assert.Equal(61, (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices);
        Assert.Equal(600 - 61, deleted);
        foreach (var sku in new[] { "SKU-0", "SKU-49" })
        {
            var raw = (await store.QueryCompetitorPricesAsync(new PriceHistoryQuery(sku) { Limit = 1000 }, CancellationToken.None)).Items;
            Assert.Equal(keptRaw.Where(o => o.Product == sku).Select(o => o.Time).OrderDescending(), raw.Select(o => o.Time));
            var minutes = (await store.QueryPriceBucketsAsync(new PriceBucketQuery(sku, PriceBucketSize.Minute) { Limit = 1000 }, CancellationToken.None)).Items;
            // Minute buckets are rolled up from raw observations: they go with them, whatever MinuteBuckets says.
            Assert.Equal(keptRaw.Count(o => o.Product == sku), minutes.Count);
            Assert.Equal(keptRaw.Where(o => o.Product == sku).Select(o => o.Price).OrderDescending(), minutes.Select(b => b.Close).OrderDescending());
            var hours = (await store.QueryPriceBucketsAsync(new PriceBucketQuery(sku, PriceBucketSize.Hour) { Limit = 1000 }, CancellationToken.None)).Items;
            Assert.Equal(all.Count(o => o.Product == sku), hours.Sum(b => b.Count));
        }
    }

    private long CountRows(string table)
    {
        using var raw = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        raw.Open();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {table}";
        return (long)cmd.ExecuteScalar()!;
    }
}
