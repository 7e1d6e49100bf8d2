using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Kafka.Processing;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>The offsets a partition task hands to the consumer's commit after a restore.</summary>
public sealed class PartitionTaskOffsetTests
{
    [Fact]
    public void A_snapshot_ahead_of_the_committed_offsets_is_committed_even_when_nothing_follows_it()
    {
        // A hand-over wrote its snapshot but its final commit failed: the group's commit lags the snapshot.
        // With no input after the snapshot nothing is ever processed, so the snapshot's own offsets must be
        // the ones the next owner commits (else the lag stays forever).
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9" };
        var topics = options.Topics.Inputs;
        var task = new PartitionTask(2, topics, [true, true, true], new PriceIntelOptions(), options, new ProcessorCounters(), _ => { }, NullLogger.Instance);
        var buffer = new ArrayBufferWriter<byte>();
        MarketEngine.Create(new PriceIntelOptions(), new MarketKeys()).WriteSnapshot(buffer);
        var snapshot = new StateSnapshot(buffer.WrittenSpan.ToArray(), buffer.WrittenCount, new Dictionary<string, long>
        {
            [topics[0]] = 232,
            [topics[1]] = 3558,
            [topics[2]] = 7663,
        });
        var committed = new Dictionary<string, long> { [topics[0]] = 182, [topics[1]] = 3032, [topics[2]] = 7663 };

        long[] next = task.Restore(snapshot, committed);

        Assert.Equal([232L, 3558L, 7663L], next);
        var store = task.StoreCandidates();
        Assert.NotNull(store);
        var stored = store.ToDictionary(tpo => tpo.Topic, tpo => tpo.Offset.Value);
        Assert.Equal(new Dictionary<string, long> { [topics[0]] = 232, [topics[1]] = 3558 }, stored); // the third is committed already
        Assert.All(store, tpo => Assert.Equal(2, tpo.Partition.Value));
        Assert.Null(task.StoreCandidates()); // handed over once
        Assert.False(task.IsCaughtUp); // not until the commit is confirmed
        task.Committed([.. store]);
        Assert.Null(task.CommitCandidates());
    }
}
