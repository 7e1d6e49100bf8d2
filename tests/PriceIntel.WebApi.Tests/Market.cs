using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace PriceIntel.WebApi.Tests;

/// <summary>Test data in the engine's wire format, and small HTTP helpers.</summary>
internal static class Market
{
    public static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    public const long Minute = 60_000;

    public static string CompetitorPrice(string product, string competitor, decimal price, long ts, string currency = "USD") =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"type":"competitor_price","product":"{{product}}","competitor":"{{competitor}}","platform":"web","price":{{price}},"currency":"{{currency}}","availability":"in_stock","ts":{{ts}}}""");

    public static string Cost(string product, decimal cost, long ts) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"type":"cost","product":"{{product}}","cost":{{cost}},"currency":"USD","ts":{{ts}}}""");

    public static string ListPrice(string product, decimal price, long ts) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"type":"list_price","product":"{{product}}","price":{{price}},"currency":"USD","ts":{{ts}}}""");

    /// <summary>
    /// A competitor that holds ~100 for 30 minutes and then drops to 80 for 10 minutes, against our
    /// price of 100 and cost of 70: the engine raises one competitor price drop and reprices down.
    /// </summary>
    public static List<string> CompetitorDrop(string product, string competitor, long start)
    {
        var lines = new List<string> { Cost(product, 70m, start), ListPrice(product, 100m, start) };
        long t = start + Minute;
        for (int i = 0; i < 30; i++, t += Minute)
        {
            lines.Add(CompetitorPrice(product, competitor, i % 2 == 0 ? 100m : 100.2m, t));
        }

        for (int i = 0; i < 10; i++, t += Minute)
        {
            lines.Add(CompetitorPrice(product, competitor, 80m, t));
        }

        return lines;
    }

    public static StringContent Lines(IEnumerable<string> lines) =>
        new(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson");

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(text), $"empty body with status {(int)response.StatusCode}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    public static async Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        await client.PutAsJsonAsync(path, body);

    /// <summary>Polls <paramref name="probe"/> until it returns a value (the engine and store are asynchronous), failing after <paramref name="seconds"/> (default 15 s).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 15)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var result = await probe();
            if (result is not null)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}
