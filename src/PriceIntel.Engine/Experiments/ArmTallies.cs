using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Experiments;

/// <summary>
/// Running totals per experiment arm (struct-of-arrays by arm index): products, decisions, price
/// changes, units, revenue and cost of goods. The engine calls the <c>Record…</c> methods on its own
/// thread; they allocate nothing. <see cref="Snapshot"/> builds the report objects (rare path).
/// Money sums are exact, in <see cref="Money"/> ticks.
/// </summary>
internal sealed class ArmTallies
{
    private readonly ExperimentAssignment _assignment;
    private readonly long[] _products;
    private readonly long[] _decisions;
    private readonly long[] _priceChanges;
    private readonly long[] _changesWithOldPrice;
    private readonly double[] _changeFractionSum;
    private readonly long[] _units;
    private readonly long[] _unitsWithoutCost;
    private readonly long[] _revenueTicks;
    private readonly long[] _costTicks;

    /// <summary>Creates empty tallies for the arms of <paramref name="assignment"/>.</summary>
    public ArmTallies(ExperimentAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        _assignment = assignment;
        int n = assignment.ArmCount;
        _products = new long[n];
        _decisions = new long[n];
        _priceChanges = new long[n];
        _changesWithOldPrice = new long[n];
        _changeFractionSum = new double[n];
        _units = new long[n];
        _unitsWithoutCost = new long[n];
        _revenueTicks = new long[n];
        _costTicks = new long[n];
    }

    /// <summary>Counts a product newly assigned to <paramref name="arm"/>; call once per product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordProduct(byte arm) => _products[arm]++;

    /// <summary>Counts a decision for its <see cref="PricingDecision.Arm"/>, and its price change when it changed the price.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordDecision(in PricingDecision decision)
    {
        int arm = decision.Arm;
        _decisions[arm]++;
        if (decision.NewPrice.Ticks != decision.OldPrice.Ticks)
        {
            _priceChanges[arm]++;
            if (decision.OldPrice.Ticks > 0)
            {
                _changesWithOldPrice[arm]++;
                _changeFractionSum[arm] += decision.ChangeFraction;
            }
        }
    }

    /// <summary>
    /// Counts a purchase of <paramref name="quantity"/> units at <paramref name="unitPrice"/> by a product
    /// of <paramref name="arm"/>, whose unit cost is <paramref name="unitCost"/> (zero when unknown).
    /// Purchases with no units are ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordPurchase(byte arm, int quantity, Money unitPrice, Money unitCost)
    {
        if (quantity <= 0)
        {
            return;
        }

        _units[arm] += quantity;
        _revenueTicks[arm] += quantity * unitPrice.Ticks;
        if (unitCost.Ticks > 0)
        {
            _costTicks[arm] += quantity * unitCost.Ticks;
        }
        else
        {
            _unitsWithoutCost[arm] += quantity;
        }
    }

    /// <summary>One report per arm, in arm order.</summary>
    public ExperimentArmReport[] Snapshot()
    {
        var reports = new ExperimentArmReport[_products.Length];
        for (int i = 0; i < reports.Length; i++)
        {
            reports[i] = new ExperimentArmReport(
                i,
                _assignment.GetName(i),
                _assignment.GetStrategy(i),
                _products[i],
                _decisions[i],
                _priceChanges[i],
                _changesWithOldPrice[i] == 0 ? 0 : _changeFractionSum[i] / _changesWithOldPrice[i],
                _units[i],
                new Money(_revenueTicks[i]),
                new Money(_costTicks[i]),
                _unitsWithoutCost[i]);
        }

        return reports;
    }
}
