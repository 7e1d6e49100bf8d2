using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Tests.Publishing;

/// <summary>One message as a sink saw it.</summary>
internal sealed record SentMessage(InputTopic Topic, int Partition, int ProductId, int EventCount, byte[] Value);

/// <summary>Keeps every message an <see cref="EnvelopeBuilder"/> emits.</summary>
internal sealed class RecordingSink : IEnvelopeSink
{
    public List<SentMessage> Messages { get; } = [];

    public void Emit(InputTopic topic, int partition, int productId, int eventCount, ReadOnlySpan<byte> value) =>
        Messages.Add(new SentMessage(topic, partition, productId, eventCount, value.ToArray()));
}

internal static class PublishingTestData
{
    private static readonly string[] KeyNames = ["SKU-1", "sku with spaces", "é-ü-ß", "quote\"and\\slash", "emoji-🙂", "<html>&amp;", "0", "SKU-22", "SKU-333", "x"];
    private static readonly CurrencyCode[] Currencies = [CurrencyCode.Usd, CurrencyCode.Eur, CurrencyCode.Gbp, CurrencyCode.Parse("JPY")];

    /// <summary>Valid events of every kind, with ids interned into <paramref name="keys"/>.</summary>
    public static Gen<MarketEvent> Events(MarketKeys keys) =>
        from kind in Gen.Choose(1, 5)
        from product in Gen.Elements(KeyNames)
        from competitor in Gen.Elements(KeyNames)
        from platform in Gen.OneOf(Gen.Constant<string?>(null), Gen.Elements(KeyNames).Select(s => (string?)s))
        from ticks in Gen.OneOf(Gen.Choose(1, 10_000_000).Select(i => (long)i), Gen.Constant(Money.MaxPrice.Ticks))
        from currency in Gen.Elements(Currencies)
        from availability in Gen.Choose(0, 4)
        from action in Gen.Choose(1, 3)
        from quantity in Gen.Choose(1, 1_000_000)
        from ts in Gen.Choose(0, int.MaxValue).Select(i => i * 1000L)
        select Build(keys, kind, product, competitor, platform, ticks, currency, availability, action, quantity, ts);

    public static MarketEvent Build(MarketKeys keys, int kind, string product, string competitor, string? platform, long ticks, CurrencyCode currency, int availability, int action, int quantity, long ts)
    {
        int p = keys.Products.Intern(product);
        return (MarketEventKind)kind switch
        {
            MarketEventKind.CompetitorPrice => MarketEvent.CompetitorPrice(p, keys.Competitors.Intern(competitor), platform is null ? -1 : keys.Platforms.Intern(platform), new Money(ticks), currency, (Availability)availability, ts),
            MarketEventKind.Demand when (DemandAction)action == DemandAction.Purchase => MarketEvent.Demand(p, DemandAction.Purchase, quantity, new Money(ticks), currency, ts),
            MarketEventKind.Demand => MarketEvent.Demand(p, (DemandAction)action, 1, default, default, ts),
            MarketEventKind.Inventory => MarketEvent.Inventory(p, quantity - 1, ts),
            MarketEventKind.Cost => MarketEvent.Cost(p, new Money(ticks), currency, ts),
            _ => MarketEvent.ListPrice(p, new Money(ticks), currency, ts),
        };
    }

    public static bool Same(in MarketEvent a, in MarketEvent b) =>
        a.Kind == b.Kind && a.ProductId == b.ProductId && a.CompetitorId == b.CompetitorId && a.PlatformId == b.PlatformId &&
        a.Price == b.Price && a.Currency == b.Currency && a.Quantity == b.Quantity && a.Action == b.Action &&
        a.Availability == b.Availability && a.Timestamp == b.Timestamp;

    /// <summary>Decodes a message value (JSON lines separated by '\n') with the engine's decoder.</summary>
    public static List<MarketEvent> Decode(MarketEventJsonDecoder decoder, ReadOnlySpan<byte> value)
    {
        var events = new List<MarketEvent>();
        while (true)
        {
            int end = value.IndexOf((byte)'\n');
            var line = end < 0 ? value : value[..end];
            if (!decoder.TryDecode(line, out var e, out var error))
            {
                throw new InvalidOperationException($"{error}: {Encoding.UTF8.GetString(line)}");
            }

            events.Add(e);
            if (end < 0)
            {
                return events;
            }

            value = value[(end + 1)..];
        }
    }

    /// <summary>The encoded length of one event, without its line feed.</summary>
    public static int LineLength(MarketKeys keys, in MarketEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new MarketEventJsonEncoder(keys).Write(in e, buffer);
        return buffer.WrittenCount - 1;
    }
}
