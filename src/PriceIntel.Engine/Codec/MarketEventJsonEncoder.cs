using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// Writes <see cref="MarketEvent"/>s as JSON lines (docs/wire-format.md) onto an
/// <see cref="IBufferWriter{T}"/>, resolving ids through <see cref="MarketKeys"/>. The inverse of
/// <see cref="MarketEventJsonDecoder"/>: decoding what this writes gives the same event back.
/// One <see cref="Utf8JsonWriter"/> is reused, so steady-state writes allocate nothing. Not thread-safe:
/// one encoder per writing thread.
/// </summary>
#pragma warning disable CA1001 // the Utf8JsonWriter holds no unmanaged resource (it writes to Stream.Null or a caller's buffer); an IDisposable encoder would only add a call
public sealed class MarketEventJsonEncoder
#pragma warning restore CA1001
{
    /// <summary>Writer options shared by every JSON Lines writer: compact, UTF-8 text kept readable.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    private readonly MarketKeys _keys;
    private readonly Utf8JsonWriter _writer;

    /// <summary>Creates an encoder that resolves ids through <paramref name="keys"/>.</summary>
    /// <param name="keys">The key tables the events' ids come from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    public MarketEventJsonEncoder(MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        _writer = new Utf8JsonWriter(Stream.Null, WriterOptions);
    }

    /// <summary>Writes one event followed by a line feed.</summary>
    /// <param name="e">The event.</param>
    /// <param name="output">Where the line goes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the key tables.</exception>
    public void Write(in MarketEvent e, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = _writer;
        w.Reset(output);
        w.WriteStartObject();
        w.WriteString(WireNames.Type, WireNames.NameOf(WireNames.EventKinds, (int)e.Kind));
        w.WriteString(WireNames.Product, _keys.Products.GetName(e.ProductId));
        switch (e.Kind)
        {
            case MarketEventKind.CompetitorPrice:
                w.WriteString(WireNames.Competitor, _keys.Competitors.GetName(e.CompetitorId));
                if (e.PlatformId >= 0)
                {
                    w.WriteString(WireNames.Platform, _keys.Platforms.GetName(e.PlatformId));
                }

                WriteMoney(w, WireNames.Price, e.Price.Ticks);
                WriteCurrency(w, e.Currency);
                w.WriteString(WireNames.Availability, WireNames.NameOf(WireNames.Availabilities, (int)e.Availability));
                break;
            case MarketEventKind.Demand:
                w.WriteString(WireNames.Action, WireNames.NameOf(WireNames.Actions, (int)e.Action));
                w.WriteNumber(WireNames.Quantity, e.Quantity);
                if (e.Price.Ticks != 0)
                {
                    WriteMoney(w, WireNames.Price, e.Price.Ticks);
                }

                if (!e.Currency.IsEmpty)
                {
                    WriteCurrency(w, e.Currency);
                }

                break;
            case MarketEventKind.Inventory:
                w.WriteNumber(WireNames.Units, e.Quantity);
                break;
            case MarketEventKind.Cost:
                WriteMoney(w, WireNames.Cost, e.Price.Ticks);
                WriteCurrency(w, e.Currency);
                break;
            default:
                WriteMoney(w, WireNames.Price, e.Price.Ticks);
                WriteCurrency(w, e.Currency);
                break;
        }

        w.WriteNumber(WireNames.Ts, e.Timestamp);
        w.WriteEndObject();
        w.Flush();
        WriteNewLine(output);
    }

    /// <summary>Writes a money amount as an exact decimal number (e.g. 19.99).</summary>
    internal static void WriteMoney(Utf8JsonWriter writer, JsonEncodedText name, long ticks)
    {
        Span<byte> text = stackalloc byte[MoneyText.MaxFormattedLength];
        int length = MoneyText.Format(ticks, text);
        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    /// <summary>Writes a currency code as its three letters.</summary>
    internal static void WriteCurrency(Utf8JsonWriter writer, CurrencyCode currency)
    {
        Span<byte> code = stackalloc byte[3];
        writer.WriteString(WireNames.Currency, code[..currency.Format(code)]);
    }

    /// <summary>Ends a JSON line.</summary>
    internal static void WriteNewLine(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}
