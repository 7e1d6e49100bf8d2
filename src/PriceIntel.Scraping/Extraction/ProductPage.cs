namespace PriceIntel.Scraping;

/// <summary>Where a field of a <see cref="ProductPage"/> came from, most trusted first.</summary>
public enum ExtractionMethod : byte
{
    /// <summary>Not found.</summary>
    None = 0,

    /// <summary>schema.org Product/Offer in a JSON-LD script.</summary>
    JsonLd = 1,

    /// <summary>schema.org microdata (<c>itemprop</c>).</summary>
    Microdata = 2,

    /// <summary>schema.org RDFa (<c>property</c>/<c>typeof</c>).</summary>
    Rdfa = 3,

    /// <summary>OpenGraph or product meta tags.</summary>
    MetaTags = 4,

    /// <summary>A per-site selector profile.</summary>
    SelectorProfile = 5,

    /// <summary>The visual-text heuristic for pages without markup.</summary>
    VisualHeuristic = 6,
}

/// <summary>One extracted field: its value, the method that produced it and how much to trust it.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="Value">The value; <c>default</c> when <see cref="Method"/> is <see cref="ExtractionMethod.None"/>.</param>
/// <param name="Method">The method that produced it.</param>
/// <param name="Confidence">0 to 1: how likely the value is right.</param>
public readonly record struct ExtractedField<T>(T Value, ExtractionMethod Method, double Confidence)
{
    /// <summary>True when the field was found.</summary>
    public bool HasValue => Method != ExtractionMethod.None;
}

/// <summary>What a price found on a page stands for.</summary>
public enum PriceRole : byte
{
    /// <summary>A price a shopper pays now.</summary>
    Current = 0,

    /// <summary>A list, struck-through, "was" or suggested retail price.</summary>
    Old = 1,

    /// <summary>A price only for members or card holders.</summary>
    MemberOnly = 2,

    /// <summary>A recurring (per month, per year) price.</summary>
    Recurring = 3,

    /// <summary>A price stated without VAT or sales tax, beside a tax-inclusive one.</summary>
    ExcludingTax = 4,

    /// <summary>The low end of a range or AggregateOffer.</summary>
    RangeLow = 5,
}

/// <summary>How the structured-data price and the price a shopper sees compared.</summary>
public enum PriceCrossCheck : byte
{
    /// <summary>Only one kind of evidence was found (no structured price, or no visible price), so nothing was compared.</summary>
    NotChecked = 0,

    /// <summary>The structured price is also shown on the page as a current price.</summary>
    Agreed = 1,

    /// <summary>The structured data's own first choice disagreed with the page, but another offer or price specification in it matches what the page shows; that one was taken.</summary>
    TookMatchingOffer = 2,

    /// <summary>The structured price disagreed and the evidence (it shows only as an old price, the visible one sits by the buy button, the structured one is a range or an unavailable offer) favoured the visible price, which was taken with lower confidence.</summary>
    TookVisible = 3,

    /// <summary>The structured price disagreed with the page and no evidence settled it: the structured price was kept with lower confidence.</summary>
    Disagreed = 4,
}

/// <summary>One price found on a page, whether or not it was chosen, so a user can audit an extraction.</summary>
/// <param name="Amount">The amount.</param>
/// <param name="Currency">Its currency, or empty when the source did not say.</param>
/// <param name="Method">Where it was found.</param>
/// <param name="Confidence">0 to 1: how likely it is the current price, as the method rated it before the cross-check.</param>
/// <param name="Role">What the source says the price stands for.</param>
/// <param name="Source">Where exactly: "JSON-LD offers[1].price", "meta og:price:amount", "visible span.price (near buy button)".</param>
public sealed record PriceCandidate(Money Amount, CurrencyCode Currency, ExtractionMethod Method, double Confidence, PriceRole Role, string Source)
{
    /// <summary>The availability its offer states, when it has one.</summary>
    public Availability Availability { get; init; }

    /// <summary>True for a visible price within a few elements of the add-to-cart button.</summary>
    public bool NearBuyButton { get; init; }

    /// <summary>True for the candidate that became <see cref="ProductPage.Price"/>.</summary>
    public bool Chosen { get; init; }
}

/// <summary>What <see cref="ProductPageExtractor"/> read from one product page.</summary>
public sealed record ProductPage
{
    /// <summary>The current price a shopper pays (not a struck-through or per-unit price).</summary>
    public ExtractedField<Money> Price { get; init; }

    /// <summary>The currency of <see cref="Price"/>.</summary>
    public ExtractedField<CurrencyCode> Currency { get; init; }

    /// <summary>Stock status.</summary>
    public ExtractedField<Availability> Availability { get; init; }

    /// <summary>Product name.</summary>
    public ExtractedField<string?> Title { get; init; }

    /// <summary>GTIN (EAN/UPC/ISBN), digits only, as printed (8 to 14 digits).</summary>
    public ExtractedField<string?> Gtin { get; init; }

    /// <summary>Manufacturer part number.</summary>
    public ExtractedField<string?> Mpn { get; init; }

    /// <summary>The shop's SKU.</summary>
    public ExtractedField<string?> Sku { get; init; }

    /// <summary>Brand name.</summary>
    public ExtractedField<string?> Brand { get; init; }

    /// <summary>Low end of an AggregateOffer or price range, when the page gives one.</summary>
    public Money? LowPrice { get; init; }

    /// <summary>High end of an AggregateOffer or price range, when the page gives one.</summary>
    public Money? HighPrice { get; init; }

    /// <summary>True when the page was cut short before parsing by the size limit or the nesting-depth guard.</summary>
    public bool Truncated { get; init; }

    /// <summary>
    /// True when the extraction's time budget (<see cref="ProductPageExtractorOptions.MaxExtractionTime"/>) ran out:
    /// the fields found until then are kept, later readers (and the cross-check) were skipped.
    /// </summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Why the page could not be read at all (e.g. the parse time limit, or the extraction budget ran out before a price was found), or null.</summary>
    public string? Failure { get; init; }

    /// <summary>Every price found on the page by every method, the chosen one marked, for auditing.</summary>
    public IReadOnlyList<PriceCandidate> PriceCandidates { get; init; } = [];

    /// <summary>How the structured-data price compared with the visible one, and what was decided.</summary>
    public PriceCrossCheck CrossCheck { get; init; }

    /// <summary>True when both a price and its currency were found.</summary>
    public bool HasPrice => Price.HasValue && Currency.HasValue;
}
