using Microsoft.Extensions.Logging;

namespace PriceIntel.Scraping;

/// <summary>Creates page fetchers.</summary>
public static class PageFetcher
{
    /// <summary>
    /// Creates the polite, SSRF-safe fetcher. Loopback and private addresses are refused unless
    /// <see cref="FetcherOptions.AllowLoopback"/> or <see cref="FetcherOptions.AllowPrivateNetworks"/> is set.
    /// </summary>
    /// <param name="options">Behaviour and limits; defaults when null.</param>
    /// <param name="timeProvider">Clock for rate limits, Retry-After, timeouts and robots.txt caching; the system clock when null.</param>
    /// <param name="logger">Receives retries, redirects and failures; nothing when null.</param>
    /// <returns>A fetcher; dispose it to close its connections.</returns>
    public static IPageFetcher Create(FetcherOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null) =>
        new SafePageFetcher(options ?? new FetcherOptions(), timeProvider ?? TimeProvider.System, logger);
}
