using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The hand-over of a partition the processor gives up (revocation, shutdown): its last batch, outputs, state and
/// commit. Consume thread (inside the revocation callback or after the run loop).
/// </summary>
internal sealed class PartitionHandOver(KafkaOptions options, ProcessorClock clock, ProcessorCounters counters, ILogger logger)
{
    private readonly KafkaOptions _options = options;
    private readonly ProcessorClock _clock = clock;
    private readonly ProcessorCounters _counters = counters;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Revoke and shutdown: finishes the partial batch, waits for every output, writes the state at exactly the
    /// processed offsets, and commits those offsets (with a few retries), so the next owner starts where this one
    /// stopped. A task whose engine or delivery failed is only stopped: its next owner replays it.
    /// </summary>
    public void Retire<TKey, TValue>(IConsumer<TKey, TValue> consumer, OutputProducer producer, PartitionTask task)
    {
        if (task.Failure is null && task.EngineFailure is null)
        {
            task.Drain(producer);
        }
        else
        {
            task.WaitIdle(); // the partition is replayed by its next owner; nothing of it runs after this
        }

        if (task.EngineFailure is { } engineFailure)
        {
            Log.RetiredUnsettled(_logger, task.Partition, $"its engine failed: {engineFailure.Message}");
            return;
        }

        var deadline = _clock.NowMs + (long)_options.DeliveryTimeout.TotalMilliseconds + 5_000;
        bool snapshotQueued = false;
        while (_clock.NowMs < deadline)
        {
            task.Settle(producer);
            if (task.Failure is not null)
            {
                break;
            }

            if (task.IsSettled)
            {
                if (snapshotQueued)
                {
                    break;
                }

                task.SnapshotIfDue(_clock.NowMs, force: true);
                snapshotQueued = true;
                continue;
            }

            producer.Flush(TimeSpan.FromMilliseconds(50));
        }

        if (task.Failure is not null || !task.IsSettled)
        {
            Log.RetiredUnsettled(_logger, task.Partition, task.Failure ?? "outputs still in flight");
            return;
        }

        if (task.CommitCandidates() is { } offsets)
        {
            // The hand-over commit is worth a few retries: without it the next owner replays (correctly,
            // but needlessly) from the previous commit. Errors that mean the assignment is gone end it.
            bool committed = false;
            for (int attempt = 1; attempt <= 5 && !committed; attempt++)
            {
                try
                {
                    consumer.Commit(offsets);
                    task.Committed(offsets);
                    _counters.CommitSucceeded();
                    committed = true;
                }
                catch (KafkaException e)
                {
                    _counters.CommitFailed($"commit: {e.Error.Code}: {e.Error.Reason}");
                    Log.CommitFailed(_logger, e.Error.Code.ToString(), e.Error.Reason);
                    if (e.Error.Code is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.Local_State or ErrorCode.Local_AssignmentLost)
                    {
                        break;
                    }

                    _clock.Sleep(TimeSpan.FromMilliseconds(100 * attempt));
                }
            }

            if (!committed)
            {
                Log.RetiredUncommitted(_logger, task.Partition);
                return;
            }
        }

        Log.Retired(_logger, task.Partition);
    }
}
