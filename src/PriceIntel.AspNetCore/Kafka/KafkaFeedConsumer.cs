using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore.Feed;
using PriceIntel.Kafka;

namespace PriceIntel.AspNetCore.Kafka;

/// <summary>
/// The Kafka mode's live feed: reads every partition of the output topics (signals and decisions) from their
/// end, in no consumer group and committing nothing, and hands each batch to this replica's live feed. The store
/// is written by <see cref="KafkaOutputConsumer"/>, whose consumer group shares the partitions among the API's
/// replicas; the feed must not be shared that way, or a browser connected to one replica would miss the outputs
/// of the partitions another replica owns. Partitions added to a topic later are picked up when the partition
/// list is refreshed (every 30 s).
/// </summary>
internal sealed partial class KafkaFeedConsumer(
    IOptions<KafkaOptions> options,
    LiveFeed feed,
    ILogger<KafkaFeedConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private readonly KafkaOutputReader _reader = new();
    private long _delivered;
    private volatile bool _ready;

    /// <summary>Outputs handed to the live feed so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Set once every partition of the output topics is assigned (the feed sees what is produced after it).</summary>
    public bool Ready => _ready;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var config = KafkaOutputConsumer.ConsumerConfig(settings, settings.GroupId + "-api-feed-" + Guid.NewGuid().ToString("N")[..12], "feed");
        config.EnableAutoCommit = false;
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetErrorHandler((_, e) => LogClientError(e.Code, e.Reason))
            .Build();
        string[] topics = [settings.Topics.MarketSignals, settings.Topics.PricingDecisions];
        var assigned = new HashSet<TopicPartition>();
        long nextRefresh = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (Environment.TickCount64 >= nextRefresh)
                {
                    Refresh(consumer, topics, assigned);
                    nextRefresh = Environment.TickCount64 + (long)(assigned.Count == 0 ? TimeSpan.FromSeconds(1) : RefreshEvery).TotalMilliseconds;
                }

                if (assigned.Count == 0)
                {
                    stoppingToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                    continue;
                }

                var result = consumer.Consume(_reader.PollTimeout);
                if (result is not null && !_reader.TryRead(result, out var error))
                {
                    LogUnreadable(result.Topic, result.Partition.Value, result.Offset.Value, error);
                }

                if (_reader.IsFull || (result is null && _reader.Count > 0))
                {
                    var batch = _reader.TakeBatch();
                    feed.WriteAsync(batch, stoppingToken).AsTask().GetAwaiter().GetResult();
                    Interlocked.Add(ref _delivered, batch.Signals.Length + batch.Decisions.Length);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a feed starts from the end again next time.
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException ex)
            {
                LogClientError(ex.Error.Code, ex.Error.Reason); // a close error must not hide why the loop ended
            }
        }
    }

    private void Refresh(IConsumer<Ignore, byte[]> consumer, string[] topics, HashSet<TopicPartition> assigned)
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var added = new List<TopicPartitionOffset>();
            foreach (var topic in topics)
            {
                var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(5));
                foreach (var t in metadata.Topics)
                {
                    if (t.Error.IsError)
                    {
                        continue;
                    }

                    foreach (var p in t.Partitions)
                    {
                        var partition = new TopicPartition(t.Topic, p.PartitionId);
                        if (assigned.Add(partition))
                        {
                            added.Add(new TopicPartitionOffset(partition, Offset.End));
                        }
                    }
                }
            }

            if (added.Count > 0)
            {
                consumer.IncrementalAssign(added);
                _ready = true;
            }
        }
        catch (KafkaException ex)
        {
            LogClientError(ex.Error.Code, ex.Error.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output message {Topic}[{Partition}]@{Offset} not shown on the live feed: {Reason}")]
    private partial void LogUnreadable(string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error (live feed) {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);
}
