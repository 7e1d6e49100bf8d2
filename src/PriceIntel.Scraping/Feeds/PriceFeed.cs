namespace PriceIntel.Scraping;

/// <summary>The format of a price feed.</summary>
public enum FeedFormat : byte
{
    /// <summary>JSON: an array of items, found at <see cref="FeedFieldMap.ItemsPath"/>.</summary>
    Json = 0,

    /// <summary>CSV (RFC 4180) with a header row naming the columns; the delimiter is sniffed (',', ';', tab, '|').</summary>
    Csv = 1,

    /// <summary>XML: RSS 2.0 or Atom (e.g. a Google Merchant feed with <c>g:price</c>), or any document whose items are <see cref="FeedFieldMap.ItemElement"/> elements.</summary>
    Xml = 2,
}

/// <summary>
/// Which field of a feed item holds what. Names are JSON property paths ("price.amount"), CSV header names
/// or XML element local names (namespace prefixes ignored: <c>g:price</c> is "price"); matching ignores case.
/// The defaults follow the Google Merchant feed: id, price, sale_price, availability, gtin, title.
/// </summary>
public sealed record FeedFieldMap
{
    /// <summary>The competitor's item id; the product key unless <see cref="PriceFeed.ProductKeys"/> maps it.</summary>
    public string Product { get; init; } = "id";

    /// <summary>The price: "15.00 USD", "15,00 €", "15.00" or a JSON number.</summary>
    public string Price { get; init; } = "price";

    /// <summary>A sale price; taken over <see cref="Price"/> when valid, lower and (with <see cref="SalePriceEffectiveDate"/>) in effect now.</summary>
    public string? SalePrice { get; init; } = "sale_price";

    /// <summary>An ISO 8601 interval "start/end" for the sale price (Google's <c>sale_price_effective_date</c>).</summary>
    public string? SalePriceEffectiveDate { get; init; } = "sale_price_effective_date";

    /// <summary>A separate currency field; otherwise the price text or <see cref="PriceFeed.Currency"/> gives it.</summary>
    public string? Currency { get; init; } = "currency";

    /// <summary>Stock status: "in stock", "out of stock", "preorder", "backorder", schema.org URLs, true/false.</summary>
    public string? Availability { get; init; } = "availability";

    /// <summary>GTIN, also used to look the item up in <see cref="PriceFeed.ProductKeys"/>.</summary>
    public string? Gtin { get; init; } = "gtin";

    /// <summary>JSON only: the dotted path of the item array ("" for a top-level array, "products", "data.items").</summary>
    public string ItemsPath { get; init; } = "";

    /// <summary>XML only: the local name of item elements; null for RSS "item" or Atom "entry".</summary>
    public string? ItemElement { get; init; }
}

/// <summary>A price feed or price API polled on a schedule.</summary>
/// <param name="Name">A short name for status and rejection records.</param>
/// <param name="Url">Where the feed is fetched (http or https; the fetcher's politeness and address rules apply).</param>
/// <param name="Format">How it is written.</param>
/// <param name="Competitor">The competitor the prices belong to.</param>
/// <param name="Every">How often to poll; at least one minute.</param>
public sealed record PriceFeed(string Name, Uri Url, FeedFormat Format, string Competitor, TimeSpan Every)
{
    /// <summary>Field names; Google Merchant names by default.</summary>
    public FeedFieldMap Fields { get; init; } = new();

    /// <summary>The currency of prices that name none.</summary>
    public CurrencyCode Currency { get; init; }

    /// <summary>The platform key; the feed host when null.</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// The competitor's item id or GTIN → your product key. When set, items not in the map are skipped and
    /// counted as unmatched (not rejected); when null, the item id is the product key.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProductKeys { get; init; }

    /// <summary>Checks the feed definition.</summary>
    /// <exception cref="ArgumentException">A field is missing or out of range; the message names it and its value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("PriceFeed.Name must not be empty.", nameof(Name));
        }

        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"PriceFeed.Url of '{Name}' must be an absolute http or https URL; got '{Url}'.", nameof(Url));
        }

        if (string.IsNullOrWhiteSpace(Competitor))
        {
            throw new ArgumentException($"PriceFeed.Competitor of '{Name}' must not be empty.", nameof(Competitor));
        }

        if (Every < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"PriceFeed.Every of '{Name}' must be at least one minute; got {Every}.", nameof(Every));
        }

        if (Fields is null || string.IsNullOrWhiteSpace(Fields.Product) || string.IsNullOrWhiteSpace(Fields.Price))
        {
            throw new ArgumentException($"PriceFeed.Fields of '{Name}' must name the Product and Price fields.", nameof(Fields));
        }
    }
}

/// <summary>How a feed is doing, for a dashboard.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="NextDue">When it is polled next.</param>
/// <param name="LastPolled">When it was last polled, or null.</param>
/// <param name="LastChanged">When it last returned new content (not 304), or null.</param>
/// <param name="ConsecutiveFailures">Failed polls in a row.</param>
/// <param name="LastFailure">Why the last poll failed, or null.</param>
/// <param name="RowsAccepted">Items turned into observations, over all polls.</param>
/// <param name="RowsRejected">Items set aside as bad, over all polls.</param>
/// <param name="RowsUnmatched">Items not in <see cref="PriceFeed.ProductKeys"/>, over all polls.</param>
/// <param name="NotModified">Polls answered 304 Not Modified.</param>
public sealed record FeedStatus(PriceFeed Feed, DateTimeOffset NextDue, DateTimeOffset? LastPolled, DateTimeOffset? LastChanged, int ConsecutiveFailures, string? LastFailure, long RowsAccepted, long RowsRejected, long RowsUnmatched, long NotModified);

/// <summary>A source of competitor observations from price feeds and price APIs.</summary>
public interface IFeedSource : IMarketEventSource
{
    /// <summary>The state of every feed.</summary>
    IReadOnlyList<FeedStatus> GetStatus();
}

/// <summary>Creates feed sources.</summary>
public static class FeedSource
{
    /// <summary>
    /// Creates a source that polls each feed on its schedule with conditional requests (ETag / If-Modified-Since,
    /// so an unchanged feed costs a 304), maps every item to a <see cref="MarketEventKind.CompetitorPrice"/>
    /// observation through the feed's field map, and reports bad items (missing id, unreadable price) and failed
    /// polls to the rejection sink with their reason and position, without losing the good items around them.
    /// </summary>
    /// <param name="feeds">The feeds.</param>
    /// <param name="keys">Key tables the product, competitor and platform keys are interned into.</param>
    /// <param name="fetcher">Fetches the feeds (see <see cref="PageFetcher.Create"/>): robots.txt, per-host limits and the address policy apply.</param>
    /// <param name="timeProvider">Clock for schedules and event times; the system clock when null.</param>
    /// <returns>The source; polls start on the first read.</returns>
    /// <exception cref="ArgumentException">No feeds, two feeds with one name, or an invalid feed (see <see cref="PriceFeed.Validate"/>).</exception>
    public static IFeedSource Create(IEnumerable<PriceFeed> feeds, MarketKeys keys, IPageFetcher fetcher, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(fetcher);
        var list = feeds.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A feed source needs at least one feed.", nameof(feeds));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feed in list)
        {
            ArgumentNullException.ThrowIfNull(feed, nameof(feeds));
            feed.Validate();
            if (!names.Add(feed.Name))
            {
                throw new ArgumentException($"Two feeds are named '{feed.Name}'.", nameof(feeds));
            }
        }

        return new PriceFeedSource(list, keys, fetcher, timeProvider ?? TimeProvider.System);
    }
}
