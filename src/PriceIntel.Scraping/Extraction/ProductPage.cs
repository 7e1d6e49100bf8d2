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

    /// <summary>Why the page could not be read at all (e.g. the parse time limit), or null.</summary>
    public string? Failure { get; init; }

    /// <summary>True when both a price and its currency were found.</summary>
    public bool HasPrice => Price.HasValue && Currency.HasValue;
}
