using System.Net;
using System.Text;

namespace PriceIntel.WebApi.Tests;

/// <summary>
/// A client that is not ours, tried as a stranger would: every refusal says in the API's words what was
/// wrong and what to send, never a .NET type name or a framework sentence.
/// </summary>
public sealed class ClientErrorTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Theory]
    [InlineData("/api/signals?limit=abc", "limit", "limit must be an integer; got 'abc'")]
    [InlineData("/api/decisions?from=yesterday", "from", "from must be a date and time (ISO 8601, e.g. 2026-12-03T18:00:00Z); got 'yesterday'")]
    public async Task A_query_value_of_the_wrong_type_names_the_parameter_and_what_it_must_be(string path, string parameter, string expected)
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync(path);
        var problem = await BadRequestAsync(response);
        Assert.Equal(expected, problem.GetProperty("errors").GetProperty(parameter)[0].GetString());
        Assert.Equal($"{parameter}: {expected}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_live_feed_lists_the_severities_when_min_severity_is_unknown()
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync("/api/feed?minSeverity=huge", HttpCompletionOption.ResponseHeadersRead);
        var problem = await BadRequestAsync(response);
        Assert.Equal("unknown minSeverity 'huge'; expected one of info, warning, critical", problem.GetProperty("errors").GetProperty("minSeverity")[0].GetString());
    }

    [Theory]
    [InlineData("""{"price":"abc","reason":"r"}""", "price", "the value has the wrong JSON type or is out of range")]
    [InlineData("""{"price":1e400,"reason":"r"}""", "price", "the value has the wrong JSON type or is out of range")]
    [InlineData("""[]""", "body", "the body must be a JSON object")]
    [InlineData("""{"price":10,"reason":"r","setBy":"me"}""", "setBy", "unknown property 'setBy'")]
    public async Task A_body_that_does_not_bind_names_the_field_without_dotnet_type_names(string body, string field, string expected)
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PutAsync("/api/products/SKU-ERR-1/price", Market.Json(body));
        var problem = await BadRequestAsync(response);
        Assert.Equal(expected, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task A_missing_body_says_a_json_body_is_needed()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PostAsync("/api/products", content: null);
        var problem = await BadRequestAsync(response);
        Assert.Equal("the request needs a JSON body", problem.GetProperty("errors").GetProperty("body")[0].GetString());
    }

    [Fact]
    public async Task An_unknown_property_in_an_ingest_item_is_named_in_the_items_error()
    {
        using var ingest = _host.Client(ApiHost.IngestKey);
        using var response = await ingest.PostAsync("/api/ingest/inventory", Market.Json("""{"items":[{"product":"SKU-ERR-2","unitsOnHand":3,"sku":"x"}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var error = (await response.ReadJsonAsync()).GetProperty("errors")[0];
        Assert.Equal("items[0].sku", error.GetProperty("field").GetString());
        Assert.Equal("unknown property 'sku'", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_content_type_the_router_refuses_says_what_to_send()
    {
        using var manager = _host.Client(ApiHost.ManagerKey);
        using var response = await manager.PostAsync("/api/products", new StringContent("""{"sku":"X"}""", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("Content-Type 'text/plain; charset=utf-8' is not accepted here: send application/json (application/x-ndjson to /api/ingest/events).", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_refused_caller_is_told_what_credentials_to_send()
    {
        using var anonymous = _host.Client();
        using var none = await anonymous.GetAsync("/api/signals");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Send an API key in the X-Api-Key header or a JWT in 'Authorization: Bearer …'.", (await none.ReadJsonAsync()).GetProperty("detail").GetString());

        using var wrongKey = _host.Client("not-a-key-0123456789");
        using var unknown = await wrongKey.GetAsync("/api/signals");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("The API key in X-Api-Key is not valid (unknown or revoked).", (await unknown.ReadJsonAsync()).GetProperty("detail").GetString());

        using var expired = _host.BearerClient(ApiHost.Token("alice", "viewer", expires: DateTime.UtcNow.AddMinutes(-10), notBefore: DateTime.UtcNow.AddMinutes(-20)));
        using var late = await expired.GetAsync("/api/signals");
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        string detail = (await late.ReadJsonAsync()).GetProperty("detail").GetString()!;
        Assert.StartsWith("The bearer token was refused: The token expired at ", detail, StringComparison.Ordinal);

        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var forbidden = await viewer.DeleteAsync("/api/products/SKU-ERR-3");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.StartsWith("The caller's role does not allow this request", (await forbidden.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_under_the_api_says_where_the_endpoints_are_listed()
    {
        using var viewer = _host.Client(ApiHost.ViewerKey);
        using var response = await viewer.GetAsync("/api/prodcuts");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No endpoint at this path; /openapi/v1.json lists them.", (await response.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    private static async Task<System.Text.Json.JsonElement> BadRequestAsync(HttpResponseMessage response)
    {
        var problem = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("PriceIntel.AspNetCore", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable<", problem.ToString(), StringComparison.Ordinal);
        return problem;
    }
}
