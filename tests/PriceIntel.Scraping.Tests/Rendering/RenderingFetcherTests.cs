using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PriceIntel.Scraping.Rendering;
using PriceIntel.Scraping.Tests.Extraction;
using PriceIntel.Scraping.Tests.Fetching;

namespace PriceIntel.Scraping.Tests.Rendering;

/// <summary>Runs only where Debian's chromium is installed; says so plainly when it is skipped.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Binary = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Binary))
        {
            Skip = $"Skipped: no Chromium at {Binary}. Install Debian's chromium package (apt-get install -y chromium) to run the rendering tests.";
        }
    }
}

/// <summary>A loopback page whose price is inserted by JavaScript, rendered in headless Chromium through the polite, SSRF-safe fetcher.</summary>
public sealed class RenderingFetcherTests
{
    private const string Shell = """
        <!doctype html><html lang="en-US"><head><title>Desk Lamp</title><script src="/app.js"></script></head>
        <body><h1>Desk Lamp</h1><div id="buy"><span class="price" id="price">Loading…</span><button>Add to cart</button></div><p id="probe">not run</p></body></html>
        """;

    // Fills the price from an API call, and tries to reach the cloud metadata address and a robots-disallowed path.
    private const string Script = """
        document.addEventListener('DOMContentLoaded', async () => {
          const r = await fetch('/api/price');
          const data = await r.json();
          document.getElementById('price').textContent = '$' + data.amount.toFixed(2);
          let probe = [];
          try { await fetch('http://169.254.169.254/latest/meta-data/'); probe.push('metadata reached'); } catch (e) { probe.push('metadata blocked'); }
          try { await fetch('/private/secret'); probe.push('private reached'); } catch (e) { probe.push('private blocked'); }
          document.getElementById('probe').textContent = probe.join(', ');
          document.body.setAttribute('data-done', '1');
        });
        """;

    private static Task<LoopbackServer> ServerAsync() => LoopbackServer.StartAsync(app =>
    {
        app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nDisallow: /private/\n", "text/plain"));
        app.MapGet("/lamp", () => Results.Text(Shell, "text/html; charset=utf-8"));
        app.MapGet("/app.js", () => Results.Text(Script, "application/javascript"));
        app.MapGet("/api/price", () => Results.Text("""{"amount":34.5}""", "application/json"));
        app.MapGet("/private/secret", () => Results.Text("secret", "text/plain"));
    });

    private static IPageFetcher Inner() => PageFetcher.Create(new FetcherOptions { AllowLoopback = true, PerHostMinInterval = TimeSpan.Zero, PerHostConcurrency = 4, MaxRetries = 0 });

    [ChromiumFact]
    public async Task A_price_inserted_by_javascript_is_seen_after_rendering_and_forbidden_requests_are_blocked()
    {
        await using var server = await ServerAsync();
        var options = new RenderingOptions { ExecutablePath = ChromiumFactAttribute.Binary, RenderTimeout = TimeSpan.FromSeconds(60) };
        options.Hosts.Add(server.BaseUri.Host);
        using var fetcher = RenderingFetcher.Create(Inner(), options);

        var result = await fetcher.FetchAsync(server.Url("/lamp"), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Reason);
        var page = TestExtractors.Create().Extract(result.Body!, result.FinalUrl);
        Assert.Equal(34.5m, page.Price.Value.ToDecimal());
        Assert.Equal("USD", page.Currency.Value.ToString());
        Assert.Contains("metadata blocked, private blocked", result.Body, StringComparison.Ordinal);

        // Every request went through the inner fetcher: robots.txt was read, the disallowed path never reached the server.
        Assert.Equal(1, server.HitsOf("/robots.txt"));
        Assert.Equal(1, server.HitsOf("/app.js"));
        Assert.Equal(1, server.HitsOf("/api/price"));
        Assert.Equal(0, server.HitsOf("/private/secret"));
    }

    [ChromiumFact]
    public async Task Hosts_not_configured_are_fetched_plainly_and_show_no_price()
    {
        await using var server = await ServerAsync();
        var options = new RenderingOptions { ExecutablePath = ChromiumFactAttribute.Binary };
        options.Hosts.Add("shop.example");
        using var fetcher = RenderingFetcher.Create(Inner(), options);
        var result = await fetcher.FetchAsync(server.Url("/lamp"), CancellationToken.None);
        Assert.True(result.IsSuccess);
        Assert.Contains("Loading…", result.Body, StringComparison.Ordinal);
        Assert.False(TestExtractors.Create().Extract(result.Body!).Price.HasValue);
        Assert.Equal(0, server.HitsOf("/app.js"));
    }

    [Fact]
    public async Task A_rendered_host_on_a_blocked_address_is_refused_before_any_browser_starts()
    {
        var options = new RenderingOptions { ExecutablePath = "/nonexistent/chromium" };
        options.Hosts.Add("127.0.0.1");
        using var fetcher = RenderingFetcher.Create(PageFetcher.Create(new FetcherOptions()), options);
        var result = await fetcher.FetchAsync(new Uri("http://127.0.0.1:9/p"), CancellationToken.None);
        Assert.Equal(FetchOutcome.BlockedAddress, result.Outcome);
    }

    [Fact]
    public void Options_are_validated_and_hosts_match_subdomains()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenderingOptions { RenderTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RenderingOptions { MaxConcurrentPages = 0 });
        Assert.Throws<ArgumentException>(() => new RenderingOptions { ExecutablePath = " " });
        var options = new RenderingOptions();
        options.Hosts.Add("shop.example");
        Assert.True(options.Renders("www.shop.example"));
        Assert.True(options.Renders("SHOP.example"));
        Assert.False(options.Renders("myshop.example"));
        Assert.Equal(["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"], options.BrowserArguments);
    }
}
