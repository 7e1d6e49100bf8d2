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

    /// <summary>
    /// Settles the currency of a parsed price whose symbol several currencies share, from page context, in this
    /// order of evidence: the currency the page declares, currencies of other prices on the page, the country
    /// TLD of the host, the region of the page language, the language alone ("sv" → SEK). A candidate is only
    /// taken when it is one the symbol can stand for (a "$" on a ".se" page stays open). A price that already
    /// has a currency keeps it.
    /// </summary>
    /// <param name="price">A result of <see cref="Parse"/>.</param>
    /// <param name="context">What the page says.</param>
    /// <returns>The currency; empty when nothing settles it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public static CurrencyCode ResolveCurrency(in ParsedPrice price, CurrencyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!price.Currency.IsEmpty)
        {
            return price.Currency;
        }

        var candidates = price.CandidateCurrencies.Span;
        if (candidates.IsEmpty)
        {
            // A bare number: only a declaration or the page's one other currency speaks for it.
            if (!context.Declared.IsEmpty)
            {
                return context.Declared;
            }

            return context.OtherPrices.Count > 0 && AllSame(context.OtherPrices) ? context.OtherPrices[0] : default;
        }

        if (Pick(candidates, context.Declared) is { IsEmpty: false } declared)
        {
            return declared;
        }

        CurrencyCode seen = default;
        foreach (var other in context.OtherPrices)
        {
            if (Pick(candidates, other) is { IsEmpty: false } match)
            {
                if (!seen.IsEmpty && seen != match)
                {
                    seen = default;
                    break;
                }

                seen = match;
            }
        }

        if (!seen.IsEmpty)
        {
            return seen;
        }

        if (Pick(candidates, CurrencyContext.CurrencyOfHost(context.Host)) is { IsEmpty: false } byHost)
        {
            return byHost;
        }

        if (!string.IsNullOrWhiteSpace(context.Language))
        {
            var tag = context.Language.AsSpan().Trim();
            if (Pick(candidates, PriceParseHints.ForLocale(tag).Currency) is { IsEmpty: false } byLocale)
            {
                return byLocale;
            }

            int dash = tag.IndexOfAny('-', '_');
            var language = dash < 0 ? tag : tag[..dash];
            if (Pick(candidates, LocaleTable.LanguageCurrencyOf(language)) is { IsEmpty: false } byLanguage)
            {
                return byLanguage;
            }
        }

        return default;
    }

    private static CurrencyCode Pick(ReadOnlySpan<CurrencyCode> candidates, CurrencyCode evidence)
    {
        if (evidence.IsEmpty)
        {
            return default;
        }

        foreach (var c in candidates)
        {
            if (c == evidence)
            {
                return c;
            }
        }

        return default;
    }

    private static bool AllSame(IReadOnlyList<CurrencyCode> codes)
    {
        for (int i = 1; i < codes.Count; i++)
        {
            if (codes[i] != codes[0])
            {
                return false;
            }
        }

        return true;
    }
}
