using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace PriceIntel.Scraping.Tests.Prices;

/// <summary>
/// Round trip: an amount formatted the way shops in a locale print it parses back to the same
/// amount and currency. The formats here are written independently of the parser's tables.
/// </summary>
public sealed class PriceTextPropertyTests
{
    private const char Nbsp = '\u00A0';
    private const char Nnbsp = '\u202F';

    /// <summary>How a locale prints a price.</summary>
    internal sealed record LocaleFormat(
        string Name, string Currency, char Group, char Decimal, int Decimals, string Prefix, string Suffix, bool Indian = false, bool ArabicDigits = false, bool HintCurrency = true);

    internal static readonly LocaleFormat[] Formats =
    [
        new("en-US", "USD", ',', '.', 2, "$", ""),
        new("en-US code", "USD", ',', '.', 2, "USD ", "", HintCurrency: false),
        new("en-GB", "GBP", ',', '.', 2, "£", "", HintCurrency: false),
        new("en-CA", "CAD", ',', '.', 2, "CA$", "", HintCurrency: false),
        new("fr-CA", "CAD", Nbsp, ',', 2, "", $"{Nbsp}$"),
        new("en-AU", "AUD", ',', '.', 2, "A$", "", HintCurrency: false),
        new("de-DE", "EUR", '.', ',', 2, "", $"{Nbsp}€", HintCurrency: false),
        new("fr-FR", "EUR", Nnbsp, ',', 2, "", $"{Nbsp}€", HintCurrency: false),
        new("nl-NL", "EUR", '.', ',', 2, $"€{Nbsp}", "", HintCurrency: false),
        new("en-IE", "EUR", ',', '.', 2, "€", ""),
        new("es-ES", "EUR", '.', ',', 2, "", " €", HintCurrency: false),
        new("it-IT", "EUR", '.', ',', 2, "", " €", HintCurrency: false),
        new("de-CH", "CHF", '’', '.', 2, "CHF ", "", HintCurrency: false),
        new("de-CH apostrophe", "CHF", '\'', '.', 2, "Fr. ", "", HintCurrency: false),
        new("pt-BR", "BRL", '.', ',', 2, $"R${Nbsp}", "", HintCurrency: false),
        new("es-MX", "MXN", ',', '.', 2, "$", ""),
        new("es-AR", "ARS", '.', ',', 2, $"${Nbsp}", ""),
        new("es-CL", "CLP", '.', ',', 0, "$", ""),
        new("ja-JP", "JPY", ',', '.', 0, "￥", ""),
        new("ja-JP yen sign", "JPY", ',', '.', 0, "", "円", HintCurrency: false),
        new("zh-CN", "CNY", ',', '.', 2, "¥", ""),
        new("ko-KR", "KRW", ',', '.', 0, "₩", "", HintCurrency: false),
        new("hi-IN", "INR", ',', '.', 2, "₹", "", Indian: true, HintCurrency: false),
        new("en-IN Rs", "INR", ',', '.', 2, "Rs. ", "", Indian: true),
        new("ru-RU", "RUB", Nbsp, ',', 2, "", $"{Nbsp}₽", HintCurrency: false),
        new("ru-RU abbrev", "RUB", ' ', ',', 2, "", " руб.", HintCurrency: false),
        new("pl-PL", "PLN", Nbsp, ',', 2, "", $"{Nbsp}zł", HintCurrency: false),
        new("cs-CZ", "CZK", Nbsp, ',', 2, "", $"{Nbsp}Kč", HintCurrency: false),
        new("hu-HU", "HUF", ' ', ',', 0, "", " Ft", HintCurrency: false),
        new("sv-SE", "SEK", Nbsp, ',', 2, "", $"{Nbsp}kr"),
        new("nb-NO", "NOK", Nbsp, ',', 2, $"kr{Nbsp}", ""),
        new("da-DK", "DKK", '.', ',', 2, "", " kr."),
        new("tr-TR", "TRY", '.', ',', 2, "₺", "", HintCurrency: false),
        new("he-IL", "ILS", ',', '.', 2, "", " ₪", HintCurrency: false),
        new("vi-VN", "VND", '.', ',', 0, "", $"{Nbsp}₫", HintCurrency: false),
        new("id-ID", "IDR", '.', ',', 0, "Rp", "", HintCurrency: false),
        new("th-TH", "THB", ',', '.', 2, "฿", "", HintCurrency: false),
        new("ar-KW", "KWD", ',', '.', 3, "", " د.ك", HintCurrency: false),
        new("ar-BH", "BHD", ',', '.', 3, "BHD ", "", HintCurrency: false),
        new("ar-SA", "SAR", '٬', '٫', 2, "", " ر.س", ArabicDigits: true, HintCurrency: false),
        new("ar-AE", "AED", ',', '.', 2, "AED ", "", HintCurrency: false),
        new("uk-UA", "UAH", Nbsp, ',', 2, "", $"{Nbsp}₴", HintCurrency: false),
        new("ro-RO", "RON", '.', ',', 2, "", " lei", HintCurrency: false),
        new("en-ZA", "ZAR", ' ', ',', 2, "R ", "", HintCurrency: false),
    ];

    internal static string Format(LocaleFormat f, long units, int fraction)
    {
        var digits = units.ToString(CultureInfo.InvariantCulture);
        var grouped = new StringBuilder();
        if (f.Indian && digits.Length > 3)
        {
            var head = digits[..^3];
            var firstLength = head.Length % 2 == 0 ? 2 : 1;
            grouped.Append(head[..firstLength]);
            for (int i = firstLength; i < head.Length; i += 2)
            {
                grouped.Append(f.Group).Append(head.AsSpan(i, 2));
            }

            grouped.Append(f.Group).Append(digits.AsSpan(digits.Length - 3));
        }
        else
        {
            var first = digits.Length % 3 == 0 ? 3 : digits.Length % 3;
            grouped.Append(digits[..first]);
            for (int i = first; i < digits.Length; i += 3)
            {
                grouped.Append(f.Group).Append(digits.AsSpan(i, 3));
            }
        }

        if (f.Decimals > 0)
        {
            grouped.Append(f.Decimal).Append(fraction.ToString(new string('0', f.Decimals), CultureInfo.InvariantCulture));
        }

        var text = f.Prefix + grouped + f.Suffix;
        if (f.ArabicDigits)
        {
            var chars = text.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] is >= '0' and <= '9')
                {
                    chars[i] = (char)('\u0660' + (chars[i] - '0'));
                }
            }

            text = new string(chars);
        }

        return text;
    }

    private static Arbitrary<(LocaleFormat Format, long Units, int Fraction)> Cases() =>
        Arb.From(
            from format in Gen.Elements(Formats)
            from magnitude in Gen.Choose(0, 9)
            from raw in Gen.Choose(0, int.MaxValue)
            from fraction in Gen.Choose(0, format.Decimals == 0 ? 0 : (format.Decimals == 2 ? 99 : 999))
            let units = raw % (long)Math.Pow(10, magnitude)
            where units > 0 || fraction > 0
            select (format, units, fraction));

    [Property(MaxTest = 2000)]
    public Property Formatting_then_parsing_gives_the_same_amount_and_currency() =>
        Prop.ForAll(Cases(), c =>
        {
            var text = Format(c.Format, c.Units, c.Fraction);
            var currency = CurrencyCode.Parse(c.Format.Currency);
            var hints = new PriceParseHints(c.Format.HintCurrency ? currency : default, c.Format.Decimal is '.' or ',' ? c.Format.Decimal : '\0');
            var parsed = PriceText.Parse(text, hints);
            var expected = c.Units + (c.Fraction / (decimal)Math.Pow(10, c.Format.Decimals));
            return (parsed.Status == PriceTextStatus.Price && parsed.Amount.ToDecimal() == expected && parsed.Currency == currency)
                .Label($"{c.Format.Name}: '{text}' → {parsed}");
        });

    [Property(MaxTest = 1000)]
    public Property Locale_hints_alone_settle_ambiguous_groupings() =>
        Prop.ForAll(Cases(), c =>
        {
            // With the hints the locale's own tag gives (no explicit currency), a price that names its currency still parses.
            var text = Format(c.Format, c.Units, c.Fraction);
            var hints = PriceParseHints.ForLocale(c.Format.Name.Split(' ')[0]);
            var parsed = PriceText.Parse(text, hints);
            var expected = c.Units + (c.Fraction / (decimal)Math.Pow(10, c.Format.Decimals));
            return (parsed.Status == PriceTextStatus.Price && parsed.Amount.ToDecimal() == expected && parsed.Currency.ToString() == c.Format.Currency)
                .Label($"{c.Format.Name}: '{text}' → {parsed}");
        });

    [Property(MaxTest = 500)]
    public Property Noise_words_around_a_price_do_not_change_it(NonNegativeInt units)
    {
        var amount = (units.Get % 100_000) + 1;
        var shown = $"${amount:N0}.99".Replace(",", ",", StringComparison.Ordinal);
        string[] noise = [$"Now {shown}", $"{shown} incl. VAT", $"Was $999,999.00 Now {shown}", $"{shown} + $4.99 shipping", $"{shown} (20% off)", $"Our price: {shown}", $"{shown} Free shipping over $50"];
        return noise.All(text => PriceText.Parse(text, new PriceParseHints(CurrencyCode.Usd)).Amount.ToDecimal() == amount + 0.99m).ToProperty();
    }
}
