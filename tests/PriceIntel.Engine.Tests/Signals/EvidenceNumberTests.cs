using System.Buffers;
using System.Text;

using PriceIntel.Engine.Signals;

namespace PriceIntel.Engine.Tests.Signals;

public sealed class EvidenceNumberTests
{
    [Theory]
    [InlineData(434.989990234375, 434.99)] // a float baseline widened to double
    [InlineData(19.990000000000002, 19.99)]
    [InlineData(0.00005, 0.0000)] // half to even at four decimals
    [InlineData(1234567.12345, 1234567.1234)]
    public void Prices_are_rounded_to_four_decimals(double value, double expected) =>
        Assert.Equal(expected, EvidenceNumber.Price(value));

    [Theory]
    [InlineData(0.20000000000000001, 0.2)]
    [InlineData(7.123456789, 7.12346)]
    [InlineData(0.000123456789, 0.000123457)]
    [InlineData(123456789.0, 123457000.0)]
    [InlineData(-2.5000000001, -2.5)]
    [InlineData(0.0, 0.0)]
    public void Figures_keep_six_significant_digits(double value, double expected) =>
        Assert.Equal(expected, EvidenceNumber.Figure(value), 12);

    [Fact]
    public void A_price_anomaly_signal_on_the_wire_carries_no_float_noise()
    {
        var keys = new MarketKeys();
        int product = keys.Products.Intern("sku-1");
        int competitor = keys.Competitors.Intern("acme");
        var signal = new MarketSignal(1, SignalKind.PriceAnomaly, SignalSeverity.Info, product, competitor, 4349.9, (float)434.99, 6, 9.87654321012, 1_700_000_000_000);
        var buffer = new ArrayBufferWriter<byte>();
        new MarketOutputJsonEncoder().WriteSignal(signal, keys, buffer);
        string line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Contains("\"observed\":4349.9,", line, StringComparison.Ordinal);
        Assert.Contains("\"reference\":434.99,", line, StringComparison.Ordinal);
        Assert.Contains("\"threshold\":6,", line, StringComparison.Ordinal);
        Assert.Contains("\"magnitude\":9.87654,", line, StringComparison.Ordinal);
    }
}
