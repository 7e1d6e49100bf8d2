using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using PriceIntel.Engine.Signals;

namespace PriceIntel.Engine.Serialization;

/// <summary>
/// The JSON Lines form of engine outputs (docs/wire-format.md): one <c>"type":"signal"</c> or
/// <c>"type":"decision"</c> object a line, keys as strings, ids as 16 hex digits, prices as exact
/// decimals, enums as snake_case, <c>ts</c> as Unix milliseconds. Writing from engine structs
/// allocates nothing; reading back (store reload, tests) builds <see cref="StoredSignal"/> and
/// <see cref="StoredDecision"/> records. Writing is not thread-safe (one instance per writer).
/// </summary>
internal sealed class OutputJson
{
    private readonly Utf8JsonWriter _writer = new(Stream.Null, MarketEventJsonEncoder.WriterOptions);

    /// <summary>Writes a signal followed by a line feed.</summary>
    public void WriteSignal(in MarketSignal s, MarketKeys keys, IBufferWriter<byte> output) =>
        WriteSignal(
            output,
            s.Id,
            s.Kind,
            s.Severity,
            keys.Products.GetName(s.ProductId),
            s.CompetitorId >= 0 ? keys.Competitors.GetName(s.CompetitorId) : null,
            s.Observed,
            s.Reference,
            s.Threshold,
            s.Magnitude,
            s.Timestamp);

    /// <summary>Writes a stored signal followed by a line feed.</summary>
    public void WriteSignal(StoredSignal s, IBufferWriter<byte> output) =>
        WriteSignal(output, s.Id, s.Kind, s.Severity, s.Product, s.Competitor, s.Observed, s.Reference, s.Threshold, s.Magnitude, s.Time.ToUnixTimeMilliseconds());

    /// <summary>Writes a decision followed by a line feed.</summary>
    public void WriteDecision(in PricingDecision d, MarketKeys keys, IBufferWriter<byte> output) =>
        WriteDecision(
            output,
            d.Id,
            keys.Products.GetName(d.ProductId),
            d.OldPrice.Ticks,
            d.NewPrice.Ticks,
            d.TargetPrice.Ticks,
            d.Currency,
            d.Strategy,
            d.Arm,
            d.Trigger,
            d.SetBy,
            d.Bounded,
            d.Timestamp);

    /// <summary>Writes a stored decision followed by a line feed.</summary>
    /// <exception cref="FormatException">The currency is not a three-letter code.</exception>
    public void WriteDecision(StoredDecision d, IBufferWriter<byte> output) =>
        WriteDecision(
            output,
            d.Id,
            d.Product,
            Money.FromDecimal(d.OldPrice).Ticks,
            Money.FromDecimal(d.NewPrice).Ticks,
            Money.FromDecimal(d.TargetPrice).Ticks,
            d.Currency.Length == 0 ? default : CurrencyCode.Parse(d.Currency),
            d.Strategy,
            d.Arm,
            d.Trigger,
            d.SetBy,
            d.Bounded,
            d.Time.ToUnixTimeMilliseconds());

    private void WriteSignal(
        IBufferWriter<byte> output,
        ulong id,
        SignalKind kind,
        SignalSeverity severity,
        string product,
        string? competitor,
        double observed,
        double reference,
        double threshold,
        double magnitude,
        long ts)
    {
        var w = _writer;
        w.Reset(output);
        w.WriteStartObject();
        w.WriteString(WireNames.Type, WireNames.SignalType);
        WriteId(w, id);
        w.WriteString(WireNames.Kind, WireNames.NameOf(WireNames.SignalKinds, (int)kind));
        w.WriteString(WireNames.Severity, WireNames.NameOf(WireNames.Severities, (int)severity));
        w.WriteString(WireNames.Product, product);
        if (competitor is not null)
        {
            w.WriteString(WireNames.Competitor, competitor);
        }

        // Evidence without float noise: prices at Money's precision (4 decimals), other figures at 6 significant digits.
        bool prices = kind is SignalKind.CompetitorPriceDrop or SignalKind.PriceAnomaly;
        WriteDouble(w, WireNames.Observed, prices ? EvidenceNumber.Price(observed) : EvidenceNumber.Figure(observed));
        WriteDouble(w, WireNames.Reference, prices ? EvidenceNumber.Price(reference) : EvidenceNumber.Figure(reference));
        WriteDouble(w, WireNames.Threshold, EvidenceNumber.Figure(threshold));
        WriteDouble(w, WireNames.Magnitude, EvidenceNumber.Figure(magnitude));
        w.WriteNumber(WireNames.Ts, ts);
        w.WriteEndObject();
        w.Flush();
        MarketEventJsonEncoder.WriteNewLine(output);
    }

    private void WriteDecision(
        IBufferWriter<byte> output,
        ulong id,
        string product,
        long oldTicks,
        long newTicks,
        long targetTicks,
        CurrencyCode currency,
        PricingStrategyKind strategy,
        int arm,
        DecisionTrigger trigger,
        PricingRules setBy,
        PricingRules bounded,
        long ts)
    {
        var w = _writer;
        w.Reset(output);
        w.WriteStartObject();
        w.WriteString(WireNames.Type, WireNames.DecisionType);
        WriteId(w, id);
        w.WriteString(WireNames.Product, product);
        MarketEventJsonEncoder.WriteMoney(w, WireNames.OldPrice, oldTicks);
        MarketEventJsonEncoder.WriteMoney(w, WireNames.NewPrice, newTicks);
        MarketEventJsonEncoder.WriteMoney(w, WireNames.TargetPrice, targetTicks);
        MarketEventJsonEncoder.WriteCurrency(w, currency);
        w.WriteString(WireNames.Strategy, WireNames.NameOf(WireNames.Strategies, (int)strategy));
        w.WriteNumber(WireNames.Arm, arm);
        w.WriteString(WireNames.Trigger, WireNames.NameOf(WireNames.Triggers, (int)trigger));
        WriteRules(w, WireNames.SetBy, setBy);
        WriteRules(w, WireNames.Bounded, bounded);
        w.WriteNumber(WireNames.Ts, ts);
        w.WriteEndObject();
        w.Flush();
        MarketEventJsonEncoder.WriteNewLine(output);
    }

    private static void WriteId(Utf8JsonWriter w, ulong id)
    {
        Span<byte> hex = stackalloc byte[16];
        id.TryFormat(hex, out _, "x16", CultureInfo.InvariantCulture);
        w.WriteString(WireNames.Id, hex);
    }

    private static void WriteDouble(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name); // JSON has no NaN or infinity
        }
    }

    private static void WriteRules(Utf8JsonWriter w, JsonEncodedText name, PricingRules rules)
    {
        w.WriteStartArray(name);
        uint bits = (uint)rules;
        for (int bit = 0; bits != 0; bit++, bits >>= 1)
        {
            if ((bits & 1) == 0)
            {
                continue;
            }

            if (bit < WireNames.Rules.Length)
            {
                w.WriteStringValue(WireNames.Rules[bit]);
            }
            else
            {
                w.WriteNumberValue(1u << bit);
            }
        }

        w.WriteEndArray();
    }

    // ---- Reading back (allocates; store reload and tests only). ----

    /// <summary>Reads one output line.</summary>
    /// <returns>True with exactly one of <paramref name="signal"/> / <paramref name="decision"/> set; false with a reason.</returns>
    public static bool TryRead(ReadOnlySpan<byte> line, out StoredSignal? signal, out StoredDecision? decision, [NotNullWhen(false)] out string? error)
    {
        signal = null;
        decision = null;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                error = "more than one JSON value on the line";
                return false;
            }

            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "line is not a JSON object";
                return false;
            }

            var type = root.GetProperty("type").GetString();
            var id = ulong.Parse(root.GetProperty("id").GetString()!, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var time = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("ts").GetInt64());
            var product = root.GetProperty("product").GetString()!;
            if (type == "signal")
            {
                signal = new StoredSignal(
                    id,
                    (SignalKind)Name(root, "kind", WireNames.SignalKinds),
                    (SignalSeverity)Name(root, "severity", WireNames.Severities),
                    product,
                    root.TryGetProperty("competitor", out var competitor) && competitor.ValueKind == JsonValueKind.String ? competitor.GetString() : null,
                    Double(root, "observed"),
                    Double(root, "reference"),
                    Double(root, "threshold"),
                    Double(root, "magnitude"),
                    time);
                error = null;
                return true;
            }

            if (type == "decision")
            {
                decision = new StoredDecision(
                    id,
                    product,
                    root.GetProperty("old_price").GetDecimal(),
                    root.GetProperty("new_price").GetDecimal(),
                    root.GetProperty("target_price").GetDecimal(),
                    root.GetProperty("currency").GetString()!,
                    (PricingStrategyKind)Name(root, "strategy", WireNames.Strategies),
                    root.GetProperty("arm").GetInt32(),
                    (DecisionTrigger)Name(root, "trigger", WireNames.Triggers),
                    Rules(root.GetProperty("set_by")),
                    Rules(root.GetProperty("bounded")),
                    time);
                error = null;
                return true;
            }

            error = $"unknown type '{type}'; expected signal or decision";
            return false;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            error = $"unreadable output line: {ex.Message}";
            return false;
        }
    }

    private static int Name(JsonElement root, string property, JsonEncodedText[] names)
    {
        var text = root.GetProperty(property).GetString() ?? string.Empty;
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i].Value == text)
            {
                return i;
            }
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"unknown {property} '{text}'");
    }

    private static double Double(JsonElement root, string property)
    {
        var value = root.GetProperty(property);
        return value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
    }

    private static PricingRules Rules(JsonElement array)
    {
        uint bits = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number)
            {
                bits |= item.GetUInt32();
                continue;
            }

            var text = item.GetString();
            int bit = Array.FindIndex(WireNames.Rules, r => r.Value == text);
            if (bit < 0)
            {
                throw new FormatException($"unknown pricing rule '{text}'");
            }

            bits |= 1u << bit;
        }

        return (PricingRules)bits;
    }
}
