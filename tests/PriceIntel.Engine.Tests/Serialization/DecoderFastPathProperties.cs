using System.Buffers;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Codec;

namespace PriceIntel.Engine.Tests.Serialization;

/// <summary>
/// <see cref="MarketEventJsonDecoder.TryDecode"/> (fast path with reader fallback) against its twin
/// <see cref="MarketEventJsonDecoder.TryDecodeWithReader"/> (the reader path alone): for every line,
/// the same result, event and error text, and the same key tables afterwards.
/// </summary>
public sealed class DecoderFastPathProperties
{
    private static readonly string[] Kinds = ["competitor_price", "demand", "inventory", "cost", "list_price"];

    private static readonly string[] KeyPool =
    [
        "SKU-1", "SKU-2", "acme", "web", "é-ü-ß", "emoji-🙂", "日本語", "tab\u00a0nbsp", "quote\"q", "back\\slash",
        "  ", string.Empty, "a\u0001b", "\u0085nel", "slash/ok", new string('k', 256), new string('k', 257), new string('é', 200),
    ];

    private static readonly string[] MoneyValid = ["19.99", "1", "0.0001", "42.5", "1234.5678", "999999999999.9999", "\"19.99\"", "7"];

    private static readonly string[] MoneyOdd =
    [
        "-5", "0", "-0", "-0.0", "0.0", "1e2", "1E+2", "1.5e-2", "1e300", "-1e300", "1e400", "123456789012.3456", "1000000000000",
        "1000000000000.0001", "1000000000000.01", "0.00015", "0.00025", "1.23456", "19.999999999999999999999999999",
        "99999999999999999999999", "1234567890123456", "01", "1.", ".5", "+1", "NaN", "-", "0x10", "\" 19.99\"", "\"abc\"",
        "\"\"", "\"1e2\"", "\"-3\"", "\"1,5\"", "true", "{}", "[1]", "\"19.9\\u0039\"", "1.2.3", "2-",
    ];

    private static readonly string[] CurrencyValid = ["\"USD\"", "\"EUR\"", "\"usd\"", "\"GbP\"", "\"JPY\""];

    private static readonly string[] CurrencyOdd = ["\"XYZ\"", "\"US\"", "\"USDD\"", "\"\\u0055SD\"", "123", "\"\"", "\"U D\"", "\"ÜSD\"", "\"U\\\"D\""];

    private static readonly string[] AvailabilityValid = ["\"in_stock\"", "\"out_of_stock\"", "\"limited_stock\"", "\"pre_order\"", "\"unknown\""];

    private static readonly string[] AvailabilityOdd = ["\"maybe\"", "\"none\"", "\"IN_STOCK\"", "\"in_stock \"", "\"in\\u005fstock\"", "1", "\"in_stoc\""];

    private static readonly string[] ActionValid = ["\"view\"", "\"add_to_cart\"", "\"purchase\""];

    private static readonly string[] ActionOdd = ["\"none\"", "\"wishlist\"", "\"View\"", "\"purchase\\u0000\"", "\"purchases\"", "\"\""];

    private static readonly string[] TypeOdd = ["\"none\"", "\"teleport\"", "\"Demand\"", "\"cost \"", "\"\\u0063ost\"", "5", "\"costs\"", "\"competitor\""];

    private static readonly string[] CountValid = ["0", "1", "3", "42", "2147483647"];

    private static readonly string[] CountOdd = ["2147483648", "-1", "-0", "1.0", "1e1", "01", "\"5\"", "99999999999", "1.5", "-2147483648", "00"];

    private static readonly string[] TsValid = ["0", "1", "1732406400000", "253402300799999", "\"2024-11-24T00:00:00Z\"", "\"2024-11-24T01:00:00.250+01:00\""];

    private static readonly string[] TsOdd =
    [
        "253402300800000", "-1", "-0", "1.5", "1e3", "01", "\"yesterday\"", "\"1969-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59.999Z\"",
        "\"2024-11-24\"", "99999999999999999999", "9223372036854775807", "9223372036854775808", "1732406400000.0", "true",
        "\"2024-11-24T00:00:00\"", "\"2024-11-24T00:00:00\\u005a\"", "\"1970-01-01T00:00:00+01:00\"", "1000000000000000",
    ];

    private static readonly string[] UnknownNames = ["note", "extra", "typ", "types", "priceX", "é", string.Empty, "\\u0074ype", "Type", "ts2", "p", "c", "a", "q", "u", "t"];

    private static readonly string[] UnknownValues =
    [
        "\"hi\"", "1", "-2.5e3", "true", "false", "null", "{}", "{\"a\":[1,2]}", "[]", "\"é\"", "\"a\\\"b\"", "0", "1E5", "-0", "\"\"",
        "1e", "tru", "nul", "\"\\ud83d\\ude42\"", "[1,{\"b\":null}]", "-", "0.5E-7", "falsey", "\"\u007f\"",
    ];

    private static readonly string[] WhitespacePool = [" ", "  ", "\t", "\r\n", " \n\t "];

    private static readonly byte[] InterestingBytes = "\"\\{}[],: -0123456789.eEnul"u8.ToArray().Concat(new byte[] { 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0xEF }).ToArray();

    /// <summary>One generated line, shown as text when a property fails.</summary>
    public sealed record Line(byte[] Bytes)
    {
        public override string ToString() => Encoding.UTF8.GetString(Bytes);
    }

    [Property(MaxTest = 3000)]
    public Property Fast_path_decodes_exactly_like_the_reader_path() =>
        Prop.ForAll(Arb.From(Lines().ArrayOf()), lines => AssertTwins(lines));

    [Property(MaxTest = 500)]
    public Property Clean_lines_decode_like_the_reader_path() =>
        Prop.ForAll(Arb.From(CleanLine().ArrayOf()), lines => AssertTwins(lines));

    [Property(MaxTest = 500)]
    public Property Encoder_output_takes_the_fast_path_and_round_trips()
    {
        var keys = new MarketKeys();
        var encoder = new MarketEventJsonEncoder(keys);
        var buffer = new ArrayBufferWriter<byte>();
        var scanner = new FlatJsonEventScanner();
        var events =
            from kind in Gen.Choose(1, 5)
            from product in Gen.Elements("SKU-1", "é-ü-ß", "sku with spaces", "<html>&amp;") // the encoder escapes emoji (as surrogate pairs)
            from competitor in Gen.Elements("acme", "shop-2", "日本")
            from platform in Gen.Elements<string?>(null, "web", "app")
            from ticks in Gen.OneOf(Gen.Choose(1, 10_000_000).Select(t => (long)t), Gen.Choose(1, int.MaxValue).Select(t => t * 4_656_612L))
            from availability in Gen.Choose(0, 4)
            from action in Gen.Choose(1, 3)
            from quantity in Gen.Choose(1, int.MaxValue)
            from ts in Gen.Choose(0, int.MaxValue).Select(t => (long)t * 117_000L)
            select Build(keys, kind, product, competitor, platform, Math.Min(ticks, Money.MaxPrice.Ticks), availability, action, quantity, ts);
        return Prop.ForAll(Arb.From(events), e =>
        {
            buffer.ResetWrittenCount();
            encoder.Write(in e, buffer);
            var line = buffer.WrittenSpan[..^1];
            var fields = default(MarketEventJsonDecoder.Fields);
            Assert.True(scanner.TryScan(line, ref fields), Encoding.UTF8.GetString(line));
            var decoder = new MarketEventJsonDecoder(keys);
            Assert.True(decoder.TryDecode(line, out var back, out var error), error);
            Assert.True(TestEvents.Same(e, back), Encoding.UTF8.GetString(line));
        });
    }

    [Theory]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1,"units":2}""")] // duplicate: the reader path's last one wins
    [InlineData("""{"type":"inventory","product":"p","units":-0,"ts":1}""")] // -0 is a valid count for the reader
    [InlineData("""{"type":"inventory","product":"p","units":01,"ts":1}""")]
    [InlineData("""{"type":"list_price","product":"p","price":1e2,"currency":"USD","ts":1}""")]
    [InlineData("""{"type":"list_price","product":"p","price":-0,"currency":"USD","ts":1}""")]
    [InlineData("""{"type":"list_price","product":"p","price":0.00015,"currency":"USD","ts":1}""")]
    [InlineData("""{"type":"list_price","product":"p","price":"19.99","currency":"usd","ts":"2024-11-24T01:00:00.250+01:00"}""")]
    [InlineData("""{"type":"competitor_price","product":"fresh","competitor":"  ","price":1,"currency":"USD","ts":1}""")] // product interned, competitor rejected
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","platform":"\u0001","price":1,"currency":"USD","ts":1}""")]
    [InlineData("""{"type":"demand","product":"p","action":"view","quantity":null,"ts":1}""")]
    [InlineData("""{"type":"demand","product":"p","action":"purchase","quantity":0,"price":1,"currency":"USD","ts":1}""")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1,"x":{"y":[1]}}""")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1} x""")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":253402300800000}""")]
    [InlineData("""{"type":"inventory","product":"p","units":2147483648,"ts":1}""")]
    [InlineData("""{"type":"inventory","product":"p\"","units":1,"ts":1}""")]
    [InlineData("""{"type":"inventory","product":"é","units":1,"ts":1}""")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1,}""")]
    [InlineData("""{}""")]
    [InlineData(""" """)]
    public void Tricky_lines_decode_alike(string line) =>
        AssertTwins([new Line(Encoding.UTF8.GetBytes(line))]);

    [Theory]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1}""", true)]
    [InlineData(" { \"ts\" : \"2024-11-24T00:00:00Z\" ,\t\"units\":0,\r\n\"product\":\"日本\",\"note\":true,\"type\":\"inventory\" } ", true)]
    [InlineData("""{"type":"demand","product":"p","action":"view","ts":1,"x":null,"y":-1.5e-3,"z":""}""", true)]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1,"note":[]}""", false)] // nested value
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1,"note":"a\nb"}""", false)] // escape
    [InlineData("""{"type":"inventory","product":"p","units":-1,"ts":1}""", false)] // would be rejected
    public void Fast_path_takes_flat_lines_and_declines_the_rest(string line, bool taken)
    {
        var fields = default(MarketEventJsonDecoder.Fields);
        Assert.Equal(taken, new FlatJsonEventScanner().TryScan(Encoding.UTF8.GetBytes(line), ref fields));
        AssertTwins([new Line(Encoding.UTF8.GetBytes(line))]);
    }

    private static MarketEvent Build(MarketKeys keys, int kind, string product, string competitor, string? platform, long ticks, int availability, int action, int quantity, long ts)
    {
        int p = keys.Products.Intern(product);
        return (MarketEventKind)kind switch
        {
            MarketEventKind.CompetitorPrice => MarketEvent.CompetitorPrice(p, keys.Competitors.Intern(competitor), platform is null ? -1 : keys.Platforms.Intern(platform), new Money(ticks), CurrencyCode.Eur, (Availability)availability, ts),
            MarketEventKind.Demand => MarketEvent.Demand(p, (DemandAction)action, quantity, new Money(ticks), CurrencyCode.Usd, ts),
            MarketEventKind.Inventory => MarketEvent.Inventory(p, quantity - 1, ts),
            MarketEventKind.Cost => MarketEvent.Cost(p, new Money(ticks), CurrencyCode.Gbp, ts),
            _ => MarketEvent.ListPrice(p, new Money(ticks), CurrencyCode.Usd, ts),
        };
    }

    /// <summary>Decodes the lines in order with both paths (each with its own key tables) and asserts they agree.</summary>
    internal static bool AssertTwins(IEnumerable<Line> lines)
    {
        var fastKeys = new MarketKeys();
        var readerKeys = new MarketKeys();
        var fast = new MarketEventJsonDecoder(fastKeys);
        var reader = new MarketEventJsonDecoder(readerKeys);
        foreach (var line in lines)
        {
            bool fastOk = fast.TryDecode(line.Bytes, out var fastEvent, out var fastError);
            bool readerOk = reader.TryDecodeWithReader(line.Bytes, out var readerEvent, out var readerError);
            var text = line.ToString();
            Assert.True(fastOk == readerOk, $"result {fastOk} vs {readerOk} ({fastError} / {readerError}) for {text}");
            Assert.True(fastError == readerError, $"error '{fastError}' vs '{readerError}' for {text}");
            Assert.True(TestEvents.Same(fastEvent, readerEvent), $"event {fastEvent} vs {readerEvent} for {text}");
            AssertSameTables(fastKeys, readerKeys, text);
        }

        return true;
    }

    private static void AssertSameTables(MarketKeys a, MarketKeys b, string text)
    {
        foreach (var (x, y) in new[] { (a.Products, b.Products), (a.Competitors, b.Competitors), (a.Platforms, b.Platforms) })
        {
            Assert.True(x.Count == y.Count, $"{x.Name} count {x.Count} vs {y.Count} after {text}");
            for (int i = 0; i < x.Count; i++)
            {
                Assert.Equal(y.GetName(i), x.GetName(i));
            }
        }
    }

    /// <summary>Lines of every kind: mostly plausible events, some with odd values, then maybe truncated or with bytes changed.</summary>
    internal static Gen<Line> Lines() =>
        from text in LineText()
        from mutation in Gen.Frequency(
            (6, Gen.Constant<Func<byte[], byte[]>>(b => b)),
            (1, Truncation()),
            (2, ByteMutations()))
        select new Line(mutation(Encoding.UTF8.GetBytes(text)));

    /// <summary>Lines with valid values and no escapes (the fast path's shape), in any order, with unknown properties and whitespace.</summary>
    private static Gen<Line> CleanLine() =>
        from kind in Gen.Choose(0, Kinds.Length - 1)
        from props in EventProperties(kind, oddWeight: 0, nullWeight: 0, escapeWeight: 0)
        from extra in Gen.Elements("note", "extra", "Type").Zip(Gen.Elements("\"hi\"", "1", "-2.5e3", "true", "false", "null", "0")).ListOf(2)
        from ordered in Gen.Shuffle(props.Concat(extra.Select(t => (Name: Quote(t.Item1), Value: t.Item2))))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Line(Encoding.UTF8.GetBytes(Render(ordered, seed, prefix: string.Empty, suffix: string.Empty)));

    private static Gen<string> LineText() =>
        from kind in Gen.Choose(0, Kinds.Length - 1)
        from oddWeight in Gen.Elements(0, 1, 3)
        from props in EventProperties(kind, oddWeight, nullWeight: 1, escapeWeight: 1)
        from extraCount in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 3)))
        from extra in OtherProperty(oddWeight).ListOf(extraCount)
        from duplicate in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        from ordered in Gen.Shuffle(props.Concat(extra))
        from dupIndex in Gen.Choose(0, 1000)
        from dupValue in Gen.Elements(TsValid.Concat(MoneyValid).Concat(["null", "\"SKU-9\"", "\"in_stock\"", "\"USD\""]).ToArray())
        from seed in Gen.Choose(0, int.MaxValue)
        from prefix in Gen.Frequency((8, Gen.Constant(string.Empty)), (1, Gen.Elements(" ", "\t", "\uFEFF", "[", "x")))
        from suffix in Gen.Frequency((8, Gen.Constant(string.Empty)), (1, Gen.Elements(" ", "\r", "x", " {}", ",", "}", " \t")))
        select Render(WithDuplicate(ordered, duplicate, dupIndex, dupValue), seed, prefix, suffix);

    private static (string Name, string Value)[] WithDuplicate((string Name, string Value)[] props, bool duplicate, int index, string value)
    {
        if (!duplicate || props.Length == 0)
        {
            return props;
        }

        var list = props.ToList();
        var copy = props[index % props.Length];
        list.Insert((index / 7) % (list.Count + 1), (copy.Name, index % 3 == 0 ? copy.Value : value));
        return [.. list];
    }

    private static Gen<(string Name, string Value)[]> EventProperties(int kind, int oddWeight, int nullWeight, int escapeWeight)
    {
        var fields = new List<Gen<(string, string)?>>
        {
            Field("type", Odd(Gen.Constant(Quote(Kinds[kind])), TypeOdd, oddWeight, nullWeight), required: true, escapeWeight),
            Field("product", KeyValue(escapeWeight, nullWeight), required: true, escapeWeight),
            Field("ts", Odd(Gen.Elements(TsValid), TsOdd, oddWeight, nullWeight), required: true, escapeWeight),
        };

        var money = Odd(Gen.Elements(MoneyValid), MoneyOdd, oddWeight, nullWeight);
        var currency = Odd(Gen.Elements(CurrencyValid), CurrencyOdd, oddWeight, nullWeight);
        var count = Odd(Gen.Elements(CountValid), CountOdd, oddWeight, nullWeight);
        switch (Kinds[kind])
        {
            case "competitor_price":
                fields.Add(Field("competitor", KeyValue(escapeWeight, nullWeight), required: true, escapeWeight));
                fields.Add(Field("platform", KeyValue(escapeWeight, nullWeight), required: false, escapeWeight));
                fields.Add(Field("price", money, required: true, escapeWeight));
                fields.Add(Field("currency", currency, required: true, escapeWeight));
                fields.Add(Field("availability", Odd(Gen.Elements(AvailabilityValid), AvailabilityOdd, oddWeight, nullWeight), required: false, escapeWeight));
                break;
            case "demand":
                fields.Add(Field("action", Odd(Gen.Elements(ActionValid), ActionOdd, oddWeight, nullWeight), required: true, escapeWeight));
                fields.Add(Field("quantity", count, required: false, escapeWeight));
                fields.Add(Field("price", money, required: false, escapeWeight));
                fields.Add(Field("currency", currency, required: false, escapeWeight));
                break;
            case "inventory":
                fields.Add(Field("units", count, required: true, escapeWeight));
                break;
            case "cost":
                fields.Add(Field("cost", money, required: true, escapeWeight));
                fields.Add(Field("currency", currency, required: true, escapeWeight));
                break;
            default:
                fields.Add(Field("price", money, required: true, escapeWeight));
                fields.Add(Field("currency", currency, required: true, escapeWeight));
                break;
        }

        return Gen.CollectToArray(fields).Select(all => all.Where(p => p is not null).Select(p => p!.Value).ToArray());
    }

    /// <summary>Any property at all: a known one that does not belong to the event's type, or an unknown one.</summary>
    private static Gen<(string Name, string Value)> OtherProperty(int oddWeight) =>
        Gen.OneOf(
            from name in Gen.Elements(UnknownNames)
            from value in Gen.Elements(UnknownValues)
            select (Quote(name, raw: true), value),
            from name in Gen.Elements("units", "quantity", "availability", "action", "platform", "cost", "competitor")
            from value in Gen.Elements(CountValid.Concat(AvailabilityValid).Concat(ActionValid).Concat(MoneyValid).Concat(oddWeight > 0 ? CountOdd : []).Concat(["\"acme\"", "null"]).ToArray())
            select (Quote(name), value));

    private static Gen<(string, string)?> Field(string name, Gen<string> value, bool required, int escapeWeight) =>
        from present in Gen.Frequency((required ? 30 : 6, Gen.Constant(true)), (required ? 1 : 4, Gen.Constant(false)))
        from escaped in Weighted((20, Gen.Constant(false)), (escapeWeight, Gen.Constant(true)))
        from v in value
        select present ? ((string, string)?)(escaped ? EscapeFirst(name) : Quote(name), v) : null;

    private static Gen<string> Odd(Gen<string> valid, string[] odd, int oddWeight, int nullWeight) =>
        Weighted((12, valid), (oddWeight, Gen.Elements(odd)), (nullWeight, Gen.Constant("null")));

    /// <summary><see cref="Gen.Frequency{T}(ValueTuple{int, Gen{T}}[])"/> without the choices weighted 0.</summary>
    private static Gen<T> Weighted<T>(params (int Weight, Gen<T> Gen)[] choices) =>
        Gen.Frequency(choices.Where(c => c.Weight > 0).ToArray());

    private static Gen<string> KeyValue(int escapeWeight, int nullWeight) =>
        Weighted(
            (12, Gen.Elements("SKU-1", "SKU-2", "acme", "web", "é-ü-ß", "emoji-🙂").Select(k => Quote(k))),
            (escapeWeight * 3, Gen.Elements(KeyPool).Select(k => Quote(k))),
            (escapeWeight, Gen.Elements(KeyPool).Where(k => k.Length > 0).Select(EscapeFirst)),
            (nullWeight, Gen.Constant("null")),
            (escapeWeight, Gen.Elements("42", "true", "{}", "[\"a\"]")));

    /// <summary>A JSON string: only what must be escaped is escaped (or nothing, when <paramref name="raw"/>: the text is already JSON).</summary>
    private static string Quote(string text, bool raw = false)
    {
        if (raw)
        {
            return "\"" + text + "\"";
        }

        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                < ' ' => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A JSON string with its first character written as a \u escape (same text, different bytes).</summary>
    private static string EscapeFirst(string text) =>
        "\"" + string.Create(CultureInfo.InvariantCulture, $"\\u{(int)text[0]:X4}") + Quote(text[1..])[1..];

    /// <summary>Renders the object with whitespace (chosen from <paramref name="seed"/>) around its tokens.</summary>
    private static string Render(IEnumerable<(string Name, string Value)> props, int seed, string prefix, string suffix)
    {
        var random = new Random(seed);
        bool spaced = random.Next(3) == 0;
        string Ws() => spaced && random.Next(2) == 0 ? WhitespacePool[random.Next(WhitespacePool.Length)] : string.Empty;
        var sb = new StringBuilder(prefix).Append(Ws()).Append('{');
        bool first = true;
        foreach (var (name, value) in props)
        {
            if (!first)
            {
                sb.Append(Ws()).Append(',');
            }

            first = false;
            sb.Append(Ws()).Append(name).Append(Ws()).Append(':').Append(Ws()).Append(value);
        }

        return sb.Append(Ws()).Append('}').Append(Ws()).Append(suffix).ToString();
    }

    private static Gen<Func<byte[], byte[]>> Truncation() =>
        Gen.Choose(0, 10_000).Select<int, Func<byte[], byte[]>>(at => b => b[..(b.Length == 0 ? 0 : at % b.Length)]);

    private static Gen<Func<byte[], byte[]>> ByteMutations() =>
        from count in Gen.Choose(1, 3)
        from edits in Gen.Choose(0, int.MaxValue).Three().ArrayOf(count)
        select (Func<byte[], byte[]>)(bytes =>
        {
            var list = bytes.ToList();
            foreach (var (position, what, how) in edits)
            {
                int at = list.Count == 0 ? 0 : position % list.Count;
                byte value = what % 3 == 0 ? (byte)(what >> 8) : InterestingBytes[(what >> 8) % InterestingBytes.Length];
                switch (how % 3)
                {
                    case 0 when list.Count > 0:
                        list[at] = value;
                        break;
                    case 1:
                        list.Insert(at, value);
                        break;
                    case 2 when list.Count > 0:
                        list.RemoveAt(at);
                        break;
                }
            }

            return list.ToArray();
        });
}
