using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Pricing;

/// <summary>
/// Turns what the engine knows about a product into a <see cref="PricingDecision"/>:
/// strategy → bounds → price ending → minimum change. One instance per engine (single-threaded: it
/// owns a scratch buffer); the options are copied at construction. Zero allocations per call once
/// the scratch buffer has grown to the largest competitor count seen.
/// </summary>
/// <remarks>
/// <para><b>Strategy.</b> The target price comes from the arm's <see cref="PricingStrategyKind"/>:
/// Hold keeps the old price; MatchLowest takes the lowest usable competitor price; BeatLowest takes
/// lowest × (1 − BeatBy); Percentile takes the Percentile of the competitor prices
/// (<see cref="CompetitorPriceStats.TryPercentile"/>). The result is rounded half to even to a tick.
/// A competitive strategy without usable competitor prices falls back to the old price; with no old
/// price either (or Hold without an old price) there is no usable input and no decision.</para>
/// <para><b>Bounds</b> are resolved into one feasible interval [lo, hi], strongest first; each weaker
/// bound narrows the interval only as far as the stronger ones allow, and when it does not overlap at
/// all the interval collapses to its edge nearest that bound:</para>
/// <list type="number">
/// <item>Margin band (only with a known cost): [⌈cost × (1 + MinMargin)⌉, ⌊cost × (1 + MaxMargin)⌋] in
/// ticks. Hard: the final price is always inside it. A band narrower than one tick that holds no
/// tick becomes the single tick ⌈cost × (1 + MinMargin)⌉ (the margin floor wins).</item>
/// <item>MaxChange (only with a known old price): [⌈old × (1 − MaxChange)⌉, ⌊old × (1 + MaxChange)⌋].
/// Yields only to the band: when the band lies outside this window the price is the band edge nearest
/// the old price (e.g. after a cost jump).</item>
/// <item>Absolute bounds: floor max(MinPrice, MAP), ceiling MaxPrice. They yield to the band and to
/// MaxChange, so a far-away MAP or MinPrice is reached in MaxChange steps over several decisions.
/// When MAP is above MaxPrice, MAP wins (selling below MAP breaks a contract; MaxPrice is a house
/// limit).</item>
/// </list>
/// <para>Every price is also kept within one tick and <see cref="Money.MaxPrice"/> (reported as
/// MinPrice / MaxPrice when they bind).</para>
/// <para><b>Minor units.</b> Every price a decision carries is a whole number of the currency's minor unit
/// (<see cref="CurrencyCode.MinorUnitDigits"/>: JPY 1, USD 0.01, KWD 0.001): the target is rounded half to even to
/// it, and every bound edge is rounded inward (a floor up, a ceiling down) before the bounds are resolved, so
/// rounding never breaks a bound (see <see cref="ResolveBounds"/> for a bound narrower than one unit). A price
/// ending that is not a whole number of minor units (0.99 in JPY) is not applied.</para>
/// <para><b>Price ending</b> (PriceEnding ≥ 0): the price is rounded down to the ending (12.34 → 11.99);
/// when that leaves [lo, hi], the ending just above is tried (12.99); when that leaves it too, the
/// price stays unended.</para>
/// <para><b>Minimum change</b>: when the old price is known and itself inside [lo, hi], a price that
/// moved by less than MinChangeToPublish × old goes back to the old price (SetBy = NoChange). A price
/// that equals the old one for any other reason keeps the SetBy of the rule that put it there;
/// engines publish a decision when NewPrice ≠ OldPrice.</para>
/// <para><b>Attribution.</b> SetBy is the single rule whose value the final price is: the strategy,
/// the bound whose edge clamped it, PriceEnding, or NoChange. Bounded holds every bound the target
/// price broke (whether or not that bound won), plus SetBy when SetBy is not the strategy.</para>
/// </remarks>
internal sealed class PricingRulePipeline
{
    private readonly long _minMarginFactorPpb;
    private readonly long _maxMarginFactorPpb;
    private readonly long _maxChangePpb;
    private readonly long _minChangePpb;
    private readonly long _minPriceTicks;
    private readonly long _maxPriceTicks;
    private readonly long _endingTicks;
    private readonly double _beatFactor;
    private readonly double _percentile;
    private double[] _scratch = new double[64];

    /// <summary>Copies and checks the pricing options.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent (<see cref="PricingOptions.Validate"/>).</exception>
    public PricingRulePipeline(PricingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _minMarginFactorPpb = PriceMath.Billion + PriceMath.ToPpb(options.MinMargin);
        _maxMarginFactorPpb = PriceMath.Billion + PriceMath.ToPpb(options.MaxMargin);
        _maxChangePpb = PriceMath.ToPpb(options.MaxChange);
        _minChangePpb = PriceMath.ToPpb(options.MinChangeToPublish);
        _minPriceTicks = Money.FromDouble(options.MinPrice).Ticks;
        _maxPriceTicks = Math.Max(1, Money.FromDouble(options.MaxPrice).Ticks);
        _endingTicks = options.PriceEnding < 0 ? -1 : Money.FromDouble(options.PriceEnding).Ticks;
        _beatFactor = 1 - options.BeatBy;
        _percentile = options.Percentile;
    }

    /// <summary>
    /// Prices one product with <paramref name="strategy"/> and writes the decision.
    /// </summary>
    /// <param name="input">The product's current state.</param>
    /// <param name="strategy">The strategy of the product's experiment arm.</param>
    /// <param name="arm">The arm index, copied into the decision.</param>
    /// <param name="decision">The decision; <c>default</c> when the method returns false.</param>
    /// <returns>False when there is no usable input: no old price and no usable competitor price (or Hold without an old price).</returns>
    public bool TryDecide(scoped in PricingInput input, PricingStrategyKind strategy, byte arm, out PricingDecision decision)
    {
        long old = ClampInput(input.OldPrice.Ticks);
        if (!TryTarget(input.CompetitorPrices, strategy, old, out long target))
        {
            decision = default;
            return false;
        }

        // Every price from here on is a whole number of the currency's minor units (a shelf price).
        long unit = input.Currency.MinorUnitTicks;
        target = Math.Clamp(PriceMath.RoundTo(target, unit), unit, PriceMath.FloorTo(Money.MaxPrice.Ticks, unit));
        var bounds = ResolveBounds(old, ClampInput(input.UnitCost.Ticks), ClampInput(input.MapFloor.Ticks), target, out var broken, unit);

        long price;
        PricingRules setBy;
        if (target < bounds.Lo)
        {
            price = bounds.Lo;
            setBy = bounds.LoRule;
        }
        else if (target > bounds.Hi)
        {
            price = bounds.Hi;
            setBy = bounds.HiRule;
        }
        else
        {
            price = target;
            setBy = PricingRules.Strategy;
        }

        if (_endingTicks >= 0 && _endingTicks % unit == 0 && TryApplyEnding(price, bounds, out var ended))
        {
            price = ended;
            setBy = PricingRules.PriceEnding;
        }

        if (old > 0 && price != old && old >= bounds.Lo && old <= bounds.Hi && PriceMath.RelativeChangeBelow(price, old, _minChangePpb))
        {
            price = old;
            setBy = PricingRules.NoChange;
        }

        var bounded = setBy == PricingRules.Strategy ? broken : broken | setBy;
        var id = DeterministicId.Of(input.ProductHash, (ulong)input.Trigger, (ulong)input.Timestamp, (ulong)price);
        decision = new PricingDecision(
            id,
            input.ProductId,
            new Money(old),
            new Money(price),
            new Money(target),
            input.Currency,
            strategy,
            arm,
            input.Trigger,
            setBy,
            bounded,
            input.Timestamp);
        return true;
    }

    /// <summary>
    /// The feasible interval after every bound, by the precedence in the class remarks, and in
    /// <paramref name="broken"/> every bound <paramref name="target"/> lies outside of.
    /// </summary>
    /// <remarks>
    /// Inputs are ticks in [0, <see cref="Money.MaxPrice"/>]; 0 means unknown / none. Every edge is rounded
    /// inward to a multiple of <paramref name="unit"/> (a lower bound up, an upper bound down), so any price in
    /// the interval that is a whole number of units keeps every bound. A bound that holds no whole unit becomes
    /// one unit: the margin band its rounded-up floor (the margin floor wins, as for a band narrower than a tick),
    /// the MaxChange window the unit nearest the old price, the absolute bounds the rounded-up floor.
    /// </remarks>
    internal PriceBounds ResolveBounds(long old, long cost, long map, long target, out PricingRules broken, long unit = 1)
    {
        broken = PricingRules.None;
        var bounds = new PriceBounds(unit, PriceMath.FloorTo(Money.MaxPrice.Ticks, unit), PricingRules.MinPrice, PricingRules.MaxPrice);

        if (cost > 0)
        {
            long bandLo = PriceMath.CeilingTo(PriceMath.MulCeil(cost, _minMarginFactorPpb), unit);
            long bandHi = Math.Max(bandLo, PriceMath.FloorTo(PriceMath.MulFloor(cost, _maxMarginFactorPpb), unit));
            if (target < bandLo)
            {
                broken |= PricingRules.MinMargin;
            }
            else if (target > bandHi)
            {
                broken |= PricingRules.MaxMargin;
            }

            bounds.Narrow(bandLo, bandHi, PricingRules.MinMargin, PricingRules.MaxMargin);
        }

        if (old > 0)
        {
            long changeLo = PriceMath.CeilingTo(PriceMath.MulCeil(old, PriceMath.Billion - _maxChangePpb), unit);
            long changeHi = PriceMath.FloorTo(PriceMath.MulFloor(old, PriceMath.Billion + _maxChangePpb), unit);
            if (changeHi < changeLo)
            {
                changeLo = changeHi = Math.Max(unit, PriceMath.RoundTo(old, unit));
            }

            if (target < changeLo || target > changeHi)
            {
                broken |= PricingRules.MaxChange;
            }

            bounds.Narrow(changeLo, changeHi, PricingRules.MaxChange, PricingRules.MaxChange);
        }

        long floor = PriceMath.CeilingTo(_minPriceTicks, unit);
        var floorRule = PricingRules.MinPrice;
        if (map > 0 && map >= _minPriceTicks)
        {
            floor = PriceMath.CeilingTo(map, unit);
            floorRule = PricingRules.MapFloor;
        }

        if (target < _minPriceTicks)
        {
            broken |= PricingRules.MinPrice;
        }

        if (target < map)
        {
            broken |= PricingRules.MapFloor;
        }

        long ceiling = Math.Max(unit, PriceMath.FloorTo(_maxPriceTicks, unit));
        var ceilingRule = PricingRules.MaxPrice;
        if (target > ceiling)
        {
            broken |= PricingRules.MaxPrice;
        }

        if (floor > ceiling)
        {
            ceiling = floor; // MAP above MaxPrice: MAP wins
            ceilingRule = floorRule;
        }

        bounds.Narrow(floor, ceiling, floorRule, ceilingRule);
        return bounds;
    }

    /// <summary>Unknown (≤ 0) becomes 0; amounts above <see cref="Money.MaxPrice"/> are taken as it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ClampInput(long ticks) => Math.Clamp(ticks, 0, Money.MaxPrice.Ticks);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTarget(ReadOnlySpan<double> competitors, PricingStrategyKind strategy, long old, out long target)
    {
        double value;
        bool found;
        switch (strategy)
        {
            case PricingStrategyKind.MatchLowest:
                found = CompetitorPriceStats.TryLowest(competitors, out value);
                break;
            case PricingStrategyKind.BeatLowest:
                found = CompetitorPriceStats.TryLowest(competitors, out value);
                value *= _beatFactor;
                break;
            case PricingStrategyKind.Percentile:
                found = CompetitorPriceStats.TryPercentile(competitors, _percentile, Scratch(competitors.Length), out value);
                break;
            default:
                found = false;
                value = 0;
                break;
        }

        if (found && Money.TryFromDouble(value, out var money))
        {
            target = Math.Clamp(money.Ticks, 1, Money.MaxPrice.Ticks);
            return true;
        }

        // Hold, or a competitive strategy with nothing to compete against: keep the old price.
        target = old;
        return old > 0;
    }

    private bool TryApplyEnding(long price, in PriceBounds bounds, out long ended)
    {
        ended = PriceMath.FloorToEnding(price, _endingTicks);
        if (ended == price)
        {
            return false;
        }

        if (bounds.Contains(ended))
        {
            return true;
        }

        ended += Money.Scale;
        return bounds.Contains(ended);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<double> Scratch(int length)
    {
        if (length > _scratch.Length)
        {
            GrowScratch(length);
        }

        return _scratch;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowScratch(int length) => _scratch = new double[Math.Max(length, _scratch.Length * 2)];
}

/// <summary>The feasible price interval in ticks and the rule behind each edge.</summary>
internal struct PriceBounds(long lo, long hi, PricingRules loRule, PricingRules hiRule)
{
    public long Lo = lo;
    public long Hi = hi;
    public PricingRules LoRule = loRule;
    public PricingRules HiRule = hiRule;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Contains(long price) => price >= Lo && price <= Hi;

    /// <summary>
    /// Intersects with a weaker bound [lo, hi]. When they do not overlap the interval collapses to its
    /// own edge nearest the weaker bound, which keeps the stronger bounds intact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Narrow(long lo, long hi, PricingRules loRule, PricingRules hiRule)
    {
        if (lo > Hi)
        {
            Lo = Hi;
            LoRule = HiRule;
        }
        else if (hi < Lo)
        {
            Hi = Lo;
            HiRule = LoRule;
        }
        else
        {
            if (lo > Lo)
            {
                Lo = lo;
                LoRule = loRule;
            }

            if (hi < Hi)
            {
                Hi = hi;
                HiRule = hiRule;
            }
        }
    }
}
