namespace PriceIntel.Kafka;

/// <summary>What a <see cref="KafkaEventPublisher"/> has done since it was created.</summary>
/// <param name="Events">Events handed to the producer.</param>
/// <param name="Messages">Kafka messages handed to the producer (one per event, or fewer with batch envelopes).</param>
/// <param name="Bytes">Bytes of message values handed to the producer (keys and protocol overhead not counted).</param>
/// <param name="Failures">Messages whose delivery failed (reported by <see cref="KafkaEventPublisher.Flush"/>).</param>
/// <param name="Rejected">Inputs a source rejected during <see cref="KafkaEventPublisher.PublishAsync"/>; not published.</param>
/// <param name="QueueFullWaits">Times the producer's local queue was full and the publisher waited for room.</param>
public readonly record struct KafkaPublisherCounters(long Events, long Messages, long Bytes, long Failures, long Rejected, long QueueFullWaits);
