using System.Globalization;

namespace PriceIntel.Scraping;

/// <summary>Reads a price value from structured data: machine format ("1299.00") first, then as shop text.</summary>
internal static class PriceValue
{
    public static bool TryRead(string? text, PriceParseHints hints, out Money amount, out CurrencyCode currency)
    {
        amount = default;
        currency = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        if (IsPlainDecimal(s) && decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plain))
        {
            if (plain <= 0 || plain >= 1_000_000_000_000m)
            {
                return false;
            }

            amount = Money.FromDecimal(plain);
            return true;
        }

        var parsed = PriceText.Parse(s, hints);
        if (!parsed.HasPrice || (parsed.Qualifiers & PriceQualifiers.PerUnit) != 0)
        {
            return false;
        }

        amount = parsed.Amount;
        currency = (parsed.Qualifiers & PriceQualifiers.CurrencyFromHint) != 0 ? default : parsed.Currency;
        return true;
    }

    /// <summary>Digits with at most one '.', followed by 1, 2 or 4 digits (three are left to the hints: "1.299").</summary>
    private static bool IsPlainDecimal(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }

        int dot = s.IndexOf('.');
        if (dot >= 0 && s.Length - dot - 1 is < 1 or 3 or > 4)
        {
            return false;
        }

        int dots = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return dots <= 1;
    }
}
