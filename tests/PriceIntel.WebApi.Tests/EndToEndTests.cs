using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PriceIntel.WebApi.Tests;

public sealed class EndToEndTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Competitor_drop_ingested_over_http_becomes_a_signal_and_a_decision_in_the_api_and_on_the_live_feed()
    {
        await using var feed = await FeedReader.OpenAsync(_host.Client(ApiHost.ViewerKey), "/api/feed?product=SKU-E2E-1");
        Assert.Equal(200, feed.StatusCode);

        using var ingest = _host.Client(ApiHost.IngestKey);
        using (var response = await ingest.PostAsync("/api/ingest/events", Market.Lines(Market.CompetitorDrop("SKU-E2E-1", "acme", Market.Now - (45 * Market.Minute)))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(42, (await response.ReadJsonAsync()).GetProperty("accepted").GetInt64());
        }

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var signal = await Market.EventuallyAsync(
            async () =>
            {
                var page = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-1&kind=competitor_price_drop");
                return page.GetProperty("items").GetArrayLength() > 0 ? (object)page.GetProperty("items")[0] : null;
            },
            "the competitor price drop signal");
        var s = (JsonElement)signal;
        Assert.Equal("acme", s.GetProperty("competitor").GetString());
        Assert.Equal(80, s.GetProperty("observed").GetDouble(), 3);
        Assert.False(s.GetProperty("acknowledged").GetBoolean());

        var decisions = await viewer.GetJsonAsync("/api/decisions?product=SKU-E2E-1&trigger=competitor_price_drop");
        var decision = Assert.Single(decisions.GetProperty("items").EnumerateArray());
        Assert.True(decision.GetProperty("newPrice").GetDecimal() < decision.GetProperty("oldPrice").GetDecimal());
        var why = decision.GetProperty("why");
        Assert.Equal("competitor_price_drop", why.GetProperty("trigger").GetString());
        Assert.False(string.IsNullOrEmpty(why.GetProperty("strategy").GetString()));
        Assert.Equal(0, why.GetProperty("arm").GetInt32());
        Assert.True(why.GetProperty("targetPrice").GetDecimal() > 0);
        Assert.Contains("max_change", why.GetProperty("bounded").EnumerateArray().Select(b => b.GetString()));
        Assert.Contains("targeted", why.GetProperty("explanation").GetString());

        // The same signal and decision on the live feed.
        string signalId = s.GetProperty("id").GetString()!;
        await feed.WaitForAsync("signal", d => d.GetProperty("id").GetString() == signalId);
        await feed.WaitForAsync("decision", d => d.GetProperty("id").GetString() == decision.GetProperty("id").GetString());
        Assert.DoesNotContain(feed.Items, i => i.Event is "signal" or "decision" && i.Data.GetProperty("product").GetString() != "SKU-E2E-1");

        // Get by id, with the full why.
        var fetched = await viewer.GetJsonAsync($"/api/decisions/{decision.GetProperty("id").GetString()}");
        Assert.Equal(why.GetProperty("explanation").GetString(), fetched.GetProperty("why").GetProperty("explanation").GetString());
        var fetchedSignal = await viewer.GetJsonAsync($"/api/signals/{signalId}");
        Assert.Equal("competitor_price_drop", fetchedSignal.GetProperty("kind").GetString());

        // Acknowledge: a viewer may not; an analyst may, once; a second acknowledgement keeps the first.
        using (var refused = await viewer.PutAsync($"/api/signals/{signalId}/acknowledge", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var analyst = _host.Client(ApiHost.AnalystKey);
        using var first = await analyst.PutAsJsonAsync($"/api/signals/{signalId}/acknowledge", new { note = "matched by the drop rule" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var acknowledged = await first.ReadJsonAsync();
        Assert.True(acknowledged.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("analyst-1", acknowledged.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("matched by the drop rule", acknowledged.GetProperty("acknowledgementNote").GetString());
        await feed.WaitForAsync("acknowledgement", d => d.GetProperty("id").GetString() == signalId);

        using var manager = _host.Client(ApiHost.ManagerKey);
        using var second = await manager.PutAsync($"/api/signals/{signalId}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(second.Headers.Contains("PriceIntel-Already-Acknowledged"));
        var again = await second.ReadJsonAsync();
        Assert.Equal("analyst-1", again.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(acknowledged.GetProperty("acknowledgedAt").GetDateTimeOffset(), again.GetProperty("acknowledgedAt").GetDateTimeOffset());

        var open = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-1&acknowledged=false");
        Assert.DoesNotContain(open.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == signalId);
        var done = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-1&acknowledged=true");
        Assert.Contains(done.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == signalId);

        // Experiments: the product is tallied to its arm.
        var experiment = await viewer.GetJsonAsync("/api/experiments");
        Assert.True(experiment.GetProperty("arms")[0].GetProperty("products").GetInt64() >= 1);
        Assert.True(experiment.GetProperty("arms")[0].GetProperty("decisions").GetInt64() >= 1);
    }

    [Fact]
    public async Task Signal_list_filters_and_pages()
    {
        using var ingest = _host.Client(ApiHost.IngestKey);
        long start = Market.Now - (50 * Market.Minute);
        var lines = Market.CompetitorDrop("SKU-E2E-2", "acme", start);
        lines.AddRange(Market.CompetitorDrop("SKU-E2E-2", "beta", start).Skip(2));
        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var all = (JsonElement)await Market.EventuallyAsync(
            async () =>
            {
                var page = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-2&kind=competitor_price_drop");
                return page.GetProperty("items").GetArrayLength() >= 2 ? (object)page : null;
            },
            "two drop signals");
        Assert.Equal(["acme", "beta"], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("competitor").GetString()).Order());

        var first = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-2&kind=competitor_price_drop&limit=1");
        Assert.Equal(1, first.GetProperty("items").GetArrayLength());
        string cursor = first.GetProperty("nextCursor").GetString()!;
        var second = await viewer.GetJsonAsync($"/api/signals?product=SKU-E2E-2&kind=competitor_price_drop&limit=1&cursor={Uri.EscapeDataString(cursor)}");
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("id").GetString(), second.GetProperty("items")[0].GetProperty("id").GetString());

        var none = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-2&kind=low_inventory");
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
        var critical = await viewer.GetJsonAsync("/api/signals?product=SKU-E2E-2&minSeverity=critical");
        Assert.All(critical.GetProperty("items").EnumerateArray(), i => Assert.Equal("critical", i.GetProperty("severity").GetString()));
    }

    [Theory]
    [InlineData("/api/signals?kind=refund", "kind")]
    [InlineData("/api/signals?minSeverity=loud", "minSeverity")]
    [InlineData("/api/signals?limit=0", "limit")]
    [InlineData("/api/signals?limit=1001", "limit")]
    [InlineData("/api/signals?limit=ten", "limit")]
    [InlineData("/api/signals?cursor=garbage", "cursor")]
    [InlineData("/api/signals?acknowledged=maybe", "acknowledged")]
    [InlineData("/api/signals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/api/signals?from=yesterday", "from")]
    [InlineData("/api/decisions?trigger=whim", "trigger")]
    [InlineData("/api/decisions?arm=300", "arm")]
    [InlineData("/api/products?limit=-1", "limit")]
    [InlineData("/api/products?cursor=%25%25", "cursor")]
    [InlineData("/api/feed?types=prices", "types")]
    public async Task Bad_query_parameters_are_problem_details_naming_the_parameter(string path, string field)
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/signals/00000000deadbeef")]
    [InlineData("/api/signals/not-an-id")]
    [InlineData("/api/decisions/00000000deadbeef-1700000000000")]
    [InlineData("/api/decisions/nope")]
    [InlineData("/api/products/SKU-DOES-NOT-EXIST")]
    [InlineData("/api/products/SKU-DOES-NOT-EXIST/board")]
    public async Task Unknown_ids_are_404_without_saying_more(string path)
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.StartsWith("No ", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("SKU-DOES-NOT-EXIST", problem.GetProperty("detail").GetString());
    }
}
