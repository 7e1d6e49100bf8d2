using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Storage.Tests;

/// <summary>A writer process killed with SIGKILL mid-write, again and again: the file stays sound and holds exactly a prefix of the batches.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private const int BatchSize = 200;
    private readonly TempDirectory _temp = new();

    private string DbPath => _temp.File("store.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Killing_the_writer_in_a_loop_leaves_a_sound_store_holding_a_prefix_of_the_batches()
    {
        var random = new Random(11);
        int lastReported = -1;
        for (int round = 0; round < 6; round++)
        {
            using var child = ChildProcess.Start("write", DbPath, "100000", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // Wait for the child to be writing (it re-writes earlier batches first; those are skipped as repeats), then kill it at a random moment.
            var line = await child.StandardOutput.ReadLineAsync();
            Assert.StartsWith("batch ", line, StringComparison.Ordinal);
            await Task.Delay(random.Next(50, 400));
            child.Kill(); // SIGKILL on Unix
            await child.WaitForExitAsync();
            var rest = await child.StandardOutput.ReadToEndAsync();
            var reported = rest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Prepend(line!).Select(l => int.Parse(l["batch ".Length..], System.Globalization.CultureInfo.InvariantCulture)).Max();
            lastReported = Math.Max(lastReported, reported);

            Assert.Equal("ok", SqliteMarketStore.CheckIntegrity(DbPath));
            await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
            var count = (await store.GetStatisticsAsync(CancellationToken.None)).CompetitorPrices;

            // Whole batches only, and at least every batch the child reported as committed.
            Assert.Equal(0, count % BatchSize);
            Assert.True(count >= (lastReported + 1L) * BatchSize, $"round {round}: {count} stored, but batch {lastReported} was reported committed");
            await AssertHoldsExactlyAsync(store, count);
        }
    }

    /// <summary>The store holds observations 0 to count-1 of the workload and nothing else, in the raw table and in the buckets.</summary>
    private static async Task AssertHoldsExactlyAsync(IMarketStore store, long count)
    {
        foreach (var product in new[] { 0, 17, 49 })
        {
            var sku = $"SKU-{product}";
            var expected = new List<PriceObservation>();
            for (long n = product; n < count; n += 50)
            {
                expected.Add(CrashWorkload.Observation(n));
            }

            expected.Reverse();
            var actual = new List<PriceObservation>();
            string? cursor = null;
            do
            {
                var page = await store.QueryCompetitorPricesAsync(new PriceHistoryQuery(sku) { Limit = 5000, Cursor = cursor }, CancellationToken.None);
                actual.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            Assert.Equal(expected, actual);
            var days = (await store.QueryPriceBucketsAsync(new PriceBucketQuery(sku, PriceBucketSize.Day) { Limit = 10_000 }, CancellationToken.None)).Items;
            Assert.Equal(expected.Count, days.Sum(b => b.Count));
        }
    }
}
