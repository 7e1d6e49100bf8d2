using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Testing;
using PriceIntel.Kafka.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests;

/// <summary>
/// How librdkafka's mock cluster and the Confluent.Kafka clients behave under faults and load: the facts
/// the Kafka adapter is designed against. Timings are printed, never asserted.
/// </summary>
public sealed class KafkaMockClusterBehaviourTests(ITestOutputHelper output)
{
    public static TheoryData<ErrorCode> CommitErrors() =>
    [
        ErrorCode.NotCoordinatorForGroup,
        ErrorCode.RequestTimedOut,
        ErrorCode.GroupLoadInProgress,
        ErrorCode.UnknownMemberId,
        ErrorCode.IllegalGeneration,
        ErrorCode.RebalanceInProgress,
    ];

    [Theory]
    [MemberData(nameof(CommitErrors))]
    public async Task Sync_commit_when_the_offset_commit_request_fails_once(ErrorCode error)
    {
        using var mock = new MockClusterFixture(output);
        var topic = mock.CreateTopic(1);
        await ProduceAsync(mock, topic, 10);

        using var consumer = mock.BuildConsumer<Ignore, string>(mock.ConsumerConfig("g-" + topic));
        consumer.Subscribe(topic);
        var consumed = ConsumeUntil(consumer, 10);
        consumer.StoreOffset(consumed[^1]);

        mock.Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, error);
        var sw = Stopwatch.StartNew();
        Exception? thrown = null;
        try
        {
            await Task.Run(() => consumer.Commit()).WaitAsync(MockClusterFixture.Patience);
        }
        catch (KafkaException ex)
        {
            thrown = ex;
        }

        output.WriteLine($"{error}: Commit() {(thrown is null ? "succeeded" : $"threw {thrown.GetType().Name} {((KafkaException)thrown).Error.Code}")} after {sw.ElapsedMilliseconds} ms");
        var committed = consumer.Committed(MockClusterFixture.Patience).Single();
        output.WriteLine($"committed offset read back: {committed.Offset}");

        if (thrown is null)
        {
            Assert.Equal(10, committed.Offset.Value);
        }
        else if (((KafkaException)thrown).Error.Code == ErrorCode.RebalanceInProgress)
        {
            // The member keeps its assignment and its stored offsets: committing again works.
            Assert.Equal(error, ((KafkaException)thrown).Error.Code);
            Assert.Equal(Offset.Unset, committed.Offset);
            consumer.Commit();
            Assert.Equal(10, consumer.Committed(MockClusterFixture.Patience).Single().Offset.Value);
        }
        else
        {
            // The member lost its assignment with the failed commit: it rejoins, its stored offsets are
            // gone, and the uncommitted messages come again (at-least-once). The retried errors
            // (NotCoordinatorForGroup, …) normally succeed on retry; on a loaded machine the retry can find
            // the member already fenced, and then it ends like UnknownMemberId.
            Assert.Contains(((KafkaException)thrown).Error.Code, new[] { error, ErrorCode.UnknownMemberId, ErrorCode.IllegalGeneration });
            Assert.Equal(Offset.Unset, committed.Offset);
            sw.Restart();
            var again = ConsumeUntil(consumer, 10);
            output.WriteLine($"after rejoining ({sw.ElapsedMilliseconds} ms) the consumer read offsets {again[0].Offset}..{again[^1].Offset} again");
            Assert.Equal(0, again[0].Offset.Value);
            consumer.StoreOffset(again[^1]);
            consumer.Commit();
            Assert.Equal(10, consumer.Committed(MockClusterFixture.Patience).Single().Offset.Value);
        }

        // The injected error's own outcome, unless the session ran out while the client retried and the
        // member was fenced instead (the case asserted above): then that outcome was never reached.
        bool fencedMeanwhile = thrown is KafkaException { Error.Code: ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration } k && k.Error.Code != error;
        if (!fencedMeanwhile)
        {
            Assert.Equal(ExpectedCommitOutcome(error), thrown is null ? "succeeded" : "threw");
        }

        consumer.Close();
    }

    private static string ExpectedCommitOutcome(ErrorCode error) => error switch
    {
        ErrorCode.RequestTimedOut or ErrorCode.NotCoordinatorForGroup or ErrorCode.GroupLoadInProgress => "succeeded",
        _ => "threw",
    };

    [Fact]
    public async Task Idempotent_producer_behind_a_broker_slower_than_its_request_timeout()
    {
        using var mock = new MockClusterFixture(output, brokers: 1);
        var topic = mock.CreateTopic(1);
        var config = mock.ProducerConfig();
        config.SocketTimeoutMs = 1_000; // the client-side request timeout; request.timeout.ms is the broker's ack timeout
        config.MessageTimeoutMs = 60_000;
        using var producer = mock.BuildProducer<Null, string>(config);
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = "warm-up" }).WaitAsync(MockClusterFixture.Patience);

        mock.Cluster.SetBrokerRtt(1, TimeSpan.FromMilliseconds(3_000));
        var sw = Stopwatch.StartNew();
        const int Count = 20;
        var sends = Enumerable.Range(0, Count).Select(i => producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}" })).ToArray();

        // Wait until the producer reports a timed-out request, then make the broker fast again.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!mock.Logs.Any(l => l.Contains("Timed out", StringComparison.OrdinalIgnoreCase)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        output.WriteLine($"first request timeout logged after {sw.ElapsedMilliseconds} ms");
        mock.Cluster.SetBrokerRtt(1, TimeSpan.Zero);
        var results = await Task.WhenAll(sends).WaitAsync(MockClusterFixture.Patience);
        output.WriteLine($"all {Count} delivered after {sw.ElapsedMilliseconds} ms");
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));

        var stored = ReadAll(mock, topic, 1, Count + 1);
        var copies = stored.Where(v => v != "warm-up").GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"stored {stored.Count - 1} records for {Count} messages; duplicated: {copies.Count(c => c.Value > 1)}; max copies {copies.Values.Max()}");
        Assert.Equal(Count, copies.Count); // every message delivered at least once
        Assert.True(mock.Logs.Any(l => l.Contains("Timed out", StringComparison.OrdinalIgnoreCase)), "the RTT never exceeded the request timeout");
    }

    [Fact]
    public async Task Bare_consumption_throughput_and_group_facts()
    {
        using var mock = new MockClusterFixture(output);
        const int Partitions = 6, Count = 200_000;
        var topic = mock.CreateTopic(Partitions);

        var fast = new ProducerConfig
        {
            BootstrapServers = mock.Cluster.BootstrapServers,
            LingerMs = 20,
            BatchSize = 1 << 20,
            QueueBufferingMaxMessages = Count,
            CompressionType = CompressionType.None,
        };
        var sw = Stopwatch.StartNew();
        using (var producer = mock.BuildProducer<byte[], byte[]>(fast))
        {
            for (var i = 0; i < Count; i++)
            {
                var value = Encoding.UTF8.GetBytes($"{{\"sku\":\"sku-{i % 5000:D5}\",\"competitor\":\"c{i % 7}\",\"price\":{100 + (i % 977)}.99,\"ts\":{1_700_000_000_000L + i}}}");
                producer.Produce(topic, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"sku-{i % 5000:D5}"), Value = value });
            }

            Assert.Equal(0, producer.Flush(MockClusterFixture.Patience));
        }

        output.WriteLine($"produce: {Count} msgs in {sw.ElapsedMilliseconds} ms = {Count / sw.Elapsed.TotalSeconds:N0} msg/s");

        var config = mock.ConsumerConfig("bench");
        config.EnablePartitionEof = true;
        using var consumer = mock.BuildConsumer<Ignore, byte[]>(config);
        sw.Restart();
        consumer.Subscribe(topic);
        var count = 0;
        long bytes = 0;
        var eofPartitions = new HashSet<int>();
        Stopwatch? sinceFirst = null;
        var joined = TimeSpan.Zero;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((count < Count || eofPartitions.Count < Partitions) && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is null)
            {
                continue;
            }

            if (r.IsPartitionEOF)
            {
                eofPartitions.Add(r.Partition.Value);
                continue;
            }

            if (sinceFirst is null)
            {
                joined = sw.Elapsed;
                sinceFirst = Stopwatch.StartNew();
            }

            count++;
            bytes += r.Message.Value.Length;
        }

        var reading = sinceFirst?.Elapsed ?? TimeSpan.Zero;
        output.WriteLine($"group join (initial rebalance delay 0) until first message: {joined.TotalMilliseconds:N0} ms");
        output.WriteLine($"consume: {count} msgs, avg {bytes / Math.Max(count, 1)} B value, in {reading.TotalMilliseconds:N0} ms after the first = {count / reading.TotalSeconds:N0} msg/s");
        output.WriteLine($"EOF events for partitions: {string.Join(",", eofPartitions.Order())}");
        Assert.Equal(Count, count);
        Assert.Equal(Partitions, eofPartitions.Count);
        consumer.Close();
    }

    [Theory]
    [InlineData(true, 6000)]
    [InlineData(false, 6000)]
    [InlineData(true, 2000)]
    public void Group_join_time_with_and_without_initial_rebalance_delay(bool zeroDelay, int sessionTimeoutMs)
    {
        using var mock = new MockClusterFixture(output, fastGroupJoin: zeroDelay);
        var topic = mock.CreateTopic(6);
        var config = mock.ConsumerConfig("g");
        config.SessionTimeoutMs = sessionTimeoutMs;
        output.WriteLine($"session.timeout.ms={sessionTimeoutMs}");
        using var first = mock.BuildConsumer<Ignore, string>(config);
        var sw = Stopwatch.StartNew();
        first.Subscribe(topic);
        MockClusterFixture.WaitForAssignment(first, 6);
        output.WriteLine($"initial rebalance delay {(zeroDelay ? "0" : "default")}: first member assigned 6 partitions after {sw.ElapsedMilliseconds} ms");

        using var second = mock.BuildConsumer<Ignore, string>(config);
        sw.Restart();
        second.Subscribe(topic);
        var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
        while ((first.Assignment.Count != 3 || second.Assignment.Count != 3) && DateTime.UtcNow < deadline)
        {
            first.Consume(TimeSpan.FromMilliseconds(50));
            second.Consume(TimeSpan.FromMilliseconds(50));
        }

        output.WriteLine($"second member joined, 3+3 assignment after {sw.ElapsedMilliseconds} ms");
        Assert.Equal(3, first.Assignment.Count);
        Assert.Equal(3, second.Assignment.Count);

        sw.Restart();
        second.Close();
        while (first.Assignment.Count != 6 && DateTime.UtcNow < deadline)
        {
            first.Consume(TimeSpan.FromMilliseconds(50));
        }

        output.WriteLine($"second member closed, first back to 6 partitions after {sw.ElapsedMilliseconds} ms");
        Assert.Equal(6, first.Assignment.Count);
        first.Close();
    }

    [Fact]
    public async Task Topics_are_auto_created_on_produce_and_on_subscribe()
    {
        using var mock = new MockClusterFixture(output);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = mock.Cluster.BootstrapServers }).Build();

        var produced = mock.NewTopicName("auto-produce");
        var delivery = await ProduceAsync(mock, produced, 1);
        var meta = admin.GetMetadata(produced, MockClusterFixture.Patience).Topics.Single();
        output.WriteLine($"produce to unknown topic: {delivery}; metadata error {meta.Error.Code}, {meta.Partitions.Count} partitions");

        var subscribed = mock.NewTopicName("auto-subscribe");
        var config = mock.ConsumerConfig("g-auto");
        config.AllowAutoCreateTopics = true;
        using var consumer = mock.BuildConsumer<Ignore, string>(config);
        consumer.Subscribe(subscribed);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var errors = new List<ErrorCode>();
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
        {
            try
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException ex)
            {
                errors.Add(ex.Error.Code);
            }
        }

        output.WriteLine($"subscribe (allow.auto.create.topics=true) to unknown topic: assignment {consumer.Assignment.Count} partitions, consume errors [{string.Join(",", errors)}]");
        Assert.Equal(PersistenceStatus.Persisted, delivery);
        Assert.Equal(ErrorCode.NoError, meta.Error.Code);
        Assert.Equal(4, meta.Partitions.Count); // the mock's default partition count for auto-created topics

        // A subscriber does not auto-create on the mock, even with allow.auto.create.topics=true: it is
        // told the topic is unknown and gets no assignment. Create topics up front in tests.
        Assert.Empty(consumer.Assignment);
        Assert.Contains(ErrorCode.UnknownTopicOrPart, errors);
        consumer.Close();
    }

    [Fact]
    public void Consumer_whose_group_coordinator_is_down_gets_no_assignment_until_it_is_up()
    {
        using var mock = new MockClusterFixture(output);
        var topic = mock.CreateTopic(3);
        mock.Cluster.SetGroupCoordinator("g-down", 2);
        mock.Cluster.SetBrokerDown(2);

        using var consumer = mock.BuildConsumer<Ignore, string>(mock.ConsumerConfig("g-down"));
        consumer.Subscribe(topic);
        var errors = new List<string>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            try
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException ex)
            {
                errors.Add(ex.Error.Code.ToString());
            }
        }

        output.WriteLine($"5 s with coordinator down: assignment {consumer.Assignment.Count}, consume errors [{string.Join(",", errors.Distinct())}]");
        Assert.Empty(consumer.Assignment);

        var sw = Stopwatch.StartNew();
        mock.Cluster.SetBrokerUp(2);
        MockClusterFixture.WaitForAssignment(consumer, 3);
        output.WriteLine($"coordinator up: assigned after {sw.ElapsedMilliseconds} ms");
        consumer.Close();
    }

    private static async Task<PersistenceStatus> ProduceAsync(MockClusterFixture mock, string topic, int count)
    {
        using var producer = mock.BuildProducer<Null, string>(mock.ProducerConfig());
        var sends = Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}" })).ToArray();
        var results = await Task.WhenAll(sends).WaitAsync(MockClusterFixture.Patience);
        return results.Select(r => r.Status).Min();
    }

    private static List<ConsumeResult<Ignore, string>> ConsumeUntil(IConsumer<Ignore, string> consumer, int count)
    {
        var list = new List<ConsumeResult<Ignore, string>>();
        var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
        while (list.Count < count && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false })
            {
                list.Add(r);
            }
        }

        Assert.Equal(count, list.Count);
        return list;
    }

    private static List<string> ReadAll(MockClusterFixture mock, string topic, int partitions, int atLeast)
    {
        using var consumer = mock.BuildConsumer<Ignore, string>(mock.ConsumerConfig("read-" + Guid.NewGuid().ToString("N")));
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<string>();
        var quietSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
        while (DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false })
            {
                values.Add(r.Message.Value);
                quietSince = DateTime.UtcNow;
            }
            else if (values.Count >= atLeast && DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                break;
            }
        }

        return values;
    }
}
