namespace PriceIntel.Kafka.Publishing;

/// <summary>The three input topics, in the merge tie-break order of <see cref="KafkaTopicOptions.Inputs"/>.</summary>
internal enum InputTopic
{
    /// <summary>Our list price, unit cost and inventory: <see cref="KafkaTopicOptions.PriceUpdates"/>.</summary>
    PriceUpdates = 0,

    /// <summary>Competitor prices: <see cref="KafkaTopicOptions.CompetitorData"/>.</summary>
    CompetitorData = 1,

    /// <summary>Views, add-to-carts and purchases: <see cref="KafkaTopicOptions.UserBehavior"/>.</summary>
    UserBehavior = 2,
}

/// <summary>Which input topic an event goes to.</summary>
internal static class InputTopics
{
    /// <summary>Number of input topics.</summary>
    public const int Count = 3;

    /// <summary>
    /// The topic of an event kind: competitor prices → competitor data; demand → user behaviour;
    /// inventory, cost and list price → price updates.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The kind is <see cref="MarketEventKind.None"/> or unknown.</exception>
    public static InputTopic Of(MarketEventKind kind) => kind switch
    {
        MarketEventKind.CompetitorPrice => InputTopic.CompetitorData,
        MarketEventKind.Demand => InputTopic.UserBehavior,
        MarketEventKind.Inventory or MarketEventKind.Cost or MarketEventKind.ListPrice => InputTopic.PriceUpdates,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"A {kind} event has no input topic."),
    };

    /// <summary>The configured name of an input topic.</summary>
    public static string NameOf(KafkaTopicOptions topics, InputTopic topic) => topic switch
    {
        InputTopic.PriceUpdates => topics.PriceUpdates,
        InputTopic.CompetitorData => topics.CompetitorData,
        _ => topics.UserBehavior,
    };
}
