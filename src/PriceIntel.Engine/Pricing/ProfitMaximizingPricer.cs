using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Scoring;

namespace PriceIntel.Engine.Pricing;

/// <summary>
/// <see cref="PricingStrategyKind.MaximizeProfit"/>: for one pricing run, the price that maximises
/// expected profit per hour, (price − unit cost) × predicted units (or revenue, price × units, per
/// <see cref="PricingOptions.Objective"/>; revenue also when the cost is unknown), under a
/// <see cref="DemandModel"/>.
/// </summary>
/// <remarks>
/// <para><b>Search space.</b> Every bound is resolved first, exactly as the rule pipeline does
/// (<see cref="PricingRulePipeline.ResolveBounds"/>: margin band, max change, MAP, min/max price), and
/// only prices inside the feasible interval [lo, hi] are candidates, so no bound can be broken. With a
/// price ending configured, the candidates are the ended prices in [lo, hi] (every one when there are
/// at most <see cref="GridSize"/>, otherwise an even grid of them and then every ended price between
/// the best grid point's neighbours); when no ended price fits, an even grid of
/// <see cref="GridSize"/> cent prices from lo to hi. The current price is a candidate too when it is
/// inside [lo, hi]. Ties go to the lowest price.</para>
/// <para><b>Minimum change</b> as in the rule pipeline: a best price within MinChangeToPublish of a
/// feasible current price keeps the current price (SetBy NoChange).</para>
/// <para><b>Attribution.</b> TargetPrice is the chosen price, SetBy Strategy, unless the best candidate
/// is at an edge of [lo, hi] and the model prefers a price 2 % beyond that edge: then the edge's rule is
/// SetBy and in Bounded and TargetPrice is that price beyond the edge. The decision's
/// <see cref="PricingDecision.Estimate"/> holds the model id and expected units and profit per hour at
/// the new and the old price.</para>
/// <para>Single-threaded like the engine; no allocation per run once its scratch buffers have grown to
/// the largest competitor count seen.</para>
/// </remarks>
internal sealed class ProfitMaximizingPricer
{
    /// <summary>Most candidates scored in one pass.</summary>
    public const int GridSize = 48;

    private const long Cent = Money.Scale / 100;
    private readonly PricingRulePipeline _rules;
    private readonly long _endingTicks;
    private readonly long _minChangePpb;
    private readonly PricingObjective _objective;
    private readonly float[] _rows = new float[(GridSize + 8) * DemandFeatures.Count];
    private readonly float[] _units = new float[GridSize + 8];
    private readonly long[] _candidates = new long[GridSize + 8];
    private int[] _modelIndex = [];
    private double[] _ownLevel = [];
    private long[] _ownLevelTime = [];

    /// <summary>Creates the strategy over the engine's rule pipeline (for the bounds).</summary>
    public ProfitMaximizingPricer(PricingOptions options, PricingRulePipeline rules, DemandModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(model);
        _rules = rules;
        Model = model;
        _endingTicks = options.PriceEnding < 0 ? -1 : Money.FromDouble(options.PriceEnding).Ticks;
        _minChangePpb = PriceMath.ToPpb(options.MinChangeToPublish);
        _objective = options.Objective;
    }

    /// <summary>The demand model.</summary>
    public DemandModel Model { get; }

    /// <summary>
    /// Our recent price level for <paramref name="productId"/>, brought up to <paramref name="now"/> with
    /// the current price (call once per run, before <see cref="TryDecide"/>).
    /// </summary>
    public double AdvanceOwnLevel(int productId, double price, long now)
    {
        EnsureProduct(productId);
        if (price <= 0)
        {
            return _ownLevel[productId];
        }

        double level = OwnPriceLevel.Update(_ownLevel[productId], _ownLevelTime[productId], price, now);
        _ownLevel[productId] = level;
        _ownLevelTime[productId] = now;
        return level;
    }

    /// <summary>Index of the product in an elasticity model (−1 unknown), resolved once per product id.</summary>
    public int ModelIndex(int productId, string productKey)
    {
        EnsureProduct(productId);
        ref int index = ref _modelIndex[productId];
        if (index == int.MinValue)
        {
            index = Model.Elasticity?.IndexOf(productKey) ?? -1;
        }

        return index;
    }

    /// <summary>Prices one product.</summary>
    /// <param name="input">The product's state, as for the rule pipeline.</param>
    /// <param name="context">The demand context (competitors, demand, stock, time) for the model's features.</param>
    /// <param name="modelIndex">The product's row in an elasticity model (<see cref="ModelIndex"/>).</param>
    /// <param name="arm">The experiment arm, copied into the decision.</param>
    /// <param name="decision">The decision; default when false.</param>
    /// <returns>False when there is nothing to price from: no old price, no competitor and no cost.</returns>
    [SkipLocalsInit]
    public bool TryDecide(scoped in PricingInput input, scoped in DemandContext context, int modelIndex, byte arm, out PricingDecision decision)
    {
        long old = Math.Clamp(input.OldPrice.Ticks, 0, Money.MaxPrice.Ticks);
        long cost = Math.Clamp(input.UnitCost.Ticks, 0, Money.MaxPrice.Ticks);
        long map = Math.Clamp(input.MapFloor.Ticks, 0, Money.MaxPrice.Ticks);
        if (old <= 0 && context.Lowest <= 0 && cost <= 0)
        {
            decision = default;
            return false;
        }

        long seed = old > 0 ? old : context.Lowest > 0 ? Money.FromDouble(context.Lowest).Ticks : cost;
        var bounds = _rules.ResolveBounds(old, cost, map, seed, out _);
        long lo = bounds.Lo, hi = bounds.Hi;

        int n = Candidates(lo, hi, out long step);
        bool oldFeasible = old > 0 && old >= lo && old <= hi;
        var candidates = _candidates.AsSpan();
        if (oldFeasible && candidates[..n].IndexOf(old) < 0)
        {
            candidates[n++] = old;
        }

        Score(in context, candidates[..n], modelIndex, _units);
        int best = ArgMax(candidates[..n], _units, cost);

        if (step > 1)
        {
            // Every ended price between the best grid point's neighbours.
            long from = Math.Max(lo, candidates[best] - step);
            long to = Math.Min(hi, candidates[best] + step);
            long bestPrice = candidates[best];
            int m = 0;
            for (long p = FirstEndedAtOrAbove(from); p <= to && m < GridSize; p += Money.Scale)
            {
                candidates[m++] = p;
            }

            if (candidates[..m].IndexOf(bestPrice) < 0)
            {
                candidates[m++] = bestPrice;
            }

            Score(in context, candidates[..m], modelIndex, _units);
            best = ArgMax(candidates[..m], _units, cost);
            n = m;
        }

        long price = candidates[best];
        float units = _units[best];
        var setBy = PricingRules.Strategy;
        var bounded = PricingRules.None;
        long target = price;

        // Would the model go beyond an edge? Then that edge's rule set the price.
        if (price == MaxOf(candidates[..n]) && hi < Money.MaxPrice.Ticks && IsBetterBeyond(in context, price, Math.Min(Money.MaxPrice.Ticks, hi + Math.Max(1, hi / 50)), modelIndex, cost, units, out long beyond))
        {
            setBy = bounds.HiRule;
            bounded = bounds.HiRule;
            target = beyond;
        }
        else if (price == MinOf(candidates[..n]) && lo > 1 && IsBetterBeyond(in context, price, Math.Max(1, lo - Math.Max(1, lo / 50)), modelIndex, cost, units, out beyond))
        {
            setBy = bounds.LoRule;
            bounded = bounds.LoRule;
            target = beyond;
        }

        if (oldFeasible && price != old && PriceMath.RelativeChangeBelow(price, old, _minChangePpb))
        {
            price = old;
            setBy = PricingRules.NoChange;
            bounded |= PricingRules.NoChange;
        }

        // Expected units at the new and the old price, for the decision's estimate.
        Span<long> pair = [price, old > 0 ? old : price];
        Score(in context, pair, modelIndex, _units);
        var estimate = new PricingEstimate(
            Model.Id,
            _units[0],
            old > 0 ? _units[1] : 0,
            (float)Profit(price, cost, _units[0]),
            old > 0 ? (float)Profit(old, cost, _units[1]) : 0);

        var id = DeterministicId.Of(input.ProductHash, (ulong)input.Trigger, (ulong)input.Timestamp, (ulong)price);
        decision = new PricingDecision(
            id,
            input.ProductId,
            new Money(old),
            new Money(price),
            new Money(target),
            input.Currency,
            PricingStrategyKind.MaximizeProfit,
            arm,
            input.Trigger,
            setBy,
            bounded,
            input.Timestamp,
            estimate);
        return true;
    }

    /// <summary>Expected units per hour at each price (≥ 0).</summary>
    internal void Score(scoped in DemandContext context, ReadOnlySpan<long> prices, int modelIndex, Span<float> units)
    {
        if (Model.Trees is { } trees)
        {
            int f = DemandFeatures.Count;
            var rows = _rows.AsSpan(0, prices.Length * f);
            DemandFeatures.WriteStatic(in context, rows[..f]);
            for (int i = 1; i < prices.Length; i++)
            {
                rows[..f].CopyTo(rows.Slice(i * f, f));
            }

            for (int i = 0; i < prices.Length; i++)
            {
                DemandFeatures.WritePrice(in context, new Money(prices[i]).ToDouble(), rows.Slice(i * f, f));
            }

            trees.PredictBatch(rows, units[..prices.Length]);
            for (int i = 0; i < prices.Length; i++)
            {
                units[i] = Math.Max(0, units[i]);
            }
        }
        else
        {
            var elasticity = Model.Elasticity!;
            double reference = context.Lowest > 0 ? context.Lowest : context.OwnLevel;
            for (int i = 0; i < prices.Length; i++)
            {
                double p = new Money(prices[i]).ToDouble();
                double x = reference > 0 ? Math.Log(p / reference) : 0;
                units[i] = (float)elasticity.PredictUnitsPerHour(modelIndex, x, context.Timestamp);
            }
        }
    }

    private double Objective(long price, long cost, float units) =>
        _objective == PricingObjective.Revenue || cost <= 0 ? new Money(price).ToDouble() * units : Profit(price, cost, units);

    private static double Profit(long price, long cost, float units) => (price - Math.Max(cost, 0)) / (double)Money.Scale * units;

    private int ArgMax(ReadOnlySpan<long> prices, ReadOnlySpan<float> units, long cost)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < prices.Length; i++)
        {
            double v = Objective(prices[i], cost, units[i]);
            if (v > bestValue || (v == bestValue && prices[i] < prices[best]))
            {
                best = i;
                bestValue = v;
            }
        }

        return best;
    }

    private bool IsBetterBeyond(scoped in DemandContext context, long price, long probe, int modelIndex, long cost, float units, out long beyond)
    {
        beyond = probe;
        Span<long> one = [probe];
        Score(in context, one, modelIndex, _units.AsSpan(GridSize + 4));
        return Objective(probe, cost, _units[GridSize + 4]) > Objective(price, cost, units);
    }

    /// <summary>Fills the first pass of candidates; <paramref name="step"/> &gt; 1 when the ended prices were thinned to a grid.</summary>
    private int Candidates(long lo, long hi, out long step)
    {
        var c = _candidates;
        step = 1;
        if (_endingTicks >= 0)
        {
            long first = FirstEndedAtOrAbove(lo);
            if (first <= hi)
            {
                long count = ((hi - first) / Money.Scale) + 1;
                long every = count <= GridSize ? 1 : (count + GridSize - 1) / GridSize;
                int n = 0;
                for (long p = first; p <= hi && n < GridSize; p += every * Money.Scale)
                {
                    c[n++] = p;
                }

                step = every == 1 ? 1 : every * Money.Scale;
                return n;
            }
        }

        if (hi - lo < GridSize * Cent)
        {
            int n = 0;
            for (long p = lo; p <= hi && n < GridSize; p += Cent)
            {
                c[n++] = p;
            }

            if (c[n - 1] != hi && n < GridSize + 4)
            {
                c[n++] = hi;
            }

            return n;
        }

        for (int i = 0; i < GridSize; i++)
        {
            long p = lo + (long)((hi - lo) * (i / (double)(GridSize - 1)));
            c[i] = i == 0 ? lo : i == GridSize - 1 ? hi : Math.Clamp((p + (Cent / 2)) / Cent * Cent, lo, hi);
        }

        return GridSize;
    }

    private long FirstEndedAtOrAbove(long ticks)
    {
        long e = PriceMath.FloorToEnding(ticks, _endingTicks);
        return e < ticks ? e + Money.Scale : e;
    }

    private static long MaxOf(ReadOnlySpan<long> values)
    {
        long m = long.MinValue;
        foreach (var v in values)
        {
            m = Math.Max(m, v);
        }

        return m;
    }

    private static long MinOf(ReadOnlySpan<long> values)
    {
        long m = long.MaxValue;
        foreach (var v in values)
        {
            m = Math.Min(m, v);
        }

        return m;
    }

    private void EnsureProduct(int productId)
    {
        if ((uint)productId < (uint)_modelIndex.Length)
        {
            return;
        }

        Grow(productId);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int productId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(productId);
        int old = _modelIndex.Length;
        int size = Math.Max(productId + 1, Math.Max(64, old * 2));
        Array.Resize(ref _modelIndex, size);
        Array.Resize(ref _ownLevel, size);
        Array.Resize(ref _ownLevelTime, size);
        _modelIndex.AsSpan(old).Fill(int.MinValue);
    }
}
