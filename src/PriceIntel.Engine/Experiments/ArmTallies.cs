using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

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

    /// <summary>Writes every arm's totals.</summary>
    public void WriteState(ref SnapshotWriter w)
    {
        w.WriteSection("ARMS"u8);
        w.WriteInt32(_products.Length);
        w.WriteArray<long>(_products);
        w.WriteArray<long>(_decisions);
        w.WriteArray<long>(_priceChanges);
        w.WriteArray<long>(_changesWithOldPrice);
        w.WriteArray<double>(_changeFractionSum);
        w.WriteArray<long>(_units);
        w.WriteArray<long>(_unitsWithoutCost);
        w.WriteArray<long>(_revenueTicks);
        w.WriteArray<long>(_costTicks);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into these (fresh) tallies, which must have as many arms.</summary>
    /// <exception cref="InvalidDataException">The arm count differs or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("ARMS"u8);
        int arms = r.ReadInt32("experiment arm count");
        if (arms != _products.Length)
        {
            SnapshotFormat.ThrowInvalid($"the experiment tallies were written for {arms} arms; this engine has {_products.Length}.");
        }

        r.ReadArray<long>(_products, "arm products");
        r.ReadArray<long>(_decisions, "arm decisions");
        r.ReadArray<long>(_priceChanges, "arm price changes");
        r.ReadArray<long>(_changesWithOldPrice, "arm changes with an old price");
        r.ReadArray<double>(_changeFractionSum, "arm change fraction sums");
        r.ReadArray<long>(_units, "arm units");
        r.ReadArray<long>(_unitsWithoutCost, "arm units without cost");
        r.ReadArray<long>(_revenueTicks, "arm revenue");
        r.ReadArray<long>(_costTicks, "arm cost of goods");
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
