using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.WebApi.Tests;

/// <summary>The fast paths: JSON Lines decoded straight from the request body's pipe, and the read cache.</summary>
public sealed class ReadPathTests
{
    [Fact]
    public async Task Json_lines_in_tiny_chunks_with_crlf_empty_and_overlong_lines_keep_line_numbers_and_good_lines()
    {
        await using var host = await ApiHost.StartAsync();
        long t = Market.Now - (50 * Market.Minute);
        string overlong = """{"type":"competitor_price","product":"SKU-CHUNK-1","competitor":"acme","note":""" + "\"" + new string('x', 70 * 1024) + "\"}";
        string body = string.Join(
            "\r\n",
            Market.CompetitorPrice("SKU-CHUNK-1", "acme", 10m, t),           // line 1
            string.Empty,                                                    // line 2: empty, skipped
            Market.CompetitorPrice("SKU-CHUNK-1", "beta", 11m, t + 1),       // line 3
            overlong,                                                        // line 4: longer than 64 KiB
            Market.CompetitorPrice("SKU-CHUNK-1", "gamma", 12m, t + 2),      // line 5
            "{broken")                                                       // line 6, no terminator
            ;

        using var client = host.Client(ApiHost.IngestKey);
        using var content = new ChunkedContent(Encoding.UTF8.GetBytes(body), chunk: 7).Typed();
        using var response = await client.PostAsync("/api/ingest/events?wait=true", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJsonAsync();
        Assert.Equal(3, result.GetProperty("accepted").GetInt64());
        Assert.Equal(2, result.GetProperty("rejected").GetInt64());
        var errors = result.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([4L, 6L], errors.Select(e => e.GetProperty("index").GetInt64()));
        Assert.Contains("longer than the maximum of 65536 bytes", errors[0].GetProperty("error").GetString());

        using var viewer = host.Client(ApiHost.ViewerKey);
        var board = await viewer.GetJsonAsync("/api/products/SKU-CHUNK-1/board");
        Assert.Equal(["acme", "beta", "gamma"], board.GetProperty("competitors").EnumerateArray().Select(c => c.GetProperty("competitor").GetString()));
    }

    [Fact]
    public async Task Reads_are_answered_from_the_cache_until_a_write_through_the_api_clears_it()
    {
        await using var host = await ApiHost.StartAsync(new Dictionary<string, string?> { ["PriceIntelApi:ReadCacheMilliseconds"] = "60000" });
        using var viewer = host.Client(ApiHost.ViewerKey);
        const string Signals = "/api/signals?product=SKU-CACHE-1";
        Assert.Equal(0, (await viewer.GetJsonAsync(Signals)).GetProperty("items").GetArrayLength());

        // Ingest without wait does not clear the cache: once the engine and store are done, the cached (empty) page is still served.
        using var ingest = host.Client(ApiHost.IngestKey);
        using (var accepted = await ingest.PostAsync("/api/ingest/events", Market.Lines(Market.CompetitorDrop("SKU-CACHE-1", "acme", Market.Now - (45 * Market.Minute)))))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await host.Get<EngineHost>().DrainAsync(CancellationToken.None);
        Assert.Equal(0, (await viewer.GetJsonAsync(Signals)).GetProperty("items").GetArrayLength());

        // A different query is not the same entry: it sees the store.
        int raised = (await viewer.GetJsonAsync(Signals + "&limit=10")).GetProperty("items").GetArrayLength();
        Assert.True(raised > 0, "the drop raised signals");

        // A write through the API clears every entry.
        using var manager = host.Client(ApiHost.ManagerKey);
        using (var created = await manager.PostAsync("/api/products", Market.Json("""{"sku":"SKU-CACHE-2","name":"Lamp","category":"home","currency":"USD"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal(raised, (await viewer.GetJsonAsync(Signals)).GetProperty("items").GetArrayLength());

        // Cached answers still need credentials and the role.
        using var anonymous = host.Client();
        using var refused = await anonymous.GetAsync(Signals);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var ingestOnly = await ingest.GetAsync(Signals);
        Assert.Equal(HttpStatusCode.Forbidden, ingestOnly.StatusCode);
    }

    /// <summary>A body sent in small chunks with a flush after each, so the server sees lines cut across reads.</summary>
    private sealed class ChunkedContent(byte[] bytes, int chunk) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        public ChunkedContent Typed()
        {
            Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            return this;
        }
    }
}
