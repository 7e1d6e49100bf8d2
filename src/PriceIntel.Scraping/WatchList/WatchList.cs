namespace PriceIntel.Scraping;

/// <summary>Creates watch-list sources.</summary>
public static class WatchList
{
    /// <summary>
    /// Creates a source that fetches each item's page on its schedule (with jitter), extracts the
    /// price and emits <see cref="MarketEventKind.CompetitorPrice"/> events when the price, currency or
    /// stock status changes, and again after <see cref="WatchListOptions.Heartbeat"/>. Failures go to
    /// the rejection sink given to <see cref="IMarketEventSource.ReadAsync"/> with their reason.
    /// </summary>
    /// <param name="items">The pages to watch.</param>
    /// <param name="keys">Key tables the product, competitor and platform keys are interned into.</param>
    /// <param name="fetcher">Fetches pages (see <see cref="PageFetcher.Create"/>).</param>
    /// <param name="extractor">Extracts prices; a default extractor when null.</param>
    /// <param name="options">Scheduling rules; defaults when null.</param>
    /// <param name="timeProvider">Clock for schedules and event times; the system clock when null.</param>
    /// <exception cref="ArgumentException">No items, or a key the key tables refuse.</exception>
    public static IWatchListSource CreateSource(
        IEnumerable<WatchItem> items,
        MarketKeys keys,
        IPageFetcher fetcher,
        ProductPageExtractor? extractor = null,
        WatchListOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(fetcher);
        var list = items.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A watch list needs at least one item.", nameof(items));
        }

        return new WatchListSource(list, keys, fetcher, extractor ?? new ProductPageExtractor(), options ?? new WatchListOptions(), timeProvider ?? TimeProvider.System);
    }
}
