using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PriceIntel.AspNetCore.Diagnostics;

/// <summary>
/// The API host's instruments on the <c>PriceIntel.Api</c> meter (ingest, the in-process engine, the
/// live feed) and its activity source for traces. Updated once per request or batch, never per event.
/// </summary>
internal sealed class ApiMetrics : IDisposable
{
    public const string MeterName = "PriceIntel.Api";
    public const string ActivitySourceName = "PriceIntel.Api";

    private static readonly KeyValuePair<string, object?>[] SignalKindTags =
    [
        default,
        new("kind", "competitor_price_drop"),
        new("kind", "demand_surge"),
        new("kind", "low_inventory"),
        new("kind", "price_anomaly"),
    ];

    private readonly Meter _meter;
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _engineEvents;
    private readonly Counter<long> _late;
    private readonly Counter<long> _invalid;
    private readonly Counter<long> _signals;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _batchMs;
    private readonly UpDownCounter<long> _feedSubscribers;
    private readonly Counter<long> _feedDropped;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _ingested = _meter.CreateCounter<long>("priceintel.api.ingest.accepted", "{event}", "Events accepted by the ingest endpoints and queued for the engine.");
        _rejected = _meter.CreateCounter<long>("priceintel.api.ingest.rejected", "{event}", "Ingest items rejected as invalid (each answered with its error).");
        _engineEvents = _meter.CreateCounter<long>("priceintel.api.engine.events", "{event}", "Events processed by the in-process engine.");
        _late = _meter.CreateCounter<long>("priceintel.api.engine.late", "{event}", "Events older than the allowed lateness, counted and not merged.");
        _invalid = _meter.CreateCounter<long>("priceintel.api.engine.invalid", "{event}", "Events the engine refused (currency mismatch, non-positive price).");
        _signals = _meter.CreateCounter<long>("priceintel.api.engine.signals", "{signal}", "Market signals raised by the in-process engine, by kind.");
        _decisions = _meter.CreateCounter<long>("priceintel.api.engine.decisions", "{decision}", "Pricing decisions made by the in-process engine.");
        _batchMs = _meter.CreateHistogram<double>("priceintel.api.engine.batch.duration", "ms", "Engine processing time per batch.");
        _feedSubscribers = _meter.CreateUpDownCounter<long>("priceintel.api.feed.subscribers", "{subscriber}", "Live feed subscribers connected.");
        _feedDropped = _meter.CreateCounter<long>("priceintel.api.feed.dropped", "{item}", "Live feed items not sent because a subscriber was over its rate or behind.");
        ActivitySource = new ActivitySource(ActivitySourceName);
    }

    public ActivitySource ActivitySource { get; }

    public void Ingested(long count) => _ingested.Add(count);

    public void Rejected(long count) => _rejected.Add(count);

    public void FeedSubscribed(int delta) => _feedSubscribers.Add(delta);

    public void FeedDropped(long count) => _feedDropped.Add(count);

    public void EngineBatch(int events, in EngineCounters before, in EngineCounters after, double milliseconds)
    {
        _engineEvents.Add(events);
        _batchMs.Record(milliseconds);
        Add(_late, after.Late - before.Late);
        Add(_invalid, after.Invalid - before.Invalid);
        Add(_decisions, after.Decisions - before.Decisions);
        AddSignals(SignalKind.CompetitorPriceDrop, after.CompetitorPriceDrops - before.CompetitorPriceDrops);
        AddSignals(SignalKind.DemandSurge, after.DemandSurges - before.DemandSurges);
        AddSignals(SignalKind.LowInventory, after.LowInventories - before.LowInventories);
        AddSignals(SignalKind.PriceAnomaly, after.PriceAnomalies - before.PriceAnomalies);
    }

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    private static void Add(Counter<long> counter, long value)
    {
        if (value > 0)
        {
            counter.Add(value);
        }
    }

    private void AddSignals(SignalKind kind, long value)
    {
        if (value > 0)
        {
            _signals.Add(value, SignalKindTags[(int)kind]);
        }
    }
}
