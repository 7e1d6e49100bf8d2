using PriceIntel.Engine.Experiments;

namespace PriceIntel.Engine.Tests.Experiments;

public sealed class ArmTalliesTests
{
    private static ExperimentAssignment TwoArms()
    {
        var experiment = new ExperimentOptions();
        experiment.Arms.Add(new ExperimentArmOptions { Name = "match", Strategy = PricingStrategyKind.MatchLowest });
        experiment.Arms.Add(new ExperimentArmOptions { Name = "beat", Strategy = PricingStrategyKind.BeatLowest });
        return new ExperimentAssignment(experiment, new PricingOptions());
    }

    private static Money M(decimal units) => Money.FromDecimal(units);

    private static PricingDecision Decision(byte arm, decimal old, decimal @new) =>
        new(1, 0, M(old), M(@new), M(@new), CurrencyCode.Usd, PricingStrategyKind.BeatLowest, arm, DecisionTrigger.Scheduled, PricingRules.Strategy, PricingRules.None, 0);

    [Fact]
    public void Snapshot_reports_exact_totals_per_arm()
    {
        var tallies = new ArmTallies(TwoArms());
        tallies.RecordProduct(0);
        tallies.RecordProduct(0);
        tallies.RecordProduct(1);

        tallies.RecordDecision(Decision(0, old: 10, @new: 11)); // +10 %
        tallies.RecordDecision(Decision(0, old: 20, @new: 19)); // −5 %
        tallies.RecordDecision(Decision(0, old: 15, @new: 15)); // no change
        tallies.RecordDecision(Decision(0, old: 0, @new: 9.99m)); // first price: a change without a fraction
        tallies.RecordDecision(Decision(1, old: 8, @new: 8));

        tallies.RecordPurchase(0, 3, M(10.99m), M(7.25m));
        tallies.RecordPurchase(0, 1, M(19.00m), Money.Zero); // cost unknown
        tallies.RecordPurchase(0, 0, M(100m), M(1m)); // ignored
        tallies.RecordPurchase(1, 2, M(8.00m), M(6.00m));

        var reports = tallies.Snapshot();
        Assert.Equal(2, reports.Length);

        var match = reports[0];
        Assert.Equal(0, match.Arm);
        Assert.Equal("match", match.Name);
        Assert.Equal(PricingStrategyKind.MatchLowest, match.Strategy);
        Assert.Equal(2, match.Products);
        Assert.Equal(4, match.Decisions);
        Assert.Equal(3, match.PriceChanges);
        Assert.Equal(0.025, match.AveragePriceChange, 12);
        Assert.Equal(4, match.Units);
        Assert.Equal(M(51.97m), match.Revenue); // 3 × 10.99 + 19.00
        Assert.Equal(M(21.75m), match.CostOfGoods); // 3 × 7.25
        Assert.Equal(1, match.UnitsWithoutCost);
        Assert.Equal(M(30.22m), match.Margin);
        Assert.Equal(30.22 / 51.97, match.MarginRate, 12);

        var beat = reports[1];
        Assert.Equal("beat", beat.Name);
        Assert.Equal(PricingStrategyKind.BeatLowest, beat.Strategy);
        Assert.Equal(1, beat.Products);
        Assert.Equal(1, beat.Decisions);
        Assert.Equal(0, beat.PriceChanges);
        Assert.Equal(0, beat.AveragePriceChange);
        Assert.Equal(M(16m), beat.Revenue);
        Assert.Equal(M(4m), beat.Margin);
        Assert.Equal(0.25, beat.MarginRate, 12);
    }

    [Fact]
    public void Empty_arm_reports_zeros()
    {
        var report = new ArmTallies(new ExperimentAssignment(new ExperimentOptions(), new PricingOptions())).Snapshot().Single();
        Assert.Equal("default", report.Name);
        Assert.Equal(PricingStrategyKind.BeatLowest, report.Strategy);
        Assert.Equal(0, report.Products);
        Assert.Equal(Money.Zero, report.Revenue);
        Assert.Equal(0, report.MarginRate);
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        var tallies = new ArmTallies(TwoArms());
        var decision = Decision(1, 10, 11);
        tallies.RecordDecision(decision);
        tallies.RecordPurchase(1, 1, M(1), M(1));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            tallies.RecordDecision(decision);
            tallies.RecordPurchase((byte)(i & 1), 2, M(11), M(7));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_001, tallies.Snapshot()[1].Decisions);
    }
}
