namespace PriceIntel.Scraping;

/// <summary>
/// What the page around a price string tells about it: the page currency (settles "$", "¥", "kr"
/// and bare numbers) and the locale's decimal separator (settles "3.350"). <c>default</c> means no hints.
/// </summary>
public readonly record struct PriceParseHints
{
    /// <summary>Creates hints.</summary>
    /// <param name="currency">The page's currency, or <c>default</c>.</param>
    /// <param name="decimalSeparator">'.' or ',', or '\0' when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException">The separator is not '.', ',' or '\0'.</exception>
    public PriceParseHints(CurrencyCode currency, char decimalSeparator = '\0')
    {
        if (decimalSeparator is not ('\0' or '.' or ','))
        {
            throw new ArgumentOutOfRangeException(nameof(decimalSeparator), decimalSeparator, "The decimal separator hint must be '.', ',' or '\\0'.");
        }

        Currency = currency;
        DecimalSeparator = decimalSeparator;
    }

    /// <summary>The page's currency, or empty.</summary>
    public CurrencyCode Currency { get; }

    /// <summary>The locale's decimal separator ('.' or ','), or '\0' when unknown.</summary>
    public char DecimalSeparator { get; }

    /// <summary>
    /// Hints for a BCP 47 language tag such as <c>de-DE</c>, <c>fr-CH</c> or <c>ja</c>: the decimal
    /// separator of the language (region exceptions such as de-CH and es-MX included) and the
    /// currency of the region when there is one. Unknown tags give no hints.
    /// </summary>
    public static PriceParseHints ForLocale(ReadOnlySpan<char> languageTag) => LocaleTable.Lookup(languageTag);

    /// <summary>
    /// When a text gives a price with and without tax ("€100 excl. VAT €121 incl. VAT"), take the one
    /// without tax. Default false: the tax-inclusive price, which is what a consumer pays.
    /// </summary>
    public bool PreferExcludingTax { get; init; }

    /// <summary>The same hints with a different currency.</summary>
    public PriceParseHints WithCurrency(CurrencyCode currency) => new(currency, DecimalSeparator) { PreferExcludingTax = PreferExcludingTax };
}
