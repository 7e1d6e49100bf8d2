using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Simulation;

/// <summary>
/// The state of the simulated market in struct-of-arrays form (products indexed 0..N−1, (product,
/// competitor) pairs indexed product·M + competitor) and the generation of one tick of events.
/// Single-threaded: only the simulator's reader touches it. All randomness comes from seeded
/// <see cref="Xoshiro256"/> generators consumed in a fixed order, so a seed fixes the stream: one for the
/// market, one for the elasticities, and with common random numbers one per product-hour for shoppers.
/// </summary>
/// <remarks>
/// Demand model, per product p at event time t (rates piecewise constant per tick):
/// <list type="bullet">
/// <item>g = clamp((our price / lowest in-stock competitor price)^−ε_p, 0.05, 4), ε_p the product's own
/// elasticity (its category's, spread around it; see <see cref="SimulatedCatalog"/>); the product's base
/// price stands in when no competitor is in stock. Competitor prices are the real ones as of their
/// last scrape (scrape errors excluded).</item>
/// <item>views per hour = popularity_p · (1 + A·sin(2π(h − 14)/24)) · spike_p(t) · g^0.3, a Poisson process;</item>
/// <item>P(add-to-cart | view) = min(0.95, cartRate · g^0.7), 3–43 s after the view;</item>
/// <item>P(purchase | add-to-cart) = purchaseRate, 5–95 s later, 1 unit (80 %), 2 (15 %) or 3 (5 %),
/// at our current price, while stock lasts (otherwise a lost sale).</item>
/// </list>
/// So purchases scale with g: 20 % above the lowest competitor sells 1.2^−3 ≈ 58 % of parity with ε = 3.
/// Stock is reserved when the purchase is generated; one inventory event per product per tick
/// reports the stock after the tick's changes. At the reorder point a restock is ordered, arriving
/// after the configured lead time.
/// </remarks>
internal sealed class SimulatedMarket
{
    public const long MsPerHour = 3_600_000;
    public const long MsPerWeek = 7 * 24 * MsPerHour;
    private const long Cent = Money.Scale / 100;
    private const double ViewShare = 0.3;
    private const double LnMinResponse = -2.995732273553991; // ln 0.05
    private const double LnMaxResponse = 1.3862943611198906; // ln 4
    private const double MeanQuantity = 1.25;
    private const double MaxUndercutStep = 0.12;

    private readonly int _productCount;
    private readonly int _competitorCount;
    private readonly long _start;
    private readonly long _end;
    private readonly long _tickMs;
    private readonly CurrencyCode _currency;
    private readonly double[] _elasticity;
    private readonly bool _commonRandomNumbers;
    private readonly ulong _seed;
    private readonly double _addToCartRate;
    private readonly double _purchaseRate;
    private readonly double _seasonality;
    private readonly double _scrapeErrorRate;
    private readonly double _promotionsPerMs;
    private readonly double _spikesPerTick;
    private readonly double _costChangesPerTick;
    private readonly long _minLeadMs;
    private readonly long _maxLeadMs;

    private readonly int[] _productIds;
    private readonly int[] _competitorIds;
    private readonly int[] _platformIds;
    private readonly CompetitorBehavior[] _behaviors;
    private readonly int[] _indexOfProductId;

    // Products.
    private readonly long[] _basePrice;
    private readonly long[] _ourPrice;
    private readonly long[] _ourPriceTime;
    private readonly long[] _unitCost;
    private readonly long[] _lowest;
    private readonly double[] _popularity;
    private readonly double[] _spikeFactor;
    private readonly long[] _spikeEnd;
    private readonly double[] _viewRate;
    private readonly double[] _cartProbability;
    private readonly double[] _arrivalBudget;
    private readonly int[] _stock;
    private readonly int[] _reorderPoint;
    private readonly int[] _orderQuantity;
    private readonly long[] _restockAt;
    private readonly long[] _inventoryChangedAt;
    private readonly int[] _dirty;
    private int _dirtyCount;

    // (product, competitor) pairs.
    private readonly long[] _pairPrice;
    private readonly long[] _pairRegular;
    private readonly long[] _promoEnd;
    private readonly long[] _nextScrape;
    private readonly int[] _intervalMs;
    private readonly Availability[] _availability;
    private readonly int[] _wheelNext;
    private readonly int[] _wheelHead;
    private readonly int _wheelMask;

    // Common random numbers: each product's shoppers of the current hour.
    private readonly Xoshiro256[] _shopperRng;
    private readonly long[] _shopperHour;

    private Xoshiro256 _rng;
    private SimulatorCounters _counters;

    public SimulatedMarket(MarketSimulatorOptions options, MarketKeys keys)
    {
        _productCount = options.ProductCount;
        _competitorCount = options.CompetitorCount;
        var pairs = (long)_productCount * _competitorCount;
        if (pairs > 32_000_000)
        {
            throw new ArgumentException($"Simulator:ProductCount × Simulator:CompetitorCount ({pairs}) must not exceed 32,000,000.");
        }

        _start = options.Start.ToUnixTimeMilliseconds();
        _end = _start + (long)options.Duration.TotalMilliseconds;
        _tickMs = (long)options.Tick.TotalMilliseconds;
        TickCount = (int)((_end - _start + _tickMs - 1) / _tickMs);
        _currency = options.Currency;
        _elasticity = SimulatedCatalog.Elasticities(options).Products;
        _commonRandomNumbers = options.CommonRandomNumbers;
        _seed = options.Seed;
        _addToCartRate = options.AddToCartRate;
        _purchaseRate = options.PurchaseRate;
        _seasonality = options.DailySeasonality;
        _scrapeErrorRate = options.ScrapeErrorRate;
        _promotionsPerMs = options.PromotionsPerPairPerWeek / MsPerWeek;
        _spikesPerTick = _productCount * options.ViralSpikesPerProductPerWeek * _tickMs / MsPerWeek;
        _costChangesPerTick = _productCount * options.CostChangesPerProductPerWeek * _tickMs / MsPerWeek;
        _minLeadMs = (long)(options.MinRestockLeadHours * MsPerHour);
        _maxLeadMs = (long)(options.MaxRestockLeadHours * MsPerHour);
        _rng = new Xoshiro256(options.Seed);

        // Keys: interned once, here.
        _productIds = new int[_productCount];
        for (int p = 0; p < _productCount; p++)
        {
            _productIds[p] = keys.Products.Intern(SimulatedCatalog.ProductKey(p, _productCount));
        }

        _indexOfProductId = new int[keys.Products.Count];
        Array.Fill(_indexOfProductId, -1);
        for (int p = 0; p < _productCount; p++)
        {
            _indexOfProductId[_productIds[p]] = p;
        }

        string[] platforms = ["webshop", "marketplace", "comparison-site"];
        _competitorIds = new int[_competitorCount];
        _platformIds = new int[_competitorCount];
        _behaviors = new CompetitorBehavior[_competitorCount];
        for (int c = 0; c < _competitorCount; c++)
        {
            _competitorIds[c] = keys.Competitors.Intern("competitor-" + (c + 1).ToString("D2", CultureInfo.InvariantCulture));
            _platformIds[c] = keys.Platforms.Intern(platforms[c % platforms.Length]);
            _behaviors[c] = (CompetitorBehavior)(c % 4);
        }

        _basePrice = new long[_productCount];
        _ourPrice = new long[_productCount];
        _ourPriceTime = new long[_productCount];
        _unitCost = new long[_productCount];
        _lowest = new long[_productCount];
        _popularity = new double[_productCount];
        _spikeFactor = new double[_productCount];
        _spikeEnd = new long[_productCount];
        _viewRate = new double[_productCount];
        _cartProbability = new double[_productCount];
        _arrivalBudget = new double[_productCount];
        _stock = new int[_productCount];
        _reorderPoint = new int[_productCount];
        _orderQuantity = new int[_productCount];
        _restockAt = new long[_productCount];
        _inventoryChangedAt = new long[_productCount];
        _dirty = new int[_productCount];
        _shopperRng = _commonRandomNumbers ? new Xoshiro256[_productCount] : [];
        _shopperHour = _commonRandomNumbers ? new long[_productCount] : [];
        Array.Fill(_shopperHour, -1);

        _pairPrice = new long[pairs];
        _pairRegular = new long[pairs];
        _promoEnd = new long[pairs];
        _nextScrape = new long[pairs];
        _intervalMs = new int[pairs];
        _availability = new Availability[pairs];
        _wheelNext = new int[pairs];
        var maxAheadTicks = (long)Math.Ceiling(options.MaxScrapeIntervalMinutes * 60_000 * 1.1 / _tickMs) + 2;
        _wheelHead = new int[BitOperations.RoundUpToPowerOf2((uint)maxAheadTicks + 1)];
        _wheelMask = _wheelHead.Length - 1;
        Array.Fill(_wheelHead, -1);

        InitializeProducts(options);
    }

    /// <summary>Ticks in the simulation (the last may be shorter).</summary>
    public int TickCount { get; }

    public long Start => _start;

    public long End => _end;

    public long TickMs => _tickMs;

    public ref readonly SimulatorCounters Counters => ref _counters;

    public long TickStart(int tick) => _start + (tick * _tickMs);

    /// <summary>Product index of a key id, or −1 when the id is not a simulated product.</summary>
    public int IndexOf(int productId) => (uint)productId < (uint)_indexOfProductId.Length ? _indexOfProductId[productId] : -1;

    /// <summary>Sets our price from a decision at <paramref name="timestamp"/>; an older decision than the one in force is ignored.</summary>
    public bool ApplyOurPrice(int index, long priceTicks, long timestamp)
    {
        if (timestamp < _ourPriceTime[index])
        {
            return false;
        }

        _ourPriceTime[index] = timestamp;
        if (_ourPrice[index] != priceTicks)
        {
            _ourPrice[index] = priceTicks;
            UpdateResponse(index);
        }

        return true;
    }

    /// <summary>Generates every event of tick <paramref name="tick"/> into <paramref name="buffer"/>, sorted by time.</summary>
    public void GenerateTick(int tick, TickEventBuffer buffer)
    {
        var tickStart = TickStart(tick);
        var tickEnd = Math.Min(tickStart + _tickMs, _end);
        buffer.Begin(tickStart, tickEnd - tickStart);

        if (tick == 0)
        {
            EmitInitialState(buffer);
        }

        ScrapeDuePairs(tick, buffer);
        StartViralSpikes(tickStart);
        ChangeCosts(tickStart, tickEnd, buffer);
        GenerateDemand(tickStart, tickEnd, buffer);
        EmitInventoryChanges(buffer);
        buffer.Sort();

        _counters.Ticks++;
        _counters.Events += buffer.Count;
        if (tick == TickCount - 1)
        {
            _counters.DroppedAtEnd += buffer.DiscardSpill();
        }
    }

    private void InitializeProducts(MarketSimulatorOptions o)
    {
        var lnMinBase = Math.Log(o.MinBasePrice);
        var lnMaxBase = Math.Log(o.MaxBasePrice);
        var viewsPerMs = o.ViewsPerProductPerHour / MsPerHour;
        var minIntervalMs = o.MinScrapeIntervalMinutes * 60_000;
        var maxIntervalMs = o.MaxScrapeIntervalMinutes * 60_000;
        var m = _competitorCount;
        for (int p = 0; p < _productCount; p++)
        {
            var basePrice = Math.Exp(_rng.NextDouble(lnMinBase, lnMaxBase));
            _basePrice[p] = ToTicks(basePrice);
            _unitCost[p] = ToTicks(basePrice * _rng.NextDouble(o.MinUnitCostFraction, o.MaxUnitCostFraction));

            // Log-normal popularity with σ = 1 and the configured mean.
            _popularity[p] = viewsPerMs * Math.Exp(_rng.NextGaussian() - 0.5);
            _spikeFactor[p] = 1;
            _arrivalBudget[p] = _rng.NextExponential();
            _inventoryChangedAt[p] = -1;

            var unitsPerDay = _popularity[p] * 24 * MsPerHour * o.AddToCartRate * o.PurchaseRate * MeanQuantity;
            _reorderPoint[p] = Math.Max(12, (int)Math.Ceiling(unitsPerDay * 2));
            _orderQuantity[p] = Math.Max(30, (int)Math.Ceiling(unitsPerDay * 14));
            _stock[p] = _reorderPoint[p] + 1 + _rng.NextInt(_orderQuantity[p]);

            long lowest = 0;
            for (int c = 0; c < m; c++)
            {
                var pair = (p * m) + c;
                var regular = WithNinetyNineEnding(basePrice * _rng.NextDouble(0.92, 1.12));
                _pairRegular[pair] = regular;
                _pairPrice[pair] = regular;
                _availability[pair] = _rng.Chance(0.03) ? Availability.OutOfStock : Availability.InStock;
                var interval = (int)_rng.NextDouble(minIntervalMs, maxIntervalMs);
                _intervalMs[pair] = Math.Max(1, interval);
                Schedule(pair, _start + (long)(_rng.NextDouble() * interval));
                if (_availability[pair] != Availability.OutOfStock && (lowest == 0 || regular < lowest))
                {
                    lowest = regular;
                }
            }

            _lowest[p] = lowest;
            _ourPrice[p] = o.InitialPriceMarkup is { } markup && lowest > 0
                ? RoundToCents(lowest * (1 + markup))
                : WithNinetyNineEnding(basePrice);
            _ourPriceTime[p] = long.MinValue;
            UpdateResponse(p);
        }
    }

    private void EmitInitialState(TickEventBuffer buffer)
    {
        for (int p = 0; p < _productCount; p++)
        {
            var id = _productIds[p];
            buffer.Add(MarketEvent.ListPrice(id, new Money(_ourPrice[p]), _currency, _start));
            buffer.Add(MarketEvent.Cost(id, new Money(_unitCost[p]), _currency, _start));
            buffer.Add(MarketEvent.Inventory(id, _stock[p], _start));
        }

        _counters.InventoryUpdates += _productCount;
        _counters.CostChanges += _productCount;
    }

    private void ScrapeDuePairs(int tick, TickEventBuffer buffer)
    {
        var slot = tick & _wheelMask;
        var head = _wheelHead;
        while (head[slot] >= 0)
        {
            // Detach the list first: pairs due again within this tick go on a fresh list.
            var pair = head[slot];
            head[slot] = -1;
            while (pair >= 0)
            {
                var next = _wheelNext[pair];
                var time = _nextScrape[pair];
                Scrape(pair, time, buffer);
                var interval = _intervalMs[pair];
                Schedule(pair, time + Math.Max(1, (long)(interval * _rng.NextDouble(0.9, 1.1))));
                pair = next;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Schedule(int pair, long time)
    {
        _nextScrape[pair] = time;
        if (time >= _end)
        {
            return;
        }

        var slot = (int)((time - _start) / _tickMs) & _wheelMask;
        _wheelNext[pair] = _wheelHead[slot];
        _wheelHead[slot] = pair;
    }

    private void Scrape(int pair, long time, TickEventBuffer buffer)
    {
        var p = pair / _competitorCount;
        var c = pair - (p * _competitorCount);
        var oldPrice = _pairPrice[pair];
        var oldAvailability = _availability[pair];
        var price = oldPrice;

        switch (_behaviors[c])
        {
            case CompetitorBehavior.Promotional:
                if (_promoEnd[pair] != 0)
                {
                    if (time >= _promoEnd[pair])
                    {
                        price = _pairRegular[pair];
                        _promoEnd[pair] = 0;
                    }
                }
                else if (_rng.Chance(_promotionsPerMs * _intervalMs[pair]))
                {
                    var cut = _rng.NextDouble(0.15, 0.40);
                    price = Math.Max(Cent, (long)(_pairRegular[pair] * (1 - cut)) / Cent * Cent); // rounded down: at least 15 % off
                    _promoEnd[pair] = time + (long)_rng.NextDouble(2 * MsPerHour, 24 * MsPerHour);
                    _counters.PromotionsStarted++;
                }

                break;

            case CompetitorBehavior.Undercutter:
                price = Undercut(p, pair, oldPrice);
                break;

            case CompetitorBehavior.Drifting:
                // Mean-reverting walk: 5 % of the gap to the regular price back, plus noise of σ ≈ 1.5 %.
                var gap = (_pairRegular[pair] / (double)oldPrice) - 1;
                price = RoundToCents(oldPrice * (1 + (0.05 * gap) + (0.015 * _rng.NextRoughGaussian())));
                break;

            default:
                break;
        }

        var availability = NextAvailability(oldAvailability);
        _pairPrice[pair] = price;
        _availability[pair] = availability;
        if (price != oldPrice || availability != oldAvailability)
        {
            UpdateLowest(p);
        }

        var observed = price;
        if (_rng.Chance(_scrapeErrorRate))
        {
            observed = _rng.NextInt(4) switch
            {
                0 => price * 10,
                1 => price / 10,
                2 => price * 100,
                _ => price / 100,
            };
            observed = Math.Max(Cent, observed / Cent * Cent);
            _counters.ScrapeErrors++;
        }

        buffer.Add(MarketEvent.CompetitorPrice(_productIds[p], _competitorIds[c], _platformIds[c], new Money(observed), _currency, availability, time));
        _counters.CompetitorPrices++;
    }

    private long Undercut(int p, int pair, long current)
    {
        var m = _competitorCount;
        var first = p * m;
        var target = _ourPrice[p];
        for (int i = first; i < first + m; i++)
        {
            if (i != pair && _availability[i] != Availability.OutOfStock && _pairPrice[i] < target)
            {
                target = _pairPrice[i];
            }
        }

        var regular = (double)_pairRegular[pair];
        var wanted = target * (1 - _rng.NextDouble(0.005, 0.02));
        wanted = Math.Clamp(wanted, regular * 0.75, regular * 1.10);
        wanted = Math.Max(wanted, current * (1 - MaxUndercutStep));
        return RoundToCents(wanted);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Availability NextAvailability(Availability current)
    {
        var u = _rng.NextDouble();
        return current switch
        {
            Availability.InStock => u < 0.004 ? Availability.OutOfStock : u < 0.012 ? Availability.LimitedStock : Availability.InStock,
            Availability.OutOfStock => u < 0.15 ? Availability.InStock : Availability.OutOfStock,
            _ => u < 0.2 ? Availability.InStock : u < 0.25 ? Availability.OutOfStock : current,
        };
    }

    private void UpdateLowest(int p)
    {
        var m = _competitorCount;
        var first = p * m;
        long lowest = 0;
        for (int i = first; i < first + m; i++)
        {
            if (_availability[i] != Availability.OutOfStock && (lowest == 0 || _pairPrice[i] < lowest))
            {
                lowest = _pairPrice[i];
            }
        }

        if (lowest != _lowest[p])
        {
            _lowest[p] = lowest;
            UpdateResponse(p);
        }
    }

    /// <summary>Recomputes the view rate and add-to-cart probability of a product from its prices and spike.</summary>
    private void UpdateResponse(int p)
    {
        var reference = _lowest[p] > 0 ? _lowest[p] : _basePrice[p];
        var lnResponse = Math.Clamp(-_elasticity[p] * Math.Log(_ourPrice[p] / (double)reference), LnMinResponse, LnMaxResponse);
        _viewRate[p] = _popularity[p] * _spikeFactor[p] * Math.Exp(ViewShare * lnResponse);
        _cartProbability[p] = Math.Min(0.95, _addToCartRate * Math.Exp((1 - ViewShare) * lnResponse));
    }

    private void StartViralSpikes(long tickStart)
    {
        var spikes = _rng.NextPoisson(_spikesPerTick);
        for (int i = 0; i < spikes; i++)
        {
            var p = _rng.NextInt(_productCount);
            _spikeFactor[p] = _rng.NextDouble(3, 10);
            _spikeEnd[p] = tickStart + (long)_rng.NextDouble(2 * MsPerHour, 6 * MsPerHour);
            UpdateResponse(p);
            _counters.ViralSpikes++;
        }
    }

    private void ChangeCosts(long tickStart, long tickEnd, TickEventBuffer buffer)
    {
        var changes = _rng.NextPoisson(_costChangesPerTick);
        for (int i = 0; i < changes; i++)
        {
            var p = _rng.NextInt(_productCount);
            _unitCost[p] = RoundToCents(_unitCost[p] * _rng.NextDouble(0.95, 1.08));
            var time = tickStart + _rng.NextInt((int)(tickEnd - tickStart));
            buffer.Add(MarketEvent.Cost(_productIds[p], new Money(_unitCost[p]), _currency, time));
            _counters.CostChanges++;
        }
    }

    private void GenerateDemand(long tickStart, long tickEnd, TickEventBuffer buffer)
    {
        var length = tickEnd - tickStart;
        var middle = tickStart + (length / 2);
        var hour = (double)(((middle % (24 * MsPerHour)) + (24 * MsPerHour)) % (24 * MsPerHour)) / MsPerHour;
        var exposure = (1 + (_seasonality * Math.Sin(2 * Math.PI * (hour - 14) / 24))) * length;
        var viewRate = _viewRate;
        var budget = _arrivalBudget;

        for (int p = 0; p < viewRate.Length; p++)
        {
            if (_restockAt[p] != 0 && _restockAt[p] < tickEnd)
            {
                Restock(p, Math.Max(tickStart, _restockAt[p]));
            }

            if (_spikeEnd[p] != 0 && _spikeEnd[p] <= tickStart)
            {
                _spikeEnd[p] = 0;
                _spikeFactor[p] = 1;
                UpdateResponse(p);
            }

            if (_commonRandomNumbers)
            {
                GenerateShoppers(p, tickStart, tickEnd, exposure, buffer);
                continue;
            }

            // A Poisson process with a rate constant over the tick: the product carries the unit
            // exponential "distance" to its next arrival in budget[p] and this tick covers `expected`.
            var expected = viewRate[p] * exposure;
            var cumulative = budget[p];
            if (cumulative > expected)
            {
                budget[p] = cumulative - expected;
                continue;
            }

            do
            {
                var time = tickStart + (long)(length * (cumulative / expected));
                EmitView(p, time, tickEnd, buffer);
                cumulative += _rng.NextExponential();
            }
            while (cumulative <= expected);

            budget[p] = cumulative - expected;
        }
    }

    /// <summary>
    /// <see cref="GenerateDemand"/> with common random numbers: the product's own generator, re-seeded
    /// from (seed, product, hour) at each hour, restarts the Poisson process there (memoryless, so the
    /// process is the same) and every view draws six numbers whatever happens, so view k of an hour
    /// meets the same shopper in any run of the seed.
    /// </summary>
    private void GenerateShoppers(int p, long tickStart, long tickEnd, double exposure, TickEventBuffer buffer)
    {
        var length = tickEnd - tickStart;
        ref var rng = ref _shopperRng[p];
        var hour = (tickStart - _start) / MsPerHour;
        if (_shopperHour[p] != hour)
        {
            _shopperHour[p] = hour;
            rng = new Xoshiro256(ShopperSeed(_seed, p, hour));
            _arrivalBudget[p] = rng.NextExponential();
        }

        var expected = _viewRate[p] * exposure;
        var cumulative = _arrivalBudget[p];
        while (cumulative <= expected)
        {
            var time = tickStart + (long)(length * (cumulative / expected));
            double cartDraw = rng.NextDouble(), quantityDraw = rng.NextDouble(), purchaseDraw = rng.NextDouble(), leadDraw = rng.NextDouble();
            int cartDelay = rng.NextInt(40_000), purchaseDelay = rng.NextInt(90_000);
            EmitView(p, time, tickEnd, buffer, cartDraw, quantityDraw, cartDelay, purchaseDraw, purchaseDelay, leadDraw);
            cumulative += rng.NextExponential();
        }

        _arrivalBudget[p] = cumulative - expected;
    }

    /// <summary>The seed of one product-hour's shoppers: SplitMix64-style mixing of seed, product and hour.</summary>
    internal static ulong ShopperSeed(ulong seed, int product, long hour)
    {
        var z = seed ^ (((ulong)(uint)product << 24) | ((ulong)hour & 0xFFFFFF));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) + 0x243F6A8885A308D3UL;
    }

    /// <summary>One view with its draws given (common random numbers); the same outcomes as the other overload's lazily drawn ones.</summary>
    private void EmitView(int p, long time, long tickEnd, TickEventBuffer buffer, double cartDraw, double quantityDraw, int cartDelay, double purchaseDraw, int purchaseDelay, double leadDraw)
    {
        var id = _productIds[p];
        var price = new Money(_ourPrice[p]);
        buffer.Add(MarketEvent.Demand(id, DemandAction.View, 0, price, _currency, time));
        _counters.Views++;
        if (!(cartDraw < _cartProbability[p]))
        {
            return;
        }

        var quantity = quantityDraw < 0.80 ? 1 : quantityDraw < 0.95 ? 2 : 3;
        var cartTime = time + 3_000 + cartDelay;
        buffer.Add(MarketEvent.Demand(id, DemandAction.AddToCart, quantity, price, _currency, cartTime));
        _counters.AddToCarts++;
        if (!(purchaseDraw < _purchaseRate))
        {
            return;
        }

        Purchase(p, id, quantity, price, cartTime + 5_000 + purchaseDelay, tickEnd, buffer, _minLeadMs + ((_maxLeadMs - _minLeadMs) * leadDraw));
    }

    private void EmitView(int p, long time, long tickEnd, TickEventBuffer buffer)
    {
        var id = _productIds[p];
        var price = new Money(_ourPrice[p]);
        buffer.Add(MarketEvent.Demand(id, DemandAction.View, 0, price, _currency, time));
        _counters.Views++;
        if (!_rng.Chance(_cartProbability[p]))
        {
            return;
        }

        var u = _rng.NextDouble();
        var quantity = u < 0.80 ? 1 : u < 0.95 ? 2 : 3;
        var cartTime = time + 3_000 + _rng.NextInt(40_000);
        buffer.Add(MarketEvent.Demand(id, DemandAction.AddToCart, quantity, price, _currency, cartTime));
        _counters.AddToCarts++;
        if (!_rng.Chance(_purchaseRate))
        {
            return;
        }

        var stock = _stock[p];
        if (stock == 0)
        {
            _counters.LostSales++;
            return;
        }

        var sold = Math.Min(quantity, stock);
        var purchaseTime = cartTime + 5_000 + _rng.NextInt(90_000);
        RecordPurchase(p, id, sold, price, purchaseTime, tickEnd, buffer);
        if (_stock[p] <= _reorderPoint[p] && _restockAt[p] == 0)
        {
            _restockAt[p] = purchaseTime + Math.Max(1, (long)_rng.NextDouble(_minLeadMs, _maxLeadMs));
        }
    }

    private void Purchase(int p, int id, int quantity, Money price, long purchaseTime, long tickEnd, TickEventBuffer buffer, double leadMs)
    {
        var stock = _stock[p];
        if (stock == 0)
        {
            _counters.LostSales++;
            return;
        }

        RecordPurchase(p, id, Math.Min(quantity, stock), price, purchaseTime, tickEnd, buffer);
        if (_stock[p] <= _reorderPoint[p] && _restockAt[p] == 0)
        {
            _restockAt[p] = purchaseTime + Math.Max(1, (long)leadMs);
        }
    }

    private void RecordPurchase(int p, int id, int sold, Money price, long purchaseTime, long tickEnd, TickEventBuffer buffer)
    {
        buffer.Add(MarketEvent.Demand(id, DemandAction.Purchase, sold, price, _currency, purchaseTime));
        _counters.Purchases++;
        _counters.UnitsSold += sold;
        _stock[p] -= sold;
        MarkInventoryChanged(p, Math.Min(purchaseTime, tickEnd - 1));
    }

    private void Restock(int p, long time)
    {
        _restockAt[p] = 0;
        _stock[p] += _orderQuantity[p];
        MarkInventoryChanged(p, time);
        _counters.Restocks++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkInventoryChanged(int p, long time)
    {
        var changedAt = _inventoryChangedAt[p];
        if (changedAt < 0)
        {
            _dirty[_dirtyCount++] = p;
        }

        if (time > changedAt)
        {
            _inventoryChangedAt[p] = time;
        }
    }

    private void EmitInventoryChanges(TickEventBuffer buffer)
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            var p = _dirty[i];
            buffer.Add(MarketEvent.Inventory(_productIds[p], _stock[p], _inventoryChangedAt[p]));
            _inventoryChangedAt[p] = -1;
        }

        _counters.InventoryUpdates += _dirtyCount;
        _dirtyCount = 0;
    }

    private static long ToTicks(double units) => RoundToCents(units * Money.Scale);

    private static long RoundToCents(double ticks) => Math.Max(Cent, (long)Math.Round(ticks / Cent) * Cent);

    /// <summary>The nearest shelf price with a .99 ending (23.40 becomes 22.99) for prices of 2 and up; cents below.</summary>
    private static long WithNinetyNineEnding(double units) =>
        units >= 2 ? ((long)Math.Round(units) * Money.Scale) - Cent : ToTicks(units);
}
