using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Tests.Infrastructure;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>The state topic: snapshots in chunks, only complete ones count, the newest wins, per partition and group.</summary>
public sealed class StateTopicTests
{
    [Fact]
    public void The_newest_complete_snapshot_wins_and_a_torn_one_is_ignored()
    {
        using var mock = new MockClusterFixture();
        var options = new KafkaOptions { BootstrapServers = mock.Cluster.BootstrapServers, GroupId = "g", SnapshotChunkBytes = 1024 };
        mock.Cluster.CreateTopic(options.Topics.State, 2);
        string key = PartitionTask.StateKey("g", 1);
        var first = Bytes(3000, 1);
        var second = Bytes(2500, 2);
        using (var producer = new OutputProducer(options, null))
        {
            Produce(producer, 1, key, first, "price-updates=10;competitor-data=20");
            Produce(producer, 1, PartitionTask.StateKey("other-group", 1), Bytes(100, 9), "price-updates=99"); // another group's
            Produce(producer, 0, PartitionTask.StateKey("g", 0), Bytes(100, 7), "price-updates=5");             // another partition's
        }

        using var reader = new StateTopicReader(options);
        var read = reader.ReadLatest(1, key, TimeSpan.FromSeconds(30));
        Assert.NotNull(read);
        Assert.Equal(first, read!.Bytes.AsSpan(0, read.Length).ToArray());
        Assert.Equal(10, read.NextOffsets["price-updates"]);
        Assert.Equal(20, read.NextOffsets["competitor-data"]);

        // A writer that died after the first of three chunks: its snapshot is not complete and must not be used.
        using (var raw = mock.BuildProducer<byte[]?, byte[]>(mock.ProducerConfig()))
        {
            var headers = new Headers
            {
                { OutputProducer.SnapshotIdHeader, Guid.NewGuid().ToByteArray() },
                { OutputProducer.ChunkHeader, Encoding.ASCII.GetBytes("0") },
                { OutputProducer.ChunksHeader, Encoding.ASCII.GetBytes("3") },
                { OutputProducer.OffsetsHeader, Encoding.ASCII.GetBytes("price-updates=50") },
            };
            raw.Produce(new TopicPartition(options.Topics.State, new Partition(1)), new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = Bytes(1024, 5), Headers = headers });
            raw.Flush(TimeSpan.FromSeconds(30));
        }

        read = reader.ReadLatest(1, key, TimeSpan.FromSeconds(30));
        Assert.Equal(first, read!.Bytes.AsSpan(0, read.Length).ToArray());

        using (var producer = new OutputProducer(options, null))
        {
            Produce(producer, 1, key, second, "price-updates=12;competitor-data=31");
        }

        var both = reader.ReadLatest([0, 1], p => PartitionTask.StateKey("g", p), TimeSpan.FromSeconds(30));
        Assert.Equal(second, both[1]!.Bytes.AsSpan(0, both[1]!.Length).ToArray());
        Assert.Equal(31, both[1]!.NextOffsets["competitor-data"]);
        Assert.Equal(Bytes(100, 7), both[0]!.Bytes.AsSpan(0, both[0]!.Length).ToArray());
        Assert.Null(reader.ReadLatest(0, PartitionTask.StateKey("nobody", 0), TimeSpan.FromSeconds(30)));
    }

    private static void Produce(OutputProducer producer, int partition, string key, byte[] snapshot, string offsets)
    {
        var entry = new LedgerEntry(3);
        entry.Reset(LedgerEntryKind.Snapshot);
        producer.Snapshot(entry, partition, Encoding.UTF8.GetBytes(key), snapshot, offsets);
        entry.Seal();
        producer.Flush(TimeSpan.FromSeconds(30));
        Assert.True(entry.IsComplete);
        Assert.False(entry.Failed, entry.Error);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
