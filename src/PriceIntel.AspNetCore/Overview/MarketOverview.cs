using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.AspNetCore.Overview;

/// <summary>Open signals by severity.</summary>
internal sealed record SignalCountsDto(long Info, long Warning, long Critical);

/// <summary>Market-wide demand in the engine's shortest demand window (a rolling count over <paramref name="WindowMinutes"/> minutes), at one market time.</summary>
internal sealed record DemandPointDto(DateTimeOffset Start, long Views, long AddToCarts, long Purchases, double Conversion, double WindowMinutes);

/// <summary>Products whose gap to the lowest competitor ((ours − lowest) / lowest) is in [<paramref name="From"/>, <paramref name="To"/>); null = open end.</summary>
internal sealed record GapBinDto(double? From, double? To, long Products);

/// <summary>One competitor across the sampled catalog: on how many products it has a price, its mean price relative to ours (1.1 = 10 % above ours), and on what share of them it is cheaper than us.</summary>
internal sealed record CompetitorIndexDto(string Competitor, long Products, double PriceIndex, double CheaperShare);

/// <summary>
/// Our position across the catalog (the products of the latest sample that have our price and a competitor price):
/// how far above or below the lowest competitor we are (<paramref name="GapToLowest"/>, a histogram), how many
/// products we rank 1st, 2nd, … among in-stock competitors (<paramref name="Ranks"/>; the last count is that rank
/// or worse), and each competitor's price index against ours.
/// </summary>
internal sealed record MarketPositionDto(long Products, IReadOnlyList<GapBinDto> GapToLowest, IReadOnlyList<long> Ranks, IReadOnlyList<CompetitorIndexDto> Competitors);

/// <summary>
/// The market at a glance, for the dashboard's key metrics. "Today" is the market's day (UTC) of the
/// newest event time, counted from the first sample of that day this host saw (so a host started
/// mid-day counts from its start).
/// </summary>
internal sealed record OverviewDto(
    DateTimeOffset? MarketTime,
    string Currency,
    long ProductsMonitored,
    long EventsProcessed,
    long PriceChangesToday,
    double? AverageCompetitorGap,
    SignalCountsDto ActiveSignals,
    decimal RevenueToday,
    decimal MarginToday,
    double? MarginRateToday,
    IReadOnlyList<DemandPointDto> Demand,
    IReadOnlyList<string> BusiestProducts,
    MarketPositionDto Position);

/// <summary>
/// Samples the in-process engine every two seconds (on the engine's own thread, through
/// <see cref="EngineHost.QueryAsync{T}"/>) and the store every ten seconds, and keeps what the overview
/// endpoint serves: totals at the start of the market day, a rolling demand series (at most
/// <see cref="MaxPoints"/> points) and the newest figures. Samples at most <see cref="MaxProductsPerSample"/>
/// products a time, rotating through the catalog, so its cost does not grow with the market.
/// </summary>
internal sealed partial class MarketOverview(EngineHost engine, EngineStatus status, IMarketStore store, ILogger<MarketOverview> logger) : BackgroundService
{
    public const int MaxPoints = 720;
    public const int MaxProductsPerSample = 2_000;

    /// <summary>The gap histogram's inner edges (fractions): open bins below the first and from the last.</summary>
    public static readonly double[] GapEdges = [-0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2];

    /// <summary>Ranks counted one by one up to this; the last count is this rank or worse.</summary>
    public const int MaxRank = 6;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Queue<DemandPointDto> _demand = new();
    private OverviewDto _current = Empty;
    private Totals _dayStart;
    private DateOnly _day;
    private int _nextProduct;
    private SignalCountsDto _signals = new(0, 0, 0);
    private DateTime _signalsAt;

    private static OverviewDto Empty => new(null, "USD", 0, 0, 0, null, new SignalCountsDto(0, 0, 0), 0, 0, null, [], [], new MarketPositionDto(0, [], [], []));

    public OverviewDto Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSampleFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Takes one sample now (the background loop calls it; tests may too).</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        if (!engine.IsRunning)
        {
            return;
        }

        int start = _nextProduct;
        var sample = await engine.QueryAsync(e => Sample(e, start), cancellationToken).ConfigureAwait(false);
        _nextProduct = sample.NextProduct;
        if (DateTime.UtcNow - _signalsAt > TimeSpan.FromSeconds(10) || _signalsAt == default)
        {
            _signals = await CountOpenSignalsAsync(sample.MarketTime, cancellationToken).ConfigureAwait(false);
            _signalsAt = DateTime.UtcNow;
        }

        lock (_lock)
        {
            var day = sample.MarketTime is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : default;
            if (day != _day)
            {
                _day = day;
                _dayStart = sample.Totals;
            }

            var today = sample.Totals - _dayStart;
            if (sample.MarketTime is { } time && (_demand.Count == 0 || _demand.Last().Start < time))
            {
                _demand.Enqueue(new DemandPointDto(time, sample.Views, sample.AddToCarts, sample.Purchases, sample.Views == 0 ? 0 : sample.Purchases / (double)sample.Views, sample.WindowMinutes));
                while (_demand.Count > MaxPoints)
                {
                    _demand.Dequeue();
                }
            }

            _current = new OverviewDto(
                sample.MarketTime,
                sample.Currency,
                sample.Products,
                status.EventsProcessed,
                today.PriceChanges,
                sample.GapCount == 0 ? null : sample.GapSum / sample.GapCount,
                _signals,
                today.Revenue,
                today.Margin,
                today.Revenue == 0 ? null : (double)(today.Margin / today.Revenue),
                [.. _demand],
                sample.Busiest,
                sample.Position);
        }
    }

    private static EngineSample Sample(MarketEngine engine, int start)
    {
        long priceChanges = 0;
        decimal revenue = 0, margin = 0;
        foreach (var arm in engine.GetArmReports())
        {
            priceChanges += arm.PriceChanges;
            revenue += arm.Revenue.ToDecimal();
            margin += arm.Margin.ToDecimal();
        }

        var products = engine.Keys.Products;
        int count = products.Count;
        int take = Math.Min(count, MaxProductsPerSample);
        double gapSum = 0;
        int gapCount = 0;
        long views = 0, carts = 0, purchases = 0;
        double windowMinutes = 0;
        string currency = "USD";
        var busiest = new PriorityQueue<string, long>();
        var position = new PositionTally();
        for (int i = 0; i < take; i++)
        {
            string sku = products.GetName((start + i) % count);
            if (!engine.TryGetView(sku, out var product))
            {
                continue;
            }

            if (product.Currency.Length > 0)
            {
                currency = product.Currency;
            }
            if (double.IsFinite(product.GapToLowest) && product.Competitors.Count > 0)
            {
                gapSum += product.GapToLowest;
                gapCount++;
            }

            position.Add(product);

            if (product.DemandWindows.Count > 0)
            {
                var shortest = product.DemandWindows.MinBy(w => w.WindowMinutes)!;
                windowMinutes = shortest.WindowMinutes;
                views += shortest.Views;
                carts += shortest.AddToCarts;
                purchases += shortest.Purchases;
                busiest.Enqueue(sku, shortest.Views + (10 * shortest.Purchases));
                if (busiest.Count > 5)
                {
                    busiest.Dequeue();
                }
            }
        }

        var top = new List<string>(busiest.Count);
        while (busiest.Count > 0)
        {
            top.Add(busiest.Dequeue());
        }

        top.Reverse();
        long watermark = engine.Watermark;
        DateTimeOffset? marketTime = watermark == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(watermark);
        return new EngineSample(marketTime, currency, count, new Totals(priceChanges, revenue, margin), gapSum, gapCount, views, carts, purchases, windowMinutes, top, position.ToDto(), count == 0 ? 0 : (start + take) % count);
    }

    private async Task<SignalCountsDto> CountOpenSignalsAsync(DateTimeOffset? marketTime, CancellationToken cancellationToken)
    {
        long info = 0, warning = 0, critical = 0;
        var query = new SignalQuery { Acknowledged = false, From = marketTime?.AddDays(-1), Limit = HistoryQuery.MaxLimit };
        var page = await store.QuerySignalsAsync(query, cancellationToken).ConfigureAwait(false);
        foreach (var s in page.Items)
        {
            _ = s.Severity switch
            {
                SignalSeverity.Critical => critical++,
                SignalSeverity.Warning => warning++,
                _ => info++,
            };
        }

        return new SignalCountsDto(info, warning, critical);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market overview sample failed")]
    private partial void LogSampleFailed(Exception exception);

    private readonly record struct Totals(long PriceChanges, decimal Revenue, decimal Margin)
    {
        public static Totals operator -(Totals a, Totals b) => new(a.PriceChanges - b.PriceChanges, a.Revenue - b.Revenue, a.Margin - b.Margin);
    }

    private sealed record EngineSample(DateTimeOffset? MarketTime, string Currency, long Products, Totals Totals, double GapSum, int GapCount, long Views, long AddToCarts, long Purchases, double WindowMinutes, IReadOnlyList<string> Busiest, MarketPositionDto Position, int NextProduct);

    /// <summary>Counts our position over the products of one sample.</summary>
    internal sealed class PositionTally
    {
        private readonly long[] _gaps = new long[GapEdges.Length + 1];
        private readonly long[] _ranks = new long[MaxRank];
        private readonly Dictionary<string, (long Products, double RatioSum, long Cheaper)> _competitors = new(StringComparer.Ordinal);
        private long _products;

        public void Add(ProductView product)
        {
            if (product.OurPrice <= 0 || product.Competitors.Count == 0)
            {
                return;
            }

            _products++;
            if (double.IsFinite(product.GapToLowest))
            {
                int bin = 0;
                while (bin < GapEdges.Length && product.GapToLowest >= GapEdges[bin])
                {
                    bin++;
                }

                _gaps[bin]++;
                _ranks[Math.Clamp(product.Rank, 1, MaxRank) - 1]++;
            }

            double ours = (double)product.OurPrice;
            foreach (var offer in product.Competitors)
            {
                if (offer.Price <= 0)
                {
                    continue;
                }

                var (n, sum, cheaper) = _competitors.GetValueOrDefault(offer.Competitor);
                _competitors[offer.Competitor] = (n + 1, sum + ((double)offer.Price / ours), cheaper + (offer.Price < product.OurPrice ? 1 : 0));
            }
        }

        public MarketPositionDto ToDto()
        {
            var gaps = new GapBinDto[_gaps.Length];
            for (int i = 0; i < gaps.Length; i++)
            {
                gaps[i] = new GapBinDto(i == 0 ? null : GapEdges[i - 1], i == GapEdges.Length ? null : GapEdges[i], _gaps[i]);
            }

            var competitors = _competitors
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new CompetitorIndexDto(c.Key, c.Value.Products, c.Value.RatioSum / c.Value.Products, c.Value.Cheaper / (double)c.Value.Products))
                .ToList();
            return new MarketPositionDto(_products, gaps, [.. _ranks], competitors);
        }
    }
}
