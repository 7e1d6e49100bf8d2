namespace PriceIntel.Benchmarks.Engine;

/// <summary>
/// The engine's logic written the obvious way, as a baseline: a dictionary of lists per product and
/// per (product, competitor), window statistics recomputed with LINQ on every event, median and MAD by
/// sorting, signals and decisions as objects in lists. Same thresholds as the engine's defaults.
/// </summary>
internal sealed class NaiveMarketEngine(PriceIntelOptions options)
{
    private readonly Dictionary<int, List<(long Ts, double Price)>> _productHistory = [];
    private readonly Dictionary<(int, int), List<double>> _pairHistory = [];
    private readonly Dictionary<int, Dictionary<int, double>> _board = [];
    private readonly Dictionary<int, List<(long Ts, DemandAction Action)>> _demand = [];
    private readonly Dictionary<int, double> _ourPrice = [];
    private readonly Dictionary<int, double> _cost = [];
    private readonly Dictionary<int, long> _lastPricing = [];
    private readonly Dictionary<(int, int), long> _lastDrop = [];
    private readonly List<object> _outputs = [];

    public long Process(ReadOnlySpan<MarketEvent> events)
    {
        _outputs.Clear();
        long windowMs = options.Windows.LengthsMs.Short;
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case MarketEventKind.Cost:
                    _cost[e.ProductId] = e.Price.ToDouble();
                    break;
                case MarketEventKind.ListPrice:
                    _ourPrice[e.ProductId] = e.Price.ToDouble();
                    break;
                case MarketEventKind.Demand:
                    {
                        if (!_demand.TryGetValue(e.ProductId, out var list))
                        {
                            _demand[e.ProductId] = list = [];
                        }

                        list.Add((e.Timestamp, e.Action));
                        list.RemoveAll(x => x.Ts < e.Timestamp - options.Windows.LengthsMs.Long);
                        double recent = list.Count(x => x.Ts >= e.Timestamp - windowMs);
                        double baseline = list.Count / Math.Max(1.0, (e.Timestamp - list[0].Ts) / (double)windowMs);
                        if (recent > options.Alerts.DemandSurgeMinEvents && recent > baseline * options.Alerts.DemandSurgeFactor)
                        {
                            _outputs.Add(new { Kind = SignalKind.DemandSurge, e.ProductId, recent, baseline });
                        }

                        break;
                    }

                case MarketEventKind.CompetitorPrice:
                    {
                        double price = e.Price.ToDouble();
                        var key = (e.ProductId, e.CompetitorId);
                        if (!_pairHistory.TryGetValue(key, out var history))
                        {
                            _pairHistory[key] = history = [];
                        }

                        if (history.Count >= options.Anomaly.WarmUp)
                        {
                            var sorted = history.OrderBy(x => x).ToList();
                            double median = sorted[sorted.Count / 2];
                            double mad = history.Select(x => Math.Abs(x - median)).OrderBy(x => x).ElementAt(history.Count / 2);
                            double z = Math.Abs(price - median) / Math.Max(1.4826 * mad, median * 0.001);
                            if (z >= options.Anomaly.RobustZThreshold)
                            {
                                _outputs.Add(new { Kind = SignalKind.PriceAnomaly, e.ProductId, e.CompetitorId, price, z });
                                continue;
                            }

                            if ((median - price) / median >= options.Alerts.CompetitorPriceDropThreshold
                                && (!_lastDrop.TryGetValue(key, out var last) || e.Timestamp - last > options.Alerts.CooldownMinutes * 60_000))
                            {
                                _lastDrop[key] = e.Timestamp;
                                _outputs.Add(new { Kind = SignalKind.CompetitorPriceDrop, e.ProductId, e.CompetitorId, price, median });
                            }
                        }

                        history.Add(price);
                        if (history.Count > options.Anomaly.HistoryLength)
                        {
                            history.RemoveAt(0);
                        }

                        if (!_productHistory.TryGetValue(e.ProductId, out var series))
                        {
                            _productHistory[e.ProductId] = series = [];
                        }

                        series.Add((e.Timestamp, price));
                        series.RemoveAll(x => x.Ts < e.Timestamp - windowMs);
                        var inWindow = series.Where(x => x.Ts >= e.Timestamp - windowMs).Select(x => x.Price).ToList();
                        double mean = inWindow.Average();
                        double std = Math.Sqrt(inWindow.Sum(x => (x - mean) * (x - mean)) / inWindow.Count);
                        _outputs.Add((mean, std, inWindow.Min(), inWindow.Max()));

                        if (!_board.TryGetValue(e.ProductId, out var board))
                        {
                            _board[e.ProductId] = board = [];
                        }

                        board[e.CompetitorId] = price;
                        if (!_lastPricing.TryGetValue(e.ProductId, out var lastRun) || e.Timestamp - lastRun >= options.Pricing.UpdateInterval.TotalMilliseconds)
                        {
                            _lastPricing[e.ProductId] = e.Timestamp;
                            Price(e.ProductId, board.Values.Min());
                        }

                        break;
                    }
            }
        }

        return _outputs.Count;
    }

    private void Price(int product, double lowest)
    {
        double old = _ourPrice.GetValueOrDefault(product);
        double cost = _cost.GetValueOrDefault(product);
        double target = lowest * (1 - options.Pricing.BeatBy);
        if (old > 0)
        {
            target = Math.Clamp(target, old * (1 - options.Pricing.MaxChange), old * (1 + options.Pricing.MaxChange));
        }

        if (cost > 0)
        {
            target = Math.Clamp(target, cost * (1 + options.Pricing.MinMargin), cost * (1 + options.Pricing.MaxMargin));
        }

        target = Math.Floor(target) + options.Pricing.PriceEnding;
        if (Math.Abs(target - old) > old * options.Pricing.MinChangeToPublish)
        {
            _ourPrice[product] = target;
            _outputs.Add(new { product, old, target, reasons = string.Join(",", "strategy", "bounds") });
        }
    }
}
