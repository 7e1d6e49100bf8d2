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

    // Per product-day statistics (profit and revenue per product per UTC day): closed days folded per arm.
    private readonly double[] _dayProfitSum;
    private readonly double[] _dayProfitSquares;
    private readonly double[] _dayRevenueSum;
    private readonly double[] _dayRevenueSquares;
    private long[] _openDay = [];
    private long[] _openProfit = [];
    private long[] _openRevenue = [];
    private byte[] _openArm = [];
    private long _firstTimestamp = long.MaxValue;
    private long _lastTimestamp = long.MinValue;

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
        _dayProfitSum = new double[n];
        _dayProfitSquares = new double[n];
        _dayRevenueSum = new double[n];
        _dayRevenueSquares = new double[n];
    }

    /// <summary>Milliseconds in a product-day.</summary>
    public const long DayMs = 86_400_000L;

    /// <summary>
    /// <see cref="RecordPurchase(byte, int, Money, Money)"/>, and adds the purchase's profit and revenue
    /// to product <paramref name="product"/>'s tally for the UTC day of <paramref name="timestamp"/>
    /// (for the per product-day statistics).
    /// </summary>
    public void RecordPurchase(byte arm, int product, long timestamp, int quantity, Money unitPrice, Money unitCost)
    {
        if (quantity <= 0)
        {
            return;
        }

        RecordPurchase(arm, quantity, unitPrice, unitCost);
        if ((uint)product >= (uint)_openDay.Length)
        {
            GrowProducts(product);
        }

        long day = Math.DivRem(timestamp, DayMs, out long rest) - (rest < 0 ? 1 : 0);
        if (_openDay[product] != day || _openArm[product] != arm)
        {
            CloseDay(product);
            _openDay[product] = day;
            _openArm[product] = arm;
        }

        long revenue = quantity * unitPrice.Ticks;
        _openRevenue[product] += revenue;
        _openProfit[product] += revenue - (unitCost.Ticks > 0 ? quantity * unitCost.Ticks : 0);
        _firstTimestamp = Math.Min(_firstTimestamp, timestamp);
        _lastTimestamp = Math.Max(_lastTimestamp, timestamp);
    }

    /// <summary>
    /// Per-arm sums over product-days: every product of the arm counts one observation per UTC day from
    /// the first to the last purchase seen (a day without sales counts as zero).
    /// </summary>
    public ArmDailySums[] DailySums()
    {
        int arms = _products.Length;
        var profit = (double[])_dayProfitSum.Clone();
        var profitSq = (double[])_dayProfitSquares.Clone();
        var revenue = (double[])_dayRevenueSum.Clone();
        var revenueSq = (double[])_dayRevenueSquares.Clone();
        for (int p = 0; p < _openDay.Length; p++)
        {
            if (_openDay[p] != long.MinValue)
            {
                int a = _openArm[p];
                double x = _openProfit[p] / (double)Money.Scale, y = _openRevenue[p] / (double)Money.Scale;
                profit[a] += x;
                profitSq[a] += x * x;
                revenue[a] += y;
                revenueSq[a] += y * y;
            }
        }

        long days = _lastTimestamp < _firstTimestamp ? 0 : ((_lastTimestamp / DayMs) - (_firstTimestamp / DayMs)) + 1;
        var sums = new ArmDailySums[arms];
        for (int a = 0; a < arms; a++)
        {
            sums[a] = new ArmDailySums(a, _assignment.GetName(a), _assignment.GetStrategy(a), _products[a] * days, profit[a], profitSq[a], revenue[a], revenueSq[a]);
        }

        return sums;
    }

    private void CloseDay(int product)
    {
        if (_openDay[product] == long.MinValue)
        {
            return;
        }

        int a = _openArm[product];
        double x = _openProfit[product] / (double)Money.Scale, y = _openRevenue[product] / (double)Money.Scale;
        _dayProfitSum[a] += x;
        _dayProfitSquares[a] += x * x;
        _dayRevenueSum[a] += y;
        _dayRevenueSquares[a] += y * y;
        _openProfit[product] = 0;
        _openRevenue[product] = 0;
        _openDay[product] = long.MinValue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowProducts(int product)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(product);
        int old = _openDay.Length;
        int size = Math.Max(product + 1, Math.Max(64, old * 2));
        Array.Resize(ref _openDay, size);
        Array.Resize(ref _openProfit, size);
        Array.Resize(ref _openRevenue, size);
        Array.Resize(ref _openArm, size);
        _openDay.AsSpan(old).Fill(long.MinValue);
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
        w.WriteArray<double>(_dayProfitSum);
        w.WriteArray<double>(_dayProfitSquares);
        w.WriteArray<double>(_dayRevenueSum);
        w.WriteArray<double>(_dayRevenueSquares);
        w.WriteInt64(_firstTimestamp);
        w.WriteInt64(_lastTimestamp);
        w.WriteInt32(_openDay.Length);
        w.WriteArray<long>(_openDay);
        w.WriteArray<long>(_openProfit);
        w.WriteArray<long>(_openRevenue);
        w.WriteArray<byte>(_openArm);
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
        r.ReadArray<double>(_dayProfitSum, "arm product-day profit sums");
        r.ReadArray<double>(_dayProfitSquares, "arm product-day profit squares");
        r.ReadArray<double>(_dayRevenueSum, "arm product-day revenue sums");
        r.ReadArray<double>(_dayRevenueSquares, "arm product-day revenue squares");
        _firstTimestamp = r.ReadInt64("first purchase time");
        _lastTimestamp = r.ReadInt64("last purchase time");
        int open = r.ReadCount("products with an open day");
        _openDay = new long[open];
        _openProfit = new long[open];
        _openRevenue = new long[open];
        _openArm = new byte[open];
        r.ReadArray<long>(_openDay, "open product days");
        r.ReadArray<long>(_openProfit, "open product-day profit");
        r.ReadArray<long>(_openRevenue, "open product-day revenue");
        r.ReadArray<byte>(_openArm, "open product-day arms");
        foreach (var a in _openArm)
        {
            if (a >= _products.Length)
            {
                SnapshotFormat.ThrowInvalid($"an open product-day names arm {a}; this engine has {_products.Length}.");
            }
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
