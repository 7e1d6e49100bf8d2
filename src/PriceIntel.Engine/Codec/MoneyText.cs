using System.Globalization;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Codec;

/// <summary>
/// Exact conversion between decimal text and <see cref="Money"/> ticks, never through binary
/// floating point: "19.99" is 199,900 ticks. Plain prices with up to four decimals take a digit
/// loop; anything else (exponents, more decimals) goes through <see cref="decimal"/>, rounding
/// half to even at four decimals like <see cref="Money.FromDecimal"/>.
/// </summary>
internal static class MoneyText
{
    /// <summary>Longest text <see cref="Format"/> writes: sign, 15 integer digits, point, 4 decimals (with room to spare).</summary>
    public const int MaxFormattedLength = 24;

    private const long SaturationUnits = 100_000_000_000_000L; // 1e14 units: far above Money.MaxPrice

    /// <summary>
    /// Parses a JSON number (or numeric string) into ticks. Amounts beyond ±1e14 units saturate to
    /// <see cref="long.MaxValue"/> / <see cref="long.MinValue"/> so callers report them as out of range.
    /// </summary>
    /// <returns>False when the text is not a finite number.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseTicks(ReadOnlySpan<byte> text, out long ticks)
    {
        // Fast path: -?digits(.d{1,4})? with at most 15 integer digits.
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        int intStart = i;
        long units = 0;
        while (i < text.Length && (uint)(text[i] - '0') <= 9 && i - intStart < 15)
        {
            units = (units * 10) + (text[i] - '0');
            i++;
        }

        if (i > intStart)
        {
            long fraction = 0;
            int fractionDigits = 0;
            if (i < text.Length && text[i] == (byte)'.')
            {
                i++;
                while (i < text.Length && (uint)(text[i] - '0') <= 9 && fractionDigits < 4)
                {
                    fraction = (fraction * 10) + (text[i] - '0');
                    fractionDigits++;
                    i++;
                }

                if (fractionDigits == 0)
                {
                    return TryParseSlow(text, out ticks);
                }
            }

            if (i == text.Length)
            {
                for (int d = fractionDigits; d < 4; d++)
                {
                    fraction *= 10;
                }

                var magnitude = (units * Money.Scale) + fraction;
                ticks = negative ? -magnitude : magnitude;
                return true;
            }
        }

        return TryParseSlow(text, out ticks);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseSlow(ReadOnlySpan<byte> text, out long ticks)
    {
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            if (amount > SaturationUnits)
            {
                ticks = long.MaxValue;
            }
            else if (amount < -SaturationUnits)
            {
                ticks = long.MinValue;
            }
            else
            {
                ticks = decimal.ToInt64(decimal.Round(amount * Money.Scale, 0, MidpointRounding.ToEven));
            }

            return true;
        }

        // decimal refuses both garbage and magnitudes beyond ~7.9e28: tell them apart.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var approx) && !double.IsNaN(approx))
        {
            ticks = approx > 0 ? long.MaxValue : long.MinValue;
            return true;
        }

        ticks = 0;
        return false;
    }

    /// <summary>Writes ticks as a plain decimal with no trailing zeros (e.g. 199900 → "19.99", 200000 → "20").</summary>
    /// <returns>Bytes written; <paramref name="destination"/> needs <see cref="MaxFormattedLength"/> bytes.</returns>
    public static int Format(long ticks, Span<byte> destination)
    {
        int pos = 0;
        ulong magnitude;
        if (ticks < 0)
        {
            destination[pos++] = (byte)'-';
            magnitude = (ulong)(-(ticks + 1)) + 1; // safe for long.MinValue
        }
        else
        {
            magnitude = (ulong)ticks;
        }

        ulong units = magnitude / Money.Scale;
        ulong fraction = magnitude % Money.Scale;

        // Integer digits, written backwards into a scratch area then copied.
        Span<byte> digits = stackalloc byte[20];
        int n = 0;
        do
        {
            digits[n++] = (byte)('0' + (units % 10));
            units /= 10;
        }
        while (units != 0);

        while (n > 0)
        {
            destination[pos++] = digits[--n];
        }

        if (fraction != 0)
        {
            destination[pos++] = (byte)'.';
            int divisor = 1000;
            while (fraction != 0)
            {
                destination[pos++] = (byte)('0' + (fraction / (ulong)divisor));
                fraction %= (ulong)divisor;
                divisor /= 10;
            }
        }

        return pos;
    }
}
