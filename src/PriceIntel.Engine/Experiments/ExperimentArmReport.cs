namespace PriceIntel.Engine.Experiments;

/// <summary>
/// How one experiment arm has done so far: a snapshot of its tallies, for reports and dashboards.
/// </summary>
/// <param name="Arm">The arm index (as in <see cref="PricingDecision.Arm"/>).</param>
/// <param name="Name">The arm's name from the experiment options ("default" without an experiment).</param>
/// <param name="Strategy">The arm's pricing strategy.</param>
/// <param name="Products">Products assigned to the arm.</param>
/// <param name="Decisions">Pricing decisions recorded for the arm's products.</param>
/// <param name="PriceChanges">Decisions whose new price differs from the old one.</param>
/// <param name="AveragePriceChange">Mean (new − old) / old over the price changes that had an old price; 0 when none.</param>
/// <param name="Units">Units sold.</param>
/// <param name="Revenue">Sum of units × paid unit price.</param>
/// <param name="CostOfGoods">Sum of units × unit cost, for units whose cost was known.</param>
/// <param name="UnitsWithoutCost">Units sold while their cost was unknown; their revenue counts fully toward the margin.</param>
public sealed record ExperimentArmReport(
    int Arm,
    string Name,
    PricingStrategyKind Strategy,
    long Products,
    long Decisions,
    long PriceChanges,
    double AveragePriceChange,
    long Units,
    Money Revenue,
    Money CostOfGoods,
    long UnitsWithoutCost)
{
    /// <summary>Revenue minus cost of goods.</summary>
    public Money Margin => new(Revenue.Ticks - CostOfGoods.Ticks);

    /// <summary>Margin as a fraction of revenue; 0 when there is no revenue.</summary>
    public double MarginRate => Revenue.Ticks == 0 ? 0 : Margin.Ticks / (double)Revenue.Ticks;
}
