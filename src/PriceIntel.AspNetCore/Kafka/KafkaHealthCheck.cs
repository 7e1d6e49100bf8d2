using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PriceIntel.Kafka;

namespace PriceIntel.AspNetCore.Kafka;

/// <summary>
/// Kafka mode's health: the processors' lag (messages on the input topics beyond the offsets their
/// consumer group committed), the API's own lag on the output topics, and whether both are caught up.
/// The processors' committed offsets are read with a probe consumer in their group id that never
/// joins the group (an offset fetch only); figures are cached for a second so a busy health endpoint
/// does not load the brokers. Unhealthy when the brokers do not answer within five seconds.
/// </summary>
internal sealed class KafkaHealthCheck(IOptions<KafkaOptions> options, KafkaOutputConsumer outputs, KafkaFeedConsumer feed, KafkaEventIngress ingress) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _turn = new(1, 1);
    private IConsumer<Ignore, Ignore>? _probe;
    private (long InputLag, int Partitions, long At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var data = new Dictionary<string, object>
        {
            ["processorGroup"] = settings.GroupId,
            ["apiGroup"] = outputs.GroupId,
            ["outputsConsumed"] = outputs.Consumed,
            ["outputsSkipped"] = outputs.Skipped,
            ["feedReady"] = feed.Ready,
            ["feedDelivered"] = feed.Delivered,
            ["ingestEventsPublished"] = ingress.Counters.Events,
            ["ingestDeliveryFailures"] = ingress.Counters.Failures,
        };
        long outputLag = outputs.Lag;
        data["outputLag"] = outputLag;
        try
        {
            var (inputLag, partitions) = await ReadInputLagAsync(settings, cancellationToken).ConfigureAwait(false);
            data["inputLag"] = inputLag;
            data["inputPartitions"] = partitions;
            bool caughtUp = inputLag == 0 && outputLag == 0;
            data["caughtUp"] = caughtUp;
            return HealthCheckResult.Healthy(caughtUp ? "kafka: caught up" : "kafka: processing", data);
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
        {
            data["caughtUp"] = false;
            return HealthCheckResult.Unhealthy("kafka not answering: " + ex.Message, data: data);
        }
    }

    public void Dispose()
    {
        _probe?.Dispose();
        _turn.Dispose();
    }

    private async Task<(long Lag, int Partitions)> ReadInputLagAsync(KafkaOptions settings, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } last && Environment.TickCount64 - last.At < 1000)
            {
                return (last.InputLag, last.Partitions);
            }

            var (lag, partitions) = await Task.Run(() => ReadInputLag(settings), cancellationToken).ConfigureAwait(false);
            _last = (lag, partitions, Environment.TickCount64);
            return (lag, partitions);
        }
        finally
        {
            _turn.Release();
        }
    }

    private (long Lag, int Partitions) ReadInputLag(KafkaOptions settings)
    {
        // A consumer in the processors' group id that never subscribes: it only fetches the group's offsets.
        if (_probe is null)
        {
            var config = KafkaOutputConsumer.ConsumerConfig(settings, settings.GroupId, "lag-probe");
            config.EnableAutoCommit = false; // it must never commit anything for the processors' group
            _probe = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        }

        using var admin = new DependentAdminClientBuilder(_probe.Handle).Build();
        var partitions = new List<TopicPartition>();
        foreach (var topic in settings.Topics.Inputs)
        {
            var metadata = admin.GetMetadata(topic, Timeout);
            var entry = metadata.Topics.Find(t => t.Topic == topic);
            if (entry is null || entry.Error.IsError)
            {
                throw new InvalidOperationException($"input topic '{topic}' is not readable: {entry?.Error.Reason ?? "not in the metadata"}");
            }

            partitions.AddRange(entry.Partitions.Select(p => new TopicPartition(topic, new Partition(p.PartitionId))));
        }

        var committed = _probe.Committed(partitions, Timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        long lag = 0;
        foreach (var partition in partitions)
        {
            var marks = _probe.QueryWatermarkOffsets(partition, Timeout);
            long from = committed.TryGetValue(partition, out var offset) && offset != Offset.Unset ? offset.Value : marks.Low.Value;
            lag += Math.Max(0, marks.High.Value - from);
        }

        return (lag, partitions.Count / Math.Max(1, settings.Topics.Inputs.Count));
    }
}
