namespace PriceIntel.Kafka;

/// <summary>Builds the librdkafka property set shared by the adapter's clients.</summary>
internal static class KafkaClientConfig
{
    /// <summary>
    /// The user's pass-through properties first, then the bootstrap servers; callers then set the
    /// properties their guarantees depend on, which therefore win over the pass-through.
    /// </summary>
    public static Dictionary<string, string> Build(KafkaOptions options, string role)
    {
        // librdkafka names are lower case; configuration providers may have changed the case.
        var config = options.Client.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);
        config["bootstrap.servers"] = options.BootstrapServers;
        if (!config.ContainsKey("client.id"))
        {
            config["client.id"] = $"priceintel-{role}";
        }

        return config;
    }
}
