using System.Net;
using System.Net.Http.Json;

namespace PriceIntel.WebApi.Tests;

/// <summary>The engine's other inputs: the simulator (the one-command default) and a JSON Lines replay.</summary>
public sealed class InputTests
{
    [Fact]
    public async Task Simulator_input_fills_the_catalog_and_the_market_moves()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["PriceIntelApi:Engine:Input"] = "Simulator",
            ["PriceIntelApi:Engine:SimulatorSpeed"] = "3600",
            ["PriceIntelApi:Engine:SimulatorProducts"] = "20",
            ["PriceIntelApi:Engine:SimulatorCompetitors"] = "3",
        });
        using var viewer = host.Client(ApiHost.ViewerKey);
        var products = (System.Text.Json.JsonElement)await Market.EventuallyAsync(
            async () =>
            {
                var page = await viewer.GetJsonAsync("/api/products?limit=100");
                return page.GetProperty("items").GetArrayLength() == 20 ? (object)page : null;
            },
            "the simulated products in the catalog");
        Assert.Equal("SKU-000000", products.GetProperty("items")[0].GetProperty("sku").GetString());

        var board = await Market.EventuallyAsync(
            async () =>
            {
                using var r = await viewer.GetAsync("/api/products/SKU-000000");
                var p = await r.ReadJsonAsync();
                return p.TryGetProperty("board", out var b) && b.GetProperty("competitors").GetArrayLength() == 3 ? (object)b : null;
            },
            "the simulated board with three competitors");
        Assert.NotNull(board);
        var health = await Market.EventuallyAsync(
            async () =>
            {
                var h = await viewer.GetJsonAsync("/health");
                return h.GetProperty("checks").GetProperty("engine").GetProperty("data").GetProperty("eventsProcessed").GetInt64() > 100 ? (object)h : null;
            },
            "simulated events processed");
        Assert.NotNull(health);
    }

    [Fact]
    public async Task Replay_input_feeds_a_json_lines_file_to_the_engine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"priceintel-replay-{Guid.NewGuid():N}.jsonl");
        var lines = Market.CompetitorDrop("SKU-REPLAY", "acme", Market.Now - (45 * Market.Minute));
        lines.Insert(5, "{broken");
        await File.WriteAllLinesAsync(path, lines);
        try
        {
            await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
            {
                ["PriceIntelApi:Engine:Input"] = "Replay",
                ["PriceIntelApi:Engine:ReplayPath"] = path,
            });
            using var viewer = host.Client(ApiHost.ViewerKey);
            var signals = await Market.EventuallyAsync(
                async () =>
                {
                    var page = await viewer.GetJsonAsync("/api/signals?product=SKU-REPLAY&kind=competitor_price_drop");
                    return page.GetProperty("items").GetArrayLength() == 1 ? (object)page : null;
                },
                "the replayed drop signal");
            Assert.NotNull(signals);
            var engine = (await viewer.GetJsonAsync("/health")).GetProperty("checks").GetProperty("engine").GetProperty("data");
            Assert.Equal(42, engine.GetProperty("eventsProcessed").GetInt64());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Concurrent_acknowledgements_keep_exactly_one_first()
    {
        await using var host = await ApiHost.StartAsync();
        using var ingest = host.Client(ApiHost.IngestKey);
        using (var r = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(Market.CompetitorDrop("SKU-ACK", "acme", Market.Now - (45 * Market.Minute)))))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using var viewer = host.Client(ApiHost.ViewerKey);
        var page = await viewer.GetJsonAsync("/api/signals?product=SKU-ACK&kind=competitor_price_drop");
        string id = page.GetProperty("items")[0].GetProperty("id").GetString()!;
        using var analyst = host.Client(ApiHost.AnalystKey);
        using var manager = host.Client(ApiHost.ManagerKey);
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? analyst : manager).PutAsJsonAsync($"/api/signals/{id}/acknowledge", new { note = $"n{i}" })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(responses, r => !r.Headers.Contains("PriceIntel-Already-Acknowledged"));
        var bodies = await Task.WhenAll(responses.Select(r => r.ReadJsonAsync()));
        Assert.Single(bodies.Select(b => (b.GetProperty("acknowledgedBy").GetString(), b.GetProperty("acknowledgedAt").GetDateTimeOffset(), b.GetProperty("acknowledgementNote").GetString())).Distinct());
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}
