using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using PriceIntel.DashboardHost;
using PriceIntel.WebApi;

namespace PriceIntel.Dashboard.Tests;

/// <summary>
/// The real dashboard host (samples/PriceIntel.Dashboard) on Kestrel at 127.0.0.1 on a free port, a store in a
/// temporary directory, the engine fed only through HTTP ingest (so tests know the market exactly), anonymous
/// reading on (the local demo's default), and one API key per role.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string AdminKey = "dash-admin-key-0123456789abcdef";
    public const string ViewerKey = "dash-viewer-key-0123456789";
    public const string AnalystKey = "dash-analyst-key-0123456789";
    public const long Minute = 60_000;

    private readonly WebApplication _app;
    private readonly string _directory;

    private DashboardHost(WebApplication app, string directory)
    {
        _app = app;
        _directory = directory;
        Address = new Uri(app.Urls.First());
    }

    public Uri Address { get; }

    /// <summary>The directory holding this host's store.</summary>
    public string StoreDirectory => _directory;

    public static long Start { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 60 * Minute);

    /// <summary>Starts a host; with <paramref name="simulator"/> the engine runs on the local demo's simulator (its products, competitors and speed) instead of HTTP ingest only.</summary>
    /// <param name="anonymousRead">Whether the API may be read without a key.</param>
    /// <param name="simulator">Whether the engine runs on the local demo's simulator.</param>
    /// <param name="feedItemsPerSecond">The live feed's cap per subscriber (PriceIntelApi:Feed:MaxItemsPerSecond); the web API's default when null.</param>
    public static async Task<DashboardHost> StartAsync(bool anonymousRead = true, bool simulator = false, int? feedItemsPerSecond = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "priceintel-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Store:Directory"] = directory,
            ["PriceIntelApi:AdminApiKey"] = AdminKey,
            ["PriceIntelApi:Engine:Input"] = simulator ? "Simulator" : "None",
            ["PriceIntelApi:Engine:SimulatorSpeed"] = "60",
            ["PriceIntelApi:Engine:SimulatorProducts"] = "200",
            ["PriceIntelApi:Engine:SimulatorCompetitors"] = "5",
            ["PriceIntelApi:RateLimit:PermitsPerSecond"] = "100000",
            ["PriceIntelApi:RateLimit:Burst"] = "100000",
            ["PriceIntelApi:Feed:SummaryIntervalSeconds"] = "0.5",
            ["PriceIntel:Windows:AllowedLatenessSeconds"] = "86400",
            ["PriceIntelApi:ApiKeys:0:Name"] = "viewer-1",
            ["PriceIntelApi:ApiKeys:0:Key"] = ViewerKey,
            ["PriceIntelApi:ApiKeys:0:Role"] = "viewer",
            ["PriceIntelApi:ApiKeys:1:Name"] = "analyst-1",
            ["PriceIntelApi:ApiKeys:1:Key"] = AnalystKey,
            ["PriceIntelApi:ApiKeys:1:Role"] = "analyst",
            ["PriceIntelApi:AllowAnonymousRead"] = anonymousRead ? "true" : "false",
        };
        if (feedItemsPerSecond is int perSecond)
        {
            settings["PriceIntelApi:Feed:MaxItemsPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var app = await WebApiHost.BuildAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            DashboardDefaults.Apply(builder);
        });
        app.MapPriceIntelDashboard();
        await app.StartAsync();
        return new DashboardHost(app, directory);
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>Sends JSON Lines events to the ingest endpoint and waits until the engine has processed them.</summary>
    public async Task IngestAsync(IEnumerable<string> lines)
    {
        using var client = Client();
        using var content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson");
        using var response = await client.PostAsync("/api/ingest/events?wait=true", content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"ingest: {(int)response.StatusCode} {body}");
        // Every line must be taken: a refused line (it was once a misspelt event type) would leave the market without it silently.
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("rejected").GetInt64());
    }

    /// <summary>Adds catalog entries for the products <see cref="Market"/> trades.</summary>
    public async Task AddCatalogAsync(int products)
    {
        using var client = Client();
        for (int p = 0; p < products; p++)
        {
            decimal basePrice = 20 + (p * 7);
            var body = new { sku = $"SKU-{p:D3}", name = $"Test product {p}", category = "tests", currency = "USD", unitCost = basePrice * 0.6m, currentPrice = basePrice, stock = 40 + p };
            using var response = await client.PostAsJsonAsync("/api/products", body);
            Assert.True(response.IsSuccessStatusCode, $"create product: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// A small market for the charts: <paramref name="products"/> products, three competitors each, two hours of
    /// prices a minute apart, views, carts and purchases, costs and our list prices.
    /// </summary>
    public static IEnumerable<string> Market(int products, long start)
    {
        var random = new Random(3);
        for (int p = 0; p < products; p++)
        {
            string sku = $"SKU-{p:D3}";
            decimal basePrice = 20 + (p * 7);
            yield return Line($$"""{"type":"cost","product":"{{sku}}","cost":{{basePrice * 0.6m}},"currency":"USD","ts":{{start}}}""");
            yield return Line($$"""{"type":"list_price","product":"{{sku}}","price":{{basePrice}},"currency":"USD","ts":{{start}}}""");
            yield return Line($$"""{"type":"inventory","product":"{{sku}}","units":{{40 + p}},"ts":{{start}}}""");
        }

        for (int minute = 1; minute <= 120; minute++)
        {
            long t = start + (minute * Minute);
            for (int p = 0; p < products; p++)
            {
                string sku = $"SKU-{p:D3}";
                decimal basePrice = 20 + (p * 7);
                foreach (string competitor in (string[])["acme", "bolt", "crest"])
                {
                    decimal price = Math.Round(basePrice * (decimal)(0.95 + (random.NextDouble() * 0.1)), 2);
                    yield return Line($$"""{"type":"competitor_price","product":"{{sku}}","competitor":"{{competitor}}","platform":"web","price":{{price}},"currency":"USD","availability":"in_stock","ts":{{t}}}""");
                }

                for (int v = random.Next(2, 6); v > 0; v--)
                {
                    yield return Line($$"""{"type":"demand","product":"{{sku}}","action":"view","quantity":1,"ts":{{t + v}}}""");
                }

                if (random.Next(3) == 0)
                {
                    yield return Line($$"""{"type":"demand","product":"{{sku}}","action":"add_to_cart","quantity":1,"ts":{{t + 10}}}""");
                }

                if (random.Next(6) == 0)
                {
                    yield return Line($$"""{"type":"demand","product":"{{sku}}","action":"purchase","quantity":1,"price":{{basePrice}},"currency":"USD","ts":{{t + 20}}}""");
                }
            }
        }
    }

    /// <summary>A competitor that holds ~100 for 30 minutes and then drops to 80: one competitor price drop signal and a decision.</summary>
    public static IEnumerable<string> CompetitorDrop(string product, long start)
    {
        yield return Line($$"""{"type":"cost","product":"{{product}}","cost":70,"currency":"USD","ts":{{start}}}""");
        yield return Line($$"""{"type":"list_price","product":"{{product}}","price":100,"currency":"USD","ts":{{start}}}""");
        long t = start + Minute;
        for (int i = 0; i < 30; i++, t += Minute)
        {
            yield return Line($$"""{"type":"competitor_price","product":"{{product}}","competitor":"zeta","platform":"web","price":{{(i % 2 == 0 ? "100" : "100.2")}},"currency":"USD","availability":"in_stock","ts":{{t}}}""");
        }

        for (int i = 0; i < 10; i++, t += Minute)
        {
            yield return Line($$"""{"type":"competitor_price","product":"{{product}}","competitor":"zeta","platform":"web","price":80,"currency":"USD","availability":"in_stock","ts":{{t}}}""");
        }
    }

    /// <summary>A long price history: three competitors' prices every 10 minutes for <paramref name="days"/> days, and our list price.</summary>
    public static IEnumerable<string> LongHistory(string product, long start, int days)
    {
        yield return Line($$"""{"type":"cost","product":"{{product}}","cost":30,"currency":"USD","ts":{{start}}}""");
        yield return Line($$"""{"type":"list_price","product":"{{product}}","price":50,"currency":"USD","ts":{{start}}}""");
        for (int step = 1; step <= days * 24 * 6; step++)
        {
            long t = start + (step * 10 * Minute);
            foreach (string competitor in (string[])["acme", "bolt", "crest"])
            {
                decimal price = 48 + (step % 40 / 10m) + competitor.Length;
                yield return Line($$"""{"type":"competitor_price","product":"{{product}}","competitor":"{{competitor}}","platform":"web","price":{{price}},"currency":"USD","availability":"in_stock","ts":{{t}}}""");
            }
        }
    }

    /// <summary>One JSON line (the project builds with invariant globalization, so numbers format with '.').</summary>
    private static string Line(string text) => text;

    public async ValueTask DisposeAsync()
    {
        // A bounded stop: open live-feed connections are aborted after 10 s instead of holding the stop.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _app.StopAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // Stopped as far as it could in time; disposing below releases the rest.
            }
        }

        await _app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow stop; the temp directory is cleaned up by the OS.
        }
    }
}
