using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

// Load generator for the PriceIntel web API, run as a second process against a host on loopback
// (see benchmarks/PriceIntel.LoadTest/README.md). Two scenarios:
//   ingest  — concurrent JSON Lines batches to /api/ingest/events; events/s accepted and processed by the engine;
//   get     — the main GETs at a fixed request rate (open loop: latency counted from each request's
//             scheduled start, so a stall is not hidden), p50/p90/p99/p99.9/max.
var options = LoadOptions.Parse(args);
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Connections,
    PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
};
using var client = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(60) };
client.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);

Console.WriteLine($"PriceIntel load test: {options.Scenario} against {options.Url}, {options.Connections} connections, {options.Duration.TotalSeconds:0} s");
switch (options.Scenario)
{
    case "ingest":
        await Ingest.RunAsync(client, options);
        break;
    case "get":
        await Gets.RunAsync(client, options);
        break;
    default:
        Console.Error.WriteLine($"unknown scenario '{options.Scenario}'; use ingest or get");
        return 2;
}

return 0;

internal sealed record LoadOptions(string Scenario, Uri Url, string ApiKey, int Connections, TimeSpan Duration, int BatchEvents, int Rate, int Products)
{
    public static LoadOptions Parse(string[] args)
    {
        string scenario = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "get";
        string Value(string name, string fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int Int(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        return new LoadOptions(
            scenario,
            new Uri(Value("--url", "http://127.0.0.1:5080")),
            Value("--api-key", Environment.GetEnvironmentVariable("PRICEINTEL_ADMIN_API_KEY") ?? ""),
            Int("--connections", scenario == "ingest" ? 4 : 32),
            TimeSpan.FromSeconds(Int("--seconds", 20)),
            Int("--batch", 10_000),
            Int("--rate", 1000),
            Int("--products", 200));
    }
}

/// <summary>Concurrent JSON Lines batches; each request carries the same pre-encoded batch (decode cost is real: the server decodes every line).</summary>
internal static class Ingest
{
    public static async Task RunAsync(HttpClient client, LoadOptions options)
    {
        var body = Batch(options.BatchEvents, options.Products);
        Console.WriteLine($"batch: {options.BatchEvents:N0} events, {body.Length / 1024.0:N0} KiB");
        long before = await EventsProcessedAsync(client);
        long accepted = 0;
        long requests = 0;
        long failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Connections).Select(_ => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < options.Duration)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/x-ndjson");
                using var response = await client.PostAsync("/api/ingest/events", content);
                Interlocked.Increment(ref requests);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref accepted, options.BatchEvents);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        double sent = stopwatch.Elapsed.TotalSeconds;

        // End to end: wait until the engine has processed everything accepted.
        long target = before + accepted;
        long processed;
        while ((processed = await EventsProcessedAsync(client)) < target && stopwatch.Elapsed < options.Duration * 3)
        {
            await Task.Delay(20);
        }

        double total = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {requests:N0} ({failures} failed), events accepted {accepted:N0} in {sent:F1} s = {accepted / sent:N0} events/s accepted"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine processed {processed - before:N0} events in {total:F1} s = {(processed - before) / total:N0} events/s end to end"));
    }

    private static byte[] Batch(int events, int products)
    {
        var text = new StringBuilder(events * 160);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var random = new Random(7);
        for (int i = 0; i < events; i++)
        {
            int p = random.Next(products);
            if (i % 4 == 3)
            {
                text.Append(CultureInfo.InvariantCulture, $$"""{"type":"demand","product":"LOAD-{{p:D5}}","action":"view","ts":{{ts + (i / 100)}}}""").Append('\n');
            }
            else
            {
                decimal price = 50m + (random.Next(1000) / 100m);
                text.Append(CultureInfo.InvariantCulture, $$"""{"type":"competitor_price","product":"LOAD-{{p:D5}}","competitor":"rival-{{i % 8}}","platform":"web","price":{{price}},"currency":"USD","availability":"in_stock","ts":{{ts + (i / 100)}}}""").Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<long> EventsProcessedAsync(HttpClient client)
    {
        using var health = await client.GetAsync("/health");
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").GetProperty("engine").GetProperty("data").GetProperty("eventsProcessed").GetInt64();
    }
}

/// <summary>The main GETs at a fixed rate, round robin, open loop.</summary>
internal static class Gets
{
    public static async Task RunAsync(HttpClient client, LoadOptions options)
    {
        string sku = await FirstProductAsync(client) ?? "SKU-000000";
        string[] paths =
        [
            $"/api/products/{sku}",
            "/api/signals?limit=50",
            "/api/decisions?limit=50",
            $"/api/products/{sku}/board",
            "/api/products?limit=50",
            "/api/experiments",
        ];
        Console.WriteLine($"paths: {string.Join(", ", paths)} at {options.Rate:N0} requests/s");

        // Warm up (JIT, connections) for 3 s at the same rate; not recorded.
        await RunAtRateAsync(client, paths, options.Rate, TimeSpan.FromSeconds(3), null);
        var latencies = new List<double>[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            latencies[i] = [];
        }

        var (sent, errors, elapsed) = await RunAtRateAsync(client, paths, options.Rate, options.Duration, latencies);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {sent:N0} in {elapsed:F1} s = {sent / elapsed:N0} req/s, errors {errors}"));
        Print("all", all);
        for (int i = 0; i < paths.Length; i++)
        {
            Print(paths[i], [.. latencies[i].Order()]);
        }
    }

    private static async Task<(long Sent, long Errors, double Elapsed)> RunAtRateAsync(HttpClient client, string[] paths, int rate, TimeSpan duration, List<double>[]? latencies)
    {
        long total = (long)(rate * duration.TotalSeconds);
        long errors = 0;
        var stopwatch = Stopwatch.StartNew();
        var inFlight = new List<Task>(capacity: (int)Math.Min(total, 1_000_000));
        for (long i = 0; i < total; i++)
        {
            double due = i * 1000.0 / rate;
            double wait = due - stopwatch.Elapsed.TotalMilliseconds;
            if (wait > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }

            int which = (int)(i % paths.Length);
            inFlight.Add(OneAsync(which, due));
        }

        await Task.WhenAll(inFlight);
        return (total, errors, stopwatch.Elapsed.TotalSeconds);

        async Task OneAsync(int which, double dueMs)
        {
            try
            {
                using var response = await client.GetAsync(paths[which], HttpCompletionOption.ResponseContentRead);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }

            double latency = stopwatch.Elapsed.TotalMilliseconds - dueMs;
            if (latencies is not null)
            {
                lock (latencies[which])
                {
                    latencies[which].Add(latency);
                }
            }
        }
    }

    private static void Print(string name, double[] sorted)
    {
        if (sorted.Length == 0)
        {
            return;
        }

        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-40} n={sorted.Length,7:N0}  p50 {P(0.50),7:F2} ms  p90 {P(0.90),7:F2} ms  p99 {P(0.99),7:F2} ms  p99.9 {P(0.999),7:F2} ms  max {sorted[^1],7:F2} ms"));
    }

    private static async Task<string?> FirstProductAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/products?limit=1");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var items = json.RootElement.GetProperty("items");
        return items.GetArrayLength() > 0 ? items[0].GetProperty("sku").GetString() : null;
    }
}
