using System.Buffers;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Codec;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class RoundTripProperties
{
    private static readonly string[] KeyNames = ["SKU-1", "sku with spaces", "é-ü-ß", "quote\"and\\slash", "emoji-🙂", "tab\u00a0nbsp", "<html>&amp;", "0"];
    private static readonly CurrencyCode[] Currencies = [CurrencyCode.Usd, CurrencyCode.Eur, CurrencyCode.Gbp, CurrencyCode.Parse("JPY"), CurrencyCode.Parse("CHF")];

    private static Gen<long> Ticks() =>
        Gen.OneOf(
            Gen.Choose(1, 10_000_000).Select(i => (long)i),
            Gen.Choose(1, int.MaxValue).Select(i => (long)i * 4_656_612L), // spread up to ~1e16 = Money.MaxPrice
            Gen.Constant(Money.MaxPrice.Ticks),
            Gen.Constant(1L));

    private static Gen<long> Timestamps() =>
        Gen.OneOf(
            Gen.Choose(0, int.MaxValue).Select(i => (long)i * 117_000L),
            Gen.Constant(0L),
            Gen.Constant(MarketEventJsonDecoder.MaxTimestamp));

    /// <summary>Valid events (what the decoder accepts), with ids interned into <paramref name="keys"/>.</summary>
    private static Gen<MarketEvent> Events(MarketKeys keys) =>
        from kind in Gen.Choose(1, 5)
        from product in Gen.Elements(KeyNames)
        from competitor in Gen.Elements(KeyNames)
        from platform in Gen.OneOf(Gen.Constant<string?>(null), Gen.Elements(KeyNames).Select(s => (string?)s))
        from ticks in Ticks()
        from currency in Gen.Elements(Currencies)
        from availability in Gen.Choose(0, 4)
        from action in Gen.Choose(1, 3)
        from quantity in Gen.Choose(1, 1_000_000)
        from withPrice in Gen.Elements(true, false)
        from ts in Timestamps()
        select Build(keys, kind, product, competitor, platform, ticks, currency, availability, action, quantity, withPrice, ts);

    private static MarketEvent Build(MarketKeys keys, int kind, string product, string competitor, string? platform, long ticks, CurrencyCode currency, int availability, int action, int quantity, bool withPrice, long ts)
    {
        int p = keys.Products.Intern(product);
        return (MarketEventKind)kind switch
        {
            MarketEventKind.CompetitorPrice => MarketEvent.CompetitorPrice(p, keys.Competitors.Intern(competitor), platform is null ? -1 : keys.Platforms.Intern(platform), new Money(ticks), currency, (Availability)availability, ts),
            MarketEventKind.Demand when (DemandAction)action == DemandAction.Purchase || withPrice =>
                MarketEvent.Demand(p, (DemandAction)action, quantity, new Money(ticks), currency, ts),
            MarketEventKind.Demand => MarketEvent.Demand(p, (DemandAction)action, quantity - 1, default, default, ts),
            MarketEventKind.Inventory => MarketEvent.Inventory(p, quantity - 1, ts),
            MarketEventKind.Cost => MarketEvent.Cost(p, new Money(ticks), currency, ts),
            _ => MarketEvent.ListPrice(p, new Money(ticks), currency, ts),
        };
    }

    [Property(MaxTest = 500)]
    public Property Decode_of_encode_gives_the_same_event()
    {
        var keys = new MarketKeys();
        var encoder = new MarketEventJsonEncoder(keys);
        var decoder = new MarketEventJsonDecoder(keys);
        var buffer = new ArrayBufferWriter<byte>();
        return Prop.ForAll(Arb.From(Events(keys)), e =>
        {
            buffer.ResetWrittenCount();
            encoder.Write(in e, buffer);
            var line = buffer.WrittenSpan;
            if (line[^1] != (byte)'\n' || line[..^1].Contains((byte)'\n'))
            {
                return false; // exactly one line
            }

            return decoder.TryDecode(line[..^1], out var back, out var error)
                ? TestEvents.Same(e, back)
                : throw new InvalidOperationException($"{error}: {System.Text.Encoding.UTF8.GetString(line)}");
        });
    }

    [Property(MaxTest = 500)]
    public Property Money_text_round_trips_and_matches_decimal()
    {
        var gen = Gen.OneOf(Ticks(), Ticks().Select(t => -t), Gen.Constant(0L));
        return Prop.ForAll(Arb.From(gen), ticks =>
        {
            Span<byte> text = stackalloc byte[MoneyText.MaxFormattedLength];
            int n = MoneyText.Format(ticks, text);
            var expected = new Money(ticks).ToDecimal().ToString(CultureInfo.InvariantCulture);
            var asText = System.Text.Encoding.ASCII.GetString(text[..n]);
            return MoneyText.TryParseTicks(text[..n], out var back) && back == ticks && decimal.Parse(asText, CultureInfo.InvariantCulture) == decimal.Parse(expected, CultureInfo.InvariantCulture);
        });
    }

    [Property(MaxTest = 300)]
    public Property Parsing_any_decimal_text_agrees_with_Money_FromDecimal()
    {
        var gen =
            from units in Gen.Choose(0, 999_999_999)
            from fraction in Gen.Choose(0, 999_999_999)
            from digits in Gen.Choose(0, 9)
            from negative in Gen.Elements(true, false)
            select (negative ? "-" : string.Empty) + units.ToString(CultureInfo.InvariantCulture) +
                (digits == 0 ? string.Empty : "." + fraction.ToString("D9", CultureInfo.InvariantCulture)[..digits]);
        return Prop.ForAll(Arb.From(gen), text =>
            MoneyText.TryParseTicks(System.Text.Encoding.ASCII.GetBytes(text), out var ticks) &&
            ticks == Money.FromDecimal(decimal.Parse(text, CultureInfo.InvariantCulture)).Ticks);
    }
}
