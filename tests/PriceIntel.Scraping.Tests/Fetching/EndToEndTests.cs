using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PriceIntel.Scraping.Tests.Extraction;

namespace PriceIntel.Scraping.Tests.Fetching;

/// <summary>Fixture pages served by Kestrel on 127.0.0.1, fetched, extracted and observed through the watch list.</summary>
public sealed class EndToEndTests
{
    private static FetcherOptions Options() => new() { AllowLoopback = true, PerHostMinInterval = TimeSpan.Zero, PerHostConcurrency = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    private static Task<LoopbackServer> FixtureServerAsync() => LoopbackServer.StartAsync(app =>
    {
        app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nAllow: /\n", "text/plain"));
        app.MapGet("/p/{name}", (string name) => File.Exists(Path.Combine(Fixture.Directory, name))
            ? Results.Text(Fixture.Read(name), "text/html; charset=utf-8")
            : Results.NotFound());
    });

    [Fact]
    public async Task Every_fixture_extracts_the_same_over_http_as_from_disk()
    {
        await using var server = await FixtureServerAsync();
        using var fetcher = PageFetcher.Create(Options());
        var extractor = PriceIntel.Scraping.Tests.Extraction.TestExtractors.Create();
        var files = Directory.GetFiles(Fixture.Directory, "*.html").Select(Path.GetFileName).ToArray();
        Assert.True(files.Length >= 19);
        foreach (var file in files)
        {
            var result = await fetcher.FetchAsync(server.Url($"/p/{file}"), CancellationToken.None);
            Assert.Equal(FetchOutcome.Ok, result.Outcome);
            var overHttp = extractor.Extract(result.Body!);
            var fromDisk = extractor.Extract(Fixture.Read(file!));
            Assert.Equal(fromDisk.Price, overHttp.Price);
            Assert.Equal(fromDisk.Currency, overHttp.Currency);
            Assert.Equal(fromDisk.Availability, overHttp.Availability);
        }
    }

    [Fact]
    public async Task Watch_list_over_the_real_fetcher_emits_observations_and_rejects_failures()
    {
        await using var server = await FixtureServerAsync();
        using var fetcher = PageFetcher.Create(Options());
        var keys = new MarketKeys();
        var rejections = new List<RejectedInput>();
        await using var source = Scraping.WatchList.CreateSource(
            [
                new WatchItem("SKU-1", "acme", server.Url("/p/jsonld-basic.html"), TimeSpan.FromHours(1)),
                new WatchItem("SKU-2", "acme", server.Url("/p/microdata.html"), TimeSpan.FromHours(1)),
                new WatchItem("SKU-3", "acme", server.Url("/p/missing.html"), TimeSpan.FromHours(1)),
                new WatchItem("SKU-4", "acme", server.Url("/p/decoys-only.html"), TimeSpan.FromHours(1)),
            ],
            keys,
            fetcher,
            options: new WatchListOptions { Jitter = 0 });
        var batch = new MarketEvent[8];
        int n = await source.ReadAsync(batch, new ListSink(rejections), CancellationToken.None);
        Assert.Equal(2, n);
        var prices = batch.Take(n).ToDictionary(e => keys.Products.GetName(e.ProductId), e => (e.Price.ToDecimal(), e.Currency.ToString()));
        Assert.Equal((49.99m, "USD"), prices["SKU-1"]);
        Assert.Equal((1299m, "EUR"), prices["SKU-2"]);
        Assert.Equal(2, rejections.Count);
        Assert.Contains(rejections, r => r.Reason.Contains("SKU-3: fetch HttpError: HTTP 404", StringComparison.Ordinal));
        Assert.Contains(rejections, r => r.Reason.Contains("SKU-4: no price found on the page", StringComparison.Ordinal));
    }

    private sealed class ListSink(List<RejectedInput> list) : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
            lock (list)
            {
                list.Add(rejected);
            }
        }
    }
}
