using Microsoft.Extensions.DependencyInjection;

namespace PriceIntel.Scraping.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task Registers_one_fetcher_and_extractor_with_configured_options()
    {
        var services = new ServiceCollection();
        services.AddPriceIntelScraping(o => o.ProductToken = "AcmeBot");
        services.AddPriceIntelScraping(o => o.AllowLoopback = true);
        await using var provider = services.BuildServiceProvider();
        var fetcher = provider.GetRequiredService<IPageFetcher>();
        Assert.Same(fetcher, provider.GetRequiredService<IPageFetcher>());
        Assert.NotNull(provider.GetRequiredService<ProductPageExtractor>());
        Assert.Single(services, d => d.ServiceType == typeof(IPageFetcher));
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FetcherOptions>>().Value;
        Assert.Equal("AcmeBot", options.ProductToken);
        Assert.True(options.AllowLoopback);
    }
}
