using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Engine.Anomaly;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Experiments;
using PriceIntel.Engine.Pricing;
using PriceIntel.Engine.Signals;
using PriceIntel.Engine.Statistics;

namespace PriceIntel;

/// <summary>
/// The engine for one partition of products: takes batches of <see cref="MarketEvent"/>s and keeps
/// windowed price and demand statistics, the live competitor board, anomaly detectors, market signal
/// rules, pricing rules and the A/B experiment — all in flat arrays indexed by interned ids, so a
/// steady-state batch allocates nothing. Single-threaded: one engine per partition, fed by one thread
/// (the pipeline's engine task); scale out by running more engines on disjoint products.
/// </summary>
/// <remarks>
/// Per event:
/// <list type="bullet">
/// <item>Lateness: an event more than <see cref="WindowOptions.AllowedLatenessSeconds"/> behind the newest
/// event time the engine has seen is counted in <see cref="EngineCounters.Late"/> and not merged.</item>
/// <item>Competitor price: scored by the pair's anomaly detector. A one-off outlier (likely a bad scrape)
/// is counted, may raise a <see cref="SignalKind.PriceAnomaly"/>, and is kept out of statistics and the
/// board; a normal point or a confirmed level shift updates pair and product windows and the board,
/// and may raise <see cref="SignalKind.CompetitorPriceDrop"/> (which triggers a pricing run).</item>
/// <item>Demand: windowed counts; purchases are tallied to the product's experiment arm; the short
/// window's rate is compared with the long window's for <see cref="SignalKind.DemandSurge"/>.</item>
/// <item>Inventory, cost and list price update the product; low stock raises
/// <see cref="SignalKind.LowInventory"/>; a cost change triggers a pricing run.</item>
/// <item>A pricing run happens when the product's update interval has elapsed (at the first event of any
/// product at or after the due time) or a signal or cost change triggers it (rate-limited); a decision
/// is emitted when the price changes.</item>
/// </list>
/// Prices are compared within one currency per product (the first priced event fixes it); events in
/// another currency are refused as invalid — PriceIntel does not convert currencies.
/// </remarks>
public sealed partial class MarketEngine
{
    private const int PairWindowBuckets = 12;
    private const int PrefetchDistance = 8;
    private const int LoggedRefusals = 20;
    private const int SeriesRing = 16; // a power of two above PrefetchDistance: pair ids looked up ahead

    private readonly PriceIntelOptions _options;
    private readonly MarketKeys _keys;
    private readonly ILogger _logger;
    private readonly OutputBuffer _output = new();
    private readonly PairTable _pairs;
    private readonly SlidingWindowSeries _productPrices;
    private readonly SlidingWindowSeries _pairPrices;
    private readonly DemandWindows _demand;
    private readonly CompetitorBoard _board;
    private readonly RobustSeriesDetector _detector;
    private readonly CompetitorPriceDropRule _dropRule;
    private readonly PriceAnomalyRule _anomalyRule;
    private readonly DemandSurgeRule _surgeRule;
    private readonly LowInventoryRule _inventoryRule;
    private readonly PricingRulePipeline _pricer;
    private readonly PricingSchedule _schedule;
    private readonly ExperimentAssignment _assignment;
    private readonly ArmTallies _tallies;
    private readonly long _lateness;
    private readonly long _surgeCheckEveryMs;

    // The engine's own per-product arrays (not readonly: a struct of arrays that grows in place).
    private ProductColumns _columns = new();
    private int _pairCapacity;

    private long _watermark = long.MinValue;
    private long _eventsIn;
    private long _invalid;
    private long _late;
    private long _outliers;
    private long _drops;
    private long _surges;
    private long _lowInventories;
    private long _anomalies;
    private long _pricingRuns;
    private long _decisions;

    private MarketEngine(PriceIntelOptions options, MarketKeys keys, ILogger logger, int initialProducts, int initialPairs = 0)
    {
        _options = options;
        _keys = keys;
        _logger = logger;
        int products = Math.Max(16, initialProducts);
        int pairs = Math.Max(products * 8, initialPairs);
        var (shortMs, mediumMs, longMs) = options.Windows.LengthsMs;
        _lateness = options.Windows.AllowedLatenessMs;
        _pairs = new PairTable(pairs);
        _productPrices = new SlidingWindowSeries([shortMs, mediumMs, longMs], options.Windows.BucketsPerWindow, options.Windows.EwmaAlpha, products);
        long pairWindowMs = (long)(options.Windows.PairWindowMinutes * 60_000);
        _pairPrices = new SlidingWindowSeries(
            pairWindowMs > 0 ? [pairWindowMs] : [],
            Math.Min(PairWindowBuckets, options.Windows.BucketsPerWindow),
            options.Windows.EwmaAlpha,
            pairs,
            medianCapacity: 0);
        _demand = new DemandWindows([shortMs, longMs], options.Windows.BucketsPerWindow, products);
        _surgeCheckEveryMs = Math.Max(1, shortMs / options.Windows.BucketsPerWindow);
        _board = new CompetitorBoard(products);
        _detector = new RobustSeriesDetector(EngineAnomalyOptions.From(options.Anomaly), pairs);
        _dropRule = new CompetitorPriceDropRule(options.Alerts, keys, pairs);
        _anomalyRule = new PriceAnomalyRule(options.Alerts, keys, pairs);
        _surgeRule = new DemandSurgeRule(options.Alerts, keys, products);
        _inventoryRule = new LowInventoryRule(options.Alerts, keys, products);
        _pricer = new PricingRulePipeline(options.Pricing);
        _schedule = new PricingSchedule(options.Pricing);
        _assignment = new ExperimentAssignment(options.Experiment, options.Pricing);
        _tallies = new ArmTallies(_assignment);
        GrowProducts(products - 1);
        GrowPairs(pairs - 1);
    }

    /// <summary>Creates an engine.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="keys">The key tables the events' ids come from (shared with sources and sinks).</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="initialProducts">Products to make room for up front (state grows on demand).</param>
    /// <exception cref="ArgumentNullException">options or keys is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent; the message names them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialProducts"/> products do not fit in the memory the process may use (<see cref="EngineCapacity"/>); the message names the limit.</exception>
    public static MarketEngine Create(PriceIntelOptions options, MarketKeys keys, ILogger? logger = null, int initialProducts = 1024)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        options.Validate();
        EngineCapacity.Validate(options, Math.Max(0, initialProducts));
        return new MarketEngine(options, keys, logger ?? NullLogger.Instance, initialProducts);
    }

    /// <summary>The key tables the engine's ids refer to.</summary>
    public MarketKeys Keys => _keys;

    /// <summary>The settings the engine runs with.</summary>
    public PriceIntelOptions Options => _options;

    /// <summary>Newest event time seen, Unix ms (<see cref="long.MinValue"/> before the first event).</summary>
    public long Watermark => _watermark;

    /// <summary>Running totals. Read from the engine's thread (or between batches).</summary>
    public EngineCounters Counters => new(_eventsIn, _invalid, _late, _outliers, _drops, _surges, _lowInventories, _anomalies, _pricingRuns, _decisions);

    /// <summary>
    /// Processes one batch and returns its outputs. The returned memory is reused by the next call:
    /// consume or copy it before calling again.
    /// </summary>
    /// <param name="events">The events, in roughly event-time order (out of order within the allowed lateness is fine).</param>
    /// <returns>Signals and decisions raised by this batch.</returns>
    public OutputBatch Process(ReadOnlySpan<MarketEvent> events)
    {
        _output.Clear();

        // Two-stage software pipeline: 2·D events ahead, ask for the pair-table slot and the product's
        // lines; D events ahead, look the pair up (its slot is cached by now) and ask for its detector
        // and series state. The state of 10,000 products × 8 competitors does not fit in cache, so
        // this turns a chain of dependent misses into overlapping ones.
        int n = events.Length;
        Span<int> seriesAhead = stackalloc int[SeriesRing];
        seriesAhead.Fill(-1);
        for (int i = 0; i < n; i++)
        {
            if (i + (2 * PrefetchDistance) < n)
            {
                PrefetchProduct(in events[i + (2 * PrefetchDistance)]);
            }

            if (i + PrefetchDistance < n)
            {
                seriesAhead[(i + PrefetchDistance) & (SeriesRing - 1)] = PrefetchPair(in events[i + PrefetchDistance]);
            }

            if (i + (PrefetchDistance / 2) < n)
            {
                PrefetchBoundaries(in events[i + (PrefetchDistance / 2)], seriesAhead[(i + (PrefetchDistance / 2)) & (SeriesRing - 1)]);
            }

            ref int known = ref seriesAhead[i & (SeriesRing - 1)];
            ProcessOne(in events[i], known);
            known = -1;
        }

        return new OutputBatch(_output.SignalMemory, _output.DecisionMemory, _keys);
    }

    /// <summary>
    /// Sets a product's minimum advertised price (MAP floor); zero removes it. Call it from the engine's
    /// thread or between batches, like every other member (the engine is single-threaded).
    /// </summary>
    /// <param name="product">The product key (SKU).</param>
    /// <param name="mapFloor">The floor.</param>
    /// <exception cref="ArgumentException">The key is unusable.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The floor is negative.</exception>
    public void SetMapFloor(string product, Money mapFloor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mapFloor.Ticks, nameof(mapFloor));
        int id = _keys.Products.Intern(product);
        if (id >= _columns.Capacity)
        {
            GrowProducts(id);
        }

        // The arm is assigned (and the first pricing run made) when the product's first event arrives.
        _columns.MapFloor[id] = mapFloor.Ticks;
    }

    /// <summary>
    /// The live state of one product as of the newest event time seen. Call it from the engine's thread
    /// or between batches (the engine is single-threaded); it allocates.
    /// </summary>
    /// <param name="product">The product key (SKU).</param>
    /// <param name="view">The product's view; null when the engine has seen no event for the product.</param>
    /// <returns>True when the product is known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="product"/> is null.</exception>
    public bool TryGetView(string product, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProductView? view)
    {
        ArgumentNullException.ThrowIfNull(product);
        if (!_keys.Products.TryGetId(product, out int p) || p >= _columns.Capacity || _columns.Arm[p] == ProductColumns.Unassigned)
        {
            view = null;
            return false;
        }

        long asOf = _watermark;
        var board = _board.Read(p, new Money(_columns.OurPrice[p]));
        var offers = new List<CompetitorOffer>(_board.CompetitorCount(p));
        for (int slot = 0; slot < _board.CompetitorCount(p); slot++)
        {
            var quote = _board.GetSlot(p, slot);
            _pairs.TryGet(p, quote.CompetitorId, out int series);
            offers.Add(new CompetitorOffer(
                _keys.Competitors.GetName(quote.CompetitorId),
                quote.Price.ToDecimal(),
                quote.Availability,
                DateTimeOffset.FromUnixTimeMilliseconds(quote.Timestamp),
                series >= 0 ? _pairPrices.Ewma(series) : double.NaN,
                series >= 0 ? _pairPrices.Change(series) : 0));
        }

        offers.Sort((a, b) => a.Price.CompareTo(b.Price));
        var (shortMs, mediumMs, longMs) = _options.Windows.LengthsMs;
        long[] priceLengths = [shortMs, mediumMs, longMs];
        var prices = new List<PriceWindowStats>(3);
        for (int w = 0; w < priceLengths.Length; w++)
        {
            var stats = _productPrices.Read(p, w, asOf);
            prices.Add(new PriceWindowStats(priceLengths[w] / 60_000.0, stats.Count, stats.Mean, stats.StdDev, stats.Min, stats.Max, stats.Median));
        }

        long[] demandLengths = [shortMs, longMs];
        var demand = new List<DemandWindowStats>(2);
        for (int w = 0; w < demandLengths.Length; w++)
        {
            var d = _demand.Read(p, w, asOf);
            demand.Add(new DemandWindowStats(demandLengths[w] / 60_000.0, d.Views, d.AddToCarts, d.Purchases, d.Units, d.Revenue, d.Conversion, d.ActionsPerHour));
        }

        long next = _schedule.NextDue(p);
        byte arm = _columns.Arm[p];
        view = new ProductView(
            product,
            CurrencyOf(p).ToString(),
            new Money(_columns.OurPrice[p]).ToDecimal(),
            new Money(_columns.Cost[p]).ToDecimal(),
            _columns.Inventory[p],
            _assignment.GetName(arm),
            _assignment.GetStrategy(arm),
            offers,
            board.Lowest.ToDecimal(),
            board.Median.ToDecimal(),
            board.Highest.ToDecimal(),
            board.Rank,
            board.GapToLowest,
            prices,
            demand,
            next == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(next));
        return true;
    }

    /// <summary>Entries in the pricing schedule's queue (for tests: it must stay bounded).</summary>
    internal int ScheduledQueueLength => _schedule.QueuedCount;

    /// <summary>How each experiment arm has done so far (allocates; not for the hot path).</summary>
    public IReadOnlyList<ExperimentArmReport> GetArmReports() => _tallies.Snapshot();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchProduct(in MarketEvent e)
    {
        if (e.Kind == MarketEventKind.CompetitorPrice)
        {
            int p = e.ProductId;
            _pairs.Prefetch(p, e.CompetitorId);
            _productPrices.Prefetch(p);
            _board.Prefetch(p);
        }
        else if (e.Kind == MarketEventKind.Demand)
        {
            _demand.Prefetch(e.ProductId);
        }
    }

    /// <returns>The pair's series id when the pair is known, else -1 (ProcessOne then adds it).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PrefetchPair(in MarketEvent e)
    {
        if (e.Kind == MarketEventKind.CompetitorPrice && _pairs.TryGet(e.ProductId, e.CompetitorId, out int series) && series < _pairCapacity)
        {
            _detector.Prefetch(series);
            _pairPrices.Prefetch(series);
            return series;
        }

        return -1;
    }

    // Third stage: the series states are cached by now, so check whether the add will cross a bucket
    // boundary (every few values for a sparse series) and, if so, ask for the buckets it merges into.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchBoundaries(in MarketEvent e, int series)
    {
        if (e.Kind == MarketEventKind.CompetitorPrice)
        {
            _productPrices.PrefetchBoundary(e.ProductId, e.Timestamp);
            if (series >= 0)
            {
                _pairPrices.PrefetchBoundary(series, e.Timestamp);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ProcessOne(in MarketEvent e, int knownSeries)
    {
        _eventsIn++;
        long ts = e.Timestamp;
        if (ts > _watermark)
        {
            _watermark = ts;
        }
        else if (ts < _watermark - _lateness)
        {
            _late++;
            return;
        }

        int p = e.ProductId;
        if ((uint)p >= (uint)_columns.Capacity)
        {
            if (p < 0)
            {
                Refuse("negative product id", in e);
                return;
            }

            GrowProducts(p);
        }

        bool firstSight = _columns.Arm[p] == ProductColumns.Unassigned;
        if (firstSight)
        {
            AssignArm(p);
        }

        switch (e.Kind)
        {
            case MarketEventKind.CompetitorPrice:
                OnCompetitorPrice(in e, p, ts, knownSeries);
                break;
            case MarketEventKind.Demand:
                OnDemand(in e, p, ts);
                break;
            case MarketEventKind.Inventory:
                OnInventory(in e, p, ts);
                break;
            case MarketEventKind.Cost:
                OnCost(in e, p, ts);
                break;
            case MarketEventKind.ListPrice:
                OnListPrice(in e, p);
                break;
            default:
                Refuse("unknown event kind", in e);
                return;
        }

        // A product is priced first when it is first seen; every run queues its next due time, and
        // products come due at the first event (of any product) at or after that time. Taking from
        // the queue is one compare when nothing is due, and drops entries superseded by later runs.
        if (firstSight)
        {
            RunPricing(p, ts, DecisionTrigger.Scheduled);
        }

        while (_schedule.TryTakeDue(ts, out int due))
        {
            RunPricing(due, ts, DecisionTrigger.Scheduled);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void OnCompetitorPrice(in MarketEvent e, int p, long ts, int knownSeries)
    {
        int c = e.CompetitorId;
        if (!e.Price.IsValidPrice || c < 0 || !AcceptCurrency(p, e.Currency))
        {
            Refuse("competitor price is not a valid price, has no competitor, or is not in the product's currency", in e);
            return;
        }

        int series = knownSeries >= 0 ? knownSeries : _pairs.GetOrAdd(p, c);
        if (series >= _pairCapacity)
        {
            GrowPairs(series);
        }

        double price = e.Price.ToDouble();
        var verdict = _detector.Observe(series, ts, price);
        if (_anomalyRule.Evaluate(series, p, c, price, in verdict, ts, _output))
        {
            _anomalies++;
        }

        if (verdict.Verdict == AnomalyVerdict.Outlier)
        {
            _outliers++;
            return;
        }

        _pairPrices.Add(series, ts, price);
        _productPrices.Add(p, ts, price);
        _board.Update(p, c, e.Price, e.Availability, ts, out _);
        if (_dropRule.Evaluate(series, p, c, price, verdict.Baseline, verdict.Verdict, ts, _output))
        {
            _drops++;
            RunPricing(p, ts, DecisionTrigger.CompetitorPriceDrop);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void OnDemand(in MarketEvent e, int p, long ts)
    {
        var action = e.Action;
        if (action is < DemandAction.View or > DemandAction.Purchase || e.Quantity < 0)
        {
            Refuse("demand event has an unknown action or a negative quantity", in e);
            return;
        }

        double paid = 0;
        if (action == DemandAction.Purchase)
        {
            if (!e.Price.IsValidPrice || !AcceptCurrency(p, e.Currency))
            {
                Refuse("purchase price is not a valid price or not in the product's currency", in e);
                return;
            }

            paid = e.Price.ToDouble();
            _tallies.RecordPurchase(_columns.Arm[p], p, e.Timestamp, e.Quantity, e.Price, new Money(_columns.Cost[p]));
        }

        _demand.Add(p, ts, action, e.Quantity, paid);
        if (ts - _columns.LastSurgeCheck[p] >= _surgeCheckEveryMs)
        {
            _columns.LastSurgeCheck[p] = ts;
            CheckDemandSurge(p, ts);
        }
    }

    private void CheckDemandSurge(int p, long ts)
    {
        var recent = _demand.Read(p, 0, ts);
        var baseline = _demand.Read(p, 1, ts);
        if (_surgeRule.Evaluate(p, recent.ActionsPerHour, baseline.ActionsPerHour, recent.Views + recent.AddToCarts + recent.Purchases, ts, _output))
        {
            _surges++;
            RunPricing(p, ts, DecisionTrigger.DemandSurge);
        }
    }

    private void OnInventory(in MarketEvent e, int p, long ts)
    {
        if (e.Quantity < 0)
        {
            Refuse("inventory is negative", in e);
            return;
        }

        _columns.Inventory[p] = e.Quantity;
        if (_inventoryRule.Evaluate(p, e.Quantity, ts, _output))
        {
            _lowInventories++;
            RunPricing(p, ts, DecisionTrigger.LowInventory);
        }
    }

    private void OnCost(in MarketEvent e, int p, long ts)
    {
        if (!e.Price.IsValidPrice || !AcceptCurrency(p, e.Currency))
        {
            Refuse("unit cost is not a valid price or not in the product's currency", in e);
            return;
        }

        long previous = _columns.Cost[p];
        _columns.Cost[p] = e.Price.Ticks;
        if (previous != 0 && previous != e.Price.Ticks && _columns.OurPrice[p] != 0)
        {
            RunPricing(p, ts, DecisionTrigger.CostChange);
        }
    }

    private void OnListPrice(in MarketEvent e, int p)
    {
        if (!e.Price.IsValidPrice || !AcceptCurrency(p, e.Currency))
        {
            Refuse("list price is not a valid price or not in the product's currency", in e);
            return;
        }

        _columns.OurPrice[p] = e.Price.Ticks;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AcceptCurrency(int p, CurrencyCode currency)
    {
        ushort have = _columns.Currency[p];
        if (have == currency.Value)
        {
            return true;
        }

        if (have == 0 && !currency.IsEmpty)
        {
            _columns.Currency[p] = currency.Value;
            return true;
        }

        // An event without a currency is taken to be in the product's currency.
        return currency.IsEmpty;
    }

    [SkipLocalsInit]
    private void RunPricing(int p, long ts, DecisionTrigger trigger)
    {
        if (!_schedule.IsDue(p, ts, trigger))
        {
            return;
        }

        _schedule.MarkRun(p, ts);
        _pricingRuns++;
        Span<double> prices = stackalloc double[_board.SlotsPerProduct];
        int n = _board.CopyInStockPrices(p, prices);
        var input = new PricingInput(
            p,
            _keys.Products.GetStableHash(p),
            new Money(_columns.OurPrice[p]),
            new Money(_columns.Cost[p]),
            new Money(_columns.MapFloor[p]),
            prices[..n],
            trigger,
            ts,
            CurrencyOf(p));
        byte arm = _columns.Arm[p];
        var strategy = _assignment.GetStrategy(arm);
        if ((strategy == PricingStrategyKind.MaximizeProfit ? TryDecideByModel(p, in input, arm, out var decision) : _pricer.TryDecide(in input, strategy, arm, out decision))
            && decision.NewPrice != decision.OldPrice)
        {
            _columns.OurPrice[p] = decision.NewPrice.Ticks;
            _tallies.RecordDecision(in decision);
            _output.Add(in decision);
            _decisions++;
        }
    }

    private CurrencyCode CurrencyOf(int p) => CurrencyCode.FromValue(_columns.Currency[p]);

    // Counted always; the first few are logged with their reason so an operator can see why events
    // from a source that does not validate (in-memory, a custom one) were refused.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refuse(string reason, in MarketEvent e)
    {
        if (++_invalid <= LoggedRefusals)
        {
            LogRefused(reason, e.Kind, e.ProductId, e.Timestamp);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event refused ({Reason}): {Kind} for product id {ProductId} at {Timestamp}; refused events are counted in EngineCounters.Invalid, only the first 20 are logged")]
    private partial void LogRefused(string reason, MarketEventKind kind, int productId, long timestamp);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AssignArm(int p)
    {
        byte arm = _assignment.Assign(_keys.Products.GetStableHash(p));
        _columns.Arm[p] = arm;
        _tallies.RecordProduct(arm);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowProducts(int id)
    {
        int size = Math.Max(id + 1, Math.Max(16, _columns.Capacity * 2));
        _columns.Grow(size);
        _productPrices.EnsureCapacity(size);
        _demand.EnsureCapacity(size);
        _board.EnsureCapacity(size);
        _surgeRule.EnsureCapacity(size);
        _inventoryRule.EnsureCapacity(size);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowPairs(int series)
    {
        int size = Math.Max(series + 1, Math.Max(16, _pairCapacity * 2));
        _pairPrices.EnsureCapacity(size);
        _detector.EnsureCapacity(size);
        _dropRule.EnsureCapacity(size);
        _anomalyRule.EnsureCapacity(size);
        _pairCapacity = size;
    }
}
