using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Tests.Publishing;

public sealed class KafkaEventPublisherTests
{
    [Fact]
    public void Client_properties_pass_through_but_cannot_weaken_delivery()
    {
        var options = new KafkaOptions { BootstrapServers = "broker:9092", DeliveryTimeout = TimeSpan.FromSeconds(12) };
        options.Client["security.protocol"] = "SASL_SSL";
        options.Client["enable.idempotence"] = "false";
        options.Client["acks"] = "1";
        options.Client["bootstrap.servers"] = "elsewhere:1";
        options.Client["compression.type"] = "zstd";
        options.Client["delivery.timeout.ms"] = "500";

        var config = KafkaEventPublisher.BuildProducerConfig(options);
        var set = config.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal("SASL_SSL", set["security.protocol"]);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal("broker:9092", set["bootstrap.servers"]);
        Assert.Equal("zstd", set["compression.type"]); // compression is the user's choice
        Assert.Equal("12000", set["delivery.timeout.ms"]);
        Assert.Equal(5, config.LingerMs);
    }

    [Fact]
    public void Compression_is_off_by_default_and_large_message_limits_raise_the_client_limit()
    {
        var options = new KafkaOptions();
        var config = KafkaEventPublisher.BuildProducerConfig(options);
        Assert.Equal(CompressionType.None, config.CompressionType);
        Assert.True(config.MessageMaxBytes >= options.MaxMessageBytes + 1024, "room for a full value plus key and record overhead");

        options.MaxMessageBytes = 5_000_000;
        Assert.True(KafkaEventPublisher.BuildProducerConfig(options).MessageMaxBytes > 5_000_000);
    }

    [Fact]
    public void Input_topics_with_different_partition_counts_are_refused_by_name()
    {
        Assert.Equal(6, KafkaEventPublisher.RequireSamePartitionCount([("a", 6), ("b", 6), ("c", 6)]));
        var ex = Assert.Throws<InvalidOperationException>(() => KafkaEventPublisher.RequireSamePartitionCount([("price-updates", 6), ("competitor-data", 12), ("user-behavior", 6)]));
        Assert.Contains("'price-updates' has 6, 'competitor-data' has 12, 'user-behavior' has 6", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidOperationException>(() => KafkaEventPublisher.RequireSamePartitionCount([("x", 0), ("y", 0), ("z", 0)]));
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_limit_too_small_for_one_event_is_refused_before_connecting()
    {
        var options = new KafkaOptions { MaxMessageBytes = 4096 };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => KafkaEventPublisher.Create(options, new MarketKeys()));
        Assert.Equal("Kafka:MaxMessageBytes", ex.ParamName);
    }

    /// <summary>
    /// End to end against librdkafka's built-in mock cluster (<c>test.mock.num.brokers=1</c>, started inside the
    /// publisher's producer; it auto-creates the input topics with 4 partitions): a simulated stream is published
    /// and read back with a consumer; every event is there exactly once, on the topic of its kind and the partition
    /// of its product.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task A_simulated_stream_is_read_back_once_each_on_the_right_topic_and_partition(int eventsPerMessage)
    {
        var keys = new MarketKeys();
        // No span bound here (this sparse market has minutes between events of one partition): the test is
        // about packing; the span cut has tests of its own (EnvelopeBuilderTests, EnvelopeSpanTests).
        var options = new KafkaOptions { EventsPerMessage = eventsPerMessage, BatchSize = 500, MaxEnvelopeSpan = TimeSpan.FromDays(7) };
        options.Client["test.mock.num.brokers"] = "1";
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions { ProductCount = 30, CompetitorCount = 3, Duration = TimeSpan.FromHours(12), Seed = 7 },
            keys);
        var source = new RecordingSource(simulator);

        using var publisher = KafkaEventPublisher.Create(options, keys);
        long published = await publisher.PublishAsync(source, cancellationToken: CancellationToken.None);
        publisher.Flush(TimeSpan.FromSeconds(30));

        Assert.Equal(source.Events.Count, published);
        Assert.True(published > 1000, $"only {published} events simulated");
        var counters = publisher.Counters;
        Assert.Equal(published, counters.Events);
        Assert.Equal(0, counters.Failures);
        Assert.Equal(4, publisher.PartitionCount);
        if (eventsPerMessage == 1)
        {
            Assert.Equal(published, counters.Messages);
        }
        else
        {
            Assert.True(counters.Messages < published / 4, $"{counters.Messages} messages for {published} events");
        }

        var received = ReadBack(publisher, options, keys, published, out long messages, out long bytes);
        Assert.Equal(counters.Messages, messages);
        Assert.Equal(counters.Bytes, bytes);

        var expected = source.Events.GroupBy(e => e.ToString()).ToDictionary(g => g.Key, g => g.Count());
        var actual = received.GroupBy(e => e.ToString()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, n) in expected)
        {
            Assert.True(actual.TryGetValue(e, out var m) && m == n, $"{e}: sent {n} times, received {m}");
        }
    }

    /// <summary>librdkafka's own murmur2 partitioner, asked through the mock cluster, puts keys where ours does.</summary>
    [Fact]
    public async Task Librdkafka_murmur2_partitioner_agrees_with_ours()
    {
        var keys = new MarketKeys();
        var options = new KafkaOptions();
        options.Client["test.mock.num.brokers"] = "1";
        using var publisher = KafkaEventPublisher.Create(options, keys);
        var config = new ProducerConfig { BootstrapServers = Bootstrap(publisher), Partitioner = Partitioner.Murmur2Random, LingerMs = 0 };
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        for (int i = 0; i < 50; i++)
        {
            var key = Encoding.UTF8.GetBytes($"SKU-{i}-é");
            var report = await producer.ProduceAsync("partitioner-check", new Message<byte[], byte[]> { Key = key, Value = [1] }, CancellationToken.None);
            Assert.Equal(KafkaPartitioner.Partition(key, 4), report.Partition.Value);
        }
    }

    private static string Bootstrap(KafkaEventPublisher publisher)
    {
        using var admin = new DependentAdminClientBuilder(publisher.Handle).Build();
        return string.Join(',', admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Select(b => $"{b.Host}:{b.Port}"));
    }

    private static List<MarketEvent> ReadBack(KafkaEventPublisher publisher, KafkaOptions options, MarketKeys keys, long expected, out long messages, out long bytes)
    {
        var config = new ConsumerConfig { BootstrapServers = Bootstrap(publisher), GroupId = "publisher-test", EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(options.Topics.Inputs.SelectMany(t => Enumerable.Range(0, publisher.PartitionCount).Select(p => new TopicPartitionOffset(t, p, Offset.Beginning))));
        var decoder = new MarketEventJsonDecoder(keys);
        var received = new List<MarketEvent>();
        messages = 0;
        bytes = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < expected && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            messages++;
            bytes += result.Message.Value.Length;
            var events = PublishingTestData.Decode(decoder, result.Message.Value);
            Assert.Equal(keys.Products.GetName(events[0].ProductId), Encoding.UTF8.GetString(result.Message.Key));
            foreach (var e in events)
            {
                Assert.Equal(InputTopics.NameOf(options.Topics, InputTopics.Of(e.Kind)), result.Topic);
                Assert.Equal(KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(keys.Products.GetName(e.ProductId)), publisher.PartitionCount), result.Partition.Value);
            }

            received.AddRange(events);
        }

        // Nothing more than expected arrives.
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(500)));
        return received;
    }

    /// <summary>Passes a source through and keeps a copy of every event it handed out.</summary>
    private sealed class RecordingSource(IMarketEventSource inner) : IMarketEventSource
    {
        public List<MarketEvent> Events { get; } = [];

        public string Name => inner.Name;

        public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            int n = await inner.ReadAsync(destination, rejections, cancellationToken);
            Events.AddRange(destination.Span[..n].ToArray());
            return n;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
