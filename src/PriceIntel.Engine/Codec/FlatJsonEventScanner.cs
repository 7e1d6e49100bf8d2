using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace PriceIntel.Engine.Codec;

/// <summary>
/// The fast path of <see cref="MarketEventJsonDecoder"/>: reads the common line shape straight off
/// the UTF-8 bytes into the decoder's <see cref="MarketEventJsonDecoder.Fields"/>, without
/// <see cref="Utf8JsonReader"/>. The shape it takes: one flat JSON object, optional JSON whitespace
/// between tokens, property names and string values without escapes or control characters, any
/// property order, each known property at most once, <c>null</c> meaning absent, unknown properties
/// with string, number, <c>true</c>, <c>false</c> or <c>null</c> values. For every line it accepts it
/// fills exactly the fields the reader path would; whenever it is not certain (an escape, a nested
/// value, a duplicate, a number form it does not parse, any value the reader path would reject) it
/// says no and the caller falls back to the reader path, which then decides, and words any error.
/// It never interns keys and never reports errors. Not thread-safe: one per decoder.
/// </summary>
internal sealed class FlatJsonEventScanner
{
    private const int TypeBit = 1 << 0;
    private const int ProductBit = 1 << 1;
    private const int CompetitorBit = 1 << 2;
    private const int PlatformBit = 1 << 3;
    private const int PriceBit = 1 << 4;
    private const int CostBit = 1 << 5;
    private const int CurrencyBit = 1 << 6;
    private const int AvailabilityBit = 1 << 7;
    private const int ActionBit = 1 << 8;
    private const int QuantityBit = 1 << 9;
    private const int UnitsBit = 1 << 10;
    private const int TsBit = 1 << 11;

    /// <summary>Digits of <see cref="MarketEventJsonDecoder.MaxTimestamp"/>: longer Unix-ms values are out of range.</summary>
    private const int MaxTimestampDigits = 15;

    /// <summary>Digits of <see cref="int.MaxValue"/>.</summary>
    private const int MaxCountDigits = 10;

    /// <summary>The last currency code found to be known, so the common case skips the ISO 4217 set.</summary>
    private CurrencyCode _knownCurrency;

    /// <summary>
    /// Reads <paramref name="line"/> into <paramref name="f"/> (which must start out default) when it
    /// has the flat shape this scanner is certain about.
    /// </summary>
    /// <returns>
    /// True when <paramref name="f"/> now holds what the reader path would have read; false when the
    /// line must go to the reader path (<paramref name="f"/> is then partly filled and meaningless).
    /// </returns>
    public bool TryScan(ReadOnlySpan<byte> line, ref MarketEventJsonDecoder.Fields f)
    {
        int i = SkipWhitespace(line, 0);
        if ((uint)i >= (uint)line.Length || line[i] != (byte)'{')
        {
            return false;
        }

        int seen = 0;
        bool nonAscii = false;
        i = SkipWhitespace(line, i + 1);
        while (true)
        {
            if ((uint)i >= (uint)line.Length || line[i] != (byte)'"')
            {
                return false; // includes "{}" and a trailing comma
            }

            i++;
            int bit = MatchName(line, ref i);
            if (bit == 0)
            {
                i = ScanString(line, i, ref nonAscii);
                if (i < 0)
                {
                    return false;
                }

                i++; // past the closing quote
            }
            else if ((seen & bit) != 0)
            {
                return false; // a duplicate: the reader path decides which one counts
            }

            seen |= bit;
            i = SkipWhitespace(line, i);
            if ((uint)i >= (uint)line.Length || line[i] != (byte)':')
            {
                return false;
            }

            i = SkipWhitespace(line, i + 1);
            if ((uint)i >= (uint)line.Length)
            {
                return false;
            }

            if (line[i] == (byte)'n')
            {
                if (!line[i..].StartsWith("null"u8))
                {
                    return false;
                }

                i += 4; // null means absent
            }
            else
            {
                i = ScanValue(line, i, bit, ref f, ref nonAscii);
                if (i < 0)
                {
                    return false;
                }
            }

            i = SkipWhitespace(line, i);
            if ((uint)i >= (uint)line.Length)
            {
                return false;
            }

            if (line[i] == (byte)',')
            {
                i = SkipWhitespace(line, i + 1);
                continue;
            }

            if (line[i] != (byte)'}')
            {
                return false;
            }

            // Nothing but whitespace may follow the object.
            if (SkipWhitespace(line, i + 1) != line.Length)
            {
                return false;
            }

            break;
        }

        // Structure and names outside strings are ASCII; strings with other bytes need a real check.
        return !nonAscii || Utf8.IsValid(line);
    }

    /// <summary>
    /// Matches a known property name (with its closing quote) at <paramref name="i"/>, the byte after
    /// the opening quote; on a match moves <paramref name="i"/> past the closing quote.
    /// </summary>
    /// <returns>The property's bit, or 0 for any other name (<paramref name="i"/> unchanged).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchName(ReadOnlySpan<byte> line, ref int i)
    {
        var rest = line[i..];
        int end = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0 || rest[end] != (byte)'"')
        {
            return 0; // unterminated or escaped: the string scan decides (and gives up on the escape)
        }

        int bit = FieldBit(rest[..end]);
        if (bit != 0)
        {
            i += end + 1;
        }

        return bit;
    }

    /// <summary>The bit of a known property name (the names the reader path dispatches on), or 0.</summary>
    private static int FieldBit(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("ts"u8) => TsBit,
        4 when name.SequenceEqual("type"u8) => TypeBit,
        4 when name.SequenceEqual("cost"u8) => CostBit,
        5 when name.SequenceEqual("price"u8) => PriceBit,
        5 when name.SequenceEqual("units"u8) => UnitsBit,
        6 when name.SequenceEqual("action"u8) => ActionBit,
        7 when name.SequenceEqual("product"u8) => ProductBit,
        8 when name.SequenceEqual("currency"u8) => CurrencyBit,
        8 when name.SequenceEqual("platform"u8) => PlatformBit,
        8 when name.SequenceEqual("quantity"u8) => QuantityBit,
        10 when name.SequenceEqual("competitor"u8) => CompetitorBit,
        12 when name.SequenceEqual("availability"u8) => AvailabilityBit,
        _ => 0,
    };

    /// <summary>Reads the non-null value at <paramref name="i"/> of the property <paramref name="bit"/> (0: unknown).</summary>
    /// <returns>The index after the value, or -1 to give up.</returns>
    private int ScanValue(ReadOnlySpan<byte> line, int i, int bit, ref MarketEventJsonDecoder.Fields f, ref bool nonAscii)
    {
        switch (bit)
        {
            case TypeBit:
                return EnumEnd(line, i, MatchEventKind(line, i + 1, out f.Kind));
            case ProductBit:
                return ScanKey(line, i, ref f.Product, ref nonAscii);
            case CompetitorBit:
                return ScanKey(line, i, ref f.Competitor, ref nonAscii);
            case PlatformBit:
                return ScanKey(line, i, ref f.Platform, ref nonAscii);
            case PriceBit:
                f.HasPrice = true;
                return ScanMoney(line, i, out f.Price, ref nonAscii);
            case CostBit:
                f.HasCost = true;
                return ScanMoney(line, i, out f.Cost, ref nonAscii);
            case CurrencyBit:
                return ScanCurrency(line, i, ref f);
            case AvailabilityBit:
                return EnumEnd(line, i, MatchAvailability(line, i + 1, out f.Availability));
            case ActionBit:
                return EnumEnd(line, i, MatchAction(line, i + 1, out f.Action));
            case QuantityBit:
                f.HasQuantity = true;
                return ScanCount(line, i, out f.Quantity);
            case UnitsBit:
                f.HasUnits = true;
                return ScanCount(line, i, out f.Units);
            case TsBit:
                f.HasTimestamp = true;
                return ScanTimestamp(line, i, out f.Timestamp, ref nonAscii);
            default:
                return SkipScalar(line, i, ref nonAscii);
        }
    }

    /// <summary>
    /// The end of an enum value: a string at <paramref name="i"/> whose name (with its closing quote)
    /// the matcher recognised as <paramref name="matched"/> bytes from <paramref name="i"/> + 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EnumEnd(ReadOnlySpan<byte> line, int i, int matched) =>
        matched < 0 || line[i] != (byte)'"' ? -1 : i + 1 + matched;

    /// <summary>Matches an event type name and its closing quote at <paramref name="start"/>; the bytes matched, or -1.</summary>
    private static int MatchEventKind(ReadOnlySpan<byte> line, int start, out byte value)
    {
        value = 0;
        if ((uint)start >= (uint)line.Length)
        {
            return -1;
        }

        var text = line[start..];

        switch (text[0])
        {
            case (byte)'c':
                if (text.StartsWith("competitor_price\""u8))
                {
                    value = (byte)MarketEventKind.CompetitorPrice;
                    return 17;
                }

                if (text.StartsWith("cost\""u8))
                {
                    value = (byte)MarketEventKind.Cost;
                    return 5;
                }

                return -1;
            case (byte)'d' when text.StartsWith("demand\""u8):
                value = (byte)MarketEventKind.Demand;
                return 7;
            case (byte)'i' when text.StartsWith("inventory\""u8):
                value = (byte)MarketEventKind.Inventory;
                return 10;
            case (byte)'l' when text.StartsWith("list_price\""u8):
                value = (byte)MarketEventKind.ListPrice;
                return 11;
            default:
                return -1;
        }
    }

    /// <summary>Matches a demand action name and its closing quote at <paramref name="start"/>; the bytes matched, or -1.</summary>
    private static int MatchAction(ReadOnlySpan<byte> line, int start, out byte value)
    {
        value = 0;
        if ((uint)start >= (uint)line.Length)
        {
            return -1;
        }

        var text = line[start..];

        switch (text[0])
        {
            case (byte)'v' when text.StartsWith("view\""u8):
                value = (byte)DemandAction.View;
                return 5;
            case (byte)'a' when text.StartsWith("add_to_cart\""u8):
                value = (byte)DemandAction.AddToCart;
                return 12;
            case (byte)'p' when text.StartsWith("purchase\""u8):
                value = (byte)DemandAction.Purchase;
                return 9;
            default:
                return -1;
        }
    }

    /// <summary>Matches an availability name and its closing quote at <paramref name="start"/>; the bytes matched, or -1.</summary>
    private static int MatchAvailability(ReadOnlySpan<byte> line, int start, out byte value)
    {
        value = 0;
        if ((uint)start >= (uint)line.Length)
        {
            return -1;
        }

        var text = line[start..];

        switch (text[0])
        {
            case (byte)'i' when text.StartsWith("in_stock\""u8):
                value = (byte)Availability.InStock;
                return 9;
            case (byte)'o' when text.StartsWith("out_of_stock\""u8):
                value = (byte)Availability.OutOfStock;
                return 13;
            case (byte)'l' when text.StartsWith("limited_stock\""u8):
                value = (byte)Availability.LimitedStock;
                return 14;
            case (byte)'p' when text.StartsWith("pre_order\""u8):
                value = (byte)Availability.PreOrder;
                return 10;
            case (byte)'u' when text.StartsWith("unknown\""u8):
                value = (byte)Availability.Unknown;
                return 8;
            default:
                return -1;
        }
    }

    /// <summary>A key string: recorded as a slice of the line (validated and interned later by the decoder).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanKey(ReadOnlySpan<byte> line, int i, ref MarketEventJsonDecoder.KeySlice slice, ref bool nonAscii)
    {
        if (line[i] != (byte)'"')
        {
            return -1;
        }

        int end = ScanString(line, i + 1, ref nonAscii);
        if (end < 0)
        {
            return -1;
        }

        slice = new MarketEventJsonDecoder.KeySlice(i + 1, end - (i + 1), inScratch: false);
        return end + 1;
    }

    /// <summary>A price: a JSON number or a string, parsed by <see cref="MoneyText"/> as the reader path does (range checks come later).</summary>
    private static int ScanMoney(ReadOnlySpan<byte> line, int i, out long ticks, ref bool nonAscii)
    {
        ticks = 0;
        int start;
        int end;
        int next;
        if (line[i] == (byte)'"')
        {
            start = i + 1;
            end = ScanString(line, start, ref nonAscii);
            next = end + 1;
        }
        else
        {
            start = i;
            end = ScanNumber(line, i);
            next = end;
        }

        if (end < 0 || !MoneyText.TryParseTicks(line[start..end], out ticks))
        {
            return -1;
        }

        return next;
    }

    /// <summary>A count: plain digits only (no sign, fraction or exponent), within <see cref="int"/> range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanCount(ReadOnlySpan<byte> line, int i, out int value)
    {
        int end = ScanDigits(line, i, MaxCountDigits, out long number);
        value = (int)number;
        return number > int.MaxValue ? -1 : end;
    }

    /// <summary>A timestamp: Unix ms as plain digits within range, or an ISO 8601 string.</summary>
    private static int ScanTimestamp(ReadOnlySpan<byte> line, int i, out long ts, ref bool nonAscii)
    {
        int end;
        if (line[i] == (byte)'"')
        {
            end = ScanString(line, i + 1, ref nonAscii);
            if (end < 0 || !TryParseIsoTimestamp(line[i..(end + 1)], out ts))
            {
                ts = 0;
                return -1;
            }

            end++;
        }
        else
        {
            end = ScanDigits(line, i, MaxTimestampDigits, out ts);
        }

        return ts < 0 || ts > MarketEventJsonDecoder.MaxTimestamp ? -1 : end;
    }

    /// <summary>
    /// Reads a quoted, escape-free string with <see cref="Utf8JsonReader.TryGetDateTimeOffset"/>, the
    /// same parser the reader path uses, so both accept the same ISO 8601 forms.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseIsoTimestamp(ReadOnlySpan<byte> quoted, out long ts)
    {
        ts = 0;
        try
        {
            var reader = new Utf8JsonReader(quoted, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var time))
            {
                return false;
            }

            ts = time.ToUnixTimeMilliseconds();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A known currency code: exactly three ASCII letters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ScanCurrency(ReadOnlySpan<byte> line, int i, ref MarketEventJsonDecoder.Fields f)
    {
        if ((uint)(i + 4) >= (uint)line.Length || line[i] != (byte)'"' || line[i + 4] != (byte)'"' ||
            !CurrencyCode.TryParse(line.Slice(i + 1, 3), out var code))
        {
            return -1;
        }

        if (code != _knownCurrency)
        {
            if (!code.IsKnown)
            {
                return -1;
            }

            _knownCurrency = code;
        }

        f.Currency = code;
        return i + 5;
    }

    /// <summary>
    /// Plain decimal digits with no leading zero, at most <paramref name="maxDigits"/> of them. A sign,
    /// fraction or exponent stops the digits, so the caller's delimiter check then gives up.
    /// </summary>
    /// <returns>The index after the digits, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanDigits(ReadOnlySpan<byte> line, int i, int maxDigits, out long value)
    {
        value = 0;
        int start = i;
        while ((uint)i < (uint)line.Length)
        {
            uint digit = (uint)(line[i] - '0');
            if (digit > 9)
            {
                break;
            }

            value = (value * 10) + digit;
            i++;
        }

        int count = i - start;
        if (count == 0 || count > maxDigits || (line[start] == (byte)'0' && count > 1))
        {
            value = 0;
            return -1;
        }

        return i;
    }

    /// <summary>Skips an unknown property's scalar value: a string, a number, <c>true</c> or <c>false</c>.</summary>
    private static int SkipScalar(ReadOnlySpan<byte> line, int i, ref bool nonAscii)
    {
        switch (line[i])
        {
            case (byte)'"':
                int end = ScanString(line, i + 1, ref nonAscii);
                return end < 0 ? -1 : end + 1;
            case (byte)'t':
                return line[i..].StartsWith("true"u8) ? i + 4 : -1;
            case (byte)'f':
                return line[i..].StartsWith("false"u8) ? i + 5 : -1;
            default:
                return ScanNumber(line, i); // objects and arrays fail here too
        }
    }

    /// <summary>
    /// Finds the closing quote of a string whose content starts at <paramref name="i"/>. Gives up on
    /// an escape or a control character; notes bytes beyond ASCII in <paramref name="nonAscii"/>.
    /// </summary>
    /// <returns>The index of the closing quote, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanString(ReadOnlySpan<byte> line, int i, ref bool nonAscii)
    {
        while ((uint)i < (uint)line.Length)
        {
            byte b = line[i];
            if ((uint)(b - 0x20) < 0x60 && b != (byte)'"' && b != (byte)'\\')
            {
                i++;
                continue;
            }

            if (b == (byte)'"')
            {
                return i;
            }

            if (b < 0x80)
            {
                return -1; // a backslash or a control character
            }

            nonAscii = true;
            i++;
        }

        return -1;
    }

    /// <summary>
    /// The end of a number in JSON syntax (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>)
    /// starting at <paramref name="i"/>.
    /// </summary>
    /// <returns>The index after the number, or -1 when there is no valid number there.</returns>
    private static int ScanNumber(ReadOnlySpan<byte> line, int i)
    {
        if ((uint)i < (uint)line.Length && line[i] == (byte)'-')
        {
            i++;
        }

        if ((uint)i >= (uint)line.Length)
        {
            return -1;
        }

        if (line[i] == (byte)'0')
        {
            i++;
        }
        else if (IsDigit(line[i]))
        {
            i = SkipDigits(line, i + 1);
        }
        else
        {
            return -1;
        }

        if ((uint)i < (uint)line.Length && line[i] == (byte)'.')
        {
            i++;
            if ((uint)i >= (uint)line.Length || !IsDigit(line[i]))
            {
                return -1;
            }

            i = SkipDigits(line, i + 1);
        }

        if ((uint)i < (uint)line.Length && (line[i] | 0x20) == (byte)'e')
        {
            i++;
            if ((uint)i < (uint)line.Length && line[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if ((uint)i >= (uint)line.Length || !IsDigit(line[i]))
            {
                return -1;
            }

            i = SkipDigits(line, i + 1);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipDigits(ReadOnlySpan<byte> line, int i)
    {
        while ((uint)i < (uint)line.Length && IsDigit(line[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Skips JSON whitespace (space, tab, line feed, carriage return).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> line, int i)
    {
        while ((uint)i < (uint)line.Length && line[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
