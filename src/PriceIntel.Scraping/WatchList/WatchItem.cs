namespace PriceIntel.Scraping;

/// <summary>One competitor page to watch: whose price of which of our products, where, and how often.</summary>
public sealed record WatchItem
{
    /// <summary>Creates a watch item.</summary>
    /// <param name="product">Our product key (SKU), as the engine knows it.</param>
    /// <param name="competitor">The competitor's key.</param>
    /// <param name="url">The competitor's product page (absolute http or https).</param>
    /// <param name="every">How often to fetch it; at least one minute.</param>
    /// <exception cref="ArgumentException">A key is blank, or the URL is not absolute http(s).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is under one minute.</exception>
    public WatchItem(string product, string competitor, Uri url, TimeSpan every)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(product);
        ArgumentException.ThrowIfNullOrWhiteSpace(competitor);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Watch URL '{url}' must be an absolute http or https URL.", nameof(url));
        }

        if (every < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(every), every, $"Watch interval for {url} must be at least one minute; got {every}.");
        }

        Product = product;
        Competitor = competitor;
        Url = url;
        Every = every;
    }

    /// <summary>Our product key (SKU).</summary>
    public string Product { get; }

    /// <summary>The competitor's key.</summary>
    public string Competitor { get; }

    /// <summary>The competitor's product page.</summary>
    public Uri Url { get; }

    /// <summary>How often the page is fetched (before jitter).</summary>
    public TimeSpan Every { get; }

    /// <summary>The platform key of observations; the URL's host when null.</summary>
    public string? Platform { get; init; }

    /// <summary>The competitor's currency, used when the page does not state one (e.g. a bare "$").</summary>
    public CurrencyCode Currency { get; init; }

    /// <summary>When set, a page whose GTIN differs is reported as a mismatch instead of observed (the URL now shows another product).</summary>
    public string? ExpectedGtin { get; init; }
}

/// <summary>Scheduling and emission rules of a watch list.</summary>
public sealed class WatchListOptions
{
    private double _jitter = 0.1;
    private TimeSpan _heartbeat = TimeSpan.FromHours(24);
    private int _maxConcurrentFetches = 4;
    private double _minConfidence = 0.3;

    /// <summary>Each interval is stretched or shrunk by up to this fraction at random, so fetches do not bunch up. Default 0.1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0 to 0.5.</exception>
    public double Jitter
    {
        get => _jitter;
        set => _jitter = value is >= 0 and <= 0.5 ? value : throw new ArgumentOutOfRangeException(nameof(Jitter), value, $"WatchList:Jitter must be between 0 and 0.5; got {value}.");
    }

    /// <summary>An unchanged price is emitted again after this long, so the engine knows it still holds. Default 24 h.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan Heartbeat
    {
        get => _heartbeat;
        set => _heartbeat = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(Heartbeat), value, $"WatchList:Heartbeat must be positive; got {value}.");
    }

    /// <summary>Pages fetched at once (the fetcher still limits each host). Default 4.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to 256.</exception>
    public int MaxConcurrentFetches
    {
        get => _maxConcurrentFetches;
        set => _maxConcurrentFetches = value is >= 1 and <= 256 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConcurrentFetches), value, $"WatchList:MaxConcurrentFetches must be between 1 and 256; got {value}.");
    }

    /// <summary>Prices extracted with less confidence are reported as failures, not observed. Default 0.3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 0 to 1.</exception>
    public double MinConfidence
    {
        get => _minConfidence;
        set => _minConfidence = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinConfidence), value, $"WatchList:MinConfidence must be between 0 and 1; got {value}.");
    }

    /// <summary>Seed of the jitter; null for a random seed. Set it for reproducible schedules.</summary>
    public int? Seed { get; set; }
}

/// <summary>Where one watched page stands.</summary>
/// <param name="Item">The watch item.</param>
/// <param name="NextDue">When it is fetched next.</param>
/// <param name="LastFetched">When it was last fetched, or null.</param>
/// <param name="LastPrice">The last price observed, or null.</param>
/// <param name="LastCurrency">Its currency.</param>
/// <param name="LastAvailability">The last stock status observed.</param>
/// <param name="ConsecutiveFailures">Failures since the last success.</param>
/// <param name="LastFailure">Why the last failure happened, or null.</param>
public sealed record WatchStatus(
    WatchItem Item,
    DateTimeOffset NextDue,
    DateTimeOffset? LastFetched,
    Money? LastPrice,
    CurrencyCode LastCurrency,
    Availability LastAvailability,
    int ConsecutiveFailures,
    string? LastFailure);

/// <summary>A watch list as an engine source: emits competitor price observations on change and on a heartbeat.</summary>
public interface IWatchListSource : IMarketEventSource
{
    /// <summary>A snapshot of every item's schedule, last observation and failures.</summary>
    IReadOnlyList<WatchStatus> GetStatus();
}
