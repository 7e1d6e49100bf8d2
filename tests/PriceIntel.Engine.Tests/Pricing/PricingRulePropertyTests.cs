using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

/// <summary>
/// The pipeline's invariants over random options, old prices, costs, MAPs and competitor prices. The
/// reference bounds here are computed independently, in decimal, from the scenario's basis points.
/// </summary>
public sealed class PricingRulePropertyTests
{
    private const int Runs = 2_000;

    private static long Ceil(decimal value) => (long)Math.Ceiling(value);

    private static long Floor(decimal value) => (long)Math.Floor(value);

    private static (long Lo, long Hi) Band(PricingScenario s)
    {
        long lo = Ceil(s.CostTicks * (10_000m + s.MinMarginBp) / 10_000m);
        long hi = Math.Max(lo, Floor(s.CostTicks * (10_000m + s.MaxMarginBp) / 10_000m));
        return (lo, hi);
    }

    private static (long Lo, long Hi) ChangeWindow(PricingScenario s) =>
        (Ceil(s.OldTicks * (10_000m - s.MaxChangeBp) / 10_000m), Floor(s.OldTicks * (10_000m + s.MaxChangeBp) / 10_000m));

    private static PricingDecision Decide(PricingScenario s, PricingOptions options)
    {
        Assert.True(s.TryDecide(new PricingRulePipeline(options), out var decision), s.ToString());
        return decision;
    }

    private static bool HasUsableInput(PricingScenario s) =>
        s.OldTicks > 0 || (s.Strategy != PricingStrategyKind.Hold && s.Competitors.Any(CompetitorPriceStats.IsUsable));

    [Property(MaxTest = Runs)]
    public Property Decides_exactly_when_there_is_usable_input() =>
        Prop.ForAll(PricingGen.Scenarios(), s =>
        {
            var decided = s.TryDecide(new PricingRulePipeline(s.Options()), out var d);
            Assert.Equal(HasUsableInput(s), decided);
            if (decided)
            {
                Assert.True(d.NewPrice.IsValidPrice, s.ToString());
                Assert.Equal(s.OldTicks, d.OldPrice.Ticks);
            }
            else
            {
                Assert.Equal(default, d);
            }
        });

    [Property(MaxTest = Runs)]
    public Property Margin_band_is_hard() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(s => HasUsableInput(s) && s.CostTicks > 0), s =>
        {
            var d = Decide(s, s.Options());
            var (lo, hi) = Band(s);
            Assert.InRange(d.NewPrice.Ticks, lo, hi);

            // When the exact band holds a tick, the price is inside the exact band.
            decimal exactLo = s.CostTicks * (1 + (s.MinMarginBp / 10_000m));
            decimal exactHi = s.CostTicks * (1 + (s.MaxMarginBp / 10_000m));
            if (Ceil(exactLo) <= Floor(exactHi))
            {
                Assert.InRange((decimal)d.NewPrice.Ticks, exactLo, exactHi);
            }
        });

    [Property(MaxTest = Runs)]
    public Property Max_change_holds_unless_the_band_needs_more() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(s => HasUsableInput(s) && s.OldTicks > 0), s =>
        {
            var d = Decide(s, s.Options());
            var (changeLo, changeHi) = ChangeWindow(s);
            var price = d.NewPrice.Ticks;
            if (s.CostTicks > 0 && changeHi < Band(s).Lo)
            {
                Assert.Equal(Band(s).Lo, price);
                Assert.Equal(PricingRules.MinMargin, d.SetBy);
            }
            else if (s.CostTicks > 0 && changeLo > Band(s).Hi)
            {
                Assert.Equal(Band(s).Hi, price);
                Assert.True(d.SetBy is PricingRules.MaxMargin or PricingRules.MinMargin, d.SetBy.ToString());
            }
            else
            {
                Assert.True(Math.Abs(price - s.OldTicks) * 10_000m <= s.MaxChangeBp * (decimal)s.OldTicks, $"{s} → {d}");
            }
        });

    [Property(MaxTest = Runs)]
    public Property Map_and_absolute_prices_hold_when_compatible_with_band_and_max_change() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(HasUsableInput), s =>
        {
            var d = Decide(s, s.Options());
            long lo = 1, hi = Money.MaxPrice.Ticks;
            if (s.CostTicks > 0)
            {
                (lo, hi) = Band(s);
            }

            if (s.OldTicks > 0)
            {
                var (cLo, cHi) = ChangeWindow(s);
                (lo, hi) = cLo > hi ? (hi, hi) : cHi < lo ? (lo, lo) : (Math.Max(lo, cLo), Math.Min(hi, cHi));
            }

            long minPrice = s.MinPriceUnits * Money.Scale;
            long maxPrice = s.MaxPriceUnits * Money.Scale;
            long floor = Math.Max(minPrice, s.MapTicks);
            var price = d.NewPrice.Ticks;
            if (floor <= hi)
            {
                Assert.True(price >= floor, $"{s} → {d}");
            }

            if (maxPrice >= lo && s.MapTicks <= maxPrice)
            {
                Assert.True(price <= maxPrice, $"{s} → {d}");
            }

            if (s.MapTicks > maxPrice && s.MapTicks <= hi)
            {
                Assert.True(price >= s.MapTicks, $"MAP wins over MaxPrice: {s} → {d}");
            }
        });

    [Property(MaxTest = Runs)]
    public Property Ending_is_applied_only_when_the_ended_price_meets_every_bound() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(s => HasUsableInput(s) && s.Ending >= 0), s =>
        {
            var unended = Decide(s, s.Options(ending: -1, minChangeBp: 0));
            var pipeline = new PricingRulePipeline(s.Options(minChangeBp: 0));
            Assert.True(s.TryDecide(pipeline, out var ended));
            var bounds = pipeline.ResolveBounds(s.OldTicks, s.CostTicks, s.MapTicks, unended.TargetPrice.Ticks, out _);

            long p0 = unended.NewPrice.Ticks;
            long ending = (long)Math.Round((decimal)s.Ending * Money.Scale);
            long down = ((long)Math.Floor((p0 - ending) / (decimal)Money.Scale) * Money.Scale) + ending;
            long expected = down == p0 ? p0 : bounds.Contains(down) ? down : bounds.Contains(down + Money.Scale) ? down + Money.Scale : p0;
            Assert.Equal(expected, ended.NewPrice.Ticks);
            Assert.Equal(expected != p0, ended.SetBy == PricingRules.PriceEnding);
            Assert.True(bounds.Contains(ended.NewPrice.Ticks) || ended.NewPrice == unended.NewPrice);
        });

    [Property(MaxTest = Runs)]
    public Property Changes_below_the_publish_threshold_keep_the_old_price() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(s => HasUsableInput(s) && s.OldTicks > 0), s =>
        {
            var pipeline = new PricingRulePipeline(s.Options());
            Assert.True(s.TryDecide(pipeline, out var d));
            var unfiltered = Decide(s, s.Options(minChangeBp: 0));
            var bounds = pipeline.ResolveBounds(s.OldTicks, s.CostTicks, s.MapTicks, d.TargetPrice.Ticks, out _);
            long p0 = unfiltered.NewPrice.Ticks;
            bool small = Math.Abs(p0 - s.OldTicks) * 10_000m < s.MinChangeBp * (decimal)s.OldTicks;
            bool revert = p0 != s.OldTicks && small && bounds.Contains(s.OldTicks);
            Assert.Equal(revert ? s.OldTicks : p0, d.NewPrice.Ticks);
            Assert.Equal(revert, d.SetBy == PricingRules.NoChange);
            Assert.Equal(revert, d.Bounded.HasFlag(PricingRules.NoChange));
            if (d.NewPrice.Ticks != s.OldTicks && bounds.Contains(s.OldTicks))
            {
                Assert.True(Math.Abs(d.NewPrice.Ticks - s.OldTicks) * 10_000m >= s.MinChangeBp * (decimal)s.OldTicks, $"{s} → {d}");
            }
        });

    [Property(MaxTest = Runs)]
    public Property Same_input_gives_the_identical_decision_and_id() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(HasUsableInput), s =>
        {
            var first = Decide(s, s.Options());
            var pipeline = new PricingRulePipeline(s.Options());
            Assert.True(s.TryDecide(pipeline, out var second));
            Assert.True(s.TryDecide(pipeline, out var third));
            Assert.Equal(first, second);
            Assert.Equal(first, third);
            Assert.Equal(DeterministicId.Of(s.Hash, (ulong)DecisionTrigger.Scheduled, (ulong)s.Timestamp, (ulong)first.NewPrice.Ticks), first.Id);
        });

    [Property(MaxTest = Runs)]
    public Property Target_is_the_strategy_output_and_attribution_is_consistent() =>
        Prop.ForAll(PricingGen.Scenarios().Filter(HasUsableInput), s =>
        {
            var d = Decide(s, s.Options());
            var usable = s.Competitors.Where(CompetitorPriceStats.IsUsable).Order().ToArray();
            long expectedTarget = s.Strategy == PricingStrategyKind.Hold || usable.Length == 0
                ? s.OldTicks
                : Math.Max(1, Money.FromDouble(s.Strategy switch
                {
                    PricingStrategyKind.MatchLowest => usable[0],
                    PricingStrategyKind.BeatLowest => usable[0] * (1 - (s.BeatByBp / 10_000.0)),
                    _ => NaivePercentile(usable, s.PercentileBp / 10_000.0),
                }).Ticks);
            Assert.Equal(expectedTarget, d.TargetPrice.Ticks);
            Assert.Equal(s.Strategy, d.Strategy);
            Assert.Equal(3, d.Arm);

            Assert.True(System.Numerics.BitOperations.IsPow2((uint)d.SetBy), d.SetBy.ToString());
            Assert.False(d.Bounded.HasFlag(PricingRules.Strategy));
            if (d.SetBy == PricingRules.Strategy)
            {
                Assert.Equal(d.TargetPrice, d.NewPrice);
            }
            else
            {
                Assert.True(d.Bounded.HasFlag(d.SetBy), $"{d.SetBy} not in {d.Bounded}");
            }
        });

    [Property(MaxTest = Runs)]
    public Property Percentile_matches_the_naive_sorted_computation() =>
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(-100, 2_000_000).Select(t => t / 100.0)).Zip(Gen.Choose(0, 10_000))),
            input =>
            {
                var (prices, bp) = input;
                var p = bp / 10_000.0;
                var scratch = new double[prices.Length];
                var found = CompetitorPriceStats.TryPercentile(prices, p, scratch, out var value);
                var usable = prices.Where(x => x > 0).Order().ToArray();
                Assert.Equal(usable.Length > 0, found);
                if (found)
                {
                    Assert.Equal(NaivePercentile(usable, p), value);
                    Assert.InRange(value, usable[0], usable[^1]);
                }
            });

    internal static double NaivePercentile(double[] sortedAscending, double p)
    {
        var rank = p * (sortedAscending.Length - 1);
        var i = (int)rank;
        return i + 1 < sortedAscending.Length
            ? sortedAscending[i] + ((rank - i) * (sortedAscending[i + 1] - sortedAscending[i]))
            : sortedAscending[i];
    }
}
