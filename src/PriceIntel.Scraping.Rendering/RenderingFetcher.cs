using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PriceIntel.Scraping.Rendering;

/// <summary>Creates the rendering fetcher.</summary>
public static class RenderingFetcher
{
    /// <summary>
    /// Creates a fetcher that renders the pages of <see cref="RenderingOptions.Hosts"/> in headless Chromium
    /// (Microsoft.Playwright driving the configured binary) and returns the DOM after scripts ran; other hosts
    /// go to <paramref name="inner"/> unchanged. The page itself and every request it makes (scripts, XHR,
    /// fetch, frames) are fetched through <paramref name="inner"/> and handed to the browser, so robots.txt,
    /// per-host limits, size limits and the address policy (SSRF guard) apply to all of them exactly as to a
    /// plain fetch; requests the inner fetcher refuses are aborted in the browser, and images, media, fonts,
    /// style sheets, web sockets and non-GET requests are never made. The browser starts on the first rendered
    /// page and stops when the fetcher is disposed.
    /// </summary>
    /// <param name="inner">The polite, SSRF-safe fetcher (see <see cref="PageFetcher.Create"/>); disposed with this one.</param>
    /// <param name="options">Hosts to render and browser settings.</param>
    /// <param name="logger">Receives blocked requests and render failures; nothing when null.</param>
    /// <returns>A fetcher; dispose it to stop the browser.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="options"/> is null.</exception>
    public static IPageFetcher Create(IPageFetcher inner, RenderingOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        return new ChromiumPageFetcher(inner, options, logger ?? NullLogger.Instance);
    }
}
