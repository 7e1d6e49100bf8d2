using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PriceIntel.Scraping.Tests.Extraction;

namespace PriceIntel.Scraping.Tests.Fetching;

public sealed class SafePageFetcherTests
{
    private static FetcherOptions LoopbackOptions() => new()
    {
        AllowLoopback = true, // the operator switch: these tests talk to 127.0.0.1
        PerHostMinInterval = TimeSpan.Zero,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RequestTimeout = TimeSpan.FromSeconds(5),
        MaxRetryAfter = TimeSpan.FromSeconds(2),
        ContactUrl = new Uri("https://priceintel.example/bot"),
    };

    private static Task<LoopbackServer> ShopAsync(string? robots = "User-agent: *\nDisallow: /private\n", int robotsStatus = 200) =>
        LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/robots.txt", (HttpContext c) => robots is null ? Results.StatusCode(robotsStatus) : Results.Text(robots, "text/plain", statusCode: robotsStatus));
            app.MapGet("/p/{name}", (string name) => Results.Text(Fixture.Read(name), "text/html; charset=utf-8"));
            app.MapGet("/private/secret", () => Results.Text("secret", "text/html"));
            app.MapGet("/ua", (HttpContext c) => Results.Text($"<html><body>{c.Request.Headers.UserAgent}</body></html>", "text/html"));
        });

    [Fact]
    public async Task Fetches_a_fixture_page_and_it_extracts()
    {
        await using var server = await ShopAsync();
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/p/jsonld-basic.html"), CancellationToken.None);
        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("text/html", result.ContentType);
        var page = PriceIntel.Scraping.Tests.Extraction.TestExtractors.Create().Extract(result.Body!, result.FinalUrl);
        Assert.Equal(49.99m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public async Task Sends_a_user_agent_with_the_contact_url()
    {
        await using var server = await ShopAsync();
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/ua"), CancellationToken.None);
        Assert.Contains("PriceIntelBot/1.0 (+https://priceintel.example/bot)", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_is_refused_by_default_and_no_request_reaches_the_server()
    {
        await using var server = await ShopAsync();
        var options = LoopbackOptions();
        options.AllowLoopback = false;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/p/jsonld-basic.html"), CancellationToken.None);
        Assert.Equal(FetchOutcome.BlockedAddress, result.Outcome);
        Assert.Contains("loopback", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Hits);
    }

    [Fact]
    public async Task A_name_resolving_to_loopback_is_refused_in_the_connect_step()
    {
        await using var server = await ShopAsync();
        var options = LoopbackOptions();
        options.AllowLoopback = false;
        using var fetcher = new SafePageFetcher(options, TimeProvider.System, null, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        var url = new Uri($"http://shop.example:{server.BaseUri.Port}/p/jsonld-basic.html");
        var result = await fetcher.FetchAsync(url, CancellationToken.None);
        Assert.Equal(FetchOutcome.BlockedAddress, result.Outcome);
        Assert.Contains("shop.example resolves only to addresses that are not allowed (127.0.0.1 loopback)", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.Hits);
    }

    [Fact]
    public async Task The_connect_step_uses_the_resolved_address_when_it_is_allowed()
    {
        await using var server = await ShopAsync();
        using var fetcher = new SafePageFetcher(LoopbackOptions(), TimeProvider.System, null, (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.9.9.9"), IPAddress.Loopback }));
        var result = await fetcher.FetchAsync(new Uri($"http://shop.example:{server.BaseUri.Port}/p/jsonld-basic.html"), CancellationToken.None);
        Assert.Equal(FetchOutcome.Ok, result.Outcome); // 10.9.9.9 was skipped, never dialled
    }

    [Theory]
    [InlineData("http://localhost:1/")]
    [InlineData("http://[::1]:1/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::ffff:127.0.0.1]:1/")]
    public async Task Private_and_loopback_targets_are_refused_by_default(string url)
    {
        using var fetcher = PageFetcher.Create(new FetcherOptions());
        var result = await fetcher.FetchAsync(new Uri(url), CancellationToken.None);
        Assert.Equal(FetchOutcome.BlockedAddress, result.Outcome);
    }

    [Fact]
    public async Task Non_http_schemes_are_refused()
    {
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(new Uri("file:///etc/passwd"), CancellationToken.None);
        Assert.Equal(FetchOutcome.UnsupportedScheme, result.Outcome);
    }

    [Theory]
    [InlineData("/to-private", "http://10.1.2.3/admin")]
    [InlineData("/to-metadata", "http://169.254.169.254/latest/meta-data/")]
    [InlineData("/to-mapped", "http://[::ffff:192.168.0.1]/")]
    public async Task Redirects_to_private_addresses_are_refused_even_with_loopback_allowed(string path, string target)
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet(path, () => Results.Redirect(target)));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url(path), CancellationToken.None);
        Assert.Equal(FetchOutcome.BlockedAddress, result.Outcome);
        Assert.Equal(new Uri(target), result.FinalUrl);
    }

    [Fact]
    public async Task Redirect_to_a_file_url_is_refused()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/to-file", () => Results.Redirect("file:///etc/passwd")));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/to-file"), CancellationToken.None);
        Assert.Equal(FetchOutcome.UnsupportedScheme, result.Outcome);
    }

    [Fact]
    public async Task Redirect_loops_stop_at_the_limit()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/a", () => Results.Redirect("/b"));
            app.MapGet("/b", () => Results.Redirect("/a"));
        });
        var options = LoopbackOptions();
        options.MaxRedirects = 3;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/a"), CancellationToken.None);
        Assert.Equal(FetchOutcome.TooManyRedirects, result.Outcome);
        Assert.Equal(4, server.HitsOf("/a") + server.HitsOf("/b"));
    }

    [Fact]
    public async Task Redirects_within_the_limit_are_followed_and_each_hop_checks_robots()
    {
        await using var server = await ShopAsync();
        await using var other = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/hop", (HttpContext _) => Results.Redirect(server.Url("/p/microdata.html").ToString()));
            app.MapGet("/hop-private", (HttpContext _) => Results.Redirect(server.Url("/private/secret").ToString()));
        });
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var ok = await fetcher.FetchAsync(other.Url("/hop"), CancellationToken.None);
        Assert.Equal(FetchOutcome.Ok, ok.Outcome);
        Assert.Equal(server.Url("/p/microdata.html"), ok.FinalUrl);
        var disallowed = await fetcher.FetchAsync(other.Url("/hop-private"), CancellationToken.None);
        Assert.Equal(FetchOutcome.DisallowedByRobots, disallowed.Outcome);
        Assert.Equal(0, server.HitsOf("/private/secret"));
    }

    [Fact]
    public async Task Robots_disallow_is_honoured_and_robots_is_fetched_once()
    {
        await using var server = await ShopAsync();
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var blocked = await fetcher.FetchAsync(server.Url("/private/secret"), CancellationToken.None);
        var allowed = await fetcher.FetchAsync(server.Url("/p/rdfa.html"), CancellationToken.None);
        Assert.Equal(FetchOutcome.DisallowedByRobots, blocked.Outcome);
        Assert.Equal(FetchOutcome.Ok, allowed.Outcome);
        Assert.Equal(0, server.HitsOf("/private/secret"));
        Assert.Equal(1, server.HitsOf("/robots.txt"));
    }

    [Fact]
    public async Task Robots_group_for_our_token_overrides_the_star_group()
    {
        await using var server = await ShopAsync("User-agent: *\nDisallow: /\n\nUser-agent: PriceIntelBot\nAllow: /p/\nDisallow: /\n");
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        Assert.Equal(FetchOutcome.Ok, (await fetcher.FetchAsync(server.Url("/p/rdfa.html"), CancellationToken.None)).Outcome);
        Assert.Equal(FetchOutcome.DisallowedByRobots, (await fetcher.FetchAsync(server.Url("/ua"), CancellationToken.None)).Outcome);
    }

    [Theory]
    [InlineData(404, FetchOutcome.Ok)]
    [InlineData(403, FetchOutcome.Ok)]
    [InlineData(500, FetchOutcome.DisallowedByRobots)]
    [InlineData(503, FetchOutcome.DisallowedByRobots)]
    public async Task Robots_4xx_allows_and_5xx_disallows(int status, FetchOutcome expected)
    {
        await using var server = await ShopAsync(robots: null, robotsStatus: status);
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/p/rdfa.html"), CancellationToken.None);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(expected == FetchOutcome.Ok ? 1 : 0, server.HitsOf("/p/rdfa.html"));
    }

    [Fact]
    public async Task Unreachable_robots_disallows()
    {
        // A port with nothing listening: connection refused.
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(new Uri("http://127.0.0.1:9/p"), CancellationToken.None);
        Assert.Equal(FetchOutcome.DisallowedByRobots, result.Outcome);
        Assert.Contains("unreachable", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_is_honoured_then_the_page_is_fetched()
    {
        int calls = 0;
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/busy", (HttpContext c) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                c.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(429);
            }

            return Results.Text("<html>ok</html>", "text/html");
        }));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/busy"), CancellationToken.None);
        Assert.Equal(FetchOutcome.Ok, result.Outcome);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_retry_after_longer_than_allowed_is_reported_not_waited_for()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/busy", (HttpContext c) =>
        {
            c.Response.Headers.RetryAfter = "3600";
            return Results.StatusCode(503);
        }));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/busy"), CancellationToken.None);
        Assert.Equal(FetchOutcome.RateLimited, result.Outcome);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal(1, server.HitsOf("/busy"));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_up_to_the_limit()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/down", () => Results.StatusCode(502)));
        var options = LoopbackOptions();
        options.MaxRetries = 2;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/down"), CancellationToken.None);
        Assert.Equal(FetchOutcome.HttpError, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, server.HitsOf("/down"));
    }

    [Fact]
    public async Task Persistent_429_without_retry_after_ends_rate_limited()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/busy", () => Results.StatusCode(429)));
        var options = LoopbackOptions();
        options.MaxRetries = 1;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/busy"), CancellationToken.None);
        Assert.Equal(FetchOutcome.RateLimited, result.Outcome);
        Assert.Equal(2, server.HitsOf("/busy"));
    }

    [Fact]
    public async Task Robots_redirect_loop_counts_as_unavailable_which_allows()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/robots.txt", () => Results.Redirect("/robots-elsewhere.txt"));
            app.MapGet("/robots-elsewhere.txt", () => Results.Redirect("/robots.txt"));
            app.MapGet("/page", () => Results.Text("<html>ok</html>", "text/html"));
        });
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        Assert.Equal(FetchOutcome.Ok, (await fetcher.FetchAsync(server.Url("/page"), CancellationToken.None)).Outcome);
        Assert.Equal(6, server.HitsOf("/robots.txt") + server.HitsOf("/robots-elsewhere.txt"));
    }

    [Fact]
    public async Task Not_found_is_not_retried()
    {
        await using var server = await LoopbackServer.StartAsync(_ => { });
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/missing"), CancellationToken.None);
        Assert.Equal(FetchOutcome.HttpError, result.Outcome);
        Assert.Equal(404, result.StatusCode);
        Assert.Equal(1, server.HitsOf("/missing"));
    }

    [Fact]
    public async Task Slow_bodies_time_out()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/slow", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html";
            await c.Response.WriteAsync("<html>");
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted);
        }));
        var options = LoopbackOptions();
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        options.MaxRetries = 0;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/slow"), CancellationToken.None);
        Assert.Equal(FetchOutcome.Timeout, result.Outcome);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Huge_bodies_are_cut_off(bool withContentLength)
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/huge", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html";
            var chunk = new byte[64 * 1024];
            if (withContentLength)
            {
                c.Response.ContentLength = chunk.Length * 64L;
            }

            for (int i = 0; i < 64; i++)
            {
                await c.Response.Body.WriteAsync(chunk, c.RequestAborted);
            }
        }));
        var options = LoopbackOptions();
        options.MaxResponseBytes = 256 * 1024;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/huge"), CancellationToken.None);
        Assert.Equal(FetchOutcome.TooLarge, result.Outcome);
        Assert.Null(result.Body);
    }

    [Fact]
    public async Task A_gzip_bomb_is_stopped_by_the_decompressed_size_limit()
    {
        var bomb = new MemoryStream();
        using (var gzip = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        var compressed = bomb.ToArray();
        Assert.True(compressed.Length < 200 * 1024);
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/bomb", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html";
            c.Response.Headers.ContentEncoding = "gzip";
            c.Response.ContentLength = compressed.Length;
            await c.Response.Body.WriteAsync(compressed, c.RequestAborted);
        }));
        var options = LoopbackOptions();
        options.MaxResponseBytes = 1024 * 1024;
        using var fetcher = PageFetcher.Create(options);
        var result = await fetcher.FetchAsync(server.Url("/bomb"), CancellationToken.None);
        Assert.Equal(FetchOutcome.TooLarge, result.Outcome);
        Assert.Contains("after decompression", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_pages_within_the_limit_are_decompressed()
    {
        var html = Fixture.Read("opengraph.html");
        var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(html));
        }

        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/gz", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentEncoding = "gzip";
            await c.Response.Body.WriteAsync(packed.ToArray(), c.RequestAborted);
        }));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/gz"), CancellationToken.None);
        Assert.Equal(html, result.Body);
    }

    [Fact]
    public async Task Non_html_content_is_refused()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/img", () => Results.Bytes(new byte[100], "image/png")));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        Assert.Equal(FetchOutcome.UnsupportedContent, (await fetcher.FetchAsync(server.Url("/img"), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Legacy_charsets_are_decoded()
    {
        var latin1 = System.Text.Encoding.Latin1.GetBytes("<html><body>Prix : 12,50 € — Crème</body></html>".Replace("€", "EUR", StringComparison.Ordinal));
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/latin", () => Results.Bytes(latin1, "text/html; charset=iso-8859-1")));
        using var fetcher = PageFetcher.Create(LoopbackOptions());
        var result = await fetcher.FetchAsync(server.Url("/latin"), CancellationToken.None);
        Assert.Contains("Crème", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_host_interval_holds_the_next_request_until_time_passes()
    {
        await using var server = await ShopAsync();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = LoopbackOptions();
        options.PerHostMinInterval = TimeSpan.FromSeconds(30);
        options.RequestTimeout = TimeSpan.FromHours(1); // moving the fake clock never times a request out here
        using var fetcher = PageFetcher.Create(options, time);

        // robots.txt goes first; the page waits 30 s of (fake) time after robots.txt started.
        var first = fetcher.FetchAsync(server.Url("/p/rdfa.html"), CancellationToken.None);
        await WaitUntil(() => server.HitsOf("/robots.txt") == 1);
        await Task.Delay(200);
        Assert.Equal(0, server.HitsOf("/p/rdfa.html"));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(FetchOutcome.Ok, (await first).Outcome);

        var second = fetcher.FetchAsync(server.Url("/p/microdata.html"), CancellationToken.None);
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, server.HitsOf("/p/microdata.html"));
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200);
        Assert.Equal(0, server.HitsOf("/p/microdata.html"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FetchOutcome.Ok, (await second).Outcome);
    }

    [Fact]
    public async Task Crawl_delay_from_robots_holds_requests_longer_than_the_configured_interval()
    {
        await using var server = await ShopAsync("User-agent: *\nCrawl-delay: 60\n");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = LoopbackOptions();
        options.PerHostMinInterval = TimeSpan.FromSeconds(5);
        options.RequestTimeout = TimeSpan.FromHours(1);
        using var fetcher = PageFetcher.Create(options, time);
        var first = fetcher.FetchAsync(server.Url("/p/rdfa.html"), CancellationToken.None);
        await WaitUntil(() => server.HitsOf("/robots.txt") == 1);
        time.Advance(TimeSpan.FromSeconds(5)); // robots.txt itself was paced by the configured 5 s
        Assert.Equal(FetchOutcome.Ok, (await first).Outcome);

        var second = fetcher.FetchAsync(server.Url("/p/microdata.html"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(200);
        Assert.Equal(0, server.HitsOf("/p/microdata.html"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FetchOutcome.Ok, (await second).Outcome);
    }

    [Fact]
    public async Task Per_host_concurrency_is_held_by_the_partitioned_limiter()
    {
        int inFlight = 0, most = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/slow/{n}", async (int n) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await release.Task;
            Interlocked.Decrement(ref inFlight);
            return Results.Text($"<html>{n}</html>", "text/html");
        }));
        var options = LoopbackOptions();
        options.PerHostConcurrency = 2;
        using var fetcher = PageFetcher.Create(options);
        var fetches = Enumerable.Range(0, 5).Select(i => fetcher.FetchAsync(server.Url($"/slow/{i}"), CancellationToken.None)).ToArray();
        await WaitUntil(() => Volatile.Read(ref inFlight) == 2);
        await Task.Delay(300);
        Assert.Equal(2, Volatile.Read(ref inFlight));
        release.SetResult();
        var results = await Task.WhenAll(fetches);
        Assert.All(results, r => Assert.Equal(FetchOutcome.Ok, r.Outcome));
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task A_failing_host_opens_its_own_circuit_and_other_hosts_are_untouched()
    {
        await using var down = await LoopbackServer.StartAsync(app => app.MapGet("/down", () => Results.StatusCode(500)));
        await using var up = await ShopAsync();
        var options = LoopbackOptions();
        options.MaxRetries = 0;
        options.CircuitMinimumThroughput = 2;
        using var fetcher = PageFetcher.Create(options);
        Assert.Equal(FetchOutcome.HttpError, (await fetcher.FetchAsync(down.Url("/down"), CancellationToken.None)).Outcome);
        Assert.Equal(FetchOutcome.HttpError, (await fetcher.FetchAsync(down.Url("/down"), CancellationToken.None)).Outcome);
        var open = await fetcher.FetchAsync(down.Url("/down"), CancellationToken.None);
        Assert.Equal(FetchOutcome.CircuitOpen, open.Outcome);
        Assert.Contains(down.BaseUri.Authority, open.Reason, StringComparison.Ordinal);
        Assert.Equal(2, down.HitsOf("/down"));
        Assert.Equal(FetchOutcome.Ok, (await fetcher.FetchAsync(up.Url("/p/rdfa.html"), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Retry_after_holds_back_the_hosts_other_requests_too()
    {
        int calls = 0;
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/busy", (HttpContext c) =>
            {
                c.Response.Headers.RetryAfter = "3600";
                return Results.StatusCode(429);
            });
            app.MapGet("/page", () => { Interlocked.Increment(ref calls); return Results.Text("<html>ok</html>", "text/html"); });
        });
        var options = LoopbackOptions();
        options.RequestTimeout = TimeSpan.FromHours(2);
        options.MaxRetryAfter = TimeSpan.FromSeconds(10);
        using var fetcher = PageFetcher.Create(options, time);
        Assert.Equal(FetchOutcome.RateLimited, (await fetcher.FetchAsync(server.Url("/busy"), CancellationToken.None)).Outcome);
        var page = fetcher.FetchAsync(server.Url("/page"), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(200);
        Assert.Equal(0, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(FetchOutcome.Ok, (await page).Outcome);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(86_400_000)]
    public void Out_of_range_timeouts_and_circuit_settings_are_refused_with_the_option_named(int milliseconds)
    {
        var options = new FetcherOptions();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.RequestTimeout = TimeSpan.FromMilliseconds(milliseconds));
        Assert.Contains("Fetcher:RequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fetcher:CircuitMinimumThroughput", Assert.Throws<ArgumentOutOfRangeException>(() => options.CircuitMinimumThroughput = 1).Message, StringComparison.Ordinal);
        Assert.Contains("Fetcher:CircuitBreakDuration", Assert.Throws<ArgumentOutOfRangeException>(() => options.CircuitBreakDuration = TimeSpan.FromMilliseconds(500)).Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
