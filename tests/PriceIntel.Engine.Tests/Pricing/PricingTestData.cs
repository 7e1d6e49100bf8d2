using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

/// <summary>One random pricing situation: options, product state and competitor prices.</summary>
public sealed class PricingScenario
{
    public required int MinMarginBp { get; init; }
    public required int MaxMarginBp { get; init; }
    public required int MaxChangeBp { get; init; }
    public required int BeatByBp { get; init; }
    public required int PercentileBp { get; init; }
    public required int MinChangeBp { get; init; }
    public required int MinPriceUnits { get; init; }
    public required int MaxPriceUnits { get; init; }
    public required double Ending { get; init; }
    public required PricingStrategyKind Strategy { get; init; }
    public required long OldTicks { get; init; }
    public required long CostTicks { get; init; }
    public required long MapTicks { get; init; }
    public required double[] Competitors { get; init; }
    public required long Timestamp { get; init; }
    public required ulong Hash { get; init; }

    /// <summary>The currency; the empty default keeps full tick precision (the bound-precedence properties are tick-exact).</summary>
    public CurrencyCode Currency { get; init; }

    public PricingOptions Options(double? ending = null, int? minChangeBp = null) => new()
    {
        MinMargin = MinMarginBp / 10_000.0,
        MaxMargin = MaxMarginBp / 10_000.0,
        MaxChange = MaxChangeBp / 10_000.0,
        BeatBy = BeatByBp / 10_000.0,
        Percentile = PercentileBp / 10_000.0,
        MinChangeToPublish = (minChangeBp ?? MinChangeBp) / 10_000.0,
        MinPrice = MinPriceUnits,
        MaxPrice = MaxPriceUnits,
        PriceEnding = ending ?? Ending,
        Strategy = Strategy,
    };

    internal bool TryDecide(PricingRulePipeline pipeline, out PricingDecision decision) =>
        pipeline.TryDecide(
            new PricingInput(7, Hash, new Money(OldTicks), new Money(CostTicks), new Money(MapTicks), Competitors, DecisionTrigger.Scheduled, Timestamp, Currency),
            Strategy,
            3,
            out decision);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Strategy} old={OldTicks} cost={CostTicks} map={MapTicks} comps=[{string.Join(", ", Competitors)}] margins={MinMarginBp}..{MaxMarginBp}bp maxChange={MaxChangeBp}bp beat={BeatByBp}bp pct={PercentileBp}bp minChange={MinChangeBp}bp price={MinPriceUnits}..{MaxPriceUnits} ending={Ending} currency={Currency}");
}

internal static class PricingGen
{
    /// <summary>Prices in ticks from one tick to 2,000 units, with small and round amounts over-represented.</summary>
    private static Gen<long> PriceTicks() => Gen.Frequency(
        (6, Gen.Choose(1, 20_000_000).Select(t => (long)t)),
        (2, Gen.Choose(1, 500).Select(u => u * Money.Scale)),
        (1, Gen.Choose(1, 20_000).Select(t => (long)t)));

    private static Gen<long> Optional(Gen<long> gen, int absentWeight) =>
        Gen.Frequency((absentWeight, Gen.Constant(0L)), (10 - absentWeight, gen));

    private static Gen<double> Competitor() => Gen.Frequency(
        (12, PriceTicks().Select(t => t / (double)Money.Scale)),
        (1, Gen.Elements(double.NaN, -5.0, 0.0, double.PositiveInfinity)));

    public static Arbitrary<PricingScenario> Scenarios() => Arb.From(
        from minMargin in Gen.Choose(0, 5_000)
        from marginWidth in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(0, 5_000)))
        from maxChange in Gen.Choose(1, 5_000)
        from beatBy in Gen.Choose(0, 5_000)
        from percentile in Gen.Choose(0, 10_000)
        from minChange in Gen.Choose(0, 200)
        from minPrice in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, 300)))
        from maxPrice in Gen.Frequency((2, Gen.Constant(1_000_000)), (1, Gen.Choose(1, 2_000)))
        from ending in Gen.Elements(-1.0, 0.99, 0.95, 0.0, 0.5)
        from strategy in Gen.Elements(PricingStrategyKind.Hold, PricingStrategyKind.MatchLowest, PricingStrategyKind.BeatLowest, PricingStrategyKind.Percentile)
        from old in Optional(PriceTicks(), 2)
        from cost in Optional(PriceTicks(), 3)
        from map in Optional(PriceTicks(), 6)
        from competitors in Gen.Choose(0, 9).SelectMany(n => Gen.ArrayOf(Competitor(), n))
        from timestamp in Gen.Choose(0, int.MaxValue).Select(t => 1_700_000_000_000L + t)
        from hash in Gen.Choose(int.MinValue, int.MaxValue).Select(h => (ulong)h * 0x9E3779B97F4A7C15UL)
        select new PricingScenario
        {
            MinMarginBp = minMargin,
            MaxMarginBp = minMargin + marginWidth,
            MaxChangeBp = maxChange,
            BeatByBp = beatBy,
            PercentileBp = percentile,
            MinChangeBp = minChange,
            MinPriceUnits = Math.Min(minPrice, maxPrice),
            MaxPriceUnits = maxPrice,
            Ending = ending,
            Strategy = strategy,
            OldTicks = old,
            CostTicks = cost,
            MapTicks = map,
            Competitors = competitors,
            Timestamp = timestamp,
            Hash = hash,
        });
}
