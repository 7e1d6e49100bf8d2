using PriceIntel.Engine.Core;
using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

/// <summary>Hand-computed examples, per strategy and per bound. Default options unless stated:
/// margins 5 %–30 %, max change 10 %, beat by 1 %, min change 0.1 %, ending .99.</summary>
public sealed class PricingRulePipelineTests
{
    private const ulong Hash = 0xABCDEF0123456789UL;
    private const long Time = 1_750_000_000_000L;

    private static Money M(decimal units) => Money.FromDecimal(units);

    private static PricingDecision Decide(
        PricingStrategyKind strategy,
        double[] competitors,
        decimal old = 0,
        decimal cost = 0,
        decimal map = 0,
        Action<PricingOptions>? configure = null,
        CurrencyCode? currency = null)
    {
        var options = new PricingOptions();
        configure?.Invoke(options);
        var pipeline = new PricingRulePipeline(options);
        var input = new PricingInput(42, Hash, M(old), M(cost), M(map), competitors, DecisionTrigger.CompetitorPriceDrop, Time, currency ?? CurrencyCode.Eur);
        Assert.True(pipeline.TryDecide(input, strategy, 1, out var decision));
        return decision;
    }

    private static void NoEnding(PricingOptions o) => o.PriceEnding = -1;

    [Fact]
    public void MatchLowest_takes_the_lowest_usable_price_then_the_ending()
    {
        // band [15.75, 19.50], change window [17.10, 20.90]; target 18.50 → ending 17.99
        var d = Decide(PricingStrategyKind.MatchLowest, [20, 18.5, double.NaN, 25, -1], old: 19, cost: 15);
        Assert.Equal(M(18.50m), d.TargetPrice);
        Assert.Equal(M(17.99m), d.NewPrice);
        Assert.Equal(PricingRules.PriceEnding, d.SetBy);
        Assert.Equal(PricingRules.PriceEnding, d.Bounded);
        Assert.Equal(42, d.ProductId);
        Assert.Equal(CurrencyCode.Eur, d.Currency);
        Assert.Equal(DecisionTrigger.CompetitorPriceDrop, d.Trigger);
        Assert.Equal(Time, d.Timestamp);
        Assert.Equal(1, d.Arm);
        Assert.Equal(PricingStrategyKind.MatchLowest, d.Strategy);
    }

    [Fact]
    public void BeatLowest_undercuts_then_is_capped_by_max_margin()
    {
        // target 20 × 0.99 = 19.80 > ceiling 15 × 1.3 = 19.50; ending 18.99 fits [18.00, 19.50]
        var d = Decide(PricingStrategyKind.BeatLowest, [22, 20], old: 20, cost: 15);
        Assert.Equal(M(19.80m), d.TargetPrice);
        Assert.Equal(M(18.99m), d.NewPrice);
        Assert.Equal(PricingRules.PriceEnding, d.SetBy);
        Assert.Equal(PricingRules.MaxMargin | PricingRules.PriceEnding, d.Bounded);

        var unended = Decide(PricingStrategyKind.BeatLowest, [22, 20], old: 20, cost: 15, configure: NoEnding);
        Assert.Equal(M(19.50m), unended.NewPrice);
        Assert.Equal(PricingRules.MaxMargin, unended.SetBy);
    }

    [Theory]
    [InlineData(0.5, 25.0)] // h = 1.5 → 20 + 0.5 × 10
    [InlineData(0.25, 17.5)] // h = 0.75 → 10 + 0.75 × 10
    [InlineData(0.0, 10.0)]
    [InlineData(1.0, 40.0)]
    [InlineData(0.9, 37.0)] // h = 2.7 → 30 + 0.7 × 10
    public void Percentile_interpolates_between_order_statistics(double percentile, double expected)
    {
        var d = Decide(PricingStrategyKind.Percentile, [40, 10, 30, 20], configure: o =>
        {
            o.PriceEnding = -1;
            o.Percentile = percentile;
        });
        Assert.Equal(Money.FromDouble(expected), d.TargetPrice);
        Assert.Equal(d.TargetPrice, d.NewPrice);
        Assert.Equal(PricingRules.Strategy, d.SetBy);
        Assert.Equal(PricingRules.None, d.Bounded);
        Assert.Equal(Money.Zero, d.OldPrice);
    }

    [Fact]
    public void Hold_is_lifted_to_the_margin_floor_after_a_cost_jump_beyond_max_change()
    {
        // old 10, cost 12 → floor 12.60; the change window [9, 11] misses the band: nearest band edge wins.
        var d = Decide(PricingStrategyKind.Hold, [], old: 10, cost: 12);
        Assert.Equal(M(10m), d.TargetPrice);
        Assert.Equal(M(12.60m), d.NewPrice);
        Assert.Equal(PricingRules.MinMargin, d.SetBy);
        Assert.Equal(PricingRules.MinMargin, d.Bounded);
        Assert.Equal(0.26, d.ChangeFraction, 12);
    }

    [Fact]
    public void Cost_drop_pulls_down_to_the_margin_ceiling_even_beyond_max_change()
    {
        // old 19, cost 12 → band [12.60, 15.60], change window [17.10, 20.90]: ceiling 15.60 wins; no ending fits.
        var d = Decide(PricingStrategyKind.BeatLowest, [20, 18, 25], old: 19, cost: 12);
        Assert.Equal(M(17.82m), d.TargetPrice);
        Assert.Equal(M(15.60m), d.NewPrice);
        Assert.Equal(PricingRules.MaxMargin, d.SetBy);
        Assert.Equal(PricingRules.MaxMargin, d.Bounded);
    }

    [Fact]
    public void Max_change_limits_a_drop_and_the_ending_above_is_used()
    {
        // target 15, window [18, 22]: 18.00 → ending down 17.99 leaves the window → 18.99
        var d = Decide(PricingStrategyKind.MatchLowest, [15], old: 20);
        Assert.Equal(M(18.99m), d.NewPrice);
        Assert.Equal(PricingRules.PriceEnding, d.SetBy);
        Assert.Equal(PricingRules.MaxChange | PricingRules.PriceEnding, d.Bounded);

        var unended = Decide(PricingStrategyKind.MatchLowest, [15], old: 20, configure: NoEnding);
        Assert.Equal(M(18m), unended.NewPrice);
        Assert.Equal(PricingRules.MaxChange, unended.SetBy);
    }

    [Fact]
    public void Map_floor_holds_inside_the_change_window()
    {
        var d = Decide(PricingStrategyKind.MatchLowest, [15], old: 20, map: 19, configure: NoEnding);
        Assert.Equal(M(19m), d.NewPrice);
        Assert.Equal(PricingRules.MapFloor, d.SetBy);
        Assert.Equal(PricingRules.MaxChange | PricingRules.MapFloor, d.Bounded);
    }

    [Fact]
    public void Map_floor_beyond_max_change_is_approached_one_step_at_a_time()
    {
        var d = Decide(PricingStrategyKind.MatchLowest, [15], old: 20, map: 25, configure: NoEnding);
        Assert.Equal(M(22m), d.NewPrice);
        Assert.Equal(PricingRules.MaxChange, d.SetBy);
        Assert.Equal(PricingRules.MaxChange | PricingRules.MapFloor, d.Bounded);
    }

    [Fact]
    public void Map_above_max_price_wins()
    {
        var d = Decide(PricingStrategyKind.MatchLowest, [90], map: 120, configure: o =>
        {
            o.PriceEnding = -1;
            o.MaxPrice = 100;
        });
        Assert.Equal(M(120m), d.NewPrice);
        Assert.Equal(PricingRules.MapFloor, d.SetBy);
        Assert.Equal(PricingRules.MapFloor, d.Bounded);
    }

    [Fact]
    public void Margin_band_wins_over_max_price()
    {
        // band [52.50, 65], MaxPrice 40 conflicts: the band edge nearest MaxPrice.
        var d = Decide(PricingStrategyKind.MatchLowest, [60], cost: 50, configure: o =>
        {
            o.PriceEnding = -1;
            o.MaxPrice = 40;
        });
        Assert.Equal(M(52.50m), d.NewPrice);
        Assert.Equal(PricingRules.MinMargin, d.SetBy);
        Assert.Equal(PricingRules.MaxPrice | PricingRules.MinMargin, d.Bounded);
    }

    [Fact]
    public void Min_and_max_price_clamp_without_cost_or_old_price()
    {
        var low = Decide(PricingStrategyKind.MatchLowest, [3], configure: o => o.MinPrice = 5);
        Assert.Equal(M(5.99m), low.NewPrice); // 5.00 → ending down 4.99 breaks MinPrice → 5.99
        Assert.Equal(PricingRules.MinPrice | PricingRules.PriceEnding, low.Bounded);

        var high = Decide(PricingStrategyKind.MatchLowest, [300], configure: o => o.MaxPrice = 250);
        Assert.Equal(M(249.99m), high.NewPrice);
        Assert.Equal(PricingRules.MaxPrice | PricingRules.PriceEnding, high.Bounded);
    }

    [Fact]
    public void Small_change_keeps_the_old_price()
    {
        var d = Decide(PricingStrategyKind.MatchLowest, [20.01], old: 20, configure: NoEnding);
        Assert.Equal(M(20.01m), d.TargetPrice);
        Assert.Equal(M(20m), d.NewPrice);
        Assert.Equal(PricingRules.NoChange, d.SetBy);
        Assert.Equal(PricingRules.NoChange, d.Bounded);

        var bigger = Decide(PricingStrategyKind.MatchLowest, [20.02], old: 20, configure: NoEnding);
        Assert.Equal(M(20.02m), bigger.NewPrice); // exactly 0.1 % is published
        Assert.Equal(PricingRules.Strategy, bigger.SetBy);
    }

    [Fact]
    public void Small_change_is_published_when_the_old_price_breaks_a_bound()
    {
        // cost 19.05 → floor 20.0025, rounded up to the cent (the bound must hold): 20.01; old 20 is below the floor.
        var d = Decide(PricingStrategyKind.Hold, [], old: 20, cost: 19.05m, configure: NoEnding);
        Assert.Equal(M(20.01m), d.NewPrice);
        Assert.Equal(PricingRules.MinMargin, d.SetBy);
    }

    [Fact]
    public void Competitive_strategy_without_competitors_holds_the_old_price()
    {
        var d = Decide(PricingStrategyKind.BeatLowest, [double.NaN, 0], old: 19.99m);
        Assert.Equal(M(19.99m), d.TargetPrice);
        Assert.Equal(M(19.99m), d.NewPrice);
        Assert.Equal(PricingRules.Strategy, d.SetBy);
    }

    [Fact]
    public void No_usable_input_gives_no_decision()
    {
        var pipeline = new PricingRulePipeline(new PricingOptions());
        var noOld = new PricingInput(1, Hash, Money.Zero, M(10), Money.Zero, [double.NaN, -3, 0], DecisionTrigger.Scheduled, Time, CurrencyCode.Usd);
        Assert.False(pipeline.TryDecide(noOld, PricingStrategyKind.MatchLowest, 0, out var decision));
        Assert.Equal(default, decision);
        var hold = new PricingInput(1, Hash, Money.Zero, M(10), Money.Zero, [12.0], DecisionTrigger.Scheduled, Time, CurrencyCode.Usd);
        Assert.False(pipeline.TryDecide(hold, PricingStrategyKind.Hold, 0, out _));
        Assert.True(pipeline.TryDecide(hold, PricingStrategyKind.MatchLowest, 0, out var matched));
        Assert.Equal(M(11.99m), matched.NewPrice); // band [10.50, 13.00]
    }

    [Fact]
    public void Id_is_deterministic_and_depends_on_time_and_price()
    {
        var a = Decide(PricingStrategyKind.MatchLowest, [18.5], old: 19, cost: 15);
        var b = Decide(PricingStrategyKind.MatchLowest, [18.5], old: 19, cost: 15);
        Assert.Equal(a, b);
        Assert.Equal(DeterministicId.Of(Hash, (ulong)DecisionTrigger.CompetitorPriceDrop, (ulong)Time, (ulong)M(17.99m).Ticks), a.Id);
        var other = Decide(PricingStrategyKind.MatchLowest, [19.3], old: 19, cost: 15); // → 18.99
        Assert.NotEqual(a.Id, other.Id);
    }

    [Fact]
    public void Margins_are_exact_in_ticks()
    {
        // 1.07 × 100 ticks is 107 ticks exactly (binary floating point would give 107.00000000000001 → 108).
        var d = Decide(PricingStrategyKind.Hold, [], old: 0.0050m, cost: 0.0100m, configure: o =>
        {
            o.PriceEnding = -1;
            o.MinMargin = 0.07;
            o.MaxChange = 1;
        }, currency: default(CurrencyCode)); // no currency: full tick precision
        Assert.Equal(new Money(107), d.NewPrice);
    }

    [Theory]
    [InlineData("USD", 181.02)] // max margin 181.025 → rounded down to the cent: the bound holds
    [InlineData("JPY", 181)]
    [InlineData("KWD", 181.025)]
    [InlineData("BHD", 181.025)]
    public void A_price_set_by_a_bound_is_a_shelf_price_in_the_currency_minor_unit(string currency, double expected)
    {
        // cost 144.82 × (1 + 25 %) = 181.025: the max-margin bound sets the price.
        var d = Decide(PricingStrategyKind.MatchLowest, [250.0], old: 180, cost: 144.82m, configure: o =>
        {
            o.PriceEnding = -1;
            o.MaxMargin = 0.25;
            o.MaxChange = 0.5;
        }, currency: CurrencyCode.Parse(currency));
        Assert.Equal(Money.FromDouble(expected), d.NewPrice);
        Assert.Equal(PricingRules.MaxMargin, d.SetBy);
    }

    [Theory]
    [InlineData("JPY", 0, 10_000)]
    [InlineData("USD", 2, 100)]
    [InlineData("EUR", 2, 100)]
    [InlineData("KWD", 3, 10)]
    [InlineData("BHD", 3, 10)]
    [InlineData("CLF", 4, 1)]
    [InlineData("XYZ", 2, 100)]
    public void Currencies_know_their_ISO_4217_exponent(string code, int digits, long ticks)
    {
        var currency = CurrencyCode.Parse(code);
        Assert.Equal(digits, currency.MinorUnitDigits);
        Assert.Equal(ticks, currency.MinorUnitTicks);
        Assert.Equal(4, default(CurrencyCode).MinorUnitDigits);
    }

    [Theory]
    [InlineData(181.025, 100, 181.02, 181.03, 181.02)]
    [InlineData(181.035, 100, 181.03, 181.04, 181.04)]
    [InlineData(181.5, 10_000, 181, 182, 182)]
    [InlineData(180.5, 10_000, 180, 181, 180)]
    [InlineData(-0.015, 100, -0.02, -0.01, -0.02)]
    public void Money_rounds_to_a_unit_down_up_and_half_to_even(double amount, long unit, double floor, double ceiling, double nearest)
    {
        var m = Money.FromDouble(amount);
        Assert.Equal(Money.FromDouble(floor), m.FloorTo(unit));
        Assert.Equal(Money.FromDouble(ceiling), m.CeilingTo(unit));
        Assert.Equal(Money.FromDouble(nearest), m.RoundTo(unit));
        Assert.Equal(PriceMath.FloorTo(m.Ticks, unit), m.FloorTo(unit).Ticks);
        Assert.Equal(PriceMath.CeilingTo(m.Ticks, unit), m.CeilingTo(unit).Ticks);
        Assert.Equal(PriceMath.RoundTo(m.Ticks, unit), m.RoundTo(unit).Ticks);
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        var pipeline = new PricingRulePipeline(new PricingOptions());
        double[] competitors = [21.5, 19.9, 23.1, 20.4, 22.8, 19.95, 24.0];
        var strategies = new[] { PricingStrategyKind.Hold, PricingStrategyKind.MatchLowest, PricingStrategyKind.BeatLowest, PricingStrategyKind.Percentile };
        long sum = Run(pipeline, competitors, strategies, 100);
        var before = GC.GetAllocatedBytesForCurrentThread();
        sum += Run(pipeline, competitors, strategies, 10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);

        static long Run(PricingRulePipeline pipeline, double[] competitors, PricingStrategyKind[] strategies, int n)
        {
            long sum = 0;
            for (int i = 0; i < n; i++)
            {
                var input = new PricingInput(i, (ulong)i, new Money(200_000 + i), new Money(150_000), Money.Zero, competitors, DecisionTrigger.Scheduled, Time + i, CurrencyCode.Usd);
                if (pipeline.TryDecide(input, strategies[i & 3], 0, out var d))
                {
                    sum += d.NewPrice.Ticks;
                }
            }

            return sum;
        }
    }
}
