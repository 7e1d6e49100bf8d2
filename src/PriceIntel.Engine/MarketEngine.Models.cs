using PriceIntel.Engine.Experiments;
using PriceIntel.Engine.Pricing;
using PriceIntel.Engine.Scoring;

namespace PriceIntel;

/// <summary>The demand model behind <see cref="PricingStrategyKind.MaximizeProfit"/>.</summary>
public sealed partial class MarketEngine
{
    private ProfitMaximizingPricer? _profitPricer;

    /// <summary>The demand model in use; null when none was given.</summary>
    public DemandModel? DemandModel => _profitPricer?.Model;

    /// <summary>
    /// Gives the engine the demand model that products on <see cref="PricingStrategyKind.MaximizeProfit"/>
    /// (the default strategy or an experiment arm) are priced with; null removes it, and those products
    /// then hold their price (bounds still apply). Call it from the engine's thread or between batches.
    /// The model's own state (our recent price level per product) is not part of engine snapshots.
    /// </summary>
    /// <param name="model">The model, e.g. <see cref="DemandModel.Load(string)"/> of a file written by the <c>train</c> command.</param>
    public void UseDemandModel(DemandModel? model) =>
        _profitPricer = model is null ? null : new ProfitMaximizingPricer(_options.Pricing, _pricer, model);

    /// <summary>
    /// Experiment statistics per arm from the purchases so far: profit and revenue per product-day with
    /// 95 % intervals, the always-valid sequential test of each arm against arm 0, and Thompson-sampling
    /// shares (see <see cref="ExperimentStatistics"/>). Allocates; call it from the engine's thread or
    /// between batches.
    /// </summary>
    /// <param name="alpha">Significance level of the sequential test.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public IReadOnlyList<ArmStatistics> GetExperimentStatistics(double alpha = 0.05) =>
        ExperimentStatistics.Compute(_tallies.DailySums(), alpha);

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private bool TryDecideByModel(int p, scoped in PricingInput input, byte arm, out PricingDecision decision)
    {
        if (_profitPricer is not { } pricer)
        {
            return _pricer.TryDecide(in input, PricingStrategyKind.MaximizeProfit, arm, out decision);
        }

        long ts = input.Timestamp;
        var prices = input.CompetitorPrices;
        Span<double> scratch = stackalloc double[prices.Length];
        var shortDemand = _demand.Read(p, 0, ts);
        var longDemand = _demand.Read(p, 1, ts);
        double level = pricer.AdvanceOwnLevel(p, input.OldPrice.ToDouble(), ts);
        var context = DemandContext.From(
            ts,
            prices,
            scratch,
            level,
            shortDemand.UnitsPerHour,
            longDemand.UnitsPerHour,
            shortDemand.ViewsPerHour,
            _columns.Inventory[p]);
        int index = pricer.ModelIndex(p, _keys.Products.GetName(p));
        return pricer.TryDecide(in input, in context, index, arm, out decision);
    }
}
