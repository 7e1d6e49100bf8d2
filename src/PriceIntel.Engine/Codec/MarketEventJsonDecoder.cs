using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// Decodes one JSON Lines event (docs/wire-format.md) into a <see cref="MarketEvent"/>, interning
/// keys through <see cref="MarketKeys"/>: the wire codec every adapter (Kafka, HTTP ingest, files)
/// reads events with. Known keys and valid lines allocate nothing; every rejection returns a reason
/// naming the field and value (the reason string is built on that rare path only). Property order
/// does not matter and unknown properties are skipped. Keys are interned only after every field
/// check passed, so a rejected line adds no keys, except that when the key table itself refuses a
/// competitor or platform key, the line's product (interned first) stays.
/// <see cref="TryDecode"/> never throws on any input: malformed JSON, invalid UTF-8, lone
/// surrogates, huge numbers and deep nesting are all a <see langword="false"/> with a reason; work is
/// linear in the line's length. <see cref="MarketEventJsonEncoder"/> writes what this reads.
/// Not thread-safe: one decoder per reading thread.
/// </summary>
/// <remarks>
/// Two paths read a line. The fast path, <see cref="FlatJsonEventScanner"/>, reads the common flat,
/// escape-free shape straight off the bytes; the reader path (<see cref="TryDecodeWithReader"/>)
/// runs <see cref="Utf8JsonReader"/> and handles everything. The fast path only ever succeeds: any
/// line it is unsure of, and any line that fails a check, is decoded again by the reader path,
/// which gives the result and words the error. Both fill the same <see cref="Fields"/> and share the
/// checks and interning (<c>TryBuild</c>), so they agree on every line.
/// </remarks>
public sealed class MarketEventJsonDecoder
{
    /// <summary>Largest accepted timestamp: 9999-12-31T23:59:59.999Z.</summary>
    internal const long MaxTimestamp = 253_402_300_799_999;

    private const int KeyScratchBytes = 1024;
    private const int EnumScratchBytes = 64;
    private const int MaxShownValue = 80;

    private readonly MarketKeys _keys;
    private readonly byte[] _keyScratch = new byte[3 * KeyScratchBytes];
    private readonly byte[] _nameScratch = new byte[EnumScratchBytes];
    private readonly byte[] _valueScratch = new byte[EnumScratchBytes];
    private readonly Utf8KeyCache _products;
    private readonly Utf8KeyCache _competitors;
    private readonly Utf8KeyCache _platforms;
    private readonly FlatJsonEventScanner _scanner = new();

    /// <summary>Creates a decoder that interns keys into <paramref name="keys"/>.</summary>
    /// <param name="keys">The key tables of the engine the events are for.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    public MarketEventJsonDecoder(MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        _products = new Utf8KeyCache(keys.Products);
        _competitors = new Utf8KeyCache(keys.Competitors);
        _platforms = new Utf8KeyCache(keys.Platforms);
    }

    /// <summary>The key tables keys are interned into.</summary>
    public MarketKeys Keys => _keys;

    /// <summary>Decodes one line (without its line terminator). Never throws on bad input.</summary>
    /// <param name="line">The UTF-8 line.</param>
    /// <param name="result">The event; default when the line is rejected.</param>
    /// <param name="error">Why the line was rejected, naming the field and value; null on success.</param>
    /// <returns>True with the event; false with a reason naming the problem.</returns>
    public bool TryDecode(ReadOnlySpan<byte> line, out MarketEvent result, [NotNullWhen(false)] out string? error)
    {
        var fields = default(Fields);
        if (_scanner.TryScan(line, ref fields) && TryBuild(line, ref fields, out result, out error))
        {
            return true;
        }

        // Unsure or rejected: the reader path decides and words the error. A failed TryBuild may
        // have interned the product before a competitor or platform key failed; the reader path
        // then interns and fails the same way, so the key tables end up the same.
        return TryDecodeWithReader(line, out result, out error);
    }

    /// <summary>
    /// Decodes one line with <see cref="Utf8JsonReader"/> only, never the fast path: the reference
    /// behaviour <see cref="TryDecode"/> must match (tests and benchmarks compare the two).
    /// </summary>
    /// <returns>True with the event; false with a reason naming the problem.</returns>
    internal bool TryDecodeWithReader(ReadOnlySpan<byte> line, out MarketEvent result, [NotNullWhen(false)] out string? error)
    {
        result = default;
        if (!Utf8.IsValid(line))
        {
            error = InvalidUtf8(line);
            return false;
        }

        var fields = default(Fields);
        try
        {
            if (!TryReadFields(line, ref fields, out error))
            {
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = Malformed(ex);
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // Unescaping a string with a lone UTF-16 surrogate escape (e.g. "\ud83d") throws this
            // rather than JsonException; it is bad input like any other.
            error = Malformed(ex);
            return false;
        }

        return TryBuild(line, ref fields, out result, out error);
    }

    private bool TryReadFields(ReadOnlySpan<byte> line, ref Fields f, [NotNullWhen(false)] out string? error)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = NotAnObject(reader.TokenType);
            return false;
        }

        var nameScratch = _nameScratch.AsSpan();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                if (reader.Read())
                {
                    error = "malformed JSON: more than one value on the line";
                    return false;
                }

                error = null;
                return true;
            }

            var name = StringValue(ref reader, nameScratch);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue; // null means absent
            }

            if (!TryReadField(ref reader, line, name, ref f, out error))
            {
                return false;
            }
        }

        // The reader throws on truncated input, so this is not reached; kept for completeness.
        error = "malformed JSON: the object is not closed";
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadField(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, scoped ReadOnlySpan<byte> name, ref Fields f, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("ts"u8):
                return TryReadTimestamp(ref reader, ref f, out error);
            case 4 when name.SequenceEqual("type"u8):
                return TryReadEnum(ref reader, _valueScratch, WireNames.EventKinds, skipZero: true, "type", out f.Kind, out error);
            case 4 when name.SequenceEqual("cost"u8):
                f.HasCost = true;
                return TryReadMoney(ref reader, "cost", out f.Cost, out error);
            case 5 when name.SequenceEqual("price"u8):
                f.HasPrice = true;
                return TryReadMoney(ref reader, "price", out f.Price, out error);
            case 5 when name.SequenceEqual("units"u8):
                f.HasUnits = true;
                return TryReadCount(ref reader, "units", out f.Units, out error);
            case 6 when name.SequenceEqual("action"u8):
                return TryReadEnum(ref reader, _valueScratch, WireNames.Actions, skipZero: true, "action", out f.Action, out error);
            case 7 when name.SequenceEqual("product"u8):
                return TryReadKey(ref reader, line, 0, "product", ref f.Product, out error);
            case 8 when name.SequenceEqual("currency"u8):
                return TryReadCurrency(ref reader, _valueScratch, ref f, out error);
            case 8 when name.SequenceEqual("platform"u8):
                return TryReadKey(ref reader, line, 2, "platform", ref f.Platform, out error);
            case 8 when name.SequenceEqual("quantity"u8):
                f.HasQuantity = true;
                return TryReadCount(ref reader, "quantity", out f.Quantity, out error);
            case 10 when name.SequenceEqual("competitor"u8):
                return TryReadKey(ref reader, line, 1, "competitor", ref f.Competitor, out error);
            case 12 when name.SequenceEqual("availability"u8):
                return TryReadEnum(ref reader, _valueScratch, WireNames.Availabilities, skipZero: false, "availability", out f.Availability, out error);
            default:
                reader.Skip(); // unknown property: ignored, including nested objects and arrays
                return true;
        }
    }

    private bool TryBuild(ReadOnlySpan<byte> line, ref Fields f, out MarketEvent result, [NotNullWhen(false)] out string? error)
    {
        result = default;
        var kind = (MarketEventKind)f.Kind;
        if (kind == MarketEventKind.None)
        {
            error = "missing field 'type'";
            return false;
        }

        if (!f.Product.Present)
        {
            return Missing("product", kind, out error);
        }

        if (!f.HasTimestamp)
        {
            return Missing("ts", kind, out error);
        }

        int competitorId = -1;
        int platformId = -1;
        switch (kind)
        {
            case MarketEventKind.CompetitorPrice:
                if (!f.Competitor.Present)
                {
                    return Missing("competitor", kind, out error);
                }

                if (!TryCheckPrice(ref f, kind, "price", f.HasPrice, f.Price, out error))
                {
                    return false;
                }

                break;
            case MarketEventKind.Demand:
                if (f.Action == 0)
                {
                    return Missing("action", kind, out error);
                }

                if ((DemandAction)f.Action == DemandAction.Purchase || f.HasPrice)
                {
                    if (!TryCheckPrice(ref f, kind, "price", f.HasPrice, f.Price, out error))
                    {
                        return false;
                    }
                }

                if (!f.HasQuantity)
                {
                    f.Quantity = 1;
                }
                else if (f.Quantity == 0 && (DemandAction)f.Action == DemandAction.Purchase)
                {
                    error = "quantity 0 is not allowed for a purchase; it must be at least 1";
                    return false;
                }

                break;
            case MarketEventKind.Inventory:
                if (!f.HasUnits)
                {
                    return Missing("units", kind, out error);
                }

                break;
            case MarketEventKind.Cost:
                if (!TryCheckPrice(ref f, kind, "cost", f.HasCost, f.Cost, out error))
                {
                    return false;
                }

                break;
            case MarketEventKind.ListPrice:
                if (!TryCheckPrice(ref f, kind, "price", f.HasPrice, f.Price, out error))
                {
                    return false;
                }

                break;
        }

        // Every check passed: only now are keys interned, so bad lines never add keys.
        if (!TryIntern(_products, _keys.Products, KeySpan(line, 0, f.Product), out int productId, out error))
        {
            return false;
        }

        if (kind == MarketEventKind.CompetitorPrice)
        {
            if (!TryIntern(_competitors, _keys.Competitors, KeySpan(line, 1, f.Competitor), out competitorId, out error))
            {
                return false;
            }

            if (f.Platform.Present && !TryIntern(_platforms, _keys.Platforms, KeySpan(line, 2, f.Platform), out platformId, out error))
            {
                return false;
            }
        }

        result = kind switch
        {
            MarketEventKind.CompetitorPrice => MarketEvent.CompetitorPrice(productId, competitorId, platformId, new Money(f.Price), f.Currency, (Availability)f.Availability, f.Timestamp),
            MarketEventKind.Demand => MarketEvent.Demand(productId, (DemandAction)f.Action, f.Quantity, new Money(f.Price), f.Currency, f.Timestamp),
            MarketEventKind.Inventory => MarketEvent.Inventory(productId, f.Units, f.Timestamp),
            MarketEventKind.Cost => MarketEvent.Cost(productId, new Money(f.Cost), f.Currency, f.Timestamp),
            _ => MarketEvent.ListPrice(productId, new Money(f.Price), f.Currency, f.Timestamp),
        };
        error = null;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryCheckPrice(ref Fields f, MarketEventKind kind, string field, bool present, long ticks, [NotNullWhen(false)] out string? error)
    {
        if (!present)
        {
            return Missing(field, kind, out error);
        }

        if (ticks <= 0 || ticks > Money.MaxPrice.Ticks)
        {
            error = PriceOutOfRange(field, ticks);
            return false;
        }

        if (f.Currency.IsEmpty)
        {
            return Missing("currency", kind, out error);
        }

        error = null;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryIntern(Utf8KeyCache cache, KeyTable table, ReadOnlySpan<byte> key, out int id, [NotNullWhen(false)] out string? error)
    {
        if (cache.TryGetOrIntern(key, out id, out error))
        {
            return true;
        }

        error = KeyRejected(table, key, error);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> KeySpan(ReadOnlySpan<byte> line, int slot, in KeySlice slice) =>
        slice.InScratch
            ? _keyScratch.AsSpan((slot * KeyScratchBytes) + slice.Start, slice.Length)
            : line.Slice(slice.Start, slice.Length);

    private bool TryReadKey(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, int slot, string field, ref KeySlice slice, [NotNullWhen(false)] out string? error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return WrongType(field, "a string", ref reader, line, out error);
        }

        if (!reader.ValueIsEscaped)
        {
            slice = new KeySlice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, inScratch: false);
            error = null;
            return true;
        }

        if (reader.ValueSpan.Length > KeyScratchBytes)
        {
            error = $"{field} is longer than {KeyTable.MaxKeyLength} characters";
            return false;
        }

        int written = reader.CopyString(_keyScratch.AsSpan(slot * KeyScratchBytes, KeyScratchBytes));
        slice = new KeySlice(0, written, inScratch: true);
        error = null;
        return true;
    }

    private static bool TryReadEnum(ref Utf8JsonReader reader, byte[] scratch, JsonEncodedText[] names, bool skipZero, string field, out byte value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            return WrongType(field, "a string", ref reader, default, out error);
        }

        var text = StringValue(ref reader, scratch);
        int index = WireNames.IndexOf(names, text, skipZero);
        if (index < 0)
        {
            error = UnknownName(field, text, names, skipZero);
            return false;
        }

        value = (byte)index;
        error = null;
        return true;
    }

    private static bool TryReadCurrency(ref Utf8JsonReader reader, byte[] scratch, ref Fields f, [NotNullWhen(false)] out string? error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return WrongType("currency", "a string", ref reader, default, out error);
        }

        var text = StringValue(ref reader, scratch);
        if (!CurrencyCode.TryParse(text, out var code) || !code.IsKnown)
        {
            error = UnknownCurrency(text);
            return false;
        }

        f.Currency = code;
        error = null;
        return true;
    }

    private static bool TryReadMoney(ref Utf8JsonReader reader, string field, out long ticks, [NotNullWhen(false)] out string? error)
    {
        if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            ticks = 0;
            return WrongType(field, "a number", ref reader, default, out error);
        }

        if (!MoneyText.TryParseTicks(reader.ValueSpan, out ticks))
        {
            error = NotANumber(field, reader.ValueSpan);
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadCount(ref Utf8JsonReader reader, string field, out int value, [NotNullWhen(false)] out string? error)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out value))
        {
            value = 0;
            error = NotAWholeNumber(field, reader.ValueSpan);
            return false;
        }

        if (value < 0)
        {
            error = Negative(field, value);
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, ref Fields f, [NotNullWhen(false)] out string? error)
    {
        long ts;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetInt64(out ts))
            {
                error = BadTimestamp(reader.ValueSpan, "is not a whole number of Unix milliseconds");
                return false;
            }
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            if (!reader.TryGetDateTimeOffset(out var time))
            {
                error = BadTimestamp(reader.ValueSpan, "is not an ISO 8601 date and time");
                return false;
            }

            ts = time.ToUnixTimeMilliseconds();
        }
        else
        {
            return WrongType("ts", "Unix milliseconds or an ISO 8601 string", ref reader, default, out error);
        }

        if (ts < 0 || ts > MaxTimestamp)
        {
            error = BadTimestamp(reader.ValueSpan, "is outside 1970-01-01 to 9999-12-31");
            return false;
        }

        f.Timestamp = ts;
        f.HasTimestamp = true;
        error = null;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> StringValue(scoped ref Utf8JsonReader reader, Span<byte> scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return UnescapeSlow(ref reader, scratch);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ReadOnlySpan<byte> UnescapeSlow(scoped ref Utf8JsonReader reader, Span<byte> scratch)
    {
        // Escaped text never grows when unescaped; too long for the scratch means "no known name".
        if (reader.ValueSpan.Length > scratch.Length)
        {
            return reader.ValueSpan;
        }

        int written = reader.CopyString(scratch);
        return scratch[..written];
    }

    // ---- Failure path: every reason names the field and the value. ----

    private static bool Missing(string field, MarketEventKind kind, out string error)
    {
        error = $"missing field '{field}' for type {WireNames.EventKinds[(int)kind]}";
        return false;
    }

    private static bool WrongType(string field, string expected, ref Utf8JsonReader reader, ReadOnlySpan<byte> line, out string error)
    {
        _ = line;
        var shown = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
            ? (reader.TokenType == JsonTokenType.StartObject ? "an object" : "an array")
            : Show(reader.ValueSpan);
        error = $"{field} must be {expected}; got {shown}";
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string InvalidUtf8(ReadOnlySpan<byte> line)
    {
        int offset = 0;
        while (offset < line.Length && Rune.DecodeFromUtf8(line[offset..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        return string.Create(CultureInfo.InvariantCulture, $"line is not valid UTF-8 (bad byte 0x{line[Math.Min(offset, line.Length - 1)]:X2} at byte {offset + 1})");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Malformed(Exception ex) => $"malformed JSON: {ex.Message}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string NotAnObject(JsonTokenType token) =>
        token == JsonTokenType.None ? "malformed JSON: the line is empty" : $"line must be a JSON object; got {token}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string UnknownName(string field, ReadOnlySpan<byte> text, JsonEncodedText[] names, bool skipZero) =>
        $"unknown {field} '{Show(text)}'; expected one of {WireNames.Accepted(names, skipZero)}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string UnknownCurrency(ReadOnlySpan<byte> text) =>
        $"unknown currency '{Show(text)}'; expected an ISO 4217 code such as USD";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string NotANumber(string field, ReadOnlySpan<byte> text) =>
        $"{field} '{Show(text)}' is not a number";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string NotAWholeNumber(string field, ReadOnlySpan<byte> text) =>
        $"{field} '{Show(text)}' is not a whole number";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Negative(string field, int value) =>
        string.Create(CultureInfo.InvariantCulture, $"{field} {value} is negative");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string BadTimestamp(ReadOnlySpan<byte> text, string problem) =>
        $"ts '{Show(text)}' {problem}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PriceOutOfRange(string field, long ticks)
    {
        if (ticks == long.MaxValue)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{field} is absurdly large; the maximum is {Money.MaxPrice}");
        }

        if (ticks == long.MinValue)
        {
            return $"{field} is a huge negative number; it must be above zero";
        }

        var amount = new Money(ticks);
        return ticks <= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{field} {amount} must be above zero")
            : string.Create(CultureInfo.InvariantCulture, $"{field} {amount} exceeds the maximum of {Money.MaxPrice}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string KeyRejected(KeyTable table, ReadOnlySpan<byte> key, string? reason) =>
        $"{table.Name} '{Show(key)}' rejected: {reason}";

    private static string Show(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8.Length > MaxShownValue * 4 ? utf8[..(MaxShownValue * 4)] : utf8);
        return text.Length > MaxShownValue ? string.Concat(text.AsSpan(0, MaxShownValue), "…") : text;
    }

    /// <summary>Where a key's UTF-8 bytes are: a slice of the line, or (when escaped) of the key scratch.</summary>
    internal readonly struct KeySlice(int start, int length, bool inScratch)
    {
        public readonly int Start = start;
        public readonly int Length = length;
        public readonly bool InScratch = inScratch;
        public readonly bool Present = true;
    }

    /// <summary>The fields seen so far on one line (filled by the reader path or by <see cref="FlatJsonEventScanner"/>).</summary>
    internal struct Fields
    {
        public byte Kind;
        public byte Action;
        public byte Availability;
        public bool HasPrice;
        public bool HasCost;
        public bool HasQuantity;
        public bool HasUnits;
        public bool HasTimestamp;
        public CurrencyCode Currency;
        public int Quantity;
        public int Units;
        public long Price;
        public long Cost;
        public long Timestamp;
        public KeySlice Product;
        public KeySlice Competitor;
        public KeySlice Platform;
    }
}
