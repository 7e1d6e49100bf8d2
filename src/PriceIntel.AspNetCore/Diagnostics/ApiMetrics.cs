using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PriceIntel.AspNetCore.Diagnostics;

/// <summary>
/// The HTTP side's own instruments on the <c>PriceIntel.Api</c> meter — what only the API knows: items
/// accepted and refused by the ingest endpoints, live feed subscribers and the items they missed — and its
/// activity source for traces. The engine's figures (events in, late, signals by kind, decisions, batch
/// duration) are on the <c>PriceIntel</c> meter through <c>PriceIntelMetrics</c>, as for every other host;
/// nothing is counted twice. Updated once per request or batch, never per event.
/// </summary>
internal sealed class ApiMetrics : IDisposable
{
    public const string MeterName = "PriceIntel.Api";
    public const string ActivitySourceName = "PriceIntel.Api";

    private readonly Meter _meter;
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _rejected;
    private readonly UpDownCounter<long> _feedSubscribers;
    private readonly Counter<long> _feedDropped;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _ingested = _meter.CreateCounter<long>("priceintel.api.ingest.accepted", "{event}", "Events accepted by the ingest endpoints and handed on (to the engine, or to the Kafka input topics).");
        _rejected = _meter.CreateCounter<long>("priceintel.api.ingest.rejected", "{event}", "Ingest items refused as invalid (each answered with its error).");
        _feedSubscribers = _meter.CreateUpDownCounter<long>("priceintel.api.feed.subscribers", "{subscriber}", "Live feed subscribers connected.");
        _feedDropped = _meter.CreateCounter<long>("priceintel.api.feed.dropped", "{item}", "Live feed items not sent because a subscriber was over its rate or behind.");
        ActivitySource = new ActivitySource(ActivitySourceName);
    }

    public ActivitySource ActivitySource { get; }

    public void Ingested(long count)
    {
        if (count > 0)
        {
            _ingested.Add(count);
        }
    }

    public void Rejected(long count)
    {
        if (count > 0)
        {
            _rejected.Add(count);
        }
    }

    public void FeedSubscribed(int delta) => _feedSubscribers.Add(delta);

    public void FeedDropped(long count) => _feedDropped.Add(count);

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
