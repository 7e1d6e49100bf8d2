using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace PriceIntel.WebApi.Tests;

/// <summary>The OWASP API Security Top 10 (2023), walked for this API.</summary>
public sealed class SecurityTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/products" },
        { "GET", "/api/products/SKU-1" },
        { "GET", "/api/products/SKU-1/board" },
        { "GET", "/api/products/SKU-1/history" },
        { "GET", "/api/products/SKU-1/demand" },
        { "POST", "/api/products" },
        { "PUT", "/api/products/SKU-1" },
        { "DELETE", "/api/products/SKU-1" },
        { "PUT", "/api/products/SKU-1/price" },
        { "GET", "/api/decisions" },
        { "GET", "/api/decisions/x" },
        { "POST", "/api/decisions" },
        { "GET", "/api/signals" },
        { "GET", "/api/signals/x" },
        { "PUT", "/api/signals/x/acknowledge" },
        { "GET", "/api/experiments" },
        { "GET", "/api/feed" },
        { "POST", "/api/ingest/events" },
        { "POST", "/api/ingest/competitor-prices" },
        { "POST", "/api/ingest/behaviour" },
        { "POST", "/api/ingest/inventory" },
        { "POST", "/api/ingest/costs" },
        { "GET", "/api/api-keys" },
        { "POST", "/api/api-keys" },
        { "DELETE", "/api/api-keys/x" },
        { "GET", "/metrics" },
    };

    // API2 Broken authentication: nothing but health and the OpenAPI document answers without credentials.
    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_refuses_a_caller_without_credentials(string method, string path)
    {
        using var anonymous = _host.Client();
        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Market.Json("{}") });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_refuses_an_unknown_api_key(string method, string path)
    {
        using var client = _host.Client("not-a-key-of-this-host");
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Market.Json("{}") });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_and_openapi_answer_without_credentials()
    {
        using var anonymous = _host.Client();
        using var health = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.ReadJsonAsync();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("engine").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        using var openApi = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    [Fact]
    public async Task Jwt_bearer_tokens_are_checked_for_signature_lifetime_audience_and_role()
    {
        using var valid = _host.BearerClient(ApiHost.Token("alice", "viewer"));
        using (var r = await valid.GetAsync("/api/signals"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        string[] refused =
        [
            ApiHost.Token("alice", "viewer", expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-30)),
            ApiHost.Token("alice", "viewer", audience: "someone-else"),
            ApiHost.Token("alice", "viewer", signingKey: "another-signing-key-that-is-long-enough-000"),
            "not.a.jwt",
            UnsignedToken("alice", "admin"),
        ];
        foreach (var token in refused)
        {
            using var client = _host.BearerClient(token);
            using var r = await client.GetAsync("/api/signals");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }

        using var noRole = _host.BearerClient(ApiHost.Token("bob", "shopper"));
        using (var r = await noRole.GetAsync("/api/signals"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        }

        // A pricing manager's token can set a price; who is recorded from the token's subject.
        using var manager = _host.BearerClient(ApiHost.Token("carol", "pricing-manager"));
        using (var r = await manager.PostAsJsonAsync("/api/products", new { sku = "SKU-SEC-JWT", name = "Lamp", currency = "USD", currentPrice = 30m }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var set = await manager.PutAsJsonAsync("/api/products/SKU-SEC-JWT/price", new { price = 29m, reason = "round down" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("carol", (await set.ReadJsonAsync()).GetProperty("decidedBy").GetString());
    }

    // API5 Broken function level authorization: each role can do its part and nothing more.
    [Theory]
    [InlineData(ApiHost.ViewerKey, "PUT", "/api/products/SKU-1/price", """{"price":1,"reason":"x"}""")]
    [InlineData(ApiHost.ViewerKey, "POST", "/api/products", """{"sku":"S","name":"n","currency":"USD"}""")]
    [InlineData(ApiHost.ViewerKey, "POST", "/api/decisions", """{"product":"S","price":1,"reason":"x"}""")]
    [InlineData(ApiHost.ViewerKey, "PUT", "/api/signals/0000000000000001/acknowledge", "{}")]
    [InlineData(ApiHost.ViewerKey, "POST", "/api/ingest/inventory", """{"items":[]}""")]
    [InlineData(ApiHost.ViewerKey, "GET", "/api/api-keys", null)]
    [InlineData(ApiHost.ViewerKey, "GET", "/metrics", null)]
    [InlineData(ApiHost.AnalystKey, "PUT", "/api/products/SKU-1/price", """{"price":1,"reason":"x"}""")]
    [InlineData(ApiHost.AnalystKey, "DELETE", "/api/products/SKU-1", null)]
    [InlineData(ApiHost.ManagerKey, "POST", "/api/api-keys", """{"name":"x","role":"admin"}""")]
    [InlineData(ApiHost.ManagerKey, "POST", "/api/ingest/events", "")]
    [InlineData(ApiHost.IngestKey, "GET", "/api/signals", null)]
    [InlineData(ApiHost.IngestKey, "GET", "/api/products", null)]
    [InlineData(ApiHost.IngestKey, "GET", "/api/feed", null)]
    [InlineData(ApiHost.IngestKey, "PUT", "/api/products/SKU-1/price", """{"price":1,"reason":"x"}""")]
    [InlineData(ApiHost.StorefrontKey, "POST", "/api/ingest/costs", """{"items":[{"product":"S","unitCost":1,"currency":"USD"}]}""")]
    public async Task A_role_cannot_call_what_it_is_not_for(string key, string method, string path, string? body)
    {
        using var client = _host.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = path.EndsWith("/events", StringComparison.Ordinal) ? Market.Lines([body]) : Market.Json(body);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    // API3 Broken object property level authorization: no mass assignment, no secrets in answers.
    [Theory]
    [InlineData("""{"sku":"SKU-SEC-M1","name":"n","currency":"USD","created":"2000-01-01T00:00:00Z"}""", "created")]
    [InlineData("""{"sku":"SKU-SEC-M2","name":"n","currency":"USD","board":{}}""", "board")]
    [InlineData("""{"sku":"SKU-SEC-M3","name":"n","currency":"USD","isAdmin":true}""", "isAdmin")]
    public async Task Unknown_or_server_owned_fields_are_refused_not_ignored(string body, string field)
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PostAsync("/api/products", Market.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains(field, problem.GetProperty("detail").GetString());
        using var missing = await manager.GetAsync("/api/products/" + body.Split('"')[3]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Update_cannot_change_the_price_or_the_creation_time()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using (var r = await manager.PostAsJsonAsync("/api/products", new { sku = "SKU-SEC-U", name = "Chair", currency = "USD", currentPrice = 80m }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using var update = await manager.PutAsync("/api/products/SKU-SEC-U", Market.Json("""{"name":"Chair","currentPrice":1}"""));
        Assert.Equal(HttpStatusCode.BadRequest, update.StatusCode);
        using var viewer = _host.Client(ApiHost.ViewerKey);
        Assert.Equal(80m, (await viewer.GetJsonAsync("/api/products/SKU-SEC-U")).GetProperty("currentPrice").GetDecimal());
    }

    [Fact]
    public async Task Api_keys_are_issued_once_listed_without_secrets_and_revocable()
    {
        using var admin = _host.Client(ApiHost.AdminKey);
        using var created = await admin.PostAsJsonAsync("/api/api-keys", new { name = "scraper-9", role = "ingest", ingestKinds = new[] { "competitor_price" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string key = (await created.ReadJsonAsync()).GetProperty("key").GetString()!;
        Assert.StartsWith("pik_", key);

        string listed = await admin.GetStringAsync("/api/api-keys");
        Assert.Contains("scraper-9", listed);
        Assert.DoesNotContain(key, listed);
        Assert.DoesNotContain(ApiHost.ViewerKey, listed);
        Assert.DoesNotContain(AspNetCore.Security.ApiKeyRegistry.Hash(key), listed);

        using var scraper = _host.Client(key);
        using (var ok = await scraper.PostAsync("/api/ingest/competitor-prices", Market.Json("""{"items":[{"product":"SKU-SEC-K","competitor":"acme","price":3,"currency":"USD"}]}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using (var demand = await scraper.PostAsync("/api/ingest/behaviour", Market.Json("""{"items":[{"product":"SKU-SEC-K","action":"view"}]}""")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, demand.StatusCode);
        }

        using (var revoke = await admin.DeleteAsync("/api/api-keys/scraper-9"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var after = await scraper.PostAsync("/api/ingest/competitor-prices", Market.Json("""{"items":[{"product":"SKU-SEC-K","competitor":"acme","price":3,"currency":"USD"}]}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);

        using var badRole = await admin.PostAsJsonAsync("/api/api-keys", new { name = "x", role = "root" });
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
    }

    // API4 Unrestricted resource consumption: body size limits.
    [Fact]
    public async Task Oversize_bodies_are_refused_with_413()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        string huge = new('x', 300 * 1024);
        using var response = await manager.PostAsync("/api/products", Market.Json($$"""{"sku":"SKU-BIG","name":"{{huge}}","currency":"USD"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        // Chunked (no Content-Length): the limit holds while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/products")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"sku":"SKU-BIG","name":"{{huge}}","currency":"USD"}"""))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await manager.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
    }

    [Theory]
    [InlineData("{\"sku\":")]
    [InlineData("[]")]
    [InlineData("{\"sku\":\"S\",\"name\":\"n\",\"currency\":\"USD\",\"stock\":\"many\"}")]
    [InlineData("{\"sku\":\"S\",\"name\":\"n\",\"currency\":\"USD\",\"unitCost\":1e400}")]
    public async Task Malformed_bodies_are_400_problem_details(string body)
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PostAsync("/api/products", Market.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _));
        Assert.DoesNotContain("   at ", problem.ToString());
    }

    // API8 Security misconfiguration: no server banner, no CORS, errors without internals.
    [Fact]
    public async Task Responses_carry_no_server_banner_and_no_cors_grant()
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/signals");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await viewer.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        using var unknown = await viewer.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    // API9 Improper inventory management: every mapped endpoint is documented and protected.
    [Fact]
    public async Task Every_endpoint_is_in_the_openapi_document_and_requires_authorization()
    {
        using var anonymous = _host.Client();
        string document = await anonymous.GetStringAsync("/openapi/v1.json");
        var sources = _host.Get<IEnumerable<EndpointDataSource>>();
        var routes = sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();
        var api = routes.Where(r => r.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true).ToList();
        Assert.True(api.Count >= 24, $"only {api.Count} API endpoints");
        foreach (var endpoint in api)
        {
            string pattern = endpoint.RoutePattern.RawText!.TrimEnd('/');
            Assert.Contains($"\"{pattern}", document);
            Assert.NotEmpty(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>());
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
        }

        Assert.Contains("\"ApiKey\"", document);
        Assert.Contains("\"Bearer\"", document);
    }

    private static string UnsignedToken(string subject, string role)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        long exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{B64("""{"alg":"none","typ":"JWT"}""")}.{B64($$"""{"sub":"{{subject}}","role":"{{role}}","iss":"{{ApiHost.JwtIssuer}}","aud":"{{ApiHost.JwtAudience}}","exp":{{exp}}}""")}.";
    }
}
