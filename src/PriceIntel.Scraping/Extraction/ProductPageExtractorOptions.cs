namespace PriceIntel.Scraping;

/// <summary>Limits and site profiles for <see cref="ProductPageExtractor"/>.</summary>
public sealed class ProductPageExtractorOptions
{
    private int _maxHtmlChars = 4 * 1024 * 1024;
    private int _maxDepth = 256;
    private TimeSpan _parseTimeout = TimeSpan.FromSeconds(2);
    private int _maxJsonLdChars = 512 * 1024;
    private TimeSpan _maxExtractionTime = TimeSpan.FromSeconds(2);

    /// <summary>HTML longer than this many characters is cut before parsing. Default 4 Mi characters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 KiB.</exception>
    public int MaxHtmlChars
    {
        get => _maxHtmlChars;
        set => _maxHtmlChars = value >= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(MaxHtmlChars), value, $"MaxHtmlChars must be at least 1024; got {value}.");
    }

    /// <summary>Elements nested deeper than this are flattened by the parser. Default 256.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 16 to 4096.</exception>
    public int MaxDepth
    {
        get => _maxDepth;
        set => _maxDepth = value is >= 16 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDepth), value, $"MaxDepth must be between 16 and 4096; got {value}.");
    }

    /// <summary>Parsing that takes longer than this is abandoned and the page reported as failed. Default 2 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ParseTimeout
    {
        get => _parseTimeout;
        set => _parseTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(ParseTimeout), value, $"ParseTimeout must be positive; got {value}.");
    }

    /// <summary>
    /// The time budget of one whole extraction (parse, structured data, profiles, visual heuristic). When it
    /// runs out the readers still to run are skipped, the fields found so far are returned and
    /// <see cref="ProductPage.Failure"/> says so. Default 2 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan MaxExtractionTime
    {
        get => _maxExtractionTime;
        set => _maxExtractionTime = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(MaxExtractionTime), value, $"MaxExtractionTime must be positive; got {value}.");
    }

    /// <summary>JSON-LD blocks longer than this are skipped, and no more than this many characters of JSON-LD are parsed per page in all. Default 512 Ki characters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 KiB.</exception>
    public int MaxJsonLdChars
    {
        get => _maxJsonLdChars;
        set => _maxJsonLdChars = value >= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(MaxJsonLdChars), value, $"MaxJsonLdChars must be at least 1024; got {value}.");
    }

    /// <summary>Selector profiles tried after structured data; defaults to <see cref="SelectorProfile.BuiltIn"/>.</summary>
    public IList<SelectorProfile> Profiles { get; } = [.. SelectorProfile.BuiltIn];

    /// <summary>
    /// When a page shows a price with and without VAT or sales tax, take the one without. Default false: the
    /// tax-inclusive price, which is what a consumer pays (B2B shops that lead with net prices may want true).
    /// </summary>
    public bool PreferExcludingTax { get; set; }

    /// <summary>Hints used when the page itself gives none (e.g. the competitor's known currency).</summary>
    public PriceParseHints DefaultHints { get; set; }
}
