using System.Net;

namespace PriceIntel.WebApi.Tests;

/// <summary>Behaviour that needs a host of its own: a tight rate limit, a slow feed, anonymous reading.</summary>
public sealed class LimitsTests
{
    // API4 / API6: a flood from one key is cut off with 429, without affecting another key.
    [Fact]
    public async Task A_flood_from_one_key_gets_429_with_retry_after_and_other_keys_are_unaffected()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["PriceIntelApi:RateLimit:PermitsPerSecond"] = "5",
            ["PriceIntelApi:RateLimit:Burst"] = "10",
        });
        using var viewer = host.Client(ApiHost.ViewerKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 40; i++)
        {
            var response = await viewer.GetAsync("/api/experiments");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 10, 20);
        Assert.NotNull(limited);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        limited.Dispose();

        using var analyst = host.Client(ApiHost.AnalystKey);
        using var other = await analyst.GetAsync("/api/experiments");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        // Health stays answerable for probes.
        using var anonymous = host.Client();
        for (int i = 0; i < 20; i++)
        {
            using var health = await anonymous.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task Guessing_keys_is_rate_limited_too()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["PriceIntelApi:RateLimit:PermitsPerSecond"] = "5",
            ["PriceIntelApi:RateLimit:Burst"] = "5",
        });
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 20; i++)
        {
            using var guess = host.Client($"guess-{i}");
            using var response = await guess.GetAsync("/api/signals");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task The_feed_sends_at_most_its_rate_and_counts_the_rest_in_summaries()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["PriceIntelApi:Feed:MaxItemsPerSecond"] = "1",
        });
        await using var feed = await FeedReader.OpenAsync(host.Client(ApiHost.ViewerKey), "/api/feed?types=signals");
        using var ingest = host.Client(ApiHost.IngestKey);
        long start = Market.Now - (50 * Market.Minute);
        var lines = new List<string>();
        for (int p = 0; p < 5; p++)
        {
            lines.AddRange(Market.CompetitorDrop($"SKU-FEED-{p}", "acme", start));
        }

        using (var response = await ingest.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Summaries are periodic: one sent while the batch was still being written may count fewer; a later one has them all.
        static long Signals(System.Text.Json.JsonElement d) =>
            d.GetProperty("signals").GetProperty("warning").GetInt64() + d.GetProperty("signals").GetProperty("critical").GetInt64() + d.GetProperty("signals").GetProperty("info").GetInt64();
        var summary = await feed.WaitForAsync("summary", d => d.GetProperty("dropped").GetInt64() >= 1 && Signals(d) >= 5);
        Assert.True(Signals(summary) >= 5);
        Assert.InRange(feed.Items.Count(i => i.Event == "signal"), 1, 3);
        Assert.DoesNotContain(feed.Items, i => i.Event == "decision");
    }

    [Fact]
    public async Task Anonymous_reading_when_allowed_is_read_only()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["PriceIntelApi:AllowAnonymousRead"] = "true",
        });
        using var anonymous = host.Client();
        using (var read = await anonymous.GetAsync("/api/signals"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using var write = await anonymous.PutAsync("/api/signals/0000000000000001/acknowledge", null);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        using var ingest = await anonymous.PostAsync("/api/ingest/events", Market.Lines(["{}"]));
        Assert.Equal(HttpStatusCode.Forbidden, ingest.StatusCode);

        // A wrong key is still refused, not downgraded to anonymous.
        using var wrong = host.Client("wrong-key");
        using var refused = await wrong.GetAsync("/api/signals");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Options_refuse_bad_values_naming_them()
    {
        var options = new AspNetCore.PriceIntelApiOptions();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxRequestBodyBytes = 10);
        Assert.Contains("PriceIntelApi:MaxRequestBodyBytes", error.Message);
        options.ApiKeys.Add(new AspNetCore.ApiKeyDefinition { Name = "k", Key = "secret-key-123456", Role = "root" });
        var invalid = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("Role 'root'", invalid.Message);

        var start = await Assert.ThrowsAnyAsync<Exception>(() => ApiHost.StartAsync(new Dictionary<string, string?> { ["PriceIntelApi:AdminApiKey"] = "short" }));
        Assert.Contains("at least 16 characters", start.ToString());
    }
}
