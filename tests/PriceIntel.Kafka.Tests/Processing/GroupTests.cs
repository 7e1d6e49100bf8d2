using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Publishing;
using PriceIntel.Kafka.Testing;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>Rebalances, coordinator and commit errors, and poison input, against the in-process reference.</summary>
public sealed class GroupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_processor_joins_and_leaves_one_owner_at_a_time_same_results()
    {
        using var h = new ProcessorHarness(output);
        h.PublishMarket(products: 60, hours: 24);
        var reference = h.ComputeReference();
        var ownership = new OwnershipLog();

        // Small batches, paced, so the stream lasts long enough for two rebalances (each takes a few seconds on the mock).
        static void Paced(KafkaOptions o) => o.BatchSize = 256;
        using var first = h.NewProcessor(Paced);
        first.OwnershipChanged = (p, owned) => ownership.Record("first", p, owned);
        first.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.5));
        using var stopFirst = new CancellationTokenSource();
        var runFirst = first.RunAsync(stopFirst.Token);
        ProcessorHarness.WaitFor(() => first.Counters.Events > reference.Events / 6, "a sixth of the events processed by the first processor");

        using var second = h.NewProcessor(Paced);
        second.OwnershipChanged = (p, owned) => ownership.Record("second", p, owned);
        second.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.5));
        using var stopSecond = new CancellationTokenSource();
        var runSecond = second.RunAsync(stopSecond.Token);
        ProcessorHarness.WaitFor(() => second.Counters.Events > 0 && first.Counters.AssignedPartitions is > 0 and < 4, "the second processor sharing the work");
        long eventsBySecond = second.Counters.Events;
        ProcessorHarness.WaitFor(() => second.Counters.Events > eventsBySecond + 500, "the second processor making progress");

        await stopSecond.CancelAsync(); // leaves the group: the first takes everything back
        await runSecond.WaitAsync(ProcessorHarness.Patience);
        ProcessorHarness.WaitCaughtUp(first);
        await stopFirst.CancelAsync();
        await runFirst.WaitAsync(ProcessorHarness.Patience);
        output.WriteLine($"first: {first.Counters}");
        output.WriteLine($"second: {second.Counters}");
        output.WriteLine(ownership.ToString());

        Assert.True(second.Counters.Restores > 0 && first.Counters.Restores > 4, "the partitions moved both ways");
        ownership.AssertOneOwnerAtATime();
        h.AssertOutputsAndFinalState(reference);
    }

    [Fact]
    public async Task Commit_and_coordinator_errors_are_surfaced_and_recovered()
    {
        using var h = new ProcessorHarness(output);
        h.PublishMarket(products: 60, hours: 24);
        var reference = h.ComputeReference();

        using var processor = h.NewProcessor(o => o.CommitInterval = TimeSpan.FromMilliseconds(50));
        processor.BatchProcessed = Pace.PerEvent(TimeSpan.FromMilliseconds(0.5));
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitFor(() => processor.Counters.Commits > 2, "a few commits");
        h.Mock.Cluster.PushRequestErrors(
            KafkaApiKey.OffsetCommit,
            ErrorCode.RebalanceInProgress,
            ErrorCode.RequestTimedOut,
            ErrorCode.NotCoordinatorForGroup,
            ErrorCode.GroupLoadInProgress,
            ErrorCode.RebalanceInProgress,
            ErrorCode.UnknownMemberId);
        h.Mock.Cluster.PushRequestErrors(KafkaApiKey.FindCoordinator, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.GroupCoordinatorNotAvailable);
        h.Mock.Cluster.PushRequestErrors(KafkaApiKey.Heartbeat, ErrorCode.NotCoordinatorForGroup, ErrorCode.RebalanceInProgress);
        ProcessorHarness.WaitFor(() => processor.Counters.CommitFailures > 0, "a commit failure surfaced");
        Assert.Contains("commit", processor.LastCommitError, StringComparison.Ordinal);

        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        h.AssertOutputsAndFinalState(reference);
        h.AssertCommittedToTheEnd();
    }

    [Fact]
    public async Task Poison_messages_go_to_the_dead_letter_topic_with_their_origin_and_the_partition_moves_on()
    {
        using var h = new ProcessorHarness(output);
        h.Options.MaxMessageBytes = 8192;
        string topic = h.Options.Topics.CompetitorData;
        h.PublishMarket(products: 30, hours: 6);
        var goodLine = "{\"type\":\"competitor_price\",\"product\":\"SKU-POISON\",\"competitor\":\"c-1\",\"price\":\"10.00\",\"currency\":\"USD\",\"ts\":1767225600000}";
        var poison = new[]
        {
            Encoding.UTF8.GetBytes("this is not json"),
            Encoding.UTF8.GetBytes("{\"type\":\"competitor_price\",\"product\":\"SKU-1\",\"competitor\":\"c\",\"price\":\"-5\",\"currency\":\"USD\",\"ts\":1767225600000}"),
            Encoding.UTF8.GetBytes(goodLine + "\n{\"type\":\"nonsense\"}\n" + goodLine.Replace("10.00", "11.00", StringComparison.Ordinal)),
            Encoding.UTF8.GetBytes(goodLine + new string(' ', 10_000)),
            [],
        };
        // The poison goes to SKU-POISON's own partition (Kafka's murmur2 of the key): a good line elsewhere would
        // be dead-lettered as misrouted.
        int poisonPartition = KafkaPartitioner.Partition("SKU-POISON", h.Partitions);
        h.ProduceRaw(topic, poisonPartition, poison);
        h.PublishMarket(products: 30, hours: 6, seed: 8); // more good data after the poison, same partitions
        var reference = h.ComputeReference();
        Assert.Equal(5, reference.Rejected);

        // Events the engine counts as late (the poison's good lines may be hours behind the market published
        // before them) are dead-lettered too, each once.
        long late = reference.Engines.Values.Sum(e => e.Counters.Late);

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        await stop.CancelAsync();
        await run.WaitAsync(ProcessorHarness.Patience);
        var counters = processor.Counters;
        output.WriteLine(counters.ToString());
        Assert.Equal(5 + late, counters.DeadLettered);
        Assert.Equal(late, counters.LateEvents);
        Assert.Equal(0, counters.MisroutedEvents);
        Assert.Equal(reference.Events, counters.Events);

        var dead = h.ReadAll(h.Options.Topics.DeadLetter);
        Assert.Equal(5 + late, dead.Count);
        Assert.Equal(late, dead.Count(d => d.Message.Headers.TryGetLastBytes(OutputProducer.LateByHeader, out _)));
        var inputs = h.ReadAll(topic).Where(r => r.Partition.Value == poisonPartition).ToDictionary(r => r.Offset.Value);
        foreach (var d in dead)
        {
            string Header(string name) => Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(name));
            if (d.Message.Headers.TryGetLastBytes(OutputProducer.LateByHeader, out _))
            {
                // The second market starts at the first one's start time: hours behind, so its events are late
                // (the engine never merged them; now they are dead-lettered, not dropped unseen).
                Assert.StartsWith("late:", Header(OutputProducer.ErrorHeader), StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(topic, Header(OutputProducer.SourceTopicHeader));
            Assert.Equal(poisonPartition.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(OutputProducer.SourcePartitionHeader));
            long offset = long.Parse(Header(OutputProducer.SourceOffsetHeader), System.Globalization.CultureInfo.InvariantCulture);
            string error = Header(OutputProducer.ErrorHeader);
            Assert.False(string.IsNullOrWhiteSpace(error));
            output.WriteLine($"dead letter from offset {offset}, line {Header(OutputProducer.SourceLineHeader)}: {error}");
            var original = inputs[offset].Message.Value;
            if (original.Length > 8192)
            {
                // Oversized: a prefix travels, the headers name the whole message.
                Assert.Equal(original.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(OutputProducer.PayloadBytesHeader));
                Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)), Header(OutputProducer.PayloadSha256Header));
                Assert.Equal("true", Header(OutputProducer.PayloadTruncatedHeader));
                Assert.True(original.AsSpan().StartsWith(d.Message.Value), "the dead letter carries the message's first bytes");
            }

            if (original.Length <= 8192 && d.Message.Value.Length > 0)
            {
                Assert.Contains(Encoding.UTF8.GetString(d.Message.Value), Encoding.UTF8.GetString(original), StringComparison.Ordinal);
            }
        }

        Assert.Contains(dead, d => Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(OutputProducer.ErrorHeader)).Contains("MaxMessageBytes", StringComparison.Ordinal));
        Assert.Contains(dead, d => Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(OutputProducer.SourceLineHeader)) == "2");

        var observed = h.ReadOutputs();
        observed.AssertMatches(reference);
        h.AssertFinalStateEquals(reference);
    }

    private sealed class OwnershipLog
    {
        private readonly Lock _lock = new();
        private readonly List<(long Ticks, string Who, int Partition, bool Owned)> _events = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Record(string who, int partition, bool owned)
        {
            lock (_lock)
            {
                _events.Add((_clock.ElapsedTicks, who, partition, owned));
            }
        }

        public void AssertOneOwnerAtATime()
        {
            lock (_lock)
            {
                var owner = new Dictionary<int, string>();
                foreach (var e in _events)
                {
                    if (e.Owned)
                    {
                        Assert.False(owner.TryGetValue(e.Partition, out var other), $"partition {e.Partition} taken by {e.Who} while {other} still owned it");
                        owner[e.Partition] = e.Who;
                    }
                    else
                    {
                        Assert.True(owner.TryGetValue(e.Partition, out var current) && current == e.Who, $"partition {e.Partition} released by {e.Who}, which did not own it");
                        owner.Remove(e.Partition);
                    }
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return string.Join(Environment.NewLine, _events.Select(e => $"{e.Ticks * 1000.0 / Stopwatch.Frequency,9:F1} ms {e.Who} {(e.Owned ? "takes" : "releases")} {e.Partition}"));
            }
        }
    }
}
