using System.Buffers;
using System.Globalization;
using System.Text.Json;
using PriceIntel.Engine.Codec;
using PriceIntel.Engine.Signals;


namespace PriceIntel;

/// <summary>
/// Writes engine outputs in their JSON Lines form (docs/wire-format.md): one <c>"type":"signal"</c> or
/// <c>"type":"decision"</c> object a line, keys as strings, ids as 16 hex digits, prices as exact
/// decimals, enums as snake_case, <c>ts</c> as Unix milliseconds. Writing from engine structs
/// allocates nothing in the steady state (one <see cref="Utf8JsonWriter"/> is reused).
/// <see cref="MarketOutputJsonDecoder"/> reads the lines back. Not thread-safe: one instance per writing thread.
/// </summary>
#pragma warning disable CA1001 // the Utf8JsonWriter holds no unmanaged resource (it writes to Stream.Null or a caller's buffer); an IDisposable encoder would only add a call
public sealed class MarketOutputJsonEncoder
#pragma warning restore CA1001
{
    private readonly Utf8JsonWriter _writer = new(Stream.Null, MarketEventJsonEncoder.WriterOptions);

    /// <summary>Writes a signal followed by a line feed, resolving its ids through <paramref name="keys"/>.</summary>
    /// <param name="s">The signal.</param>
    /// <param name="keys">The key tables the signal's ids come from.</param>
    /// <param name="output">Where the line goes.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in <paramref name="keys"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or <paramref name="output"/> is null.</exception>
    public void WriteSignal(in MarketSignal s, MarketKeys keys, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(output);
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
    }

    /// <summary>Writes a stored signal followed by a line feed.</summary>
    /// <param name="s">The signal.</param>
    /// <param name="output">Where the line goes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> or <paramref name="output"/> is null.</exception>
    public void WriteSignal(StoredSignal s, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(output);
        WriteSignal(output, s.Id, s.Kind, s.Severity, s.Product, s.Competitor, s.Observed, s.Reference, s.Threshold, s.Magnitude, s.Time.ToUnixTimeMilliseconds());
    }

    /// <summary>Writes a decision followed by a line feed, resolving its ids through <paramref name="keys"/>.</summary>
    /// <param name="d">The decision.</param>
    /// <param name="keys">The key tables the decision's ids come from.</param>
    /// <param name="output">Where the line goes.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in <paramref name="keys"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or <paramref name="output"/> is null.</exception>
    public void WriteDecision(in PricingDecision d, MarketKeys keys, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(output);
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
    }

    /// <summary>Writes a stored decision followed by a line feed.</summary>
    /// <param name="d">The decision.</param>
    /// <param name="output">Where the line goes.</param>
    /// <exception cref="FormatException">The currency is not a three-letter code.</exception>
    /// <exception cref="OverflowException">A price is beyond what <see cref="Money"/> holds.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="d"/> or <paramref name="output"/> is null.</exception>
    public void WriteDecision(StoredDecision d, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(output);
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
    }

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
}
