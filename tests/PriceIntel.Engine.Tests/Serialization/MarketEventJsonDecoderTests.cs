using System.Text;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class MarketEventJsonDecoderTests
{
    private readonly MarketKeys _keys = new();

    private MarketEvent Decode(string line)
    {
        var decoder = new MarketEventJsonDecoder(_keys);
        Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes(line), out var e, out var error), error);
        return e;
    }

    private string Reject(string line)
    {
        var decoder = new MarketEventJsonDecoder(_keys);
        Assert.False(decoder.TryDecode(Encoding.UTF8.GetBytes(line), out _, out var error));
        return error;
    }

    [Fact]
    public void Competitor_price_line_decodes_every_field()
    {
        var e = Decode("""{"type":"competitor_price","product":"SKU-1","competitor":"acme","platform":"web","price":19.99,"currency":"USD","availability":"in_stock","ts":1732406400000}""");
        Assert.Equal(MarketEventKind.CompetitorPrice, e.Kind);
        Assert.Equal("SKU-1", _keys.Products.GetName(e.ProductId));
        Assert.Equal("acme", _keys.Competitors.GetName(e.CompetitorId));
        Assert.Equal("web", _keys.Platforms.GetName(e.PlatformId));
        Assert.Equal(199_900, e.Price.Ticks);
        Assert.Equal(CurrencyCode.Usd, e.Currency);
        Assert.Equal(Availability.InStock, e.Availability);
        Assert.Equal(1_732_406_400_000, e.Timestamp);
    }

    [Fact]
    public void Property_order_does_not_matter_and_unknown_properties_are_ignored()
    {
        var e = Decode("""{"ts":5,"extra":{"nested":[1,2,{"x":null}]},"currency":"eur","price":"7.5","availability":"out_of_stock","competitor":"b","product":"p","type":"competitor_price","note":"hi"}""");
        Assert.Equal(75_000, e.Price.Ticks);
        Assert.Equal(CurrencyCode.Eur, e.Currency);
        Assert.Equal(Availability.OutOfStock, e.Availability);
        Assert.Equal(-1, e.PlatformId);
        Assert.Equal(5, e.Timestamp);
    }

    [Fact]
    public void Demand_inventory_cost_and_list_price_decode()
    {
        var purchase = Decode("""{"type":"demand","product":"SKU-1","action":"purchase","quantity":3,"price":19.99,"currency":"USD","ts":1}""");
        Assert.Equal((MarketEventKind.Demand, DemandAction.Purchase, 3, 199_900L), (purchase.Kind, purchase.Action, purchase.Quantity, purchase.Price.Ticks));

        var view = Decode("""{"type":"demand","product":"SKU-1","action":"view","ts":2}""");
        Assert.Equal((DemandAction.View, 1, 0L), (view.Action, view.Quantity, view.Price.Ticks));

        var inventory = Decode("""{"type":"inventory","product":"SKU-1","units":42,"ts":3}""");
        Assert.Equal((MarketEventKind.Inventory, 42), (inventory.Kind, inventory.Quantity));

        var cost = Decode("""{"type":"cost","product":"SKU-1","cost":12.5,"currency":"USD","ts":4}""");
        Assert.Equal((MarketEventKind.Cost, 125_000L), (cost.Kind, cost.Price.Ticks));

        var list = Decode("""{"type":"list_price","product":"SKU-1","price":21.99,"currency":"GBP","ts":5}""");
        Assert.Equal((MarketEventKind.ListPrice, 219_900L, CurrencyCode.Gbp), (list.Kind, list.Price.Ticks, list.Currency));
        Assert.Equal(1, _keys.Products.Count);
    }

    [Theory]
    [InlineData("\"2024-11-24T00:00:00Z\"", 1_732_406_400_000)]
    [InlineData("\"2024-11-24T01:00:00.250+01:00\"", 1_732_406_400_250)]
    [InlineData("1732406400000", 1_732_406_400_000)]
    public void Timestamps_accept_unix_ms_and_iso_8601(string ts, long expected)
    {
        var e = Decode($$"""{"type":"inventory","product":"p","units":1,"ts":{{ts}}}""");
        Assert.Equal(expected, e.Timestamp);
    }

    [Theory]
    [InlineData("19.99", 199_900)]
    [InlineData("0.0001", 1)]
    [InlineData("1e2", 1_000_000)]
    [InlineData("1.5E-2", 150)]
    [InlineData("0.00015", 2)] // half to even at four decimals
    [InlineData("0.00025", 2)]
    [InlineData("123456789012.3456", 1_234_567_890_123_456)]
    [InlineData("0.1000000000000000055511151231257827", 1_000)] // no double round trip
    public void Prices_parse_exactly(string price, long ticks)
    {
        var e = Decode($$"""{"type":"list_price","product":"p","price":{{price}},"currency":"USD","ts":1}""");
        Assert.Equal(ticks, e.Price.Ticks);
    }

    [Fact]
    public void Escaped_keys_are_unescaped_before_interning()
    {
        var e = Decode("""{"type":"inventory","product":"SKU-\u00e9\"q\"","units":1,"ts":1}""");
        Assert.Equal("SKU-é\"q\"", _keys.Products.GetName(e.ProductId));
        var again = Decode("""{"type":"inventory","product":"SKU-é\"q\"","units":1,"ts":1}""");
        Assert.Equal(e.ProductId, again.ProductId);
    }

    [Theory]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":19.99,"currency":"USD","ts":1""", "malformed JSON")]
    [InlineData("""not json""", "malformed JSON")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1} {"a":1}""", "malformed JSON")]
    [InlineData("""{"product":"p","units":1,"ts":1}""", "missing field 'type'")]
    [InlineData("""{"type":"teleport","product":"p","ts":1}""", "unknown type 'teleport'")]
    [InlineData("""{"type":"inventory","units":1,"ts":1}""", "missing field 'product' for type inventory")]
    [InlineData("""{"type":"inventory","product":"p","ts":1}""", "missing field 'units' for type inventory")]
    [InlineData("""{"type":"inventory","product":"p","units":1}""", "missing field 'ts' for type inventory")]
    [InlineData("""{"type":"inventory","product":"p","units":-4,"ts":1}""", "units -4 is negative")]
    [InlineData("""{"type":"inventory","product":"p","units":1.5,"ts":1}""", "units '1.5' is not a whole number")]
    [InlineData("""{"type":"inventory","product":42,"units":1,"ts":1}""", "product must be a string; got 42")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":19.99,"currency":"XYZ","ts":1}""", "unknown currency 'XYZ'")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":19.99,"currency":"US","ts":1}""", "unknown currency 'US'")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":19.99,"ts":1}""", "missing field 'currency'")]
    [InlineData("""{"type":"competitor_price","product":"p","price":19.99,"currency":"USD","ts":1}""", "missing field 'competitor'")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":"NaN","currency":"USD","ts":1}""", "price 'NaN' is not a number")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":NaN,"currency":"USD","ts":1}""", "malformed JSON")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":-5,"currency":"USD","ts":1}""", "price -5.00 must be above zero")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":0,"currency":"USD","ts":1}""", "price 0.00 must be above zero")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":1e300,"currency":"USD","ts":1}""", "price is absurdly large")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":1000000000000.01,"currency":"USD","ts":1}""", "price 1000000000000.01 exceeds the maximum")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":true,"currency":"USD","ts":1}""", "price must be a number; got true")]
    [InlineData("""{"type":"competitor_price","product":"p","competitor":"c","price":1,"currency":"USD","availability":"maybe","ts":1}""", "unknown availability 'maybe'")]
    [InlineData("""{"type":"demand","product":"p","action":"wishlist","ts":1}""", "unknown action 'wishlist'")]
    [InlineData("""{"type":"demand","product":"p","ts":1}""", "missing field 'action' for type demand")]
    [InlineData("""{"type":"demand","product":"p","action":"purchase","quantity":1,"ts":1}""", "missing field 'price' for type demand")]
    [InlineData("""{"type":"demand","product":"p","action":"purchase","quantity":0,"price":1,"currency":"USD","ts":1}""", "quantity 0 is not allowed for a purchase")]
    [InlineData("""{"type":"demand","product":"p","action":"view","quantity":-1,"ts":1}""", "quantity -1 is negative")]
    [InlineData("""{"type":"cost","product":"p","price":3,"currency":"USD","ts":1}""", "missing field 'cost' for type cost")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":-1}""", "ts '-1' is outside 1970-01-01 to 9999-12-31")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":1.5}""", "ts '1.5' is not a whole number")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":"yesterday"}""", "ts 'yesterday' is not an ISO 8601 date and time")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":true}""", "ts must be Unix milliseconds or an ISO 8601 string; got true")]
    [InlineData("""{"type":"inventory","product":"  ","units":1,"ts":1}""", "product '  ' rejected: product key is empty")]
    [InlineData("""{"type":"inventory","product":"a\u0001b","units":1,"ts":1}""", "rejected: product key contains a control character")]
    public void Bad_lines_are_rejected_with_a_reason_naming_the_problem(string line, string reason)
    {
        var error = Reject(line);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"\ud83d":1}""")]
    [InlineData("""{"type":"\ud83d"}""")]
    [InlineData("""{"type":"inventory","product":"\ud83d","units":1,"ts":1}""")]
    [InlineData("""{"type":"inventory","product":"\udc00x","units":1,"ts":1}""")]
    [InlineData("""{"type":"inventory","product":"p","units":1,"ts":"2024-11-24T00:00:00\ud83d"}""")]
    public void Lone_surrogate_escapes_are_rejected_not_thrown(string line)
    {
        var error = Reject(line);
        Assert.StartsWith("malformed JSON: ", error, StringComparison.Ordinal);
        Assert.Equal(0, _keys.Products.Count);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var line = Encoding.UTF8.GetBytes("""{"type":"inventory","product":"SKU-?","units":1,"ts":1}""");
        line[Array.IndexOf(line, (byte)'?')] = 0xC3; // a lead byte without its continuation
        var decoder = new MarketEventJsonDecoder(_keys);
        Assert.False(decoder.TryDecode(line, out _, out var error));
        Assert.Equal("line is not valid UTF-8 (bad byte 0xC3 at byte 36)", error);
        Assert.Equal(0, _keys.Products.Count);
    }

    [Fact]
    public void Overlong_keys_are_rejected()
    {
        var key = new string('k', KeyTable.MaxKeyLength + 1);
        var error = Reject($$"""{"type":"inventory","product":"{{key}}","units":1,"ts":1}""");
        Assert.Contains("longer than 256 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejected_lines_do_not_intern_keys()
    {
        Reject("""{"type":"competitor_price","product":"ghost","competitor":"phantom","platform":"nowhere","price":-1,"currency":"USD","ts":1}""");
        Assert.Equal(0, _keys.Products.Count);
        Assert.Equal(0, _keys.Competitors.Count);
        Assert.Equal(0, _keys.Platforms.Count);
    }

    [Fact]
    public void Decoding_known_keys_allocates_nothing()
    {
        var decoder = new MarketEventJsonDecoder(_keys);
        var line = """{"type":"competitor_price","product":"SKU-1","competitor":"acme","platform":"web","price":19.99,"currency":"USD","availability":"in_stock","ts":1732406400000}"""u8.ToArray();
        Assert.True(decoder.TryDecode(line, out _, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            decoder.TryDecode(line, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
