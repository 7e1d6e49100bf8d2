using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PriceIntel.Kafka.Processing;

/// <summary>Where a newly assigned partition starts: its newest persisted state (or none) and the group's committed offsets.</summary>
/// <param name="Snapshot">The newest state snapshot of the partition on the state topic, or null.</param>
/// <param name="Committed">The group's committed offset per input topic (topics without one are absent).</param>
internal sealed record RestorePoint(StateSnapshot? Snapshot, IReadOnlyDictionary<string, long> Committed);

/// <summary>
/// Reads what newly assigned partitions restore from: the group's committed offsets (through the consumer) and the
/// newest state snapshot of each partition (from the state topic), each retried until
/// <see cref="KafkaOptions.RestoreTimeout"/>. Consume thread (inside the assignment callback).
/// </summary>
internal sealed class PartitionRestore : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ProcessorClock _clock;
    private readonly ProcessorCounters _counters;
    private readonly ILogger _logger;
    private readonly StateTopicReader _stateReader;

    public PartitionRestore(KafkaOptions options, ProcessorClock clock, ProcessorCounters counters, ILogger logger)
    {
        _options = options;
        _clock = clock;
        _counters = counters;
        _logger = logger;
        _stateReader = new StateTopicReader(options, clock);
    }

    /// <summary>The restore point of every partition number in <paramref name="partitions"/>.</summary>
    /// <exception cref="TimeoutException">The offsets or the state could not be read within <see cref="KafkaOptions.RestoreTimeout"/>.</exception>
    public Dictionary<int, RestorePoint> Read<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<TopicPartition> partitions)
    {
        var committed = ReadCommitted(consumer, partitions);
        var numbers = partitions.Select(tp => tp.Partition.Value).Distinct().ToList();
        var snapshots = ReadSnapshots(numbers);
        var points = new Dictionary<int, RestorePoint>(numbers.Count);
        foreach (int p in numbers)
        {
            var committedHere = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var tpo in committed)
            {
                if (tpo.Partition.Value == p && tpo.Offset.Value >= 0)
                {
                    committedHere[tpo.Topic] = tpo.Offset.Value;
                }
            }

            points[p] = new RestorePoint(snapshots.GetValueOrDefault(p), committedHere);
        }

        return points;
    }

    public void Dispose() => _stateReader.Dispose();

    private List<TopicPartitionOffset> ReadCommitted<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<TopicPartition> partitions)
    {
        var deadline = _clock.UtcNow + _options.RestoreTimeout;
        while (true)
        {
            try
            {
                var left = deadline - _clock.UtcNow;
                return consumer.Committed(partitions, left < TimeSpan.FromSeconds(5) ? TimeSpan.FromMilliseconds(Math.Max(100, left.TotalMilliseconds)) : TimeSpan.FromSeconds(5));
            }
            catch (KafkaException e) when (_clock.UtcNow < deadline)
            {
                _counters.Error($"committed offsets: {e.Error.Code}: {e.Error.Reason}");
                Log.RestoreRetry(_logger, "committed offsets", e.Error.Reason);
                _clock.Sleep(TimeSpan.FromMilliseconds(200));
            }
            catch (KafkaException e)
            {
                throw new TimeoutException($"Reading the committed offsets did not succeed within Kafka:RestoreTimeout ({_options.RestoreTimeout}): {e.Error.Code}: {e.Error.Reason}", e);
            }
        }
    }

    private Dictionary<int, StateSnapshot?> ReadSnapshots(List<int> partitions)
    {
        var deadline = _clock.UtcNow + _options.RestoreTimeout;
        while (true)
        {
            try
            {
                return _stateReader.ReadLatest(partitions, p => PartitionTask.StateKey(_options.GroupId, p), _options.RestoreTimeout);
            }
            catch (Exception e) when ((e is KafkaException || e is TimeoutException) && _clock.UtcNow < deadline)
            {
                _counters.Error($"state topic: {e.Message}");
                Log.RestoreRetry(_logger, "state snapshots", e.Message);
                _clock.Sleep(TimeSpan.FromMilliseconds(200));
            }
            catch (Exception e) when (e is KafkaException || e is TimeoutException)
            {
                throw new TimeoutException($"Restoring the state of partitions {string.Join(", ", partitions)} from '{_options.Topics.State}' did not succeed within Kafka:RestoreTimeout ({_options.RestoreTimeout}): {e.Message}", e);
            }
        }
    }
}
