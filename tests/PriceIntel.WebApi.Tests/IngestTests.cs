using System.Net;
using System.Text;

namespace PriceIntel.WebApi.Tests;

public sealed class IngestTests(ApiHostFixture fixture) : IClassFixture<ApiHostFixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Json_lines_batch_keeps_the_good_lines_and_names_each_bad_one()
    {
        using var client = _host.Client(ApiHost.IngestKey);
        long t = Market.Now - (50 * Market.Minute);
        var lines = new[]
        {
            Market.CompetitorPrice("SKU-ING-1", "acme", 10.5m, t),
            """{"type":"competitor_price","product":"SKU-ING-1","competitor":"acme","price":"NaN","currency":"USD","ts":1}""",
            "{not json",
            Market.CompetitorPrice("SKU-ING-1", "beta", 11m, t + 1),
            """{"type":"competitor_price","product":"SKU-ING-1","competitor":"acme","price":5,"currency":"XYZ","ts":1}""",
            Market.CompetitorPrice("SKU-ING-1", "gamma", 12m, t + 2),
        };

        using var response = await client.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJsonAsync();
        Assert.Equal(3, result.GetProperty("accepted").GetInt64());
        Assert.Equal(3, result.GetProperty("rejected").GetInt64());
        Assert.True(result.GetProperty("processed").GetBoolean());
        var errors = result.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([2L, 3L, 5L], errors.Select(e => e.GetProperty("index").GetInt64()));
        Assert.Contains("price", errors[0].GetProperty("error").GetString());
        Assert.Contains("malformed JSON", errors[1].GetProperty("error").GetString());
        Assert.Contains("XYZ", errors[2].GetProperty("error").GetString());

        // The three good observations reached the engine: the board shows all three competitors.
        using var viewer = _host.Client(ApiHost.ViewerKey);
        var board = await viewer.GetJsonAsync("/api/products/SKU-ING-1/board");
        var competitors = board.GetProperty("competitors").EnumerateArray().Select(c => c.GetProperty("competitor").GetString()).ToList();
        Assert.Equal(["acme", "beta", "gamma"], competitors);
        Assert.Equal(10.5m, board.GetProperty("lowest").GetDecimal());
    }

    [Fact]
    public async Task Typed_competitor_batch_reports_index_and_field_of_each_bad_item()
    {
        using var client = _host.Client(ApiHost.IngestKey);
        string body = """
            {"items":[
              {"product":"SKU-ING-2","competitor":"acme","price":20.00,"currency":"USD","availability":"in_stock"},
              {"product":"SKU-ING-2","competitor":"acme","price":-1,"currency":"USD"},
              {"product":"","competitor":"acme","price":3,"currency":"USD"},
              {"product":"SKU-ING-2","competitor":"acme","price":"cheap","currency":"USD"},
              {"product":"SKU-ING-2","competitor":"beta","price":21.00,"currency":"usd"},
              {"product":"SKU-ING-2","competitor":"beta","price":21.00,"currency":"USD","colour":"red"},
              42
            ]}
            """;
        using var response = await client.PostAsync("/api/ingest/competitor-prices?wait=true", Market.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJsonAsync();
        Assert.Equal(2, result.GetProperty("accepted").GetInt64());
        Assert.Equal(5, result.GetProperty("rejected").GetInt64());
        var errors = result.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("index").GetInt64());
        Assert.Equal("items[1].price", errors[1].GetProperty("field").GetString());
        Assert.Contains("above zero", errors[1].GetProperty("error").GetString());
        Assert.Equal("items[2].product", errors[2].GetProperty("field").GetString());
        Assert.Equal("items[3].price", errors[3].GetProperty("field").GetString());
        Assert.Contains("colour", errors[5].GetProperty("error").GetString());
        Assert.Contains("object", errors[6].GetProperty("error").GetString());

        using var viewer = _host.Client(ApiHost.ViewerKey);
        var board = await viewer.GetJsonAsync("/api/products/SKU-ING-2/board");
        Assert.Equal(2, board.GetProperty("competitors").GetArrayLength());
    }

    [Fact]
    public async Task Behaviour_inventory_and_cost_batches_reach_the_engine()
    {
        using var admin = _host.Client(ApiHost.AdminKey);
        string time = DateTimeOffset.FromUnixTimeMilliseconds(Market.Now - (40 * Market.Minute)).ToString("O");
        using (var r = await admin.PostAsync("/api/ingest/costs?wait=true", Market.Json($$"""{"items":[{"product":"SKU-ING-3","unitCost":12.5,"currency":"USD","time":"{{time}}"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        using (var r = await admin.PostAsync("/api/ingest/inventory?wait=true", Market.Json($$"""{"items":[{"product":"SKU-ING-3","unitsOnHand":42,"time":"{{time}}"},{"product":"SKU-ING-3","unitsOnHand":-3}]}""")))
        {
            var result = await r.ReadJsonAsync();
            Assert.Equal(1, result.GetProperty("accepted").GetInt64());
            Assert.Equal("items[1].unitsOnHand", result.GetProperty("errors")[0].GetProperty("field").GetString());
        }

        using (var r = await admin.PostAsync("/api/ingest/behaviour?wait=true", Market.Json($$"""
            {"items":[
              {"product":"SKU-ING-3","action":"view","time":"{{time}}"},
              {"product":"SKU-ING-3","action":"view","time":"{{time}}"},
              {"product":"SKU-ING-3","action":"add_to_cart","time":"{{time}}"},
              {"product":"SKU-ING-3","action":"purchase","quantity":2,"price":19.99,"currency":"USD","time":"{{time}}"},
              {"product":"SKU-ING-3","action":"purchase","quantity":1,"time":"{{time}}"},
              {"product":"SKU-ING-3","action":"refund","time":"{{time}}"}
            ]}
            """)))
        {
            var result = await r.ReadJsonAsync();
            Assert.Equal(4, result.GetProperty("accepted").GetInt64());
            var errors = result.GetProperty("errors").EnumerateArray().ToList();
            Assert.Equal("items[4].price", errors[0].GetProperty("field").GetString());
            Assert.Equal("items[5].action", errors[1].GetProperty("field").GetString());
        }

        var board = await admin.GetJsonAsync("/api/products/SKU-ING-3/board");
        Assert.Equal(12.5m, board.GetProperty("unitCost").GetDecimal());
        Assert.Equal(42, board.GetProperty("unitsOnHand").GetInt32());
        var longWindow = board.GetProperty("demandWindows").EnumerateArray().Last();
        Assert.Equal(2, longWindow.GetProperty("views").GetInt64());
        Assert.Equal(1, longWindow.GetProperty("addToCarts").GetInt64());
        Assert.Equal(1, longWindow.GetProperty("purchases").GetInt64());
        Assert.Equal(2, longWindow.GetProperty("units").GetInt64());
    }

    [Fact]
    public async Task Ingest_key_limited_to_demand_cannot_send_competitor_prices()
    {
        using var storefront = _host.Client(ApiHost.StorefrontKey);
        using var typed = await storefront.PostAsync("/api/ingest/competitor-prices", Market.Json("""{"items":[{"product":"SKU-ING-4","competitor":"acme","price":1,"currency":"USD"}]}"""));
        Assert.Equal(HttpStatusCode.Forbidden, typed.StatusCode);

        long t = Market.Now - (30 * Market.Minute);
        var lines = new[]
        {
            Market.CompetitorPrice("SKU-ING-4", "acme", 9m, t),
            $$"""{"type":"demand","product":"SKU-ING-4","action":"view","ts":{{t}}}""",
        };
        using var response = await storefront.PostAsync("/api/ingest/events?wait=true", Market.Lines(lines));
        var result = await response.ReadJsonAsync();
        Assert.Equal(1, result.GetProperty("accepted").GetInt64());
        Assert.Equal(1, result.GetProperty("rejected").GetInt64());
        Assert.Contains("competitor_price", result.GetProperty("errors")[0].GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("{}", "items")]
    [InlineData("""{"items":[]}""", "items")]
    [InlineData("""{"items":{}}""", "items")]
    [InlineData("""{"items":[1],"extra":true}""", "extra")]
    [InlineData("[1,2]", "items")]
    [InlineData("{\"items\":[", "body")]
    public async Task Unusable_batches_are_problem_details_naming_the_field(string body, string field)
    {
        using var client = _host.Client(ApiHost.IngestKey);
        using var response = await client.PostAsync("/api/ingest/inventory", Market.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Wrong_content_types_are_refused_with_415()
    {
        using var client = _host.Client(ApiHost.IngestKey);
        using var lines = await client.PostAsync("/api/ingest/events", new StringContent("{}", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, lines.StatusCode);
        using var typed = await client.PostAsync("/api/ingest/costs", new StringContent("product=1", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, typed.StatusCode);
    }

    [Fact]
    public async Task Too_many_items_in_one_batch_is_refused()
    {
        using var client = _host.Client(ApiHost.IngestKey);
        var items = string.Join(',', Enumerable.Repeat("""{"product":"SKU-ING-5","unitsOnHand":1}""", 10_001));
        using var response = await client.PostAsync("/api/ingest/inventory", Market.Json($$"""{"items":[{{items}}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Contains("10000", problem.GetProperty("errors").GetProperty("items")[0].GetString());
    }

    [Fact]
    public async Task Empty_json_lines_body_is_a_bad_request()
    {
        using var client = _host.Client(ApiHost.IngestKey);
        using var response = await client.PostAsync("/api/ingest/events", Market.Lines([]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
    }
}
