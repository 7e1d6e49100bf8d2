using System.Buffers;
using System.Text;
using System.Text.Json;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class OutputJsonTests
{
    [Fact]
    public void Signal_lines_use_snake_case_hex_ids_and_resolved_keys()
    {
        var keys = new MarketKeys();
        var buffer = new ArrayBufferWriter<byte>();
        new MarketOutputJsonEncoder().WriteSignal(TestOutputs.Signal(keys, 0xAB, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", 1_732_406_400_000), keys, buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Equal(
            """{"type":"signal","id":"00000000000000ab","kind":"competitor_price_drop","severity":"warning","product":"SKU-1","competitor":"acme","observed":17.5,"reference":20.25,"threshold":0.15,"magnitude":0.125,"ts":1732406400000}""" + "\n",
            text);
    }

    [Fact]
    public void Decision_lines_carry_exact_prices_and_rule_names()
    {
        var keys = new MarketKeys();
        var buffer = new ArrayBufferWriter<byte>();
        new MarketOutputJsonEncoder().WriteDecision(TestOutputs.Decision(keys, 1, "SKU-1", 5), keys, buffer);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var root = doc.RootElement;
        Assert.Equal("decision", root.GetProperty("type").GetString());
        Assert.Equal("0000000000000001", root.GetProperty("id").GetString());
        Assert.Equal("19.99", root.GetProperty("old_price").GetRawText());
        Assert.Equal("18.99", root.GetProperty("new_price").GetRawText());
        Assert.Equal("18.5123", root.GetProperty("target_price").GetRawText());
        Assert.Equal("USD", root.GetProperty("currency").GetString());
        Assert.Equal("beat_lowest", root.GetProperty("strategy").GetString());
        Assert.Equal("competitor_price_drop", root.GetProperty("trigger").GetString());
        Assert.Equal(["price_ending"], root.GetProperty("set_by").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["strategy", "max_change", "price_ending"], root.GetProperty("bounded").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Writing_from_engine_structs_allocates_nothing()
    {
        var keys = new MarketKeys();
        var json = new MarketOutputJsonEncoder();
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var signal = TestOutputs.Signal(keys, 7, SignalKind.PriceAnomaly, "SKU-1", "acme", 1);
        var decision = TestOutputs.Decision(keys, 8, "SKU-1", 1);
        json.WriteSignal(signal, keys, buffer);
        json.WriteDecision(decision, keys, buffer);
        buffer.ResetWrittenCount();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            json.WriteSignal(signal, keys, buffer);
            json.WriteDecision(decision, keys, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("""{"type":"signal"}""", "unreadable output line")]
    [InlineData("""{"type":"mystery","id":"01","ts":1,"product":"p"}""", "unknown type 'mystery'")]
    [InlineData("""{"type":"signal","id":"zz","ts":1,"product":"p"}""", "unreadable output line")]
    [InlineData("""{"type":"decision","id":"0""", "unreadable output line")]
    public void Unreadable_output_lines_are_reported(string line, string reason)
    {
        Assert.False(MarketOutputJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(line), out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
