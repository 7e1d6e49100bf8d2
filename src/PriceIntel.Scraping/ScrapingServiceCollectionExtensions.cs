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
    /// singleton <see cref="ProductPageExtractor"/>. The fetcher sends through two named clients of
    /// <see cref="IHttpClientFactory"/> ("PriceIntel.Scraping.Pages" and "PriceIntel.Scraping.Robots") whose
    /// handlers carry the Polly retry, per-host circuit breaker and timeout (Microsoft.Extensions.Http.Resilience)
    /// and the per-host limiters (System.Threading.RateLimiting). Idempotent: calling it again only adds configuration.
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

        if (!services.Any(d => d.ServiceType == typeof(FetchSettings)))
        {
            services.AddSingleton(sp => new FetchSettings(
                sp.GetRequiredService<IOptions<FetcherOptions>>().Value,
                sp.GetService<ILoggerFactory>()?.CreateLogger("PriceIntel.Scraping.PageFetcher"),
                resolve: null));
            FetchClients.Add(services);
        }

        services.TryAddSingleton<IPageFetcher>(sp => new SafePageFetcher(
            sp.GetRequiredService<FetchSettings>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<IHttpClientFactory>()));
        services.TryAddSingleton(_ => new ProductPageExtractor());
        return services;
    }
}
