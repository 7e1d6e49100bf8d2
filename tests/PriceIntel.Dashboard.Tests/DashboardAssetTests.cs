using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PriceIntel.Dashboard.Tests;

/// <summary>How the host serves the page's files: compressed when the browser accepts it, plotly.js under a versioned URL cached for good, the rest revalidated by ETag.</summary>
public sealed partial class DashboardAssetTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Text_assets_come_compressed_when_accepted_and_decompress_to_the_same_bytes(string encoding)
    {
        using var client = new HttpClient { BaseAddress = _host.Address };
        string plotly = await PlotlyUrlAsync(client);
        byte[] identity = await client.GetByteArrayAsync(plotly);

        using var request = new HttpRequestMessage(HttpMethod.Get, plotly);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        byte[] compressed = await response.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < identity.Length / 2, $"{encoding}: {compressed.Length} of {identity.Length} bytes");

        using var input = new MemoryStream(compressed);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        await decoder.CopyToAsync(output);
        Assert.Equal(identity, output.ToArray());
    }

    [Fact]
    public async Task Plotly_is_cached_for_good_under_its_versioned_url_and_the_page_is_revalidated()
    {
        using var client = new HttpClient { BaseAddress = _host.Address };
        string plotly = await PlotlyUrlAsync(client);
        using (var response = await client.GetAsync(plotly))
        {
            Assert.True(response.Headers.CacheControl!.Public);
            Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl.MaxAge);
            Assert.Contains(response.Headers.CacheControl.Extensions, e => e.Name == "immutable");
        }

        // Without the current version (an old page, a hand-typed URL) it is only revalidated.
        using (var response = await client.GetAsync("dashboard/lib/plotly.min.js?v=0000"))
        {
            Assert.True(response.Headers.CacheControl!.NoCache);
        }

        using var page = await client.GetAsync("dashboard/");
        Assert.True(page.Headers.CacheControl!.NoCache);
        using var again = new HttpRequestMessage(HttpMethod.Get, "dashboard/");
        again.Headers.TryAddWithoutValidation("If-None-Match", page.Headers.ETag!.Tag);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task The_plotly_bundle_names_its_licence_notice_which_is_served_beside_it_and_lists_every_bundled_package()
    {
        using var client = new HttpClient { BaseAddress = _host.Address };
        string bundle = await client.GetStringAsync(await PlotlyUrlAsync(client));
        Assert.StartsWith("/*! plotly.js 4.1.1 (MIT), custom bundle: core + scatter + bar. Licences of everything inside: plotly.LICENSES.txt */", bundle, StringComparison.Ordinal);

        using var response = await client.GetAsync("dashboard/lib/plotly.LICENSES.txt");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        string notice = await response.Content.ReadAsStringAsync();
        // One section per package, "name version — licence", with the package's licence text under it.
        string[] packages = [.. LicenceSection().Matches(notice).Select(m => m.Groups[1].Value)];
        Assert.Contains("plotly.js", packages);
        Assert.Contains("@plotly/d3", packages);
        Assert.True(packages.Length >= 10, $"only {packages.Length} packages listed");
        Assert.Contains("Permission is hereby granted, free of charge", notice, StringComparison.Ordinal); // MIT text itself, not just the name
    }

    [Fact]
    public async Task The_page_allows_its_own_inline_script_by_hash_and_no_other()
    {
        using var client = new HttpClient { BaseAddress = _host.Address };
        using var response = await client.GetAsync("dashboard/");
        string html = await response.Content.ReadAsStringAsync();
        string policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        string scripts = policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-inline", scripts, StringComparison.Ordinal);

        // Every inline script of the page (the first screen's requests) is allowed by its hash, and nothing else is.
        string[] inline = [.. InlineScript().Matches(html).Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'")];
        Assert.NotEmpty(inline);
        Assert.Equal(["'self'", .. inline], scripts["script-src ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<string> PlotlyUrlAsync(HttpClient client)
    {
        string html = await client.GetStringAsync("dashboard/");
        var match = PlotlyScript().Match(html);
        Assert.True(match.Success, "index.html has no versioned plotly.js script");
        return "dashboard/" + match.Groups[1].Value;
    }

    [GeneratedRegex("src=\"(lib/plotly\\.min\\.js\\?v=[0-9a-f]{20})\"")]
    private static partial Regex PlotlyScript();

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"^(\S+) \S+ — \S+\n-{72}$", RegexOptions.Multiline)]
    private static partial Regex LicenceSection();
}
