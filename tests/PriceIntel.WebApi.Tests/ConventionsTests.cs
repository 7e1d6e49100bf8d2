using System.Net;
using System.Text.Json;

namespace PriceIntel.WebApi.Tests;

public sealed class ConventionsTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Prometheus_endpoint_serves_the_api_and_aspnetcore_meters_to_an_admin()
    {
        using var ingest = _host.Client(ApiHost.IngestKey);
        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines([Market.CompetitorPrice("SKU-MET-1", "acme", 9.99m, Market.Now - Market.Minute)])))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var admin = _host.Client(ApiHost.AdminKey);
        string text = await Market.EventuallyAsync(
            async () =>
            {
                string t = await admin.GetStringAsync("/metrics");
                return t.Contains("priceintel_events_in", StringComparison.Ordinal) ? t : null;
            },
            "engine metrics (the PriceIntel meter) on /metrics");
        Assert.Contains("priceintel_batch_duration", text);
        Assert.Contains("priceintel_api_ingest_accepted", text);

        // The API's meter holds only what the HTTP side knows; the engine's figures are not counted twice.
        Assert.DoesNotContain("priceintel_api_engine", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task Openapi_document_describes_the_endpoints_and_the_reference_page_is_served_locally()
    {
        using var anonymous = _host.Client();
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/products", "/api/products/{sku}", "/api/products/{sku}/price", "/api/products/{sku}/history", "/api/decisions", "/api/decisions/{id}", "/api/signals", "/api/signals/{id}/acknowledge", "/api/experiments", "/api/feed", "/api/ingest/events", "/api/ingest/competitor-prices", "/api/ingest/behaviour", "/api/ingest/inventory", "/api/ingest/costs" })
        {
            Assert.True(paths.TryGetProperty(path, out _) || paths.TryGetProperty(path + "/", out _), $"{path} missing from the OpenAPI document");
        }

        Assert.Equal("PriceIntel API", document.RootElement.GetProperty("info").GetProperty("title").GetString());

        // Outside Development the reference page is not served, and nothing there answers without credentials.
        using var page = await anonymous.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task Reference_page_is_served_locally_only_when_asked_for()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["PriceIntelApi:ServeApiReference"] = "true" });
        using var anonymous = host.Client();
        using var page = await anonymous.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html.Replace("https://scalar.com", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problem_details_carry_status_title_instance_and_trace_id()
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync("/api/signals?limit=0");
        var problem = await response.ReadJsonAsync();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("/api/signals", problem.GetProperty("instance").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.Contains("limit", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Experiments_compare_arms_with_a_confidence()
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        var experiment = await viewer.GetJsonAsync("/api/experiments");
        Assert.True(experiment.GetProperty("arms").GetArrayLength() >= 1);
        Assert.Equal(JsonValueKind.Array, experiment.GetProperty("comparisons").ValueKind);

        // The comparison on its own: 2 products × 100 units against 2 × 50 is a significant lift.
        var arm = new AspNetCore.Endpoints.ArmDto(1, "b", PricingStrategyKind.MatchLowest, 2, 0, 0, 0, 200, 2000m, 500m, 0.25, 100, 1000m, 250m);
        var control = new AspNetCore.Endpoints.ArmDto(0, "a", PricingStrategyKind.Hold, 2, 0, 0, 0, 100, 1000m, 250m, 0.25, 50, 500m, 125m);
        var comparison = AspNetCore.Endpoints.ExperimentDto.Compare(arm, control);
        Assert.Equal(1.0, comparison.UnitsLift!.Value, 6);
        Assert.Equal(1.0, comparison.RevenueLift!.Value, 6);
        Assert.True(comparison.PValue < 0.001);
        Assert.Contains("more units", comparison.Verdict);
        var same = AspNetCore.Endpoints.ExperimentDto.Compare(control with { Arm = 1 }, control);
        Assert.True(same.PValue > 0.99);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.959963985, 0.05)]
    [InlineData(2.575829304, 0.01)]
    [InlineData(-1.644853627, 0.10)]
    public void Two_sided_p_values_match_the_normal_table(double z, double p) =>
        Assert.Equal(p, AspNetCore.Endpoints.Statistics.TwoSidedP(z), 6);
}
