using System.Collections.Concurrent;
using System.Globalization;

namespace PriceIntel.Scraping.Tests.WatchList;

public sealed class WatchListSourceTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T08:00:00Z", CultureInfo.InvariantCulture);

    /// <summary>Serves pages from a dictionary the test changes between fetches.</summary>
    private sealed class ScriptedFetcher : IPageFetcher
    {
        public ConcurrentDictionary<string, string> Pages { get; } = new();

        public ConcurrentDictionary<string, int> Fetches { get; } = new();

        public Task<FetchResult> FetchAsync(Uri url, CancellationToken cancellationToken)
        {
            Fetches.AddOrUpdate(url.ToString(), 1, (_, n) => n + 1);
            return Task.FromResult(Pages.TryGetValue(url.ToString(), out var html)
                ? new FetchResult(FetchOutcome.Ok, url, url, 200, html, "text/html", null, 1)
                : new FetchResult(FetchOutcome.HttpError, url, url, 404, null, null, "HTTP 404", 1));
        }

        public void Dispose()
        {
        }
    }

    private sealed class Rejections : IRejectionSink
    {
        public List<RejectedInput> Items { get; } = [];

        public void Reject(RejectedInput rejected) => Items.Add(rejected);
    }

    private static string JsonLdPage(string price, string currency = "USD", string availability = "InStock", string gtin = "4006381333931") =>
        $$$"""<html><head><script type="application/ld+json">{"@type":"Product","name":"Kettle","gtin13":"{{{gtin}}}","offers":{"@type":"Offer","price":"{{{price}}}","priceCurrency":"{{{currency}}}","availability":"https://schema.org/{{{availability}}}"}}</script></head><body></body></html>""";

    private static readonly Uri PageA = new("https://shop-a.example/kettle");
    private static readonly Uri PageB = new("https://shop-b.example/p/123");

    private static (IWatchListSource Source, ScriptedFetcher Fetcher, WaitCountingTimeProvider Time, MarketKeys Keys) Create(WatchListOptions? options = null, params WatchItem[] items)
    {
        var fetcher = new ScriptedFetcher();
        var time = new WaitCountingTimeProvider(Start);
        var keys = new MarketKeys();
        options ??= new WatchListOptions { Jitter = 0, Heartbeat = TimeSpan.FromHours(6), Seed = 7 };
        items = items.Length > 0 ? items :
        [
            new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1)),
            new WatchItem("SKU-1", "shop-b", PageB, TimeSpan.FromHours(2)) { Platform = "web" },
        ];
        return (Scraping.WatchList.CreateSource(items, keys, fetcher, PriceIntel.Scraping.Tests.Extraction.TestExtractors.Create(), options: options, timeProvider: time), fetcher, time, keys);
    }

    private static async Task<MarketEvent[]> ReadAfter(IWatchListSource source, WaitCountingTimeProvider time, TimeSpan advance, IRejectionSink? rejections = null)
    {
        var buffer = new MarketEvent[16];
        var read = source.ReadAsync(buffer, rejections ?? new Rejections(), CancellationToken.None).AsTask();
        for (int i = 0; i < 2000 && !read.IsCompleted && !time.TakeNewWait(); i++)
        {
            await Task.Delay(5);
        }

        time.Advance(advance);
        var n = await read.WaitAsync(TimeSpan.FromSeconds(10));
        return buffer[..n];
    }

    [Fact]
    public async Task First_read_observes_every_page_with_interned_keys_and_event_time()
    {
        var (source, fetcher, time, keys) = Create();
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        fetcher.Pages[PageB.ToString()] = JsonLdPage("47.50");
        var buffer = new MarketEvent[16];
        int n = await source.ReadAsync(buffer, new Rejections(), CancellationToken.None);
        Assert.Equal(2, n);
        var a = buffer.Take(n).Single(e => e.CompetitorId == keys.Competitors.Intern("shop-a"));
        var b = buffer.Take(n).Single(e => e.CompetitorId == keys.Competitors.Intern("shop-b"));
        Assert.Equal(MarketEventKind.CompetitorPrice, a.Kind);
        Assert.Equal(keys.Products.Intern("SKU-1"), a.ProductId);
        Assert.Equal(49.99m, a.Price.ToDecimal());
        Assert.Equal(CurrencyCode.Usd, a.Currency);
        Assert.Equal(Availability.InStock, a.Availability);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), a.Timestamp);
        Assert.Equal("shop-a.example", keys.Platforms.GetName(a.PlatformId));
        Assert.Equal("web", keys.Platforms.GetName(b.PlatformId));
        Assert.Equal(47.5m, b.Price.ToDecimal());
        _ = time;
    }

    [Fact]
    public async Task Unchanged_prices_are_not_emitted_until_the_heartbeat()
    {
        var (source, fetcher, time, _) = Create(items: [new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1))]);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        Assert.Single(await ReadAfter(source, time, TimeSpan.Zero));

        // Hourly fetches of the same price: nothing until six hours have passed since the last emission.
        var read = source.ReadAsync(new MarketEvent[4], new Rejections(), CancellationToken.None).AsTask();
        for (int hour = 1; hour <= 5; hour++)
        {
            await WaitForTimer(time);
            time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(20);
            Assert.False(read.IsCompleted, $"emitted at hour {hour}");
        }

        await WaitForTimer(time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(7, fetcher.Fetches[PageA.ToString()]);
    }

    [Fact]
    public async Task A_price_change_is_emitted_at_the_next_fetch()
    {
        var (source, fetcher, time, _) = Create(items: [new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1))]);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        await ReadAfter(source, time, TimeSpan.Zero);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("44.99");
        var events = await ReadAfter(source, time, TimeSpan.FromHours(1));
        var e = Assert.Single(events);
        Assert.Equal(44.99m, e.Price.ToDecimal());
        Assert.Equal((Start + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(), e.Timestamp);
    }

    [Fact]
    public async Task Going_out_of_stock_is_emitted_as_a_change()
    {
        var (source, fetcher, time, _) = Create(items: [new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1))]);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        await ReadAfter(source, time, TimeSpan.Zero);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99", availability: "OutOfStock");
        var e = Assert.Single(await ReadAfter(source, time, TimeSpan.FromHours(1)));
        Assert.Equal(Availability.OutOfStock, e.Availability);
        Assert.Equal(49.99m, e.Price.ToDecimal());
    }

    [Fact]
    public async Task Failures_are_rejected_with_reasons_and_counted()
    {
        var (source, fetcher, time, _) = Create();
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        var rejections = new Rejections();
        var events = await ReadAfter(source, time, TimeSpan.Zero, rejections);
        Assert.Single(events);
        var rejected = Assert.Single(rejections.Items);
        Assert.Equal(2, rejected.Position);
        Assert.Contains("shop-b / SKU-1: fetch HttpError: HTTP 404", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(PageB.ToString(), rejected.Payload);
        var status = source.GetStatus().Single(s => s.Item.Url == PageB);
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Equal(Start + TimeSpan.FromHours(2), status.NextDue);
    }

    [Fact]
    public async Task A_gtin_mismatch_is_a_failure_not_an_observation()
    {
        var item = new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1)) { ExpectedGtin = "0012345678905" };
        var (source, fetcher, time, _) = Create(items: [item, new WatchItem("SKU-2", "shop-b", PageB, TimeSpan.FromHours(1))]);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        fetcher.Pages[PageB.ToString()] = JsonLdPage("10.00");
        var rejections = new Rejections();
        var e = Assert.Single(await ReadAfter(source, time, TimeSpan.Zero, rejections));
        Assert.Equal(10m, e.Price.ToDecimal());
        Assert.Contains("GTIN mismatch", Assert.Single(rejections.Items).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item_currency_settles_a_bare_dollar_page()
    {
        var item = new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1)) { Currency = CurrencyCode.Parse("CAD") };
        var (source, fetcher, time, _) = Create(items: [item]);
        fetcher.Pages[PageA.ToString()] = """<html><body><h1>Kettle</h1><span class="price">$59.00</span><button>Add to cart</button></body></html>""";
        var e = Assert.Single(await ReadAfter(source, time, TimeSpan.Zero));
        Assert.Equal(CurrencyCode.Parse("CAD"), e.Currency);
        Assert.Equal(59m, e.Price.ToDecimal());
    }

    [Fact]
    public async Task Jitter_keeps_intervals_within_the_fraction()
    {
        var options = new WatchListOptions { Jitter = 0.2, Seed = 42 };
        var items = Enumerable.Range(0, 20).Select(i => new WatchItem($"SKU-{i}", "shop-a", new Uri($"https://shop-a.example/p/{i}"), TimeSpan.FromHours(1))).ToArray();
        var (source, fetcher, time, _) = Create(options, items);
        foreach (var item in items)
        {
            fetcher.Pages[item.Url.ToString()] = JsonLdPage("5.00");
        }

        foreach (var s in source.GetStatus())
        {
            Assert.InRange(s.NextDue, Start, Start + TimeSpan.FromMinutes(12)); // first fetch spread over 20 % of the interval
        }

        var buffer = new MarketEvent[64];
        var read = source.ReadAsync(buffer, new Rejections(), CancellationToken.None).AsTask();
        await WaitForTimer(time);
        time.Advance(TimeSpan.FromMinutes(12));
        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(10)) > 0);
        var dues = source.GetStatus().Where(s => s.LastFetched is not null).Select(s => s.NextDue - s.LastFetched!.Value).ToArray();
        Assert.NotEmpty(dues);
        Assert.All(dues, d => Assert.InRange(d, TimeSpan.FromMinutes(48), TimeSpan.FromMinutes(72)));
        Assert.True(dues.Distinct().Count() > 1, "jitter should vary the intervals");
    }

    [Fact]
    public async Task Dispose_ends_a_waiting_read_with_zero()
    {
        var (source, fetcher, time, _) = Create(items: [new WatchItem("SKU-1", "shop-a", PageA, TimeSpan.FromHours(1))]);
        fetcher.Pages[PageA.ToString()] = JsonLdPage("49.99");
        await ReadAfter(source, time, TimeSpan.Zero);
        var read = source.ReadAsync(new MarketEvent[4], new Rejections(), CancellationToken.None).AsTask();
        await WaitForTimer(time);
        await source.DisposeAsync();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task WaitForTimer(WaitCountingTimeProvider time)
    {
        bool waiting = false;
        for (int i = 0; i < 2000 && !(waiting = time.TakeNewWait()); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(waiting, "the source should be waiting on a timer");
    }
}
