using System.Text;

namespace PriceIntel.Kafka.Processing;

/// <summary>The task's diagnostics: its dead-lettered late and misrouted events, and a one-line description.</summary>
internal sealed partial class PartitionTask
{
    private long _lateEvents;
    private long _misroutedEvents;

    /// <summary>Events older than the allowed lateness behind the partition's newest event time (dead-lettered, not merged).</summary>
    public long LateEvents => Volatile.Read(ref _lateEvents);

    /// <summary>Events whose product key belongs to another partition by Kafka's murmur2 partitioner (dead-lettered).</summary>
    public long MisroutedEvents => Volatile.Read(ref _misroutedEvents);

    /// <summary>One line on the task's inputs, for diagnostics.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"p{Partition}: batch={_batchCount} ledger={_ledger.Count} failure={Failure ?? "none"} late={LateEvents} misrouted={MisroutedEvents}");
        foreach (var q in Inputs)
        {
            if (q is not null)
            {
                text.Append($" | {q.Topic}: queued={q.Count} next={q.NextOffset} hw={q.HighWatermark} end={q.AtEnd} paused={q.Paused} processed={_ledger.Processed(q.TopicIndex)} acked={_ledger.Acknowledged(q.TopicIndex)} committed={_ledger.Committed(q.TopicIndex)}");
            }
        }

        return text.ToString();
    }
}
