using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Publishing;
using PriceIntel.Kafka.Testing;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// Poison that used to jam a partition (issue 13): messages over the limit, dead letters the producer cannot send,
/// deliveries Kafka refuses for good; and events that used to vanish unseen (late, misrouted).
/// </summary>
public sealed class DeadLetterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Oversized_and_just_over_limit_messages_are_dead_lettered_once_and_offsets_move_past_them()
    {
        using var h = new ProcessorHarness(output);
        h.Options.SnapshotInterval = TimeSpan.FromMinutes(10); // only the hand-over snapshot: no state write between
        string topic = h.Options.Topics.CompetitorData;
        int limit = h.Options.MaxMessageBytes; // 1,000,000, the default
        h.PublishMarket(products: 20, hours: 3);

        // One per partition (the mock keeps only ~5 MiB per partition):
        // 0: 2 MB, far over the limit; 1: one byte over it; 2: exactly at the limit, one undecodable line (its dead
        // letter used to be the whole line, which the output producer's own message.max.bytes refused for ever).
        var twoMegabytes = Filled(2_000_000, (byte)'x');
        var justOver = Filled(limit + 1, (byte)'{');
        var atLimit = Encoding.UTF8.GetBytes("{\"type\":\"competitor_price\",\"product\":\"" + new string('p', limit - 60) + "\"");
        atLimit = atLimit.Length <= limit ? [.. atLimit, .. Filled(limit - atLimit.Length, (byte)' ')] : throw new InvalidOperationException("test data too long");
        Assert.Equal(limit, atLimit.Length);
        h.ProduceRaw(topic, 0, twoMegabytes);
        h.ProduceRaw(topic, 1, justOver);
        h.ProduceRaw(topic, 2, atLimit);
        h.PublishMarket(products: 20, hours: 3, seed: 8); // good data after the poison on the same partitions
        var reference = h.ComputeReference();
        Assert.Equal(3, reference.Rejected);
        long late = reference.Engines.Values.Sum(e => e.Counters.Late);

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        var counters = processor.Counters;
        Assert.Equal(3 + late, counters.DeadLettered);
        Assert.Equal(0, counters.Rewinds);
        Assert.Equal(0, counters.DeliveryFailures);
        Assert.Equal(0, counters.RefusedMessages);
        Assert.Null(processor.LastDeliveryError);

        var dead = h.ReadAll(h.Options.Topics.DeadLetter).Where(d => !d.Message.Headers.TryGetLastBytes(OutputProducer.LateByHeader, out _)).ToList();
        Assert.Equal(3, dead.Count); // each exactly once: no rewind re-emitted any
        var byPartition = dead.ToDictionary(d => int.Parse(Header(d, OutputProducer.SourcePartitionHeader), CultureInfo.InvariantCulture));
        Assert.Equal([0, 1, 2], byPartition.Keys.Order());
        AssertSummarises(byPartition[0], twoMegabytes, "larger than Kafka:MaxMessageBytes");
        AssertSummarises(byPartition[1], justOver, "larger than Kafka:MaxMessageBytes");
        AssertSummarises(byPartition[2], atLimit, "");
        Assert.Equal("1", Header(byPartition[2], OutputProducer.SourceLineHeader));

        h.AssertCommittedToTheEnd();
        h.AssertOutputsAndFinalState(reference);
    }

    [Fact]
    public async Task A_dead_letter_Kafka_refuses_for_good_becomes_a_summary_and_the_partition_moves_on()
    {
        using var h = new ProcessorHarness(output);
        h.Options.SnapshotInterval = TimeSpan.FromMinutes(10); // no snapshot in the Produce request the broker refuses
        string topic = h.Options.Topics.PriceUpdates;
        var poison = Enumerable.Range(0, 6).Select(i => Encoding.UTF8.GetBytes($"not json {i}")).ToArray();
        h.ProduceRaw(topic, 1, poison);

        // Poison only, so the processor's first Produce request carries dead letters and nothing else; the broker
        // answers it with MsgSizeTooLarge (as a real broker does for a message over the topic's max.message.bytes).
        h.Mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.MsgSizeTooLarge);
        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        var counters = processor.Counters;
        Assert.Equal(0, counters.Rewinds);
        Assert.Equal(0, counters.DeliveryFailures);
        Assert.InRange(counters.RefusedMessages, 1, poison.Length);
        Assert.Contains("MsgSizeTooLarge", processor.LastDeliveryError, StringComparison.Ordinal);

        // Then ordinary input, for the next processor of the group (input already in Kafka, so the reference's
        // merge order is the processor's): processed as if nothing had happened, the poison not seen again.
        h.PublishMarket(products: 20, hours: 2);
        var reference = h.ComputeReference();
        using var next = h.NewProcessor();
        using var stopNext = new CancellationTokenSource();
        var runNext = next.RunAsync(stopNext.Token);
        ProcessorHarness.WaitCaughtUp(next);
        await h.StopAsync(next, stopNext, runNext);
        Assert.Equal(reference.Events, next.Counters.Events);
        Assert.Equal(0, next.Counters.DeadLettered);
        Assert.Equal(0, next.Counters.Rewinds);

        // Each poison message exactly once on the dead-letter topic: whole, or as a payload-free summary.
        var dead = h.ReadAll(h.Options.Topics.DeadLetter);
        var offsets = dead.Select(d => long.Parse(Header(d, OutputProducer.SourceOffsetHeader), CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, poison.Length).Select(i => (long)i), offsets);
        var summaries = dead.Where(d => Header(d, OutputProducer.ErrorHeader).Contains("refused by Kafka", StringComparison.Ordinal)).ToList();
        Assert.Equal(counters.RefusedMessages, summaries.Count);
        Assert.All(summaries, s =>
        {
            Assert.Empty(s.Message.Value);
            Assert.Contains("MsgSizeTooLarge", Header(s, OutputProducer.ErrorHeader), StringComparison.Ordinal);
            long offset = long.Parse(Header(s, OutputProducer.SourceOffsetHeader), CultureInfo.InvariantCulture);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(poison[offset])), Header(s, OutputProducer.PayloadSha256Header));
        });

        h.AssertCommittedToTheEnd();
        h.AssertOutputsAndFinalState(reference);
    }

    [Fact]
    public async Task Misrouted_keys_are_dead_lettered_with_the_partition_they_belong_to_and_counted_per_partition()
    {
        using var h = new ProcessorHarness(output);
        h.EngineOptions.Windows.AllowedLatenessSeconds = 7 * 86400; // the test's events are not late
        h.PublishMarket(products: 20, hours: 3);
        string topic = h.Options.Topics.CompetitorData;

        // A product on a partition other than its murmur2 partition (what KafkaJS's legacy partitioner or a
        // round-robin producer would do), with an event time inside the market's, so it is not late either.
        string product = "SKU-MISROUTED";
        int home = KafkaPartitioner.Partition(product, h.Partitions);
        int wrong = (home + 1) % h.Partitions;
        string line = $"{{\"type\":\"competitor_price\",\"product\":\"{product}\",\"competitor\":\"c-1\",\"price\":\"10.00\",\"currency\":\"USD\",\"ts\":{FirstEventTime(h)}}}";
        h.ProduceRaw(topic, wrong, Encoding.UTF8.GetBytes(line), Encoding.UTF8.GetBytes(line.Replace("10.00", "9.00", StringComparison.Ordinal)));
        h.ProduceRaw(topic, home, Encoding.UTF8.GetBytes(line.Replace("10.00", "11.00", StringComparison.Ordinal))); // routed right: processed
        h.PublishMarket(products: 20, hours: 3, seed: 8);

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        Assert.Equal(2, processor.Counters.MisroutedEvents);
        var perPartition = processor.PartitionCounters.Single(c => c.MisroutedEvents > 0);
        Assert.Equal(new KafkaPartitionCounters(wrong, perPartition.LateEvents, 2), perPartition);
        var misrouted = h.ReadAll(h.Options.Topics.DeadLetter).Where(d => Header(d, OutputProducer.ErrorHeader).StartsWith("misrouted", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, misrouted.Count);
        Assert.All(misrouted, d =>
        {
            string error = Header(d, OutputProducer.ErrorHeader);
            Assert.Contains($"belongs to partition {home} of {h.Partitions}", error, StringComparison.Ordinal);
            Assert.Contains($"arrived on partition {wrong}", error, StringComparison.Ordinal);
            Assert.Contains("JavaCompatiblePartitioner", error, StringComparison.Ordinal);
            Assert.Contains(product, Encoding.UTF8.GetString(d.Message.Value), StringComparison.Ordinal);
        });

        var finals = h.ReadFinalEngines();
        Assert.True(finals[home].TryGetView(product, out var state), "the rightly routed event was processed");
        Assert.Equal(11.00m, Assert.Single(state!.Competitors).Price);
        Assert.False(finals[wrong].TryGetView(product, out _), "the misrouted events never reached the wrong engine");
    }

    [Fact]
    public async Task Late_events_are_dead_lettered_with_how_late_and_counted_per_partition()
    {
        using var h = new ProcessorHarness(output);
        h.EngineOptions.Windows.AllowedLatenessSeconds = 60;
        h.PublishMarket(products: 20, hours: 3);
        string topic = h.Options.Topics.CompetitorData;

        // A backfill sent after the market, into one product's partition: an hour behind the newest event time.
        string product = "SKU-BACKFILL";
        int home = KafkaPartitioner.Partition(product, h.Partitions);
        long newest = h.ReadAll(topic).Concat(h.ReadAll(h.Options.Topics.PriceUpdates)).Concat(h.ReadAll(h.Options.Topics.UserBehavior))
            .Where(r => r.Partition.Value == home)
            .Max(r => EventTime(r.Message.Value));
        var lines = Enumerable.Range(0, 3)
            .Select(i => $"{{\"type\":\"competitor_price\",\"product\":\"{product}\",\"competitor\":\"c-1\",\"price\":\"1{i}.00\",\"currency\":\"USD\",\"ts\":{newest - 3_600_000 + i}}}")
            .Select(Encoding.UTF8.GetBytes)
            .ToArray();
        h.ProduceRaw(topic, home, lines);
        var reference = h.ComputeReference();
        long late = reference.Engines.Values.Sum(e => e.Counters.Late);
        Assert.True(late >= 3, $"the reference engines count the backfill as late ({late})");

        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        await h.StopAsync(processor, stop, run);

        Assert.Equal(late, processor.Counters.LateEvents);
        Assert.Equal(late, processor.PartitionCounters.Sum(c => c.LateEvents));
        Assert.True(processor.PartitionCounters.Single(c => c.Partition == home).LateEvents >= 3);
        var dead = h.ReadAll(h.Options.Topics.DeadLetter).Where(d => d.Message.Headers.TryGetLastBytes(OutputProducer.LateByHeader, out _)).ToList();
        Assert.Equal(late, dead.Count);
        var backfill = dead.Where(d => Encoding.UTF8.GetString(d.Message.Value).Contains(product, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, backfill.Count);
        Assert.All(backfill, d =>
        {
            long behind = long.Parse(Header(d, OutputProducer.LateByHeader), CultureInfo.InvariantCulture);
            Assert.InRange(behind, 60_001, 3_600_000); // behind the partition's newest event time when it was merged
            Assert.StartsWith("late:", Header(d, OutputProducer.ErrorHeader), StringComparison.Ordinal);
            Assert.Contains("AllowedLatenessSeconds = 60", Header(d, OutputProducer.ErrorHeader), StringComparison.Ordinal);
        });

        // The engines still saw them (and counted them late), so the state is a plain run's.
        h.AssertOutputsAndFinalState(reference);
    }

    private static string Header(ConsumeResult<byte[]?, byte[]> r, string name) => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(name));

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    private static void AssertSummarises(ConsumeResult<byte[]?, byte[]> dead, byte[] original, string reason)
    {
        Assert.Contains(reason, Header(dead, OutputProducer.ErrorHeader), StringComparison.Ordinal);
        Assert.Equal(original.Length.ToString(CultureInfo.InvariantCulture), Header(dead, OutputProducer.PayloadBytesHeader));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), Header(dead, OutputProducer.PayloadSha256Header));
        Assert.Equal("true", Header(dead, OutputProducer.PayloadTruncatedHeader));
        Assert.Equal(OutputProducer.DeadLetterPayloadCap, dead.Message.Value.Length);
        Assert.True(original.AsSpan().StartsWith(dead.Message.Value), "the dead letter carries the message's first bytes");
    }

    private static long FirstEventTime(ProcessorHarness h) =>
        h.ReadAll(h.Options.Topics.CompetitorData).Min(r => EventTime(r.Message.Value));

    private static long EventTime(byte[] value)
    {
        using var json = System.Text.Json.JsonDocument.Parse(value.AsMemory(0, Array.IndexOf(value, (byte)'\n') is int nl and >= 0 ? nl : value.Length));
        return json.RootElement.GetProperty("ts").GetInt64();
    }
}
