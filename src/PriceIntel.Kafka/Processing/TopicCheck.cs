using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The processor's start-up check of its topics: all exist, the inputs have equal partition counts (they are keyed
/// by product), the state topic has at least as many partitions. Metadata comes through the producer's connections.
/// </summary>
internal static class TopicCheck
{
    /// <summary>Checks the topics; returns the input topics' partition count.</summary>
    /// <exception cref="InvalidOperationException">A topic is missing or the counts do not fit; the message names them.</exception>
    /// <exception cref="KafkaException">The metadata could not be read within <see cref="KafkaOptions.RestoreTimeout"/>.</exception>
    public static int Run(Handle producerHandle, KafkaOptions options, ProcessorClock clock)
    {
        // Metadata through the producer's connections: no extra client to start.
        using var admin = new DependentAdminClientBuilder(producerHandle).Build();
        var t = options.Topics;
        var wanted = new[] { t.PriceUpdates, t.CompetitorData, t.UserBehavior, t.MarketSignals, t.PricingDecisions, t.DeadLetter, t.State };
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var deadline = clock.UtcNow + options.RestoreTimeout;
        while (true)
        {
            try
            {
                var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
                foreach (var topic in metadata.Topics)
                {
                    if (!topic.Error.IsError)
                    {
                        counts[topic.Topic] = topic.Partitions.Count;
                    }
                }

                break;
            }
            catch (KafkaException) when (clock.UtcNow < deadline)
            {
                clock.Sleep(TimeSpan.FromMilliseconds(200));
            }
        }

        var missing = wanted.Where(w => !counts.ContainsKey(w)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"Kafka topics missing at {options.BootstrapServers}: {string.Join(", ", missing)}. Create them (inputs with equal partition counts, the state topic with at least as many partitions) or fix Kafka:Topics.");
        }

        var inputCounts = options.Topics.Inputs.Select(i => counts[i]).Distinct().ToList();
        if (inputCounts.Count != 1)
        {
            throw new InvalidOperationException($"Input topics must have equal partition counts (topics are keyed by product): {string.Join(", ", options.Topics.Inputs.Select(i => $"{i}={counts[i]}"))}.");
        }

        if (counts[t.State] < inputCounts[0])
        {
            throw new InvalidOperationException($"State topic '{t.State}' has {counts[t.State]} partitions; it needs at least as many as the inputs ({inputCounts[0]}).");
        }

        return inputCounts[0];
    }
}
