namespace PriceIntel.Scraping;

/// <summary>
/// What the page around a price tells about its currency, for settling a symbol several currencies share
/// ("$", "kr", "Rs", "¥") with <see cref="PriceText.ResolveCurrency"/>. Every member is optional.
/// </summary>
public sealed record CurrencyContext
{
    /// <summary>The currency the page declares in structured data (JSON-LD <c>priceCurrency</c>, <c>og:price:currency</c>…).</summary>
    public CurrencyCode Declared { get; init; }

    /// <summary>The page language as a BCP 47 tag (<c>&lt;html lang&gt;</c>), e.g. "sv-SE", "en-CA" or "ja".</summary>
    public string? Language { get; init; }

    /// <summary>The page host; its country TLD counts (".se" → SEK, ".com.au" → AUD, ".co.uk" → GBP).</summary>
    public string? Host { get; init; }

    /// <summary>Currencies other prices on the same page are written in unambiguously (e.g. "SEK 99" elsewhere).</summary>
    public IReadOnlyList<CurrencyCode> OtherPrices { get; init; } = [];

    /// <summary>The currency of the host's country-code TLD, or empty for generic TLDs (.com, .shop…).</summary>
    public static CurrencyCode CurrencyOfHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return default;
        }

        var span = host.AsSpan().TrimEnd('.');
        int dot = span.LastIndexOf('.');
        var tld = dot < 0 ? span : span[(dot + 1)..];
        if (tld.Equals("uk", StringComparison.OrdinalIgnoreCase))
        {
            return CurrencyCode.Parse("GBP");
        }

        return tld.Length == 2 ? LocaleTable.RegionCurrencyOf(tld) : default;
    }
}
