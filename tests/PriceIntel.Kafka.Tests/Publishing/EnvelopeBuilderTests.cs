using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Tests.Publishing;

public sealed class EnvelopeBuilderTests
{
    private static readonly CurrencyCode Usd = CurrencyCode.Usd;

    [Fact]
    public void Each_kind_goes_to_its_topic_on_the_partition_of_its_product()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-42");
        int c = keys.Competitors.Intern("acme");
        MarketEvent[] events =
        [
            MarketEvent.CompetitorPrice(p, c, -1, Money.FromDecimal(19.99m), Usd, Availability.InStock, 1000),
            MarketEvent.Demand(p, DemandAction.View, 1, default, default, 1001),
            MarketEvent.Demand(p, DemandAction.AddToCart, 1, default, default, 1002),
            MarketEvent.Demand(p, DemandAction.Purchase, 2, Money.FromDecimal(18.99m), Usd, 1003),
            MarketEvent.Inventory(p, 42, 1004),
            MarketEvent.Cost(p, Money.FromDecimal(12.5m), Usd, 1005),
            MarketEvent.ListPrice(p, Money.FromDecimal(21.99m), Usd, 1006),
        ];
        InputTopic[] expected =
        [
            InputTopic.CompetitorData, InputTopic.UserBehavior, InputTopic.UserBehavior, InputTopic.UserBehavior,
            InputTopic.PriceUpdates, InputTopic.PriceUpdates, InputTopic.PriceUpdates,
        ];

        var builder = new EnvelopeBuilder(keys, partitionCount: 7, eventsPerMessage: 1, maxMessageBytes: 10_000, maxSpanMs: long.MaxValue);
        var sink = new RecordingSink();
        foreach (var e in events)
        {
            builder.Add(in e, sink);
        }

        builder.EmitPartial(sink);

        int partition = KafkaPartitioner.Partition(Encoding.UTF8.GetBytes("SKU-42"), 7);
        Assert.Equal(expected, sink.Messages.Select(m => m.Topic));
        Assert.All(sink.Messages, m => Assert.Equal(partition, m.Partition));
        Assert.All(sink.Messages, m => Assert.Equal(p, m.ProductId));
        Assert.Equal("SKU-42"u8.ToArray(), builder.ProductKeys.Utf8(p));
    }

    [Fact]
    public void One_event_per_message_is_the_encoder_line_without_its_line_feed()
    {
        var keys = new MarketKeys();
        var e = MarketEvent.Inventory(keys.Products.Intern("SKU-1"), 42, 1732406403000);
        var builder = new EnvelopeBuilder(keys, 3, 1, 10_000, maxSpanMs: long.MaxValue);
        var sink = new RecordingSink();
        builder.Add(in e, sink);

        var message = Assert.Single(sink.Messages);
        Assert.Equal("""{"type":"inventory","product":"SKU-1","units":42,"ts":1732406403000}""", Encoding.UTF8.GetString(message.Value));
        Assert.Equal(1, message.EventCount);
    }

    [Fact]
    public void Events_per_message_fills_envelopes_and_the_rest_goes_out_at_the_end_of_the_call()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-1");
        var builder = new EnvelopeBuilder(keys, 1, eventsPerMessage: 3, maxMessageBytes: 100_000, maxSpanMs: long.MaxValue);
        var sink = new RecordingSink();
        for (int i = 0; i < 7; i++)
        {
            builder.Add(MarketEvent.Inventory(p, i, 1000 + i), sink);
        }

        Assert.Equal([3, 3], sink.Messages.Select(m => m.EventCount));
        builder.EmitPartial(sink);
        Assert.Equal([3, 3, 1], sink.Messages.Select(m => m.EventCount));
        builder.EmitPartial(sink);
        Assert.Equal(3, sink.Messages.Count);

        var decoder = new MarketEventJsonDecoder(keys);
        var units = sink.Messages.SelectMany(m => PublishingTestData.Decode(decoder, m.Value)).Select(e => e.Quantity);
        Assert.Equal(Enumerable.Range(0, 7), units);
        Assert.Equal(2, Encoding.UTF8.GetString(sink.Messages[0].Value).Count(ch => ch == '\n'));
    }

    [Fact]
    public void The_byte_limit_starts_a_new_envelope_before_it_would_be_exceeded()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-1");
        var e = MarketEvent.Inventory(p, 10, 1000);
        int line = PublishingTestData.LineLength(keys, e);

        // Room for exactly two lines and their separator.
        var builder = new EnvelopeBuilder(keys, 1, eventsPerMessage: 100, maxMessageBytes: (2 * line) + 1, maxSpanMs: long.MaxValue);
        var sink = new RecordingSink();
        for (int i = 0; i < 5; i++)
        {
            builder.Add(in e, sink);
        }

        builder.EmitPartial(sink);
        Assert.Equal([2, 2, 1], sink.Messages.Select(m => m.EventCount));
        Assert.Equal((2 * line) + 1, sink.Messages[0].Value.Length);

        // One byte less: one line per message.
        builder = new EnvelopeBuilder(keys, 1, eventsPerMessage: 100, maxMessageBytes: 2 * line, maxSpanMs: long.MaxValue);
        sink = new RecordingSink();
        builder.Add(in e, sink);
        builder.Add(in e, sink);
        builder.EmitPartial(sink);
        Assert.Equal([1, 1], sink.Messages.Select(m => m.EventCount));
    }

    [Fact]
    public void An_event_past_the_span_or_before_the_first_starts_a_new_envelope()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-1");
        var builder = new EnvelopeBuilder(keys, 1, eventsPerMessage: 100, maxMessageBytes: 100_000, maxSpanMs: 1000);
        var sink = new RecordingSink();

        // 0 and 1000 share an envelope (exactly the span); 1001 is past it; 1500 and 2001 fit with 1001;
        // 2002 is past 1001 + 1000; 1999 is before 2002, the first of its envelope.
        long[] times = [0, 1000, 1001, 1500, 2001, 2002, 1999];
        for (int i = 0; i < times.Length; i++)
        {
            builder.Add(MarketEvent.Inventory(p, i, times[i]), sink);
        }

        builder.EmitPartial(sink);
        Assert.Equal([2, 3, 1, 1], sink.Messages.Select(m => m.EventCount));
        var decoder = new MarketEventJsonDecoder(keys);
        Assert.Equal(
            [[0L, 1000L], [1001L, 1500L, 2001L], [2002L], [1999L]],
            sink.Messages.Select(m => PublishingTestData.Decode(decoder, m.Value).Select(e => e.Timestamp).ToArray()));

        // Span 0: only events at the same time share an envelope.
        builder = new EnvelopeBuilder(keys, 1, eventsPerMessage: 100, maxMessageBytes: 100_000, maxSpanMs: 0);
        sink = new RecordingSink();
        foreach (long t in (long[])[5, 5, 5, 6, 6])
        {
            builder.Add(MarketEvent.Inventory(p, 1, t), sink);
        }

        builder.EmitPartial(sink);
        Assert.Equal([3, 2], sink.Messages.Select(m => m.EventCount));
    }

    [Fact]
    public void Envelopes_never_mix_partitions_or_topics()
    {
        var keys = new MarketKeys();
        var builder = new EnvelopeBuilder(keys, 4, eventsPerMessage: 1000, maxMessageBytes: 1_000_000, maxSpanMs: long.MaxValue);
        var sink = new RecordingSink();
        var events = new List<MarketEvent>();
        for (int i = 0; i < 200; i++)
        {
            int p = keys.Products.Intern($"SKU-{i % 17}");
            events.Add(i % 2 == 0 ? MarketEvent.Inventory(p, i, i) : MarketEvent.Demand(p, DemandAction.View, 1, default, default, i));
        }

        foreach (var e in events)
        {
            builder.Add(e, sink);
        }

        builder.EmitPartial(sink);
        var pairs = events.Select(e => (InputTopics.Of(e.Kind), builder.ProductKeys.Partition(e.ProductId))).Distinct().Count();
        Assert.Equal(pairs, sink.Messages.Count); // one envelope per (topic, partition)
        var decoder = new MarketEventJsonDecoder(keys);
        foreach (var m in sink.Messages)
        {
            var decoded = PublishingTestData.Decode(decoder, m.Value);
            Assert.Equal(m.EventCount, decoded.Count);
            Assert.All(decoded, e => Assert.Equal(m.Topic, InputTopics.Of(e.Kind)));
            Assert.All(decoded, e => Assert.Equal(m.Partition, KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(keys.Products.GetName(e.ProductId)), 4)));
            Assert.Equal(decoded[0].ProductId, m.ProductId);
        }
    }

    [Fact]
    public void An_event_larger_than_the_message_limit_is_refused()
    {
        var keys = new MarketKeys();
        var e = MarketEvent.Inventory(keys.Products.Intern(new string('x', 200)), 1, 1);
        var builder = new EnvelopeBuilder(keys, 1, 10, maxMessageBytes: 100, maxSpanMs: long.MaxValue);
        var ex = Assert.Throws<InvalidOperationException>(() => builder.Add(in e, new RecordingSink()));
        Assert.Contains("Kafka:MaxMessageBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_names_what_cannot_be_encoded()
    {
        var keys = new MarketKeys();
        int p = keys.Products.Intern("SKU-1");
        var builder = new EnvelopeBuilder(keys, 1, 1, 10_000, maxSpanMs: long.MaxValue);
        Assert.Null(builder.Check(MarketEvent.Inventory(p, 1, 1)));
        Assert.Contains("kind None", builder.Check(default), StringComparison.Ordinal);
        Assert.Contains("product id 5", builder.Check(MarketEvent.Inventory(5, 1, 1)), StringComparison.Ordinal);
        Assert.Contains("competitor id 0", builder.Check(MarketEvent.CompetitorPrice(p, 0, -1, new Money(1), Usd, Availability.InStock, 1)), StringComparison.Ordinal);
        int c = keys.Competitors.Intern("acme");
        Assert.Contains("platform id 3", builder.Check(MarketEvent.CompetitorPrice(p, c, 3, new Money(1), Usd, Availability.InStock, 1)), StringComparison.Ordinal);
    }

    /// <summary>
    /// Over random event streams, batch splits, partition counts and limits: decoding every message gives back,
    /// per (topic, partition) and per call, exactly the events of that call in their order; every message is
    /// within both limits, holds one (topic, partition) and is keyed by its first event; and packing is greedy
    /// (an envelope closed inside a call was full).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Messages_decode_to_the_events_in_order_within_limits()
    {
        var keys = new MarketKeys();
        var gen =
            from events in Gen.ListOf(PublishingTestData.Events(keys))
            from cuts in Gen.ListOf(Gen.Choose(0, 40))
            from partitions in Gen.Choose(1, 6)
            from perMessage in Gen.OneOf(Gen.Constant(1), Gen.Choose(2, 12))
            from maxBytes in Gen.OneOf(Gen.Constant(1_000_000), Gen.Choose(400, 1500))
            from maxSpanMs in Gen.OneOf(Gen.Constant(long.MaxValue), Gen.Choose(0, int.MaxValue).Select(i => i * 1000L))
            from ordered in Gen.Elements(false, true)
            select (ordered ? events.OrderBy(e => e.Timestamp).ToArray() : events.ToArray(), cuts.ToArray(), partitions, perMessage, maxBytes, maxSpanMs);
        return Prop.ForAll(Arb.From(gen), t => CheckStream(keys, t.Item1, t.Item2, t.partitions, t.perMessage, t.maxBytes, t.maxSpanMs));
    }

    private static bool CheckStream(MarketKeys keys, MarketEvent[] events, int[] cuts, int partitions, int perMessage, int maxBytes, long maxSpanMs)
    {
        var builder = new EnvelopeBuilder(keys, partitions, perMessage, maxBytes, maxSpanMs);
        var decoder = new MarketEventJsonDecoder(keys);
        int start = 0;
        int call = 0;
        while (start < events.Length)
        {
            int length = Math.Min(events.Length - start, cuts.Length == 0 ? events.Length : Math.Max(1, cuts[call % cuts.Length]));
            var batch = events.AsSpan(start, length);
            var sink = new RecordingSink();
            foreach (ref readonly var e in batch)
            {
                builder.Add(in e, sink);
            }

            builder.EmitPartial(sink);
            CheckCall(keys, decoder, batch.ToArray(), sink.Messages, partitions, perMessage, maxBytes, maxSpanMs);
            start += length;
            call++;
        }

        return true;
    }

    private static void CheckCall(MarketKeys keys, MarketEventJsonDecoder decoder, MarketEvent[] batch, List<SentMessage> messages, int partitions, int perMessage, int maxBytes, long maxSpanMs)
    {
        int Partition(int productId) => KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(keys.Products.GetName(productId)), partitions);

        var expected = batch.GroupBy(e => (InputTopics.Of(e.Kind), Partition(e.ProductId))).ToDictionary(g => g.Key, g => g.ToList());
        var actual = new Dictionary<(InputTopic, int), List<MarketEvent>>();
        var byPair = new Dictionary<(InputTopic, int), List<SentMessage>>();
        foreach (var m in messages)
        {
            Assert.InRange(m.EventCount, 1, perMessage);
            Assert.InRange(m.Value.Length, 1, maxBytes);
            Assert.NotEqual((byte)'\n', m.Value[^1]);
            var decoded = PublishingTestData.Decode(decoder, m.Value);
            Assert.Equal(m.EventCount, decoded.Count);
            Assert.Equal(decoded[0].ProductId, m.ProductId);
            Assert.All(decoded, e => Assert.InRange(e.Timestamp, decoded[0].Timestamp, decoded[0].Timestamp + Math.Min(maxSpanMs, long.MaxValue - decoded[0].Timestamp)));
            foreach (var e in decoded)
            {
                Assert.Equal(m.Topic, InputTopics.Of(e.Kind));
                Assert.Equal(m.Partition, Partition(e.ProductId));
            }

            var key = (m.Topic, m.Partition);
            (actual.TryGetValue(key, out var list) ? list : actual[key] = []).AddRange(decoded);
            (byPair.TryGetValue(key, out var sent) ? sent : byPair[key] = []).Add(m);
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, list) in expected)
        {
            Assert.Equal(list.Count, actual[key].Count);
            for (int i = 0; i < list.Count; i++)
            {
                Assert.True(PublishingTestData.Same(list[i], actual[key][i]), $"{key} event {i}: expected {list[i]}, got {actual[key][i]}");
            }
        }

        // Greedy: every envelope but the last of its pair in this call was closed because the next event did not fit
        // (its count, its bytes, or its event time: more than the span after the envelope's first event, or before it).
        foreach (var sent in byPair.Values)
        {
            for (int i = 0; i + 1 < sent.Count; i++)
            {
                var next = PublishingTestData.Decode(decoder, sent[i + 1].Value)[0];
                long first = PublishingTestData.Decode(decoder, sent[i].Value)[0].Timestamp;
                int nextLine = PublishingTestData.LineLength(keys, next);
                Assert.True(
                    sent[i].EventCount == perMessage || sent[i].Value.Length + 1 + nextLine > maxBytes
                        || next.Timestamp < first || next.Timestamp - first > maxSpanMs,
                    $"an envelope of {sent[i].EventCount} events and {sent[i].Value.Length} bytes was closed early");
            }
        }
    }
}
