using System.Diagnostics.Metrics;

namespace PriceIntel.Engine.Diagnostics;

/// <summary>
/// PriceIntel's counters on the <c>PriceIntel</c> meter, readable by OpenTelemetry, Prometheus exporters
/// or <c>dotnet-counters monitor --counters PriceIntel</c>. Instruments are updated once per batch, never per event.
/// </summary>
public sealed class PriceIntelMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "PriceIntel";

    private static readonly KeyValuePair<string, object?>[] SignalKindTags =
    [
        default,
        new("kind", "competitor_price_drop"),
        new("kind", "demand_surge"),
        new("kind", "low_inventory"),
        new("kind", "price_anomaly"),
    ];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _eventsIn;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _late;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _signals;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _batchMilliseconds;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public PriceIntelMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        _eventsIn = _meter.CreateCounter<long>("priceintel.events.in", "{event}", "Events decoded and handed to the engine.");
        _rejected = _meter.CreateCounter<long>("priceintel.events.rejected", "{event}", "Inputs rejected as undecodable or invalid and set aside.");
        _late = _meter.CreateCounter<long>("priceintel.events.late", "{event}", "Events older than the allowed lateness, counted and not merged.");
        _dropped = _meter.CreateCounter<long>("priceintel.events.dropped", "{event}", "Events dropped because the pipeline buffer was full (DropNewest mode).");
        _signals = _meter.CreateCounter<long>("priceintel.signals", "{signal}", "Market signals raised, by kind.");
        _decisions = _meter.CreateCounter<long>("priceintel.decisions", "{decision}", "Pricing decisions made.");
        _batchMilliseconds = _meter.CreateHistogram<double>("priceintel.batch.duration", "ms", "Engine processing time per batch.");
    }

    /// <summary>The meter the instruments live on (tests listen to exactly this one).</summary>
    internal Meter Meter => _meter;

    internal void EventsIn(long count) => _eventsIn.Add(count);

    internal void Rejected(long count) => _rejected.Add(count);

    internal void Late(long count) => _late.Add(count);

    internal void Dropped(long count) => _dropped.Add(count);

    internal void Decisions(long count) => _decisions.Add(count);

    internal void BatchDuration(double milliseconds) => _batchMilliseconds.Record(milliseconds);

    internal void Signals(SignalKind kind, long count)
    {
        if (count > 0)
        {
            _signals.Add(count, SignalKindTags[(int)kind]);
        }
    }

    /// <summary>
    /// Records one engine batch run by a host of its own (a web API, a worker) rather than <c>MarketPipeline</c>:
    /// events in, and the late events, decisions and signals by kind that the batch added (the difference of the
    /// engine's counters before and after it), and its duration. Call once per batch, never per event.
    /// </summary>
    /// <param name="events">Events handed to the engine in the batch.</param>
    /// <param name="before">The engine's counters before the batch.</param>
    /// <param name="after">The engine's counters after the batch.</param>
    /// <param name="milliseconds">Engine processing time of the batch.</param>
    public void RecordBatch(long events, in EngineCounters before, in EngineCounters after, double milliseconds)
    {
        EventsIn(events);
        if (after.Late > before.Late)
        {
            Late(after.Late - before.Late);
        }

        if (after.Decisions > before.Decisions)
        {
            Decisions(after.Decisions - before.Decisions);
        }

        Signals(SignalKind.CompetitorPriceDrop, after.CompetitorPriceDrops - before.CompetitorPriceDrops);
        Signals(SignalKind.DemandSurge, after.DemandSurges - before.DemandSurges);
        Signals(SignalKind.LowInventory, after.LowInventories - before.LowInventories);
        Signals(SignalKind.PriceAnomaly, after.PriceAnomalies - before.PriceAnomalies);
        BatchDuration(milliseconds);
    }

    /// <summary>Records inputs rejected before they reached the engine (undecodable or invalid lines and items).</summary>
    /// <param name="count">Inputs rejected.</param>
    public void RecordRejected(long count)
    {
        if (count > 0)
        {
            Rejected(count);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
