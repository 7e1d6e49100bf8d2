using System.Diagnostics.Metrics;
using PriceIntel.Engine.Diagnostics;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The processor's counters as observable instruments on the <c>PriceIntel</c> meter (the engine's meter name,
/// so one <c>dotnet-counters monitor --counters PriceIntel</c> or OpenTelemetry <c>AddMeter("PriceIntel")</c> sees
/// both). Observed when a listener collects: nothing is recorded on the consume or engine path.
/// </summary>
internal sealed class ProcessorMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ProcessorMetrics(ProcessorCounters counters, Func<int> assignedPartitions, string groupId, IMeterFactory? meterFactory)
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

        var group = new KeyValuePair<string, object?>("group", groupId);
        Counter("priceintel.kafka.messages", "{message}", "Input messages taken into engine batches (replays included).", () => counters.Messages);
        Counter("priceintel.kafka.events", "{event}", "Events processed whose outputs were produced.", () => counters.Events);
        Counter("priceintel.kafka.events.replayed", "{event}", "Events processed again after a restore or rewind without re-emitting outputs.", () => counters.ReplayedEvents);
        Counter("priceintel.kafka.signals", "{signal}", "Market signals acknowledged by the brokers.", () => counters.SignalsDelivered);
        Counter("priceintel.kafka.decisions", "{decision}", "Pricing decisions acknowledged by the brokers.", () => counters.DecisionsDelivered);
        Counter("priceintel.kafka.dead_letters", "{message}", "Dead letters acknowledged (poison, late and misrouted events, summaries of refused messages).", () => counters.DeadLettered);
        Counter("priceintel.kafka.delivery_failures", "{batch}", "Output batches or snapshots whose delivery failed (a failed batch rewinds its partition).", () => counters.DeliveryFailures);
        Counter("priceintel.kafka.refused", "{message}", "Messages Kafka refused for good (e.g. too large), each replaced by a summary dead letter.", () => counters.RefusedMessages);
        Counter("priceintel.kafka.commits", "{commit}", "Successful offset commits.", () => counters.Commits);
        Counter("priceintel.kafka.commit_failures", "{commit}", "Failed offset commits.", () => counters.CommitFailures);
        Counter("priceintel.kafka.snapshots", "{snapshot}", "State snapshots acknowledged on the state topic.", () => counters.Snapshots);
        Counter("priceintel.kafka.rewinds", "{rewind}", "Partitions rewound to their last snapshot after a delivery failure.", () => counters.Rewinds);
        _meter.CreateObservableCounter(
            "priceintel.kafka.events.late",
            () => PerPartition(counters, late: true, group),
            "{event}",
            "Events beyond the allowed lateness behind their partition's newest event time: dead-lettered, not merged; by partition.");
        _meter.CreateObservableCounter(
            "priceintel.kafka.events.misrouted",
            () => PerPartition(counters, late: false, group),
            "{event}",
            "Events whose product key belongs to another partition (murmur2) than the one they arrived on: dead-lettered; by partition.");
        _meter.CreateObservableGauge(
            "priceintel.kafka.partitions.assigned",
            () => new Measurement<int>(assignedPartitions(), group),
            "{partition}",
            "Partition numbers this processor owns now.");

        void Counter(string name, string unit, string description, Func<long> read) =>
            _meter.CreateObservableCounter(name, () => new Measurement<long>(read(), group), unit, description);
    }

    /// <summary>The engine's meter name: <c>PriceIntel</c>.</summary>
    public const string MeterName = PriceIntelMetrics.MeterName;

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<long>> PerPartition(ProcessorCounters counters, bool late, KeyValuePair<string, object?> group)
    {
        foreach (var c in counters.ReadPartitions())
        {
            yield return new Measurement<long>(late ? c.LateEvents : c.MisroutedEvents, group, new KeyValuePair<string, object?>("partition", c.Partition));
        }
    }
}
