using PriceIntel.Engine.Scoring;

namespace PriceIntel.ML.History;

/// <summary>
/// Turns a stream of <see cref="MarketEvent"/>s (in event-time order, as recorded) into a
/// <see cref="DemandHistory"/>: per product and hour, the demand features as of the hour's start and the
/// units sold in the hour. Competitor prices that jump by more than ×2.5 or below ÷2.5 from the
/// competitor's last accepted price are held back as likely scrape errors until a second observation
/// confirms them. Not thread-safe.
/// </summary>
public sealed class DemandHistoryBuilder
{
    private const long Hour = 3_600_000L;
    private const int LongHours = 168;
    private const double JumpFactor = 2.5;

    private readonly MarketKeys _keys;
    private readonly List<ProductState?> _products = [];
    private readonly List<int> _active = [];
    private readonly List<int> _rowProduct = [];
    private readonly List<long> _rowHour = [];
    private readonly List<float> _rowFeatures = [];
    private readonly List<float> _rowUnits = [];
    private readonly List<double> _rowPrice = [];
    private readonly List<double> _rowCost = [];
    private readonly List<string> _productKeys = [];
    private readonly Queue<(int Product, double Price, long At)> _priceChanges = new();
    private long _currentHour = long.MinValue;

    /// <summary>Creates a builder for events whose ids refer to <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    public DemandHistoryBuilder(MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
    }

    /// <summary>The key tables the events' ids refer to.</summary>
    public MarketKeys Keys => _keys;

    /// <summary>Events seen.</summary>
    public long Events { get; private set; }

    /// <summary>Competitor observations held back as likely scrape errors (never confirmed).</summary>
    public long SuspectedScrapeErrors { get; private set; }

    /// <summary>Events more than an hour older than the hour being built (dropped).</summary>
    public long LateEvents { get; private set; }

    /// <summary>Reads every event of <paramref name="source"/> into a history.</summary>
    /// <param name="source">The events, e.g. <see cref="MarketEventSources.JsonLinesFile"/> of a recording.</param>
    /// <param name="keys">The key tables the source's ids refer to.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<DemandHistory> ReadAsync(IMarketEventSource source, MarketKeys keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var builder = new DemandHistoryBuilder(keys);
        var buffer = new MarketEvent[4096];
        var rejections = new CountingRejections();
        while (true)
        {
            int n = await source.ReadAsync(buffer, rejections, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            builder.Add(buffer.AsSpan(0, n));
        }

        return builder.Build();
    }

    /// <summary>Adds events (in event-time order).</summary>
    public void Add(ReadOnlySpan<MarketEvent> events)
    {
        foreach (ref readonly var e in events)
        {
            Add(in e);
        }
    }

    /// <summary>
    /// Tells the builder our price of <paramref name="productId"/> becomes <paramref name="price"/> at
    /// event time <paramref name="effectiveAt"/> (a decision as shoppers will see it). A recorded input
    /// stream shows our price only on demand events and list-price updates; a host that knows its
    /// decisions (a backtest, a store of decisions) gives them here so the price features are exact.
    /// Calls must come in order of <paramref name="effectiveAt"/>.
    /// </summary>
    public void SchedulePriceChange(int productId, Money price, long effectiveAt) =>
        _priceChanges.Enqueue((productId, price.ToDouble(), effectiveAt));

    /// <summary>The history of the complete hours seen so far (the hour in progress is left out).</summary>
    public DemandHistory Build()
    {
        return new DemandHistory(
            [.. _productKeys],
            [.. _rowProduct],
            [.. _rowHour],
            [.. _rowFeatures],
            [.. _rowUnits],
            [.. _rowPrice],
            [.. _rowCost]);
    }

    private void Add(in MarketEvent e)
    {
        while (_priceChanges.TryPeek(out var change) && change.At <= e.Timestamp)
        {
            _priceChanges.Dequeue();
            Apply(MarketEvent.ListPrice(change.Product, Money.FromDouble(change.Price), default, Math.Max(change.At, _currentHour == long.MinValue ? change.At : _currentHour * Hour)));
        }

        Apply(in e);
    }

    private void Apply(in MarketEvent e)
    {
        Events++;
        long hour = Math.DivRem(e.Timestamp, Hour, out long rest);
        if (rest < 0)
        {
            hour--;
        }

        if (_currentHour == long.MinValue)
        {
            _currentHour = hour;
        }

        if (hour < _currentHour - 1)
        {
            LateEvents++;
            return;
        }

        while (hour > _currentHour)
        {
            CloseHour();
            _currentHour++;
            OpenHour();
        }

        var p = Product(e.ProductId);
        switch (e.Kind)
        {
            case MarketEventKind.CompetitorPrice:
                p.Observe(e.CompetitorId, e.Price.ToDouble(), e.Availability != Availability.OutOfStock, this);
                p.Track(e.Timestamp);
                break;
            case MarketEventKind.Demand:
                if (e.Action == DemandAction.View)
                {
                    p.HourViews++;
                    p.HourViewPriceSum += e.Price.ToDouble();
                    if (e.Price.Ticks > 0 && e.Price.ToDouble() != p.Price)
                    {
                        p.Price = e.Price.ToDouble();
                        p.Track(e.Timestamp);
                    }
                }
                else if (e.Action == DemandAction.Purchase)
                {
                    p.HourUnits += e.Quantity;
                }

                break;
            case MarketEventKind.Inventory:
                p.Stock = e.Quantity;
                break;
            case MarketEventKind.Cost:
                p.Cost = e.Price.ToDouble();
                break;
            case MarketEventKind.ListPrice:
                p.Price = e.Price.ToDouble();
                p.Track(e.Timestamp);
                break;
        }
    }

    private ProductState Product(int id)
    {
        while (_products.Count <= id)
        {
            _products.Add(null);
        }

        if (_products[id] is { } known)
        {
            return known;
        }

        var state = new ProductState(_productKeys.Count, _currentHour);
        _productKeys.Add(_keys.Products.GetName(id));
        _products[id] = state;
        _active.Add(id);
        return state;
    }

    /// <summary>At the start of an hour: every product's features as of now.</summary>
    private void OpenHour()
    {
        long now = _currentHour * Hour;
        foreach (int id in _active)
        {
            var p = _products[id]!;
            p.Snapshot(now);
        }
    }

    /// <summary>At the end of an hour: one row per product that had a snapshot and a price.</summary>
    private void CloseHour()
    {
        Span<float> row = stackalloc float[DemandFeatures.Count];
        foreach (int id in _active)
        {
            var p = _products[id]!;
            if (p.HasSnapshot && p.SnapshotPrice > 0)
            {
                double price = p.HourViews > 0 ? p.HourViewPriceSum / p.HourViews : p.SnapshotPrice;
                var context = new DemandContext(
                    p.SnapshotTime,
                    p.SnapshotCompetitors.AsSpan(0, p.SnapshotCompetitorCount),
                    p.SnapshotOwnLevel,
                    p.SnapshotUnitsShort,
                    p.SnapshotUnitsLong,
                    p.SnapshotViewsShort,
                    p.SnapshotStock,
                    p.SnapshotLowest,
                    p.SnapshotMedian,
                    p.SnapshotCompetitorCount);
                DemandFeatures.Write(in context, price, row);
                if (p.MeanLogRatio((_currentHour + 1) * Hour) is { } x)
                {
                    // The regressor of the elasticity model as shoppers met it: averaged over the hour.
                    row[DemandFeatures.LogRatioToLowest] = (float)x;
                }

                _rowProduct.Add(p.Index);
                _rowHour.Add(p.SnapshotTime);
                foreach (var v in row)
                {
                    _rowFeatures.Add(v);
                }

                _rowUnits.Add(p.HourUnits);
                _rowPrice.Add(price);
                _rowCost.Add(p.SnapshotCost);
            }

            p.EndHour();
        }
    }

    private sealed class CountingRejections : IRejectionSink
    {
        public long Count { get; private set; }

        public void Reject(RejectedInput rejected) => Count++;
    }

    private sealed class ProductState(int index, long firstHour)
    {
        private readonly Dictionary<int, (double Price, bool InStock, double Pending)> _competitors = [];
        private readonly int[] _unitsRing = new int[LongHours];
        private readonly int[] _viewsRing = new int[LongHours];
        private int _hoursSeen;
        private int _ringPos;
        private double _ownLevel;
        private long _ownLevelTime;
        private double _lastPrice;
        private double _x = double.NaN;
        private long _xTime = long.MinValue;
        private double _xIntegral;
        private long _xCovered;

        public int Index { get; } = index;

        public long FirstHour { get; } = firstHour;

        public double Price { get; set; }

        public double Cost { get; set; }

        public int Stock { get; set; } = -1;

        public int HourUnits { get; set; }

        public int HourViews { get; set; }

        public double HourViewPriceSum { get; set; }

        public bool HasSnapshot { get; private set; }

        public long SnapshotTime { get; private set; }

        public double SnapshotPrice { get; private set; }

        public double SnapshotCost { get; private set; }

        public int SnapshotStock { get; private set; }

        public double SnapshotOwnLevel { get; private set; }

        public double SnapshotUnitsShort { get; private set; }

        public double SnapshotUnitsLong { get; private set; }

        public double SnapshotViewsShort { get; private set; }

        public double SnapshotLowest { get; private set; }

        public double SnapshotMedian { get; private set; }

        public double[] SnapshotCompetitors { get; private set; } = new double[8];

        public int SnapshotCompetitorCount { get; private set; }

        public void Observe(int competitor, double price, bool inStock, DemandHistoryBuilder owner)
        {
            if (!(price > 0) || !double.IsFinite(price))
            {
                return;
            }

            if (_competitors.TryGetValue(competitor, out var known))
            {
                double ratio = price / known.Price;
                if (ratio > JumpFactor || ratio < 1 / JumpFactor)
                {
                    // A one-off jump is a likely scrape error; a second observation near it confirms a real move.
                    if (known.Pending > 0 && Math.Abs((price / known.Pending) - 1) < 0.1)
                    {
                        _competitors[competitor] = (price, inStock, 0);
                    }
                    else
                    {
                        if (known.Pending > 0)
                        {
                            owner.SuspectedScrapeErrors++;
                        }

                        _competitors[competitor] = (known.Price, known.InStock, price);
                    }

                    return;
                }

                if (known.Pending > 0)
                {
                    owner.SuspectedScrapeErrors++;
                }
            }

            _competitors[competitor] = (price, inStock, 0);
        }

        /// <summary>Brings the hour's integral of ln(our price / lowest) up to <paramref name="now"/> and takes the current ratio.</summary>
        public void Track(long now)
        {
            Integrate(now);
            double lowest = double.PositiveInfinity;
            foreach (var c in _competitors.Values)
            {
                if (c.InStock && c.Price < lowest)
                {
                    lowest = c.Price;
                }
            }

            _x = Price > 0 && double.IsFinite(lowest) ? Math.Log(Price / lowest) : double.NaN;
        }

        /// <summary>The time-average of ln(our price / lowest) over the hour ending at <paramref name="end"/>; null when unknown for most of it.</summary>
        public double? MeanLogRatio(long end)
        {
            Integrate(end);
            return _xCovered >= Hour / 2 ? _xIntegral / _xCovered : null;
        }

        private void Integrate(long now)
        {
            if (now <= _xTime)
            {
                return;
            }

            if (!double.IsNaN(_x) && _xTime != long.MinValue)
            {
                long dt = now - _xTime;
                _xIntegral += _x * dt;
                _xCovered += dt;
            }

            _xTime = now;
        }

        public void Snapshot(long now)
        {
            if (Price <= 0)
            {
                HasSnapshot = false;
                return;
            }

            _ownLevel = OwnPriceLevel.Update(_ownLevel, _ownLevelTime, _lastPrice > 0 ? _lastPrice : Price, now);
            _ownLevelTime = now;
            _lastPrice = Price;
            HasSnapshot = true;
            SnapshotTime = now;
            SnapshotPrice = Price;
            SnapshotCost = Cost;
            SnapshotStock = Stock;
            SnapshotOwnLevel = _ownLevel;
            int last = (_ringPos + LongHours - 1) % LongHours;
            SnapshotUnitsShort = _hoursSeen == 0 ? 0 : _unitsRing[last];
            SnapshotViewsShort = _hoursSeen == 0 ? 0 : _viewsRing[last];
            long units = 0;
            int covered = Math.Min(_hoursSeen, LongHours);
            for (int i = 0; i < covered; i++)
            {
                units += _unitsRing[(last - i + LongHours) % LongHours];
            }

            SnapshotUnitsLong = covered == 0 ? 0 : units / (double)covered;
            if (SnapshotCompetitors.Length < _competitors.Count)
            {
                SnapshotCompetitors = new double[_competitors.Count * 2];
            }

            int n = 0;
            foreach (var c in _competitors.Values)
            {
                if (c.InStock)
                {
                    SnapshotCompetitors[n++] = c.Price;
                }
            }

            SnapshotCompetitorCount = n;
            Span<double> scratch = stackalloc double[n];
            var context = DemandContext.From(now, SnapshotCompetitors.AsSpan(0, n), scratch, 0, 0, 0, 0, 0);
            SnapshotLowest = context.Lowest;
            SnapshotMedian = context.Median;
        }

        public void EndHour()
        {
            _unitsRing[_ringPos] = HourUnits;
            _viewsRing[_ringPos] = HourViews;
            _ringPos = (_ringPos + 1) % LongHours;
            _hoursSeen++;
            HourUnits = 0;
            HourViews = 0;
            HourViewPriceSum = 0;
            HasSnapshot = false;
            _xIntegral = 0;
            _xCovered = 0;
        }
    }
}
