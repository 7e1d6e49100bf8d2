using System.Net;
using System.Text.Json;
using PriceIntel.Kafka;
using PriceIntel.Kafka.Testing;

namespace PriceIntel.WebApi.Tests;

/// <summary>
/// The host's Kafka mode end to end on librdkafka's mock cluster: the API runs no engine; ingest goes to the
/// input topics, a <see cref="KafkaMarketProcessor"/> (in the test, as its own process would) runs the engine,
/// and the API consumes the output topics into its SQLite store and onto the live feed.
/// </summary>
public sealed class KafkaModeTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int Patience = 90;
    private static int s_groups;
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Create(brokers: 1);
    private readonly string _group = $"webapi-test-{Interlocked.Increment(ref s_groups)}-{Environment.ProcessId}";
    private readonly CancellationTokenSource _stop = new();
    private ApiHost? _host;
    private KafkaMarketProcessor _processor = null!;
    private Task _processing = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        var topics = new KafkaTopicOptions();
        foreach (var topic in topics.Inputs)
        {
            _cluster.CreateTopic(topic, 2);
        }

        _cluster.CreateTopic(topics.MarketSignals, 2);
        _cluster.CreateTopic(topics.PricingDecisions, 2);
        _cluster.CreateTopic(topics.DeadLetter, 1);
        _cluster.CreateTopic(topics.State, 2);

        var kafka = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = _group,
            BatchSize = 512,
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SnapshotInterval = TimeSpan.FromSeconds(5),
        };
        kafka.Client["session.timeout.ms"] = "6000";
        kafka.Client["heartbeat.interval.ms"] = "500";
        var engine = new PriceIntelOptions();
        engine.Windows.AllowedLatenessSeconds = 86400;
        _processor = KafkaMarketProcessor.Create(engine, kafka);
        _processing = _processor.RunAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _processing.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _processor.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _cluster.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Ingest_goes_through_the_kafka_processor_and_its_outputs_reach_the_sqlite_store_the_feed_and_health()
    {
        _host = await StartHostAsync();
        await RunEndToEndAsync();
    }

    [Fact]
    public async Task Ingest_goes_through_the_kafka_processor_into_mongodb_when_PRICEINTEL_MONGO_URI_is_set()
    {
        if (Environment.GetEnvironmentVariable("PRICEINTEL_MONGO_URI") is not { Length: > 0 } uri)
        {
            output.WriteLine("SKIPPED: the MongoDB run needs PRICEINTEL_MONGO_URI (no MongoDB server here); the SQLite run covers the Kafka mode.");
            return;
        }

        _host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["database:mongodb:uri"] = uri,
            ["database:mongodb:database"] = "priceintel_webapi_" + Guid.NewGuid().ToString("N")[..12],
        });
        Assert.Equal("MongoMarketStore", _host.Get<IMarketStore>().GetType().Name);
        await RunEndToEndAsync();
    }

    private async Task<ApiHost> StartHostAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["Kafka:GroupId"] = _group,
            ["Kafka:Client:session.timeout.ms"] = "6000",
            ["Kafka:Client:heartbeat.interval.ms"] = "500",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return await ApiHost.StartAsync(settings);
    }

    private async Task RunEndToEndAsync()
    {
        await using var feed = await FeedReader.OpenAsync(_host!.Client(ApiHost.ViewerKey), "/api/feed?product=SKU-KAFKA-1");
        Assert.Equal(200, feed.StatusCode);

        using var ingest = _host!.Client(ApiHost.IngestKey);
        using (var response = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(Market.CompetitorDrop("SKU-KAFKA-1", "acme", Market.Now - (45 * Market.Minute)))))
        {
            // wait=true in this mode: answered once the brokers acknowledged the events.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(42, (await response.ReadJsonAsync()).GetProperty("accepted").GetInt64());
        }

        using var viewer = _host!.Client(ApiHost.ViewerKey);
        var signal = (JsonElement)await Market.EventuallyAsync(
            async () =>
            {
                var page = await viewer.GetJsonAsync("/api/signals?product=SKU-KAFKA-1&kind=competitor_price_drop");
                return page.GetProperty("items").GetArrayLength() > 0 ? (object)page.GetProperty("items")[0] : null;
            },
            "the competitor price drop signal in the store",
            Patience);
        Assert.Equal("acme", signal.GetProperty("competitor").GetString());
        Assert.Equal(80, signal.GetProperty("observed").GetDouble(), 3);

        var decision = (JsonElement)await Market.EventuallyAsync(
            async () =>
            {
                var page = await viewer.GetJsonAsync("/api/decisions?product=SKU-KAFKA-1&trigger=competitor_price_drop");
                return page.GetProperty("items").GetArrayLength() > 0 ? (object)page.GetProperty("items")[0] : null;
            },
            "the decision in the store",
            Patience);
        Assert.True(decision.GetProperty("newPrice").GetDecimal() < decision.GetProperty("oldPrice").GetDecimal());
        Assert.Contains("max_change", decision.GetProperty("why").GetProperty("bounded").EnumerateArray().Select(b => b.GetString()));

        // The processor, not the API, ran the engine.
        Assert.Equal(42, _processor.Counters.Events);

        await feed.WaitForAsync("signal", d => d.GetProperty("id").GetString() == signal.GetProperty("id").GetString());
        await feed.WaitForAsync("decision", d => d.GetProperty("id").GetString() == decision.GetProperty("id").GetString());

        // Health: the kafka entry reports the processors' and the API's lag, and caught up once both are drained.
        var kafka = await Market.EventuallyAsync(
            async () =>
            {
                using var anonymous = _host!.Client();
                var health = await anonymous.GetJsonAsync("/health");
                var entry = health.GetProperty("checks").GetProperty("kafka");
                return entry.GetProperty("data").GetProperty("caughtUp").GetBoolean() ? (object)entry : null;
            },
            "caught up in /health",
            Patience);
        var data = ((JsonElement)kafka).GetProperty("data");
        Assert.Equal(0, data.GetProperty("inputLag").GetInt64());
        Assert.Equal(0, data.GetProperty("outputLag").GetInt64());
        Assert.Equal(2, data.GetProperty("inputPartitions").GetInt32());
        Assert.Equal(42, data.GetProperty("ingestEventsPublished").GetInt64());
        Assert.True(data.GetProperty("outputsConsumed").GetInt64() >= 2);

        // The engine's live state is in the processors: boards and experiments say so.
        using var board = await viewer.GetAsync("/api/products/SKU-KAFKA-1/board");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, board.StatusCode);
        Assert.Contains("Kafka processors", (await board.ReadJsonAsync()).GetProperty("detail").GetString());
        using var experiments = await viewer.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, experiments.StatusCode);
    }

    [Fact]
    public async Task Every_replica_of_the_api_shows_every_output_on_its_live_feed()
    {
        // Two replicas share the store-writing consumer group (one partition each), but each must show every output live.
        _host = await StartHostAsync();
        await using var second = await StartHostAsync();
        foreach (var host in new[] { _host, second })
        {
            await Market.EventuallyAsync(
                async () =>
                {
                    using var anonymous = host.Client();
                    var health = await anonymous.GetJsonAsync("/health");
                    return health.GetProperty("checks").GetProperty("kafka").GetProperty("data").GetProperty("feedReady").GetBoolean() ? (object)true : null;
                },
                "the live feed reading every output partition",
                Patience);
        }

        await using var first = await FeedReader.OpenAsync(_host.Client(ApiHost.ViewerKey), "/api/feed?product=SKU-KAFKA-3");
        await using var other = await FeedReader.OpenAsync(second.Client(ApiHost.ViewerKey), "/api/feed?product=SKU-KAFKA-3");
        using var ingest = _host.Client(ApiHost.IngestKey);
        using (var response = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(Market.CompetitorDrop("SKU-KAFKA-3", "acme", Market.Now - (45 * Market.Minute)))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var shown = await first.WaitForAsync("signal", d => d.GetProperty("product").GetString() == "SKU-KAFKA-3");
        var shownToo = await other.WaitForAsync("signal", d => d.GetProperty("product").GetString() == "SKU-KAFKA-3");
        Assert.Equal(shown.GetProperty("id").GetString(), shownToo.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_manual_price_is_produced_to_the_price_updates_topic_and_processed()
    {
        _host = await StartHostAsync();
        using var manager = _host!.Client(ApiHost.ManagerKey);
        using (var created = await manager.PostAsync("/api/products", Market.Json("""{"sku":"SKU-KAFKA-2","name":"Kettle","category":"kitchen","currency":"USD","unitCost":20,"currentPrice":40}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var priced = await manager.PutJsonAsync("/api/products/SKU-KAFKA-2/price", new { price = 38.5m, reason = "clearance" }))
        {
            Assert.Equal(HttpStatusCode.OK, priced.StatusCode);
            Assert.Equal("manual", (await priced.ReadJsonAsync()).GetProperty("why").GetProperty("trigger").GetString());
        }

        // Cost and list price from the catalog, then the manual price: three events through the topics into the processor.
        await Market.EventuallyAsync(() => Task.FromResult(_processor.Counters.Events >= 3 ? (object)true : null), "the processor to read the price updates", Patience);
        Assert.Equal(3, _processor.Counters.Events);
    }
}
