using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

public sealed class PriceMathTests
{
    private static Gen<long> Ticks() =>
        Gen.Choose(0, 1_000_000_000).Zip(Gen.Choose(0, 10_000_000)).Select(t => (((long)t.Item2 * 1_000_000_000L) + t.Item1) % (Money.MaxPrice.Ticks + 1));

    private static Gen<long> Ppb() => Gen.Frequency(
        (3, Gen.Choose(0, 110_000).Select(x => x * 100_000L)), // whole basis points of factors up to 11
        (1, Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, 5)).Select(t => t.Item1 + (t.Item2 * 2_000_000_000L))));

    [Property(MaxTest = 5_000)]
    public Property Fast_multiply_matches_128_bit_arithmetic() =>
        Prop.ForAll(Arb.From(Ticks().Zip(Ppb())), input =>
        {
            var (ticks, ppb) = input;
            var floor = PriceMath.MulFloorWide(ticks, ppb);
            Assert.Equal(floor, PriceMath.MulFloor(ticks, ppb));
            var exact = (Int128)ticks * ppb % PriceMath.Billion == 0;
            Assert.Equal(exact ? floor : floor + 1, PriceMath.MulCeil(ticks, ppb));
        });

    [Theory]
    [InlineData(0L, 1_050_000_000L, 0L)]
    [InlineData(10_000_000_000_000_000L, 11_000_000_000L, 110_000_000_000_000_000L)]
    [InlineData(100L, 1_070_000_000L, 107L)]
    [InlineData(999_999_999L, 999_999_999L, 999_999_998L)]
    public void Multiply_edges(long ticks, long ppb, long expectedFloor)
    {
        Assert.Equal(expectedFloor, PriceMath.MulFloor(ticks, ppb));
        Assert.Equal(expectedFloor, PriceMath.MulFloorWide(ticks, ppb));
    }

    [Theory]
    [InlineData(12.34, 0.99, 11.99)]
    [InlineData(12.995, 0.99, 12.99)]
    [InlineData(12.99, 0.99, 12.99)]
    [InlineData(13.00, 0.99, 12.99)]
    [InlineData(12.34, 0.0, 12.00)]
    [InlineData(12.34, 0.5, 11.50)]
    [InlineData(0.50, 0.99, -0.01)]
    [InlineData(100.95, 0.95, 100.95)]
    public void Floor_to_ending(double price, double ending, double expected) =>
        Assert.Equal(
            Money.FromDouble(expected).Ticks,
            PriceMath.FloorToEnding(Money.FromDouble(price).Ticks, Money.FromDouble(ending).Ticks));

    [Fact]
    public void Relative_change_threshold_is_exact()
    {
        Assert.True(PriceMath.RelativeChangeBelow(200_100, 200_000, PriceMath.ToPpb(0.001))); // 0.05 %
        Assert.False(PriceMath.RelativeChangeBelow(200_200, 200_000, PriceMath.ToPpb(0.001))); // exactly 0.1 %
        Assert.False(PriceMath.RelativeChangeBelow(199_800, 200_000, PriceMath.ToPpb(0.001)));
        Assert.False(PriceMath.RelativeChangeBelow(200_000, 200_000, 0));
    }
}
