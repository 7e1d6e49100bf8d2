using Microsoft.Extensions.Logging;

namespace PriceIntel.Kafka.Processing;

/// <summary>The processor's log messages (source-generated, no allocation when disabled).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Kafka processor of group {Group} started on {Topics}.")]
    public static partial void Started(ILogger logger, string group, string topics);

    [LoggerMessage(2, LogLevel.Information, "Partition {Partition} assigned: snapshot {Snapshot}; committed {Committed}.")]
    public static partial void Assigned(ILogger logger, int partition, string snapshot, string committed);

    [LoggerMessage(3, LogLevel.Information, "Partition {Partition} handed over: outputs delivered, state written, offsets committed.")]
    public static partial void Retired(ILogger logger, int partition);

    [LoggerMessage(4, LogLevel.Error, "Partition {Partition} handed over without commit ({Reason}); the next owner replays from the last commit.")]
    public static partial void RetiredUnsettled(ILogger logger, int partition, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Partition {Partition} lost (session expired); its uncommitted work is replayed by the next owner.")]
    public static partial void Lost(ILogger logger, int partition);

    [LoggerMessage(6, LogLevel.Error, "Partition {Partition}: output {Error}. Offsets past the last acknowledged output are not committed; replaying from the last snapshot ({Offsets}).")]
    public static partial void Rewound(ILogger logger, int partition, string error, string offsets);

    [LoggerMessage(7, LogLevel.Warning, "Offset commit failed ({Code}: {Reason}); retried at the next interval.")]
    public static partial void CommitFailed(ILogger logger, string code, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Consume error {Code}: {Reason}.")]
    public static partial void ConsumeError(ILogger logger, string code, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Reading {What} on assignment failed ({Reason}); retrying.")]
    public static partial void RestoreRetry(ILogger logger, string what, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Kafka client error {Code}: {Reason}.")]
    public static partial void ClientError(ILogger logger, string code, string reason);

    [LoggerMessage(11, LogLevel.Critical, "Fatal Kafka client error {Code}: {Reason}.")]
    public static partial void FatalClientError(ILogger logger, string code, string reason);

    [LoggerMessage(12, LogLevel.Debug, "librdkafka {Facility}: {Message}")]
    public static partial void ClientLog(ILogger logger, string facility, string message);

    [LoggerMessage(13, LogLevel.Warning, "{Operation} of {Partition} failed: {Reason}.")]
    public static partial void ConsumerCallFailed(ILogger logger, string operation, string partition, string reason);

    [LoggerMessage(15, LogLevel.Warning, "Partition {Partition} handed over with outputs delivered and state written, but its final offsets could not be committed; the next owner restores the state and skips the delivered outputs.")]
    public static partial void RetiredUncommitted(ILogger logger, int partition);

    [LoggerMessage(16, LogLevel.Critical, "The engine of partition {Partition} failed while processing a batch; the processor stops without committing it.")]
    public static partial void EngineFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(17, LogLevel.Critical, "The rebalance callback ({What}) failed; the processor stops.")]
    public static partial void HandlerFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "Closing the consumer failed: {Reason}.")]
    public static partial void CloseFailed(ILogger logger, string reason);

    [LoggerMessage(18, LogLevel.Error, "Partition {Partition}: a message to {Topic} was refused for good ({Reason}); a summary goes to the dead-letter topic instead and the partition moves on.")]
    public static partial void MessageRefused(ILogger logger, int partition, string topic, string reason);

    [LoggerMessage(19, LogLevel.Warning, "Partition {Partition}: state snapshot not written: {Error}; the previous snapshot stays the restore point.")]
    public static partial void SnapshotNotWritten(ILogger logger, int partition, string? error);
}
