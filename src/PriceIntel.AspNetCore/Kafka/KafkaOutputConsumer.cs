using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel.Kafka;

namespace PriceIntel.AspNetCore.Kafka;

/// <summary>
/// The Kafka mode's store writer: consumes the processors' output topics (signals and decisions) in the
/// consumer group <c>{Kafka:GroupId}-api</c> (shared by the API's replicas, so each output is stored once),
/// writes each batch to the store, and only then stores the offsets for commit, so a restart re-reads what was not written (the store
/// ignores ids it already holds: outputs carry deterministic ids). Runs on a thread of its own
/// (the Kafka consumer blocks). An unreadable message is logged and skipped; a store failure is
/// retried after a pause without committing. The live feed reads the same topics on its own, in every replica
/// (<see cref="KafkaFeedConsumer"/>).
/// </summary>
internal sealed partial class KafkaOutputConsumer(
    IOptions<KafkaOptions> options,
    IMarketStore store,
    ILogger<KafkaOutputConsumer> logger) : BackgroundService
{
    private readonly KafkaOutputReader _reader = new();
    private readonly Dictionary<TopicPartition, Offset> _pending = [];
    private long _consumed;
    private long _lag = -1;
    private long _skipped;

    /// <summary>The consumer group the API reads the output topics in.</summary>
    public string GroupId => options.Value.GroupId + "-api";

    /// <summary>Output messages written to the store so far.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Output messages that could not be read (logged and skipped).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Messages on the assigned output partitions not yet written, as of the last fetch; -1 before the first assignment.</summary>
    public long Lag => Interlocked.Read(ref _lag);

    /// <summary>The last error the consumer reported; null when none.</summary>
    public string? LastError { get; private set; }

    internal static ConsumerConfig ConsumerConfig(KafkaOptions options, string groupId, string role)
    {
        var settings = options.Client.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);
        settings["bootstrap.servers"] = options.BootstrapServers;
        settings.TryAdd("client.id", "priceintel-api-" + role);
        return new ConsumerConfig(settings)
        {
            GroupId = groupId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            AutoCommitIntervalMs = 500,
        };
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(ConsumerConfig(settings, GroupId, "outputs"))
            .SetErrorHandler((_, e) =>
            {
                LastError = $"{e.Reason} ({e.Code})";
                LogClientError(e.Code, e.Reason);
            })
            .Build();
        consumer.Subscribe([settings.Topics.MarketSignals, settings.Topics.PricingDecisions]);
        LogStarted(GroupId, settings.Topics.MarketSignals, settings.Topics.PricingDecisions);
        long nextLagCheck = Environment.TickCount64;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = consumer.Consume(_reader.PollTimeout);
                if (result is not null)
                {
                    Read(result);
                }

                if (_reader.IsFull || (result is null && _pending.Count > 0))
                {
                    WriteBatch(consumer, stoppingToken);
                }

                if (Environment.TickCount64 >= nextLagCheck)
                {
                    Interlocked.Exchange(ref _lag, ReadLag(consumer));
                    nextLagCheck = Environment.TickCount64 + 500;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was not written is re-read next time.
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException ex)
            {
                LogClientError(ex.Error.Code, ex.Error.Reason);
            }
        }
    }

    private void Read(ConsumeResult<Ignore, byte[]> result)
    {
        _pending[result.TopicPartition] = result.Offset + 1;
        if (!_reader.TryRead(result, out var error))
        {
            Interlocked.Increment(ref _skipped);
            LogUnreadable(result.Topic, result.Partition.Value, result.Offset.Value, error);
        }
    }

    /// <summary>
    /// Writes the buffered outputs to the store (retrying until it answers), then stores their offsets for
    /// commit. Runs on the consumer's own blocking thread, so it waits for the store synchronously: that wait is the
    /// back-pressure (nothing more is consumed until the store took the batch).
    /// </summary>
    private void WriteBatch(IConsumer<Ignore, byte[]> consumer, CancellationToken stoppingToken)
    {
        int count = _reader.Count;
        if (count > 0)
        {
            var batch = _reader.TakeBatch();
            while (true)
            {
                try
                {
                    store.WriteAsync(batch, stoppingToken).AsTask().GetAwaiter().GetResult();
                    store.FlushAsync(stoppingToken).AsTask().GetAwaiter().GetResult();
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogStoreFailed(ex);
                    stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    stoppingToken.ThrowIfCancellationRequested();
                }
            }

        }

        foreach (var (partition, offset) in _pending)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition, offset));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // The partition was revoked meanwhile: its next owner re-reads from the last commit.
            }
        }

        _pending.Clear();
        Interlocked.Add(ref _consumed, count);
    }

    private static long ReadLag(IConsumer<Ignore, byte[]> consumer)
    {
        var assignment = consumer.Assignment;
        if (assignment.Count == 0)
        {
            return -1;
        }

        long lag = 0;
        foreach (var partition in assignment)
        {
            var marks = consumer.GetWatermarkOffsets(partition);
            if (marks.High == Offset.Unset)
            {
                continue;
            }

            var position = consumer.Position(partition);
            long at = position == Offset.Unset ? (marks.Low == Offset.Unset ? 0 : marks.Low.Value) : position.Value;
            lag += Math.Max(0, marks.High.Value - at);
        }

        return lag;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading outputs in consumer group {Group} from {Signals} and {Decisions}")]
    private partial void LogStarted(string group, string signals, string decisions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output message {Topic}[{Partition}]@{Offset} skipped: {Reason}")]
    private partial void LogUnreadable(string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing outputs to the store failed; retrying")]
    private partial void LogStoreFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);
}
