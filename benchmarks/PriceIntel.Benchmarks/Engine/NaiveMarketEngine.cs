using PriceIntel.Engine.Anomaly;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Experiments;
using PriceIntel.Engine.Pricing;
using PriceIntel.Engine.Signals;
using PriceIntel.Engine.Statistics;

namespace PriceIntel.Benchmarks.Engine;

/// <summary>
/// <see cref="MarketEngine"/>'s logic with its state kept the obvious way, as the baseline of
/// <see cref="EngineThroughputBenchmarks"/>: dictionaries keyed by product and by (product, competitor), every
/// accepted price and shopper action kept in lists (pruned by a pass over the list on every event) and windows
/// recounted from them, the board as a list per product sorted on every pricing run, the pricing schedule as a
/// sorted set. The per-point decision logic — the anomaly detector, the four signal rules, the pricing rule
/// pipeline and the experiment's assignment and tallies — is the engine's own code, given the same inputs, so
/// both compute the same signals, decisions and state (<see cref="EngineThroughputBenchmarks.Setup"/> checks it).
/// </summary>
internal sealed class NaiveMarketEngine
{
    private const byte Unassigned = byte.MaxValue;

    private readonly PriceIntelOptions _options;
    private readonly MarketKeys _keys;
    private readonly long _lateness;
    private readonly long[] _priceWindows;
    private readonly long[] _demandWindows;
    private readonly int _buckets;
    private readonly long _pairWindow;
    private readonly int _pairBuckets;
    private readonly long _surgeCheckEveryMs;
    private readonly long _intervalMs;

    private readonly Dictionary<(int Product, int Competitor), int> _pairIds = [];
    private readonly Dictionary<int, Product> _products = [];
    private readonly Dictionary<int, List<(long Ts, double Price)>> _pairHistory = [];
    private readonly Dictionary<int, long> _lastRun = [];
    private readonly SortedSet<(long Due, int Product)> _due = [];

    private readonly RobustSeriesDetector _detector;
    private readonly CompetitorPriceDropRule _dropRule;
    private readonly PriceAnomalyRule _anomalyRule;
    private readonly DemandSurgeRule _surgeRule;
    private readonly LowInventoryRule _inventoryRule;
    private readonly PricingRulePipeline _pricer;
    private readonly ExperimentAssignment _assignment;
    private readonly ArmTallies _tallies;
    private readonly OutputBuffer _output = new();

    private long _watermark = long.MinValue;

    public NaiveMarketEngine(PriceIntelOptions options, MarketKeys keys)
    {
        _options = options;
        _keys = keys;
        var (shortMs, mediumMs, longMs) = options.Windows.LengthsMs;
        _lateness = options.Windows.AllowedLatenessMs;
        _priceWindows = [shortMs, mediumMs, longMs];
        _demandWindows = [shortMs, longMs];
        _buckets = options.Windows.BucketsPerWindow;
        _pairWindow = (long)(options.Windows.PairWindowMinutes * 60_000);
        _pairBuckets = Math.Min(12, _buckets);
        _surgeCheckEveryMs = Math.Max(1, shortMs / _buckets);
        _intervalMs = Math.Max(1, (long)options.Pricing.UpdateInterval.TotalMilliseconds);
        _detector = new RobustSeriesDetector(EngineAnomalyOptions.From(options.Anomaly), 16);
        _dropRule = new CompetitorPriceDropRule(options.Alerts, keys, 16);
        _anomalyRule = new PriceAnomalyRule(options.Alerts, keys, 16);
        _surgeRule = new DemandSurgeRule(options.Alerts, keys, 16);
        _inventoryRule = new LowInventoryRule(options.Alerts, keys, 16);
        _pricer = new PricingRulePipeline(options.Pricing);
        _assignment = new ExperimentAssignment(options.Experiment, options.Pricing);
        _tallies = new ArmTallies(_assignment);
    }

    /// <summary>The engine's counters, kept the same way.</summary>
    public EngineCounters Counters => new(EventsIn, Invalid, Late, Outliers, Drops, Surges, LowInventories, Anomalies, PricingRuns, Decisions);

    private long EventsIn { get; set; }

    private long Invalid { get; set; }

    private long Late { get; set; }

    private long Outliers { get; set; }

    private long Drops { get; set; }

    private long Surges { get; set; }

    private long LowInventories { get; set; }

    private long Anomalies { get; set; }

    private long PricingRuns { get; set; }

    private long Decisions { get; set; }

    /// <summary>Processes a batch; returns how many signals and decisions it raised, and adds them to <paramref name="outputs"/> when given.</summary>
    public long Process(ReadOnlySpan<MarketEvent> events, List<string>? outputs = null)
    {
        _output.Clear();
        foreach (var e in events)
        {
            ProcessOne(e);
        }

        if (outputs is not null)
        {
            foreach (var s in _output.Signals)
            {
                outputs.Add(s.ToString());
            }

            foreach (var d in _output.Decisions)
            {
                outputs.Add(d.ToString());
            }
        }

        return _output.SignalCount + _output.DecisionCount;
    }

    /// <summary>What <see cref="MarketEngine.TryGetView"/> reports for a product's prices, board and demand, recomputed from the lists.</summary>
    public (string Text, double[] Sums) Describe(int p)
    {
        if (!_products.TryGetValue(p, out var product) || product.Arm == Unassigned)
        {
            return ("none", []);
        }

        var inStock = product.Board.Where(q => q.Availability != Availability.OutOfStock).Select(q => q.Ticks).Order().ToList();
        var prices = new List<(long, double, double, double, double)>();
        for (int w = 0; w < _priceWindows.Length; w++)
        {
            var values = InWindow(product.Prices, _priceWindows[w], _buckets, product.NewestPrice, _watermark).ToList();
            prices.Add(values.Count == 0 ? default : (values.Count, values.Min(), values.Max(), values.Average(), Median(values.TakeLast(8).ToList())));
        }

        var demand = new List<(long, long, long, long, double, double)>();
        for (int w = 0; w < _demandWindows.Length; w++)
        {
            var d = Demand(product, w, _watermark);
            demand.Add((d.Views, d.AddToCarts, d.Purchases, d.Units, d.Revenue, d.ActionsPerHour));
        }

        return EngineCheck.Describe(
            new Money(product.OurPrice).ToDecimal(),
            new Money(product.Cost).ToDecimal(),
            product.Inventory,
            _assignment.GetName(product.Arm),
            product.Board.Count,
            inStock.Count == 0 ? 0 : new Money(inStock[0]).ToDecimal(),
            inStock.Count == 0 ? 0 : new Money(inStock[^1]).ToDecimal(),
            prices,
            demand);
    }

    private void ProcessOne(MarketEvent e)
    {
        EventsIn++;
        long ts = e.Timestamp;
        if (ts > _watermark)
        {
            _watermark = ts;
        }
        else if (ts < _watermark - _lateness)
        {
            Late++;
            return;
        }

        int p = e.ProductId;
        if (p < 0)
        {
            Invalid++;
            return;
        }

        if (!_products.TryGetValue(p, out var product))
        {
            _products[p] = product = new Product();
        }

        bool firstSight = product.Arm == Unassigned;
        if (firstSight)
        {
            product.Arm = _assignment.Assign(_keys.Products.GetStableHash(p));
            _tallies.RecordProduct(product.Arm);
        }

        switch (e.Kind)
        {
            case MarketEventKind.CompetitorPrice:
                OnCompetitorPrice(e, p, product);
                break;
            case MarketEventKind.Demand:
                OnDemand(e, p, product);
                break;
            case MarketEventKind.Inventory:
                if (e.Quantity < 0)
                {
                    Invalid++;
                    return;
                }

                product.Inventory = e.Quantity;
                if (_inventoryRule.Evaluate(p, e.Quantity, ts, _output))
                {
                    LowInventories++;
                    RunPricing(p, product, ts, DecisionTrigger.LowInventory);
                }

                break;
            case MarketEventKind.Cost:
                if (!e.Price.IsValidPrice || !AcceptCurrency(product, e.Currency))
                {
                    Invalid++;
                    return;
                }

                long previous = product.Cost;
                product.Cost = e.Price.Ticks;
                if (previous != 0 && previous != e.Price.Ticks && product.OurPrice != 0)
                {
                    RunPricing(p, product, ts, DecisionTrigger.CostChange);
                }

                break;
            case MarketEventKind.ListPrice:
                if (!e.Price.IsValidPrice || !AcceptCurrency(product, e.Currency))
                {
                    Invalid++;
                    return;
                }

                product.OurPrice = e.Price.Ticks;
                break;
            default:
                Invalid++;
                return;
        }

        if (firstSight)
        {
            RunPricing(p, product, ts, DecisionTrigger.Scheduled);
        }

        while (_due.Count > 0 && _due.Min.Due <= ts)
        {
            var (due, duePid) = _due.Min;
            _due.Remove(_due.Min);
            if (due == _lastRun[duePid] + _intervalMs)
            {
                RunPricing(duePid, _products[duePid], ts, DecisionTrigger.Scheduled);
            }
        }
    }

    private void OnCompetitorPrice(MarketEvent e, int p, Product product)
    {
        int c = e.CompetitorId;
        if (!e.Price.IsValidPrice || c < 0 || !AcceptCurrency(product, e.Currency))
        {
            Invalid++;
            return;
        }

        if (!_pairIds.TryGetValue((p, c), out int series))
        {
            _pairIds[(p, c)] = series = _pairIds.Count;
            _pairHistory[series] = [];
            _detector.EnsureCapacity(series + 1);
        }

        long ts = e.Timestamp;
        double price = e.Price.ToDouble();
        var verdict = _detector.Observe(series, ts, price);
        if (_anomalyRule.Evaluate(series, p, c, price, in verdict, ts, _output))
        {
            Anomalies++;
        }

        if (verdict.Verdict == AnomalyVerdict.Outlier)
        {
            Outliers++;
            return;
        }

        // Every accepted price kept, anything older than the longest window's oldest bucket dropped again.
        var pairValues = _pairHistory[series];
        pairValues.Add((ts, price));
        if (_pairWindow > 0)
        {
            long width = _pairWindow / _pairBuckets;
            long first = FloorDiv(Math.Max(ts, pairValues.Max(v => v.Ts)), width) - _pairBuckets + 1;
            pairValues.RemoveAll(v => FloorDiv(v.Ts, width) < first);
        }

        product.Prices.Add((ts, price));
        product.NewestPrice = Math.Max(product.NewestPrice, ts);
        long longWidth = _priceWindows[^1] / _buckets;
        long oldest = FloorDiv(product.NewestPrice, longWidth) - _buckets + 1;
        product.Prices.RemoveAll(v => FloorDiv(v.Ts, longWidth) < oldest);

        UpdateBoard(product, c, e.Price.Ticks, e.Availability, ts);
        if (_dropRule.Evaluate(series, p, c, price, verdict.Baseline, verdict.Verdict, ts, _output))
        {
            Drops++;
            RunPricing(p, product, ts, DecisionTrigger.CompetitorPriceDrop);
        }
    }

    private void OnDemand(MarketEvent e, int p, Product product)
    {
        var action = e.Action;
        if (action is < DemandAction.View or > DemandAction.Purchase || e.Quantity < 0)
        {
            Invalid++;
            return;
        }

        double paid = 0;
        if (action == DemandAction.Purchase)
        {
            if (!e.Price.IsValidPrice || !AcceptCurrency(product, e.Currency))
            {
                Invalid++;
                return;
            }

            paid = e.Price.ToDouble();
            _tallies.RecordPurchase(product.Arm, e.Quantity, e.Price, new Money(product.Cost));
        }

        long ts = e.Timestamp;
        product.Actions.Add((ts, action, e.Quantity, paid));
        product.FirstAction = Math.Min(product.FirstAction, ts);
        product.NewestAction = Math.Max(product.NewestAction, ts);
        long longWidth = _demandWindows[^1] / _buckets;
        long oldest = FloorDiv(product.NewestAction, longWidth) - _buckets + 1;
        product.Actions.RemoveAll(a => FloorDiv(a.Ts, longWidth) < oldest);
        if (ts - product.LastSurgeCheck >= _surgeCheckEveryMs)
        {
            product.LastSurgeCheck = ts;
            var recent = Demand(product, 0, ts);
            var baseline = Demand(product, 1, ts);
            if (_surgeRule.Evaluate(p, recent.ActionsPerHour, baseline.ActionsPerHour, recent.Views + recent.AddToCarts + recent.Purchases, ts, _output))
            {
                Surges++;
                RunPricing(p, product, ts, DecisionTrigger.DemandSurge);
            }
        }
    }

    private void RunPricing(int p, Product product, long ts, DecisionTrigger trigger)
    {
        bool known = _lastRun.TryGetValue(p, out long last);
        if (known && ts - last < (trigger == DecisionTrigger.Scheduled ? _intervalMs : PricingSchedule.DefaultMinTriggeredGapMs))
        {
            return;
        }

        if (!known || ts > last)
        {
            _lastRun[p] = ts;
            _due.Add((ts + _intervalMs, p));
        }

        PricingRuns++;
        double[] prices = product.Board
            .Where(q => q.Availability != Availability.OutOfStock)
            .Select(q => q.Ticks)
            .Order()
            .Select(t => t / (double)Money.Scale)
            .ToArray();
        var input = new PricingInput(
            p,
            _keys.Products.GetStableHash(p),
            new Money(product.OurPrice),
            new Money(product.Cost),
            new Money(product.MapFloor),
            prices,
            trigger,
            ts,
            CurrencyCode.FromValue(product.Currency));
        if (_pricer.TryDecide(in input, _assignment.GetStrategy(product.Arm), product.Arm, out var decision) && decision.NewPrice != decision.OldPrice)
        {
            product.OurPrice = decision.NewPrice.Ticks;
            _tallies.RecordDecision(in decision);
            _output.Add(in decision);
            Decisions++;
        }
    }

    /// <summary>The board's rules: newest observation per competitor; at most 16 competitors, a newer one replacing the stalest.</summary>
    private static void UpdateBoard(Product product, int competitor, long ticks, Availability availability, long ts)
    {
        var board = product.Board;
        int at = board.FindIndex(q => q.Competitor == competitor);
        if (at >= 0)
        {
            if (ts >= board[at].Ts)
            {
                board[at] = new Quote(competitor, ticks, availability, ts);
            }

            return;
        }

        if (board.Count < CompetitorBoard.DefaultSlots)
        {
            board.Add(new Quote(competitor, ticks, availability, ts));
            return;
        }

        int stalest = 0;
        for (int i = 1; i < board.Count; i++)
        {
            if (board[i].Ts < board[stalest].Ts)
            {
                stalest = i;
            }
        }

        if (ts > board[stalest].Ts)
        {
            board[stalest] = new Quote(competitor, ticks, availability, ts);
        }
    }

    private static bool AcceptCurrency(Product product, CurrencyCode currency)
    {
        if (product.Currency == currency.Value)
        {
            return true;
        }

        if (product.Currency == 0 && !currency.IsEmpty)
        {
            product.Currency = currency.Value;
            return true;
        }

        return currency.IsEmpty;
    }

    /// <summary>The demand window as the engine defines it: the B whole buckets ending with asOf's, counted from the list.</summary>
    private DemandStats Demand(Product product, int window, long asOf)
    {
        long width = _demandWindows[window] / _buckets;
        long newestBucket = FloorDiv(product.NewestAction, width);
        long asOfBucket = FloorDiv(asOf, width);
        long first = Math.Max(asOfBucket, newestBucket) - _buckets + 1;
        long last = Math.Min(asOfBucket, newestBucket);
        var inWindow = product.Actions.Where(a => FloorDiv(a.Ts, width) >= first && FloorDiv(a.Ts, width) <= last).ToList();
        if (product.Actions.Count == 0)
        {
            return default;
        }

        long covered = asOf - Math.Max(first * width, product.FirstAction) + 1;
        return new DemandStats(
            inWindow.Count(a => a.Action == DemandAction.View),
            inWindow.Count(a => a.Action == DemandAction.AddToCart),
            inWindow.Count(a => a.Action == DemandAction.Purchase),
            inWindow.Where(a => a.Action == DemandAction.Purchase).Sum(a => (long)a.Quantity),
            inWindow.Where(a => a.Action == DemandAction.Purchase).Sum(a => a.Paid * a.Quantity),
            Math.Max(0, covered));
    }

    private static IEnumerable<double> InWindow(List<(long Ts, double Price)> values, long length, int buckets, long newest, long asOf)
    {
        long width = length / buckets;
        long first = Math.Max(FloorDiv(asOf, width), FloorDiv(newest, width)) - buckets + 1;
        long last = Math.Min(FloorDiv(asOf, width), FloorDiv(newest, width));
        return values.Where(v => FloorDiv(v.Ts, width) >= first && FloorDiv(v.Ts, width) <= last).Select(v => v.Price);
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) * 0.5;
    }

    private static long FloorDiv(long a, long b) => (a / b) - (a % b < 0 ? 1 : 0);

    private readonly record struct Quote(int Competitor, long Ticks, Availability Availability, long Ts);

    private sealed class Product
    {
        public long OurPrice { get; set; }

        public long Cost { get; set; }

        public long MapFloor { get; set; }

        public int Inventory { get; set; } = -1;

        public ushort Currency { get; set; }

        public byte Arm { get; set; } = Unassigned;

        public long LastSurgeCheck { get; set; } = long.MinValue / 2;

        public long NewestPrice { get; set; } = long.MinValue;

        public long NewestAction { get; set; } = long.MinValue;

        public long FirstAction { get; set; } = long.MaxValue;

        public List<Quote> Board { get; } = [];

        public List<(long Ts, double Price)> Prices { get; } = [];

        public List<(long Ts, DemandAction Action, int Quantity, double Paid)> Actions { get; } = [];
    }
}
