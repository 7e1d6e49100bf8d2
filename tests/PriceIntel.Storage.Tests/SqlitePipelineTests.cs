using Microsoft.Data.Sqlite;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Storage.Tests;

/// <summary>The store behind a real pipeline (simulator → engine → store), with a fault injected while it runs.</summary>
public sealed class SqlitePipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static MarketSimulator Simulator(MarketKeys keys) => new(
        new MarketSimulatorOptions { ProductCount = 60, CompetitorCount = 4, Duration = TimeSpan.FromHours(12), Seed = 7, Feedback = SimulatorFeedbackMode.OpenLoop, Tick = TimeSpan.FromMinutes(1) },
        keys);

    [Fact]
    public async Task A_busy_store_slows_the_pipeline_and_loses_nothing_it_reports()
    {
        // Reference: the same run into memory.
        var referenceKeys = new MarketKeys();
        var reference = MarketOutputSinks.InMemory();
        var referenceSource = Simulator(referenceKeys);
        var referenceRun = await MarketPipeline.Create(referenceSource, MarketEngine.Create(new PriceIntelOptions(), referenceKeys), [reference]).RunAsync();
        var competitorPrices = referenceSource.GetStatistics().CompetitorPrices;

        var path = _temp.File("store.db");
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = path, BusyTimeout = TimeSpan.FromSeconds(1), WriteRetries = 50, RetryDelay = TimeSpan.FromMilliseconds(20) });
        var keys = new MarketKeys();
        var source = PriceHistorySources.Recording(Simulator(keys), store, keys);
        var pipeline = MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [store]);

        // Another connection takes the write lock three times while the pipeline runs.
        using var blocker = new SqliteConnection($"Data Source={path};Pooling=False");
        blocker.Open();
        var run = pipeline.RunAsync();
        for (int i = 0; i < 3 && !run.IsCompleted; i++)
        {
            Execute(blocker, "BEGIN IMMEDIATE");
            await Task.Delay(1500);
            Execute(blocker, "ROLLBACK");
            await Task.Delay(100);
        }

        var summary = await run;
        Assert.Equal(referenceRun.EventsIn, summary.EventsIn);
        var stats = await store.GetStatisticsAsync(CancellationToken.None);
        Assert.Equal(competitorPrices, stats.CompetitorPrices);
        var signals = (await store.QuerySignalsAsync(new SignalQuery { Limit = 10_000 }, CancellationToken.None)).Items;
        var decisions = (await store.QueryDecisionsAsync(new DecisionQuery { Limit = 10_000 }, CancellationToken.None)).Items;
        Assert.Equal(reference.Signals.Select(s => s.Id).Order(), signals.Select(s => s.Id).Order());
        Assert.Equal(reference.Decisions.OrderBy(d => d.Id), decisions.OrderBy(d => d.Id));
        Assert.NotEmpty(decisions);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
