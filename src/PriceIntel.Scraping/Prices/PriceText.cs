namespace PriceIntel.Scraping;

/// <summary>
/// Reads prices from the text shops print — "$1,299.99", "1 299,99 €", "CHF 1'299.–", "₹1,29,999",
/// "Was $20 Now $15", "2 for $5", "ab 9,99 €", "Sold out" — into an exact <see cref="Money"/> amount
/// and an ISO 4217 currency. When the text is not clear enough it says so
/// (<see cref="PriceTextStatus.NoPrice"/> or <see cref="PriceTextStatus.Ambiguous"/>) rather than
/// guessing. Thread-safe; allocates nothing.
/// </summary>
public static class PriceText
{
    /// <summary>Strings longer than this many characters are not parsed (they are not price strings).</summary>
    public const int MaxLength = PriceTextParser.MaxInputLength;

    /// <summary>Parses a price string.</summary>
    /// <param name="text">The text as shown on the page (element text, attribute, JSON value).</param>
    /// <param name="hints">The page's currency and locale decimal separator, when known.</param>
    /// <returns>The price read, or a status saying why there is none.</returns>
    public static ParsedPrice Parse(ReadOnlySpan<char> text, PriceParseHints hints = default) => PriceTextParser.Parse(text, hints);

    /// <summary>Parses a price string; true when a price was read (its currency may still be empty).</summary>
    /// <param name="text">The text as shown on the page.</param>
    /// <param name="hints">The page's currency and locale decimal separator, when known.</param>
    /// <param name="price">The price read; see <see cref="ParsedPrice.Status"/> when false.</param>
    public static bool TryParse(ReadOnlySpan<char> text, PriceParseHints hints, out ParsedPrice price)
    {
        price = PriceTextParser.Parse(text, hints);
        return price.HasPrice;
    }

    /// <summary>
    /// Reads a currency given on its own — an ISO code ("EUR"), a symbol ("€", "zł", "руб.") or a
    /// shared symbol ("$", "kr") that the hint settles.
    /// </summary>
    /// <param name="text">The currency text.</param>
    /// <param name="hint">The page's currency, used only for symbols several currencies share.</param>
    /// <param name="currency">The ISO 4217 currency.</param>
    /// <returns>False when the text names no currency or a shared symbol the hint does not settle.</returns>
    public static bool TryParseCurrency(ReadOnlySpan<char> text, CurrencyCode hint, out CurrencyCode currency) =>
        CurrencySymbols.TryParseWhole(text, hint, out currency);
}
