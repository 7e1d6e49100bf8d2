using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Testing;
using PriceIntel.Kafka.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests;

public sealed class KafkaMockClusterTests(ITestOutputHelper output)
{
    [Fact]
    public void Binds_to_the_librdkafka_file_Confluent_loaded()
    {
        using var mock = new MockClusterFixture(output, brokers: 2);
        output.WriteLine($"librdkafka {Library.VersionString}, mock API bound to {LibrdkafkaNative.LoadedPath}");

        Assert.True(Library.IsLoaded);
        if (File.Exists("/proc/self/maps"))
        {
            var mapped = File.ReadLines("/proc/self/maps")
                .Select(l => l.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? l[i..] : "")
                .Where(p => Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
                .Distinct()
                .ToList();
            Assert.Single(mapped);
            Assert.Equal(mapped[0], LibrdkafkaNative.LoadedPath);
        }

        Assert.Equal(2, mock.Cluster.Brokers);
        Assert.Equal(2, mock.Cluster.BootstrapServers.Split(',').Length);
    }

    [Fact]
    public void Finds_librdkafka_in_maps_lines()
    {
        string[] lines =
        [
            "7f00-7f01 r--p 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f02-7f03 r--p 00000000 08:01 124 /old/librdkafka.so (deleted)",
            "7f04-7f05 r-xp 00000000 08:01 125 /home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/centos8-librdkafka.so",
            "7f06-7f07 rw-p 00000000 00:00 0 [heap]",
        ];

        Assert.Equal(
            "/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/centos8-librdkafka.so",
            LibrdkafkaNative.FindMappedLibrdkafka(lines));
        Assert.Null(LibrdkafkaNative.FindMappedLibrdkafka(["7f06-7f07 rw-p 00000000 00:00 0 [stack]"]));
    }

    [Fact]
    public void Api_checks_arguments_and_reports_mock_errors_by_name()
    {
        using var mock = new MockClusterFixture(output, brokers: 3);
        var cluster = mock.Cluster;
        cluster.CreateTopic("prices", 2);

        var again = Assert.Throws<KafkaException>(() => cluster.CreateTopic("prices", 2));
        output.WriteLine(again.Message);
        Assert.Equal(ErrorCode.TopicAlreadyExists, again.Error.Code);
        Assert.Contains("'prices'", again.Message, StringComparison.Ordinal);
        Assert.Contains("TopicAlreadyExists", again.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("x", 1, replicationFactor: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerRtt(1, TimeSpan.FromMilliseconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaMockCluster.Create(0));

        cluster.SetBrokerDown(3);
        cluster.SetBrokerUp(3);
        cluster.SetAllBrokersDown();
        cluster.SetAllBrokersUp();
        cluster.SetBrokerRtt(2, TimeSpan.FromMilliseconds(10));
        cluster.SetGroupCoordinator("g", 2);
        cluster.SetTransactionCoordinator("tx", 1);
        cluster.SetPartitionLeader("prices", 1, 3);
        cluster.SetTopicError("prices", ErrorCode.NoError);
        cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotLeaderForPartition);
        cluster.ClearRequestErrors(KafkaApiKey.Produce);

        cluster.Dispose();
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1));
        Assert.Throws<ObjectDisposedException>(() => cluster.SetAllBrokersDown());
    }

    [Fact]
    public void Ten_thousand_keyed_messages_arrive_once_in_partition_order_and_commits_read_back()
    {
        using var mock = new MockClusterFixture(output);
        const int Partitions = 6, Keys = 50, Count = 10_000;
        var topic = mock.CreateTopic(Partitions);

        // Value = per-key sequence number; per-key order within a partition is what Kafka promises.
        var deliveryErrors = 0;
        using (var producer = mock.BuildProducer<string, string>(mock.ProducerConfig()))
        {
            for (var i = 0; i < Count; i++)
            {
                var key = $"sku-{i % Keys}";
                producer.Produce(topic, new Message<string, string> { Key = key, Value = (i / Keys).ToString(System.Globalization.CultureInfo.InvariantCulture) }, r =>
                {
                    if (r.Error.IsError)
                    {
                        Interlocked.Increment(ref deliveryErrors);
                    }
                });
            }

            Assert.Equal(0, producer.Flush(MockClusterFixture.Patience));
        }

        Assert.Equal(0, deliveryErrors);

        var group = "g-" + topic;
        var seen = new HashSet<(string Key, int Seq)>();
        var lastSeqPerKey = new Dictionary<string, int>();
        var lastOffsetPerPartition = new Dictionary<int, long>();
        var partitionOfKey = new Dictionary<string, int>();
        using (var consumer = mock.BuildConsumer<string, string>(mock.ConsumerConfig(group)))
        {
            consumer.Subscribe(topic);
            var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
            while (seen.Count < Count && DateTime.UtcNow < deadline)
            {
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r is null || r.IsPartitionEOF)
                {
                    continue;
                }

                var seq = int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(seen.Add((r.Message.Key, seq)), $"duplicate {r.Message.Key}#{seq}");
                Assert.True(!lastSeqPerKey.TryGetValue(r.Message.Key, out var prev) || prev == seq - 1, $"{r.Message.Key}: {prev} then {seq}");
                lastSeqPerKey[r.Message.Key] = seq;
                Assert.True(!lastOffsetPerPartition.TryGetValue(r.Partition.Value, out var prevOffset) || prevOffset < r.Offset.Value);
                lastOffsetPerPartition[r.Partition.Value] = r.Offset.Value;
                Assert.Equal(partitionOfKey.TryAdd(r.Message.Key, r.Partition.Value) ? r.Partition.Value : partitionOfKey[r.Message.Key], r.Partition.Value);
                consumer.StoreOffset(r);
            }

            Assert.Equal(Count, seen.Count);
            Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } extra ? extra : null);
            consumer.Commit();
            consumer.Close();
        }

        Assert.Equal(Partitions, lastOffsetPerPartition.Count); // 50 keys spread over all 6 partitions

        using var second = mock.BuildConsumer<string, string>(mock.ConsumerConfig(group));
        second.Subscribe(topic);
        var consumedAfterRejoin = MockClusterFixture.WaitForAssignment(second, Partitions);
        var committed = second.Committed(second.Assignment, MockClusterFixture.Patience);
        output.WriteLine("committed: " + string.Join(", ", committed.OrderBy(c => c.Partition.Value).Select(c => $"{c.Partition.Value}@{c.Offset.Value}")));
        Assert.Equal(Partitions, committed.Count);
        foreach (var c in committed)
        {
            Assert.Equal(lastOffsetPerPartition[c.Partition.Value] + 1, c.Offset.Value);
        }

        Assert.Equal(Count, committed.Sum(c => c.Offset.Value));
        Assert.Empty(consumedAfterRejoin);
        Assert.True(second.Consume(TimeSpan.FromSeconds(1)) is null or { IsPartitionEOF: true });
        second.Close();
    }

    [Fact]
    public async Task Produce_requests_failing_with_not_leader_are_retried_and_delivered()
    {
        using var mock = new MockClusterFixture(output);
        var topic = mock.CreateTopic(1);

        // The injection itself works: a non-retriable error reaches the delivery report.
        var plain = mock.ProducerConfig();
        plain.EnableIdempotence = false;
        plain.Acks = Acks.Leader;
        using (var producer = mock.BuildProducer<Null, string>(plain))
        {
            mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);
            var pe = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync(topic, new Message<Null, string> { Value = "refused" }).WaitAsync(MockClusterFixture.Patience));
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, pe.Error.Code);
        }

        var sw = Stopwatch.StartNew();
        using (var producer = mock.BuildProducer<Null, string>(mock.ProducerConfig()))
        {
            mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotLeaderForPartition, ErrorCode.NotLeaderForPartition, ErrorCode.NotLeaderForPartition);
            var sends = Enumerable.Range(0, 100).Select(i => producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}" })).ToArray();
            var results = await Task.WhenAll(sends).WaitAsync(MockClusterFixture.Patience);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        }

        output.WriteLine($"100 messages through 3 NotLeaderForPartition answers in {sw.ElapsedMilliseconds} ms");
        Assert.Equal(100, CountMessages(mock, topic, 1, expected: 100));
    }

    [Fact]
    public async Task With_all_brokers_down_deliveries_time_out_and_succeed_again_once_brokers_are_up()
    {
        using var mock = new MockClusterFixture(output);
        var topic = mock.CreateTopic(3);
        var config = mock.ProducerConfig();
        config.MessageTimeoutMs = 2_000;
        using var producer = mock.BuildProducer<Null, string>(config);
        Assert.Equal(PersistenceStatus.Persisted, (await producer.ProduceAsync(topic, new Message<Null, string> { Value = "warm-up" }).WaitAsync(MockClusterFixture.Patience)).Status);

        mock.Cluster.SetAllBrokersDown();
        var sw = Stopwatch.StartNew();
        var reports = new List<DeliveryReport<Null, string>>();
        for (var i = 0; i < 5; i++)
        {
            producer.Produce(topic, new Message<Null, string> { Value = $"lost-{i}" }, r =>
            {
                lock (reports)
                {
                    reports.Add(r);
                }
            });
        }

        Assert.Equal(0, producer.Flush(MockClusterFixture.Patience));
        output.WriteLine($"5 reports after {sw.ElapsedMilliseconds} ms: {string.Join(", ", reports.Select(r => r.Error.Code))}");
        Assert.Equal(5, reports.Count);
        Assert.All(reports, r => Assert.Equal(ErrorCode.Local_MsgTimedOut, r.Error.Code));

        mock.Cluster.SetAllBrokersUp();
        sw.Restart();
        var again = Enumerable.Range(0, 5).Select(i => producer.ProduceAsync(topic, new Message<Null, string> { Value = $"ok-{i}" })).ToArray();
        var delivered = await Task.WhenAll(again).WaitAsync(MockClusterFixture.Patience);
        output.WriteLine($"5 sends after brokers came up in {sw.ElapsedMilliseconds} ms");
        Assert.All(delivered, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
    }

    internal static int CountMessages(MockClusterFixture mock, string topic, int partitions, int expected)
    {
        using var consumer = mock.BuildConsumer<Ignore, byte[]>(mock.ConsumerConfig("count-" + Guid.NewGuid().ToString("N")));
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var count = 0;
        var quietSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow + MockClusterFixture.Patience;
        while (DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false })
            {
                count++;
                quietSince = DateTime.UtcNow;
            }
            else if (count >= expected && DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                break; // read everything expected and nothing more came for a second
            }
        }

        return count;
    }

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
