using System.Net;
using System.Net.Http.Json;

namespace PriceIntel.WebApi.Tests;

public sealed class ProductTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Create_get_update_list_and_delete_a_product()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var viewer = _host.Client(ApiHost.ViewerKey);
        var created = await manager.PostAsJsonAsync("/api/products", new
        {
            sku = "SKU-P-1",
            name = "Espresso machine",
            category = "kitchen",
            currency = "usd",
            unitCost = 120m,
            currentPrice = 199.99m,
            mapPrice = 179m,
            stock = 12,
            watchUrls = new[] { "https://shop.example/espresso" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/products/SKU-P-1", created.Headers.Location?.OriginalString);
        var body = await created.ReadJsonAsync();
        Assert.Equal("USD", body.GetProperty("currency").GetString());
        Assert.Equal(199.99m, body.GetProperty("currentPrice").GetDecimal());

        // The catalog reached the engine: the board shows our price, cost and stock.
        var product = await viewer.GetJsonAsync("/api/products/SKU-P-1");
        Assert.Equal("Espresso machine", product.GetProperty("name").GetString());
        var board = product.GetProperty("board");
        Assert.Equal(199.99m, board.GetProperty("ourPrice").GetDecimal());
        Assert.Equal(120m, board.GetProperty("unitCost").GetDecimal());
        Assert.Equal(12, board.GetProperty("unitsOnHand").GetInt32());

        using var duplicate = await manager.PostAsJsonAsync("/api/products", new { sku = "SKU-P-1", name = "again", currency = "USD" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        using var updated = await manager.PutAsJsonAsync("/api/products/SKU-P-1", new { name = "Espresso machine II", category = "kitchen", unitCost = 125m, stock = 3 });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await updated.ReadJsonAsync();
        Assert.Equal("Espresso machine II", after.GetProperty("name").GetString());
        Assert.Equal(199.99m, after.GetProperty("currentPrice").GetDecimal());
        Assert.Equal(body.GetProperty("created").GetDateTimeOffset(), after.GetProperty("created").GetDateTimeOffset());
        var board2 = await viewer.GetJsonAsync("/api/products/SKU-P-1/board");
        Assert.Equal(125m, board2.GetProperty("unitCost").GetDecimal());
        Assert.Equal(3, board2.GetProperty("unitsOnHand").GetInt32());

        for (int i = 2; i <= 4; i++)
        {
            using var r = await manager.PostAsJsonAsync("/api/products", new { sku = $"SKU-P-{i}", name = $"Grinder {i}", category = i == 4 ? "garden" : "kitchen", currency = "USD" });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        var first = await viewer.GetJsonAsync("/api/products?category=kitchen&limit=2");
        Assert.Equal(["SKU-P-1", "SKU-P-2"], first.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("sku").GetString()));
        string cursor = first.GetProperty("nextCursor").GetString()!;
        var second = await viewer.GetJsonAsync($"/api/products?category=kitchen&limit=2&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(["SKU-P-3"], second.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("sku").GetString()));

        using var deleted = await manager.DeleteAsync("/api/products/SKU-P-4");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await viewer.GetAsync("/api/products/SKU-P-4");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Manual_price_reaches_the_engine_and_is_a_decision_with_who_and_why()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using (var r = await manager.PostAsJsonAsync("/api/products", new { sku = "SKU-P-10", name = "Kettle", currency = "EUR", unitCost = 20m, currentPrice = 39.99m }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var set = await manager.PutAsJsonAsync("/api/products/SKU-P-10/price", new { price = 34.5m, reason = "match the spring promotion" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var decision = await set.ReadJsonAsync();
        Assert.True(decision.GetProperty("manual").GetBoolean());
        Assert.Equal("manager-1", decision.GetProperty("decidedBy").GetString());
        Assert.Equal("match the spring promotion", decision.GetProperty("reason").GetString());
        Assert.Equal(39.99m, decision.GetProperty("oldPrice").GetDecimal());
        Assert.Equal(34.5m, decision.GetProperty("newPrice").GetDecimal());
        Assert.Equal("EUR", decision.GetProperty("currency").GetString());
        Assert.Equal("manual", decision.GetProperty("why").GetProperty("trigger").GetString());

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var board = await viewer.GetJsonAsync("/api/products/SKU-P-10/board");
        Assert.Equal(34.5m, board.GetProperty("ourPrice").GetDecimal());
        var product = await viewer.GetJsonAsync("/api/products/SKU-P-10");
        Assert.Equal(34.5m, product.GetProperty("currentPrice").GetDecimal());

        string id = decision.GetProperty("id").GetString()!;
        var fetched = await viewer.GetJsonAsync($"/api/decisions/{id}");
        Assert.Equal("manager-1", fetched.GetProperty("decidedBy").GetString());
        var listed = await viewer.GetJsonAsync("/api/decisions?product=SKU-P-10&trigger=manual");
        Assert.Equal(id, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var history = await viewer.GetJsonAsync("/api/products/SKU-P-10/history?size=minute");
        Assert.Contains(history.GetProperty("ourPrices").EnumerateArray(), p => p.GetProperty("price").GetDecimal() == 34.5m && p.GetProperty("source").GetString() == "manual");
    }

    [Fact]
    public async Task Manual_decision_through_the_decisions_endpoint()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using (var r = await manager.PostAsJsonAsync("/api/products", new { sku = "SKU-P-11", name = "Toaster", currency = "USD", currentPrice = 25m }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var created = await manager.PostAsJsonAsync("/api/decisions", new { product = "SKU-P-11", price = 23.99m, reason = "clearance" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var decision = await created.ReadJsonAsync();
        Assert.Equal($"/api/decisions/{decision.GetProperty("id").GetString()}", created.Headers.Location?.OriginalString);
        Assert.Equal(25m, decision.GetProperty("oldPrice").GetDecimal());

        using var missingReason = await manager.PostAsJsonAsync("/api/decisions", new { product = "SKU-P-11", price = 22m });
        Assert.Equal(HttpStatusCode.BadRequest, missingReason.StatusCode);
        Assert.True((await missingReason.ReadJsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));

        using var unknown = await manager.PostAsJsonAsync("/api/decisions", new { product = "SKU-NOPE", price = 22m, reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var wrongCurrency = await manager.PutAsJsonAsync("/api/products/SKU-P-11/price", new { price = 22m, currency = "EUR", reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongCurrency.StatusCode);
        Assert.True((await wrongCurrency.ReadJsonAsync()).GetProperty("errors").TryGetProperty("currency", out _));
    }

    [Fact]
    public async Task Invalid_product_fields_are_each_named()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PostAsJsonAsync("/api/products", new
        {
            sku = "",
            name = " ",
            currency = "XXQ",
            unitCost = -1m,
            minPrice = 10m,
            maxPrice = 5m,
            stock = -2,
            watchUrls = new[] { "ftp://example.test/x" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "sku", "name", "currency", "unitCost", "minPrice", "stock", "watchUrls[0]" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} not named in {errors}");
        }
    }

    [Fact]
    public async Task Price_history_buckets_competitor_prices_for_charts()
    {
        using var ingest = _host.Client(ApiHost.IngestKey);
        long start = Market.Now - (Market.Now % (60 * Market.Minute)) - (120 * Market.Minute);
        var lines = new List<string>();
        for (int i = 0; i < 90; i++)
        {
            lines.Add(Market.CompetitorPrice("SKU-P-20", "acme", 50m + (i % 5), start + (i * Market.Minute)));
        }

        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var history = await Market.EventuallyAsync(
            async () =>
            {
                var h = await viewer.GetJsonAsync($"/api/products/SKU-P-20/history?size=hour&from={Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(start).ToString("O"))}");
                return h.GetProperty("buckets").GetArrayLength() == 2 ? (object)h : null;
            },
            "two hour buckets");
        var buckets = ((System.Text.Json.JsonElement)history).GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(90, buckets.Sum(b => b.GetProperty("count").GetInt64()));
        Assert.All(buckets, b =>
        {
            Assert.Equal(50m, b.GetProperty("low").GetDecimal());
            Assert.Equal(54m, b.GetProperty("high").GetDecimal());
        });

        using var badSize = await viewer.GetAsync("/api/products/SKU-P-20/history?size=week");
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.True((await badSize.ReadJsonAsync()).GetProperty("errors").TryGetProperty("size", out _));
    }
}
