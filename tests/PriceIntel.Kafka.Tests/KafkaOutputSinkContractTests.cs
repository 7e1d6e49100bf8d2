using System.Text;
using Confluent.Kafka;
using PriceIntel.Engine.Tests.Serialization;
using PriceIntel.Kafka.Tests.Infrastructure;

namespace PriceIntel.Kafka.Tests;

/// <summary>The Kafka sink against the contract every <see cref="IMarketOutputSink"/> meets, on the mock cluster.</summary>
public sealed class KafkaOutputSinkContractTests : OutputSinkContractTests, IDisposable
{
    private readonly MockClusterFixture _mock = new();
    private readonly KafkaOptions _options;

    public KafkaOutputSinkContractTests()
    {
        _options = new KafkaOptions { BootstrapServers = _mock.Cluster.BootstrapServers, DeliveryTimeout = TimeSpan.FromSeconds(10) };

        // One partition each: the contract reads outputs back in the order written, which Kafka keeps per partition.
        _mock.Cluster.CreateTopic(_options.Topics.MarketSignals, 1);
        _mock.Cluster.CreateTopic(_options.Topics.PricingDecisions, 1);
    }

    [Fact]
    public async Task Undeliverable_outputs_make_the_flush_throw_naming_the_topic()
    {
        var keys = new MarketKeys();
        var options = new KafkaOptions { BootstrapServers = _mock.Cluster.BootstrapServers, DeliveryTimeout = TimeSpan.FromMilliseconds(500) };
        await using var sink = KafkaOutputSinks.Create(options);
        _mock.Cluster.SetAllBrokersDown();
        var signal = new MarketSignal(7, SignalKind.LowInventory, SignalSeverity.Warning, keys.Products.Intern("SKU-1"), -1, 3, 10, 10, 0.7, 1_000);
        await sink.WriteAsync(new OutputBatch(new[] { signal }, default, keys), CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.FlushAsync(CancellationToken.None));
        Assert.Contains("market-signals", error.Message, StringComparison.Ordinal);
        _mock.Cluster.SetAllBrokersUp();
    }

    /// <summary>Re-implements IDisposable so the cluster goes with the test (the base class's Dispose is not virtual).</summary>
    public new void Dispose()
    {
        _mock.Dispose();
        base.Dispose();
    }

    protected override Task<IMarketOutputSink> CreateSinkAsync() => Task.FromResult(KafkaOutputSinks.Create(_options));

    protected override Task<(IReadOnlyList<StoredSignal> Signals, IReadOnlyList<StoredDecision> Decisions)> ReadBackAsync(IMarketOutputSink sink)
    {
        var lines = new List<string>();
        foreach (var topic in new[] { _options.Topics.MarketSignals, _options.Topics.PricingDecisions })
        {
            var config = _mock.ConsumerConfig($"read-{Guid.NewGuid():N}");
            using var consumer = _mock.BuildConsumer<byte[]?, byte[]>(config);
            var tp = new TopicPartition(topic, new Partition(0));
            var marks = consumer.QueryWatermarkOffsets(tp, MockClusterFixture.Patience);
            if (marks.High.Value == marks.Low.Value)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(tp, marks.Low));
            var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, $"reading {topic} timed out");
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r is null || r.IsPartitionEOF)
                {
                    continue;
                }

                string json = Encoding.UTF8.GetString(r.Message.Value);
                Assert.Contains(Encoding.ASCII.GetString(r.Message.Headers.GetLastBytes("priceintel-id")), json, StringComparison.Ordinal);
                lines.Add(json);
                if (r.Offset.Value >= marks.High.Value - 1)
                {
                    break;
                }
            }
        }

        return Task.FromResult(ParseLines(lines));
    }
}
