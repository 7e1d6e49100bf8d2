using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel.Scraping;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PriceIntel's scraping services.</summary>
public static class ScrapingServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="IPageFetcher"/> (configured through <see cref="FetcherOptions"/>) and a
    /// singleton <see cref="ProductPageExtractor"/>. Idempotent: calling it again only adds configuration.
    /// Uses a registered <see cref="TimeProvider"/> when there is one.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureFetcher">Configures the fetcher options (contact URL, operator switches, limits).</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddPriceIntelScraping(this IServiceCollection services, Action<FetcherOptions>? configureFetcher = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FetcherOptions>();
        if (configureFetcher is not null)
        {
            services.Configure(configureFetcher);
        }

        services.TryAddSingleton(sp => PageFetcher.Create(
            sp.GetRequiredService<IOptions<FetcherOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("PriceIntel.Scraping.PageFetcher")));
        services.TryAddSingleton(_ => new ProductPageExtractor());
        return services;
    }
}
