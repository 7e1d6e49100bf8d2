using System.Globalization;
using System.Net;
using System.Text.Json;

namespace PriceIntel.WebApi.Tests;

/// <summary>GET /api/products/{sku}/demand over HTTP: demand ingested through the API comes back per hour and day bucket, paged and checked like the price history.</summary>
public sealed class DemandTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    private static string Demand(string product, string action, int quantity, decimal price, long ts) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"type":"demand","product":"{{product}}","action":"{{action}}","quantity":{{quantity}},"price":{{price}},"currency":"USD","ts":{{ts}}}""");

    private static string Inventory(string product, int units, long ts) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"type":"inventory","product":"{{product}}","units":{{units}},"ts":{{ts}}}""");

    private static string Iso(long ms) => Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Three hours of demand for one product: hour h has 10 + h views at 20 + h, 2 + h add-to-carts and h + 1 purchases of 2 units.</summary>
    private static (List<string> Lines, long Start) ThreeHours(string product)
    {
        long start = Market.Now - (Market.Now % (60 * Market.Minute)) - (5 * 60 * Market.Minute);
        var lines = new List<string>();
        for (int h = 0; h < 3; h++)
        {
            long t = start + (h * 60 * Market.Minute);
            for (int v = 0; v < 10 + h; v++)
            {
                lines.Add(Demand(product, "view", 0, 20m + h, t + (v * Market.Minute)));
            }

            for (int c = 0; c < 2 + h; c++)
            {
                lines.Add(Demand(product, "add_to_cart", 2, 20m + h, t + (30 * Market.Minute) + c));
            }

            for (int p = 0; p < h + 1; p++)
            {
                lines.Add(Demand(product, "purchase", 2, 20m + h, t + (40 * Market.Minute) + p));
            }

            lines.Add(Inventory(product, 100 - h, t + (50 * Market.Minute)));
        }

        lines.Sort((a, b) => Ts(a).CompareTo(Ts(b)));
        return (lines, start);

        static long Ts(string line) => JsonDocument.Parse(line).RootElement.GetProperty("ts").GetInt64();
    }

    [Fact]
    public async Task Demand_ingested_through_the_api_is_served_per_hour_newest_first_with_counts_revenue_and_price()
    {
        var (lines, start) = ThreeHours("SKU-D-1");
        using var ingest = _host.Client(ApiHost.IngestKey);
        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(lines.Count, (await r.ReadJsonAsync()).GetProperty("accepted").GetInt64());
        }

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var page = await Market.EventuallyAsync(
            async () =>
            {
                var h = await viewer.GetJsonAsync($"/api/products/SKU-D-1/demand?bucket=hour&from={Iso(start)}");
                return h.GetProperty("buckets").GetArrayLength() == 3 && h.GetProperty("buckets")[2].GetProperty("views").GetInt64() == 10 ? (object)h : null;
            },
            "three hour buckets");
        var body = (JsonElement)page;
        Assert.Equal("SKU-D-1", body.GetProperty("product").GetString());
        Assert.Equal("hour", body.GetProperty("bucket").GetString());
        var buckets = body.GetProperty("buckets").EnumerateArray().ToList();
        for (int i = 0; i < 3; i++)
        {
            int h = 2 - i; // newest first
            var b = buckets[i];
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(start + (h * 60 * Market.Minute)), b.GetProperty("start").GetDateTimeOffset());
            Assert.Equal(10 + h, b.GetProperty("views").GetInt64());
            Assert.Equal(2 + h, b.GetProperty("addToCarts").GetInt64());
            Assert.Equal(h + 1, b.GetProperty("purchases").GetInt64());
            Assert.Equal(2 * (h + 1), b.GetProperty("units").GetInt64());
            Assert.Equal(2 * (h + 1) * (20m + h), b.GetProperty("revenue").GetDecimal());
            Assert.Equal(20m + h, b.GetProperty("averagePrice").GetDecimal());
            Assert.Equal((h + 1) / (double)(10 + h), b.GetProperty("conversion").GetDouble(), 9);
            Assert.Equal(100 - h, b.GetProperty("stock").GetInt64());
            Assert.Equal("USD", b.GetProperty("currency").GetString());
        }

        // The day bucket(s) add up to the same totals.
        var days = (await viewer.GetJsonAsync($"/api/products/SKU-D-1/demand?bucket=day")).GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(33, days.Sum(d => d.GetProperty("views").GetInt64()));
        Assert.Equal(12, days.Sum(d => d.GetProperty("units").GetInt64()));
        Assert.Equal(buckets.Sum(b => b.GetProperty("revenue").GetDecimal()), days.Sum(d => d.GetProperty("revenue").GetDecimal()));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_and_bad_parameters_are_named_problems()
    {
        var (lines, start) = ThreeHours("SKU-D-2");
        using var ingest = _host.Client(ApiHost.IngestKey);
        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var viewer = _host.Client(ApiHost.ViewerKey);
        await Market.EventuallyAsync(
            async () => (await viewer.GetJsonAsync("/api/products/SKU-D-2/demand")).GetProperty("buckets").GetArrayLength() == 3 ? "ok" : null,
            "three hour buckets");
        var starts = new List<DateTimeOffset>();
        string? cursor = null;
        do
        {
            var page = await viewer.GetJsonAsync("/api/products/SKU-D-2/demand?limit=2" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            starts.AddRange(page.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("start").GetDateTimeOffset()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);
        Assert.Equal([.. Enumerable.Range(0, 3).Reverse().Select(h => DateTimeOffset.FromUnixTimeMilliseconds(start + (h * 60 * Market.Minute)))], starts);

        // The range is [from, to): only the middle hour.
        var middle = await viewer.GetJsonAsync($"/api/products/SKU-D-2/demand?from={Iso(start + (60 * Market.Minute))}&to={Iso(start + (120 * Market.Minute))}");
        Assert.Equal(11, Assert.Single(middle.GetProperty("buckets").EnumerateArray()).GetProperty("views").GetInt64());

        // A product with no demand is an empty page, not an error.
        Assert.Equal(0, (await viewer.GetJsonAsync("/api/products/SKU-D-NONE/demand")).GetProperty("buckets").GetArrayLength());

        foreach (var (query, field) in new[] { ("bucket=week", "bucket"), ("limit=0", "limit"), ("cursor=nope", "cursor"), ($"from={Iso(start)}&to={Iso(start - 1)}", "from") })
        {
            using var bad = await viewer.GetAsync("/api/products/SKU-D-2/demand?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.ReadJsonAsync()).GetProperty("errors").TryGetProperty(field, out _), $"{query} does not name {field}");
        }

        // Viewer is enough; the ingest role is not a reader.
        using var ingestRead = await ingest.GetAsync("/api/products/SKU-D-2/demand");
        Assert.Equal(HttpStatusCode.Forbidden, ingestRead.StatusCode);
    }
}
