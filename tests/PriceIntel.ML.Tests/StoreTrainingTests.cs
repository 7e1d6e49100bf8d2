using PriceIntel.ML.History;
using PriceIntel.ML.Training;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.ML.Tests;

/// <summary>Training from the store: a simulated run stored in SQLite (and recorded as JSON Lines at the same time) trains models as good as its recording does.</summary>
public sealed class StoreTrainingTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "priceintel-ml-store-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_store_filled_by_a_simulated_run_trains_models_of_the_same_quality_as_its_recording()
    {
        var recording = Path.Combine(_directory, "run.jsonl");
        var keys = new MarketKeys();
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions { ProductCount = 60, CompetitorCount = 4, Duration = TimeSpan.FromDays(7), Seed = 5, Tick = TimeSpan.FromMinutes(1), ViewsPerProductPerHour = 30 },
            keys);
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = Path.Combine(_directory, "store.db") });
        var recorder = JsonLinesEventRecorder.Create(recording, keys);
        var source = PriceHistorySources.Recording(MarketEventSources.Recording(simulator, recorder), store, keys);
        try
        {
            await MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [store]).RunAsync();
        }
        finally
        {
            await source.DisposeAsync();
            await recorder.DisposeAsync();
        }

        var recordingKeys = new MarketKeys();
        DemandHistory fromRecording;
        await using (var file = MarketEventSources.JsonLinesFile(recording, recordingKeys))
        {
            fromRecording = await DemandHistoryBuilder.ReadAsync(file, recordingKeys);
        }

        var fromStore = await StoreDemandHistory.ReadAsync(store);

        // The same product-hours and the same labels.
        Assert.Equal(fromRecording.ProductKeys.Order(), fromStore.ProductKeys.Order());
        Assert.Equal(Rows(fromRecording), Rows(fromStore));
        Assert.True(fromStore.Units.Sum() > 1000, $"{fromStore.Units.Sum()} units: a run with sales");

        var options = new DemandTrainingOptions { Trees = 30, Leaves = 16, Seed = 3, TrainedAt = DateTimeOffset.UnixEpoch, Categories = fromRecording.ProductKeys.ToDictionary(k => k, _ => "all") };
        var a = DemandModelTrainer.Train(fromRecording, options);
        var b = DemandModelTrainer.Train(fromStore, options);
        Assert.Equal(a.SplitTime, b.SplitTime);
        Assert.Equal((a.TrainingRows, a.ValidationRows), (b.TrainingRows, b.ValidationRows));
        foreach (var (ra, rb) in a.Validation.Zip(b.Validation))
        {
            output.WriteLine($"recording: {ra}");
            output.WriteLine($"store:     {rb}");
            Assert.Equal(ra.Model, rb.Model);
            Assert.Equal(ra.ActualUnits, rb.ActualUnits);
            Assert.InRange(rb.RootMeanSquaredError, ra.RootMeanSquaredError * 0.97, ra.RootMeanSquaredError * 1.03);
            Assert.InRange(rb.MeanPoissonDeviance, ra.MeanPoissonDeviance * 0.95, ra.MeanPoissonDeviance * 1.05);
        }

        var ea = Assert.Single(a.Elasticity.Elasticity!.Categories).Elasticity;
        var eb = Assert.Single(b.Elasticity.Elasticity!.Categories).Elasticity;
        output.WriteLine($"pooled elasticity: recording {ea:0.000}, store {eb:0.000}");
        Assert.InRange(eb, ea - 0.05 * Math.Abs(ea), ea + 0.05 * Math.Abs(ea));
    }

    /// <summary>(product, hour, units) of every row, in a canonical order.</summary>
    private static List<(string Product, long Hour, float Units)> Rows(DemandHistory h) =>
        [.. Enumerable.Range(0, h.Count).Select(r => (h.ProductKeys[h.ProductIndex[r]], h.HourStart[r], h.Units[r])).OrderBy(x => x.Item2).ThenBy(x => x.Item1, StringComparer.Ordinal)];
}
