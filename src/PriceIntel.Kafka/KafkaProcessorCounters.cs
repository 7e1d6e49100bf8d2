namespace PriceIntel.Kafka;

/// <summary>Running totals of a <see cref="KafkaMarketProcessor"/>.</summary>
/// <param name="Messages">Input messages taken into engine batches (including replays).</param>
/// <param name="Events">Events processed whose outputs were produced.</param>
/// <param name="ReplayedEvents">Events processed again after a restore or rewind without re-emitting their outputs (they were acknowledged before).</param>
/// <param name="Signals">Market signals acknowledged by the brokers.</param>
/// <param name="Decisions">Pricing decisions acknowledged by the brokers.</param>
/// <param name="DeadLettered">Poison inputs (whole messages or single lines) acknowledged on the dead-letter topic.</param>
/// <param name="DeliveryFailures">Output batches (or snapshots) whose delivery failed; a failed batch rewinds its partition to its last snapshot.</param>
/// <param name="Commits">Successful offset commits.</param>
/// <param name="CommitFailures">Offset commits that failed (retried at the next interval).</param>
/// <param name="Snapshots">State snapshots acknowledged on the state topic.</param>
/// <param name="SnapshotFailures">State snapshots that could not be written (the previous one stays the restore point).</param>
/// <param name="Restores">Partitions whose state was restored on assignment.</param>
/// <param name="Rewinds">Partitions rewound to their last snapshot after a delivery failure.</param>
/// <param name="AssignedPartitions">Partition numbers this processor owns now.</param>
public readonly record struct KafkaProcessorCounters(
    long Messages,
    long Events,
    long ReplayedEvents,
    long Signals,
    long Decisions,
    long DeadLettered,
    long DeliveryFailures,
    long Commits,
    long CommitFailures,
    long Snapshots,
    long SnapshotFailures,
    long Restores,
    long Rewinds,
    int AssignedPartitions)
{
    /// <summary>
    /// Events more than the allowed lateness (<c>Windows:AllowedLatenessSeconds</c>) behind their partition's
    /// newest event time: not merged into the windows, dead-lettered with how late they were.
    /// </summary>
    public long LateEvents { get; init; }

    /// <summary>
    /// Events whose product key belongs to another partition by Kafka's default (murmur2) partitioner than the
    /// one they arrived on: dead-lettered, not processed (an engine sees all of a product's events or none).
    /// </summary>
    public long MisroutedEvents { get; init; }

    /// <summary>
    /// Messages Kafka refused for good (e.g. <c>MsgSizeTooLarge</c>): each replaced by a payload-free summary on
    /// the dead-letter topic, so the partition moves on.
    /// </summary>
    public long RefusedMessages { get; init; }

    /// <summary>Summary dead letters that Kafka refused too (the dead-letter topic's limits are broken); reported in errors.</summary>
    public long LostDeadLetters { get; init; }
}

/// <summary>Per-partition totals of a <see cref="KafkaMarketProcessor"/> (since it started; partitions it owned at some point).</summary>
/// <param name="Partition">The partition number (of every input topic).</param>
/// <param name="LateEvents">See <see cref="KafkaProcessorCounters.LateEvents"/>.</param>
/// <param name="MisroutedEvents">See <see cref="KafkaProcessorCounters.MisroutedEvents"/>.</param>
public readonly record struct KafkaPartitionCounters(int Partition, long LateEvents, long MisroutedEvents);
