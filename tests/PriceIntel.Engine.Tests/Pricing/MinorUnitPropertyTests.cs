using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Pricing;

namespace PriceIntel.Engine.Tests.Pricing;

/// <summary>
/// Shelf prices: over random scenarios in currencies with 0, 2, 3 and 4 decimals, every price a decision publishes
/// is a whole number of the currency's minor unit, and rounding never breaks a bound: whenever some shelf price
/// satisfies every bound at once (margin band, max change, MAP, min and max price), the decided price does too;
/// and the margin floor always holds. The reference bounds are computed here independently, in decimal.
/// </summary>
public sealed class MinorUnitPropertyTests
{
    private static readonly CurrencyCode[] Currencies = [.. new[] { "USD", "JPY", "KWD", "BHD", "EUR", "CLF", "KRW", "OMR" }.Select(c => CurrencyCode.Parse(c))];

    private static Arbitrary<PricingScenario> Scenarios() => Arb.From(
        from s in PricingGen.Scenarios().Generator
        from c in Gen.Elements(Currencies)
        select new PricingScenario
        {
            MinMarginBp = s.MinMarginBp,
            MaxMarginBp = s.MaxMarginBp,
            MaxChangeBp = s.MaxChangeBp,
            BeatByBp = s.BeatByBp,
            PercentileBp = s.PercentileBp,
            MinChangeBp = s.MinChangeBp,
            MinPriceUnits = s.MinPriceUnits,
            MaxPriceUnits = s.MaxPriceUnits,
            Ending = s.Ending,
            Strategy = s.Strategy,
            OldTicks = s.OldTicks,
            CostTicks = s.CostTicks,
            MapTicks = s.MapTicks,
            Competitors = s.Competitors,
            Timestamp = s.Timestamp,
            Hash = s.Hash,
            Currency = c,
        });

    private static long Up(decimal ticks, long unit) => (long)Math.Ceiling(ticks / unit) * unit;

    private static long Down(decimal ticks, long unit) => (long)Math.Floor(ticks / unit) * unit;

    [Property(MaxTest = 5_000)]
    public Property Published_prices_are_whole_minor_units_and_keep_every_bound() =>
        Prop.ForAll(Scenarios(), s =>
        {
            if (!s.TryDecide(new PricingRulePipeline(s.Options()), out var d))
            {
                return;
            }

            long unit = s.Currency.MinorUnitTicks;
            long price = d.NewPrice.Ticks;
            Assert.Equal(0, d.TargetPrice.Ticks % unit);
            if (price != s.OldTicks)
            {
                Assert.True(price % unit == 0, $"{s} → {d}: not a whole minor unit");
            }

            long lo = unit;
            long hi = Down(Money.MaxPrice.Ticks, unit);
            if (s.CostTicks > 0)
            {
                long bandLo = Up(s.CostTicks * (10_000m + s.MinMarginBp) / 10_000m, unit);
                Assert.True(price >= bandLo || price == s.OldTicks, $"{s} → {d}: below the margin floor {bandLo}");
                lo = Math.Max(lo, bandLo);
                hi = Math.Min(hi, Down(s.CostTicks * (10_000m + s.MaxMarginBp) / 10_000m, unit));
            }

            if (s.OldTicks > 0)
            {
                lo = Math.Max(lo, Up(s.OldTicks * (10_000m - s.MaxChangeBp) / 10_000m, unit));
                hi = Math.Min(hi, Down(s.OldTicks * (10_000m + s.MaxChangeBp) / 10_000m, unit));
            }

            lo = Math.Max(lo, Up(Math.Max((long)s.MinPriceUnits * Money.Scale, s.MapTicks), unit));
            hi = Math.Min(hi, Down((long)s.MaxPriceUnits * Money.Scale, unit));
            if (lo <= hi)
            {
                Assert.True(price >= lo && price <= hi, $"{s} → {d}: outside [{lo}, {hi}], which every bound allows");
            }
        });
}
