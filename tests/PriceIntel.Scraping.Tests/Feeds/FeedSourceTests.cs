using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PriceIntel.Scraping.Tests.Fetching;

namespace PriceIntel.Scraping.Tests.Feeds;

/// <summary>Price feeds served by Kestrel on 127.0.0.1: formats, field maps, conditional polling, bad rows and failed feeds.</summary>
public sealed class FeedSourceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private const string MerchantRss = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
          <channel>
            <title>Kettle Shop</title>
            <item><g:id>K-100</g:id><title>Kettle 1.7 L</title><g:price>49.99 USD</g:price><g:availability>in stock</g:availability><g:gtin>4006381333931</g:gtin></item>
            <item><g:id>K-200</g:id><title>Kettle 1.0 L</title><g:price>39.99 USD</g:price><g:sale_price>29.99 USD</g:sale_price><g:sale_price_effective_date>2026-11-01T00:00Z/2027-01-01T00:00Z</g:sale_price_effective_date><g:availability>out of stock</g:availability></item>
            <item><g:id>K-300</g:id><title>Kettle Mini</title><g:price>call us</g:price></item>
            <item><g:id>K-400</g:id><title>Kettle Travel</title><g:price>19.00 USD</g:price><g:sale_price>15.00 USD</g:sale_price><g:sale_price_effective_date>2025-01-01T00:00Z/2025-02-01T00:00Z</g:sale_price_effective_date><g:availability>preorder</g:availability></item>
          </channel>
        </rss>
        """;

    private sealed class Rejections : IRejectionSink
    {
        public List<RejectedInput> Items { get; } = [];

        public void Reject(RejectedInput input)
        {
            lock (Items)
            {
                Items.Add(input);
            }
        }
    }

    private static IPageFetcher Fetcher() => PageFetcher.Create(new FetcherOptions { AllowLoopback = true, PerHostMinInterval = TimeSpan.Zero, RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxRetries = 1 });

    private static async Task<MarketEvent[]> ReadAsync(IFeedSource source, IRejectionSink rejections)
    {
        var buffer = new MarketEvent[64];
        int n = await source.ReadAsync(buffer, rejections, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return buffer[..n];
    }

    [Fact]
    public async Task A_google_merchant_feed_becomes_observations_and_its_bad_item_is_set_aside()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/feed.xml", () => Results.Text(MerchantRss, "application/rss+xml")));
        using var fetcher = Fetcher();
        var keys = new MarketKeys();
        var time = new FakeTimeProvider(Start);
        await using var source = FeedSource.Create([new PriceFeed("kettles", server.Url("/feed.xml"), FeedFormat.Xml, "kettle-shop", TimeSpan.FromHours(1))], keys, fetcher, time);
        var rejections = new Rejections();
        var events = await ReadAsync(source, rejections);

        Assert.Equal(3, events.Length);
        var k100 = events.Single(e => e.ProductId == keys.Products.Intern("K-100"));
        Assert.Equal(49.99m, k100.Price.ToDecimal());
        Assert.Equal("USD", k100.Currency.ToString());
        Assert.Equal(Availability.InStock, k100.Availability);
        Assert.Equal(keys.Competitors.Intern("kettle-shop"), k100.CompetitorId);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), k100.Timestamp);

        var k200 = events.Single(e => e.ProductId == keys.Products.Intern("K-200"));
        Assert.Equal(29.99m, k200.Price.ToDecimal()); // the sale is in effect on 1 December 2026
        Assert.Equal(Availability.OutOfStock, k200.Availability);

        var k400 = events.Single(e => e.ProductId == keys.Products.Intern("K-400"));
        Assert.Equal(19m, k400.Price.ToDecimal()); // the sale ended in 2025
        Assert.Equal(Availability.PreOrder, k400.Availability);

        var bad = Assert.Single(rejections.Items);
        Assert.Equal(3, bad.Position);
        Assert.Contains("'price' is 'call us'", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("K-300", bad.Payload, StringComparison.Ordinal);
        var status = Assert.Single(source.GetStatus());
        Assert.Equal(3, status.RowsAccepted);
        Assert.Equal(1, status.RowsRejected);
        Assert.Equal(Start + TimeSpan.FromHours(1), status.NextDue);
    }

    [Fact]
    public async Task An_unchanged_feed_is_polled_with_its_etag_and_costs_a_304()
    {
        string body = MerchantRss;
        string etag = "\"v1\"";
        var seenConditions = new List<string>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/feed.xml", (HttpContext context) =>
        {
            var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
            lock (seenConditions)
            {
                seenConditions.Add(ifNoneMatch);
            }

            if (ifNoneMatch == etag)
            {
                return Results.StatusCode(304);
            }

            context.Response.Headers.ETag = etag;
            return Results.Text(body, "application/rss+xml");
        }));
        using var fetcher = Fetcher();
        var time = new FakeTimeProvider(Start);
        await using var source = FeedSource.Create([new PriceFeed("kettles", server.Url("/feed.xml"), FeedFormat.Xml, "kettle-shop", TimeSpan.FromHours(1))], new MarketKeys(), fetcher, time);
        var rejections = new Rejections();
        Assert.Equal(3, (await ReadAsync(source, rejections)).Length);

        // Second poll: unchanged. Then the shop changes the feed: a new ETag and new prices.
        var buffer = new MarketEvent[64];
        var read = source.ReadAsync(buffer, rejections, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromHours(1));
        for (int i = 0; i < 400 && source.GetStatus()[0].NotModified == 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(1, source.GetStatus()[0].NotModified);
        Assert.False(read.IsCompleted);
        body = MerchantRss.Replace("49.99 USD", "44.99 USD", StringComparison.Ordinal);
        etag = "\"v2\"";
        time.Advance(TimeSpan.FromHours(1));
        int n = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(buffer[..n], e => e.Price.ToDecimal() == 44.99m);
        Assert.Equal(["", "\"v1\"", "\"v1\""], seenConditions);
    }

    [Fact]
    public async Task A_csv_feed_keeps_good_rows_around_bad_ones()
    {
        const string csv = "sku;name;price;currency;in_stock\r\n" +
                           "A-1;\"Mug; large\";12,50;EUR;true\r\n" +
                           "A-2;\"Mug \"\"classic\"\"\";not a price;EUR;true\r\n" +
                           "A-3;Plate;8,00;XYZ1;false\r\n" +
                           "A-4;Bowl;9,90;EUR\r\n" +
                           ";Cup;3,00;EUR;true\r\n" +
                           "A-6;Jug;1.299,00;EUR;false\r\n";
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/prices.csv", () => Results.Text(csv, "text/csv")));
        using var fetcher = Fetcher();
        var keys = new MarketKeys();
        var fields = new FeedFieldMap { Product = "sku", Price = "price", Currency = "currency", Availability = "in_stock", SalePrice = null, Gtin = null };
        await using var source = FeedSource.Create([new PriceFeed("crockery", server.Url("/prices.csv"), FeedFormat.Csv, "kitchen-co", TimeSpan.FromHours(6)) { Fields = fields }], keys, fetcher, new FakeTimeProvider(Start));
        var rejections = new Rejections();
        var events = await ReadAsync(source, rejections);

        Assert.Equal([12.5m, 1299m], events.Select(e => e.Price.ToDecimal()).ToArray());
        Assert.Equal(Availability.OutOfStock, events[1].Availability);
        var reasons = rejections.Items.OrderBy(r => r.Position).Select(r => (r.Position, r.Reason)).ToArray();
        Assert.Equal([3L, 4L, 5L, 6L], reasons.Select(r => r.Position).ToArray());
        Assert.Contains("not a price", reasons[0].Reason, StringComparison.Ordinal);
        Assert.Contains("'currency' is 'XYZ1'", reasons[1].Reason, StringComparison.Ordinal);
        Assert.Contains("4 columns where the header has 5", reasons[2].Reason, StringComparison.Ordinal);
        Assert.Contains("no 'sku'", reasons[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_price_api_is_mapped_by_configuration_and_unknown_products_are_counted_not_rejected()
    {
        const string json = """
            {"data":{"items":[
              {"sku":"X1","pricing":{"amount":1299.0,"currency":"SEK"},"stock":"InStock","ean":"4006381333931"},
              {"sku":"X2","pricing":{"amount":"249 kr","currency":"SEK"},"stock":"OutOfStock"},
              {"sku":"X3","pricing":{"amount":99,"currency":"SEK"}}
            ]}}
            """;
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/api/prices", () => Results.Text(json, "application/json")));
        using var fetcher = Fetcher();
        var keys = new MarketKeys();
        var fields = new FeedFieldMap { ItemsPath = "data.items", Product = "sku", Price = "pricing.amount", Currency = "pricing.currency", Availability = "stock", Gtin = "ean" };
        var feed = new PriceFeed("nordic-api", server.Url("/api/prices"), FeedFormat.Json, "nordic", TimeSpan.FromMinutes(30))
        {
            Fields = fields,
            ProductKeys = new Dictionary<string, string> { ["4006381333931"] = "OUR-KETTLE", ["X2"] = "OUR-MUG" },
        };
        await using var source = FeedSource.Create([feed], keys, fetcher, new FakeTimeProvider(Start));
        var events = await ReadAsync(source, new Rejections());

        Assert.Equal(2, events.Length);
        Assert.Equal(1299m, events.Single(e => e.ProductId == keys.Products.Intern("OUR-KETTLE")).Price.ToDecimal());
        var mug = events.Single(e => e.ProductId == keys.Products.Intern("OUR-MUG"));
        Assert.Equal(249m, mug.Price.ToDecimal());
        Assert.Equal("SEK", mug.Currency.ToString());
        Assert.Equal(Availability.OutOfStock, mug.Availability);
        Assert.Equal(1, source.GetStatus()[0].RowsUnmatched);
    }

    [Fact]
    public async Task A_failing_feed_is_reported_by_name_and_the_others_still_arrive()
    {
        const string atom = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
              <entry><g:id>B-1</g:id><g:price>15.00 GBP</g:price></entry>
            </feed>
            """;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/broken.json", () => Results.StatusCode(500));
            app.MapGet("/garbled.json", () => Results.Text("{\"items\": [", "application/json"));
            app.MapGet("/atom.xml", () => Results.Text(atom, "application/atom+xml"));
        });
        using var fetcher = Fetcher();
        var keys = new MarketKeys();
        PriceFeed[] feeds =
        [
            new("broken", server.Url("/broken.json"), FeedFormat.Json, "a", TimeSpan.FromHours(1)),
            new("garbled", server.Url("/garbled.json"), FeedFormat.Json, "b", TimeSpan.FromHours(1)),
            new("atom", server.Url("/atom.xml"), FeedFormat.Xml, "c", TimeSpan.FromHours(1)),
        ];
        await using var source = FeedSource.Create(feeds, keys, fetcher, new FakeTimeProvider(Start));
        var rejections = new Rejections();
        var events = await ReadAsync(source, rejections);

        var e = Assert.Single(events);
        Assert.Equal(15m, e.Price.ToDecimal());
        Assert.Equal("GBP", e.Currency.ToString());
        var status = source.GetStatus().ToDictionary(s => s.Feed.Name);
        Assert.Equal(1, status["broken"].ConsecutiveFailures);
        Assert.Contains("HTTP 500", status["broken"].LastFailure, StringComparison.Ordinal);
        Assert.Contains("not valid", status["garbled"].LastFailure, StringComparison.Ordinal);
        Assert.Equal(0, status["atom"].ConsecutiveFailures);
        Assert.Contains(rejections.Items, r => r.Reason.StartsWith("broken: fetch HttpError", StringComparison.Ordinal));
        Assert.Contains(rejections.Items, r => r.Reason.StartsWith("garbled: feed could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Feeds_obey_the_fetchers_address_policy()
    {
        using var fetcher = PageFetcher.Create(new FetcherOptions()); // loopback not allowed
        await using var source = FeedSource.Create([new PriceFeed("local", new Uri("http://127.0.0.1:9/feed.xml"), FeedFormat.Xml, "x", TimeSpan.FromHours(1))], new MarketKeys(), fetcher, new FakeTimeProvider(Start));
        var rejections = new Rejections();
        var buffer = new MarketEvent[4];
        using var cts = new CancellationTokenSource();
        var read = source.ReadAsync(buffer, rejections, cts.Token).AsTask();
        for (int i = 0; i < 400 && source.GetStatus()[0].ConsecutiveFailures == 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Contains("BlockedAddress", source.GetStatus()[0].LastFailure, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Theory]
    [InlineData("", "http://x.example/f", "c", 60, "Name")]
    [InlineData("f", "ftp://x.example/f", "c", 60, "Url")]
    [InlineData("f", "http://x.example/f", "", 60, "Competitor")]
    [InlineData("f", "http://x.example/f", "c", 10, "Every")]
    public void Feed_definitions_are_validated_naming_the_field(string name, string url, string competitor, int everySeconds, string field)
    {
        var feed = new PriceFeed(name, new Uri(url), FeedFormat.Json, competitor, TimeSpan.FromSeconds(everySeconds));
        var e = Assert.Throws<ArgumentException>(feed.Validate);
        Assert.Contains($"PriceFeed.{field}", e.Message, StringComparison.Ordinal);
    }
}
