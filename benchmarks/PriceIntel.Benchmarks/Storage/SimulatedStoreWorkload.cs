using Microsoft.Data.Sqlite;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Benchmarks.Storage;

/// <summary>
/// What the console demo stores, held in memory for the store benchmarks: the simulator's event stream
/// (competitor prices, list prices, demand, inventory and cost events) for <see cref="Products"/> products
/// over <see cref="Hours"/> simulated hours (seed 42, open loop, one-minute ticks, as
/// <c>PriceIntel.Console --products 1000</c>), and the output batches the engine makes of it with default
/// options, copied as the engine handed them to its sinks (same batch boundaries).
/// </summary>
internal sealed class SimulatedStoreWorkload
{
    /// <summary>Simulated products (the demo's <c>--products</c>).</summary>
    public const int Products = 1000;

    /// <summary>Simulated hours.</summary>
    public const int Hours = 4;

    private SimulatedStoreWorkload(MarketKeys keys, MarketEvent[] events, List<OutputBatch> outputs)
    {
        Keys = keys;
        Events = events;
        OutputBatches = outputs;
    }

    /// <summary>The key tables the events and outputs refer to.</summary>
    public MarketKeys Keys { get; }

    /// <summary>The simulator's stream, in order.</summary>
    public MarketEvent[] Events { get; }

    /// <summary>The engine's output batches for <see cref="Events"/> (own copies).</summary>
    public List<OutputBatch> OutputBatches { get; }

    /// <summary>Signals plus decisions in <see cref="OutputBatches"/>.</summary>
    public int OutputCount => OutputBatches.Sum(b => b.Signals.Length + b.Decisions.Length);

    /// <summary>Engine options of every run (the defaults).</summary>
    public static PriceIntelOptions EngineOptions() => new();

    /// <summary>Runs the simulator to its end and the engine over its stream.</summary>
    public static SimulatedStoreWorkload Create()
    {
        var keys = new MarketKeys();
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions
            {
                ProductCount = Products,
                Duration = TimeSpan.FromHours(Hours),
                Seed = 42,
                Feedback = SimulatorFeedbackMode.OpenLoop,
                Tick = TimeSpan.FromMinutes(1),
            },
            keys);
        var events = new List<MarketEvent>();
        var buffer = new MarketEvent[4096];
        var rejections = new IgnoredRejections();
        int n;
        while ((n = simulator.ReadAsync(buffer, rejections, CancellationToken.None).AsTask().GetAwaiter().GetResult()) > 0)
        {
            events.AddRange(buffer.AsSpan(0, n));
        }

        simulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var capture = new CapturingSink();
        var engine = MarketEngine.Create(EngineOptions(), keys, initialProducts: Products);
        MarketPipeline.Create(MarketEventSources.InMemory(events.ToArray()), engine, [capture]).RunAsync().GetAwaiter().GetResult();
        return new SimulatedStoreWorkload(keys, [.. events], capture.Batches);
    }

    /// <summary>Rows a store holds, table by table (read after the store is closed).</summary>
    public static StoredRows Count(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return new StoredRows(
            Scalar(connection, "competitor_prices"),
            Scalar(connection, "our_prices"),
            Scalar(connection, "signals"),
            Scalar(connection, "decisions"),
            Scalar(connection, "demand_events"));

        static long Scalar(SqliteConnection connection, string table)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM {table}";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>Opens a fresh store in a new temporary directory.</summary>
    public static (IMarketStore Store, string Directory, string Path) OpenFresh()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "priceintel-bench-" + Guid.NewGuid().ToString("N"));
        var path = System.IO.Path.Combine(directory, "bench.db");
        return (SqliteMarketStore.Open(new SqliteStoreOptions { Path = path }), directory, path);
    }

    /// <summary>Rows stored per table: each is one input (an observation, a price point, an output, a demand event) stored.</summary>
    public readonly record struct StoredRows(long CompetitorPrices, long OurPrices, long Signals, long Decisions, long DemandEvents)
    {
        public long Total => CompetitorPrices + OurPrices + Signals + Decisions + DemandEvents;

        public long Outputs => Signals + Decisions;
    }

    private sealed class IgnoredRejections : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
        }
    }

    /// <summary>Keeps a copy of every output batch (the engine reuses its buffers).</summary>
    private sealed class CapturingSink : IMarketOutputSink
    {
        public List<OutputBatch> Batches { get; } = [];

        public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
        {
            if (!batch.IsEmpty)
            {
                Batches.Add(new OutputBatch(batch.Signals.ToArray(), batch.Decisions.ToArray(), batch.Keys));
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
