using PriceIntel.Shared;

namespace PriceIntel.Kafka;

/// <summary>
/// Settings of the Kafka adapter, bound from the <c>Kafka</c> configuration section (the YAML file's
/// <c>kafka:</c> block, appsettings.json, environment variables such as <c>Kafka__BootstrapServers</c>).
/// Setters check their value and throw <see cref="ArgumentOutOfRangeException"/> naming the option;
/// <see cref="Validate"/> checks the rules that span options.
/// </summary>
public sealed class KafkaOptions
{
    /// <summary>The configuration section the options bind from by default.</summary>
    public const string SectionName = "Kafka";

    private string _bootstrapServers = "localhost:9092";
    private string _groupId = "priceintel";
    private int _batchSize = 4096;
    private int _maxMessageBytes = 1_000_000;
    private int _eventsPerMessage = 1;
    private TimeSpan _maxEnvelopeSpan = TimeSpan.FromSeconds(300);
    private int _snapshotChunkBytes = 512 * 1024;
    private TimeSpan _commitInterval = TimeSpan.FromSeconds(1);
    private TimeSpan _snapshotInterval = TimeSpan.FromSeconds(30);
    private TimeSpan _deliveryTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _maxTaskIdle = TimeSpan.FromSeconds(30);
    private TimeSpan _restoreTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Comma-separated <c>host:port</c> list of brokers. Default <c>localhost:9092</c>.</summary>
    public string BootstrapServers { get => _bootstrapServers; set => _bootstrapServers = RequireText(value, "Kafka:BootstrapServers"); }

    /// <summary>Consumer group the engine processes join; one group = one deployment. Default <c>priceintel</c>.</summary>
    public string GroupId { get => _groupId; set => _groupId = RequireText(value, "Kafka:GroupId"); }

    /// <summary>Topic names.</summary>
    public KafkaTopicOptions Topics { get; set; } = new();

    /// <summary>
    /// librdkafka properties passed through to every client (producer, consumer, admin) as they are —
    /// security and tuning: <c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>,
    /// <c>ssl.ca.location</c>, <c>client.id</c>, … They are applied before the adapter's own settings, so
    /// the properties the delivery guarantees depend on (idempotence, acks, manual commits) cannot be
    /// weakened by mistake.
    /// </summary>
    public Dictionary<string, string> Client { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Events per engine batch. Default 4096.</summary>
    public int BatchSize { get => _batchSize; set => _batchSize = Between(value, 1, 1 << 20, "Kafka:BatchSize"); }

    /// <summary>
    /// Input messages larger than this many bytes are not decoded: they go to the dead-letter topic.
    /// Default 1,000,000.
    /// </summary>
    public int MaxMessageBytes { get => _maxMessageBytes; set => _maxMessageBytes = Between(value, 64, 100 << 20, "Kafka:MaxMessageBytes"); }

    /// <summary>
    /// Events a publisher packs into one input message (a batch envelope: JSON lines in one message value,
    /// all for the same partition). 1 = one event per message. Consumers read both shapes. Default 1.
    /// </summary>
    public int EventsPerMessage { get => _eventsPerMessage; set => _eventsPerMessage = Between(value, 1, 100_000, "Kafka:EventsPerMessage"); }

    /// <summary>
    /// The longest stretch of event time one batch envelope may cover: the publisher closes an envelope
    /// before an event whose timestamp is more than this after the envelope's first event (or before it).
    /// It must not exceed the engine's allowed lateness (<c>Windows:AllowedLatenessSeconds</c>, default 300 s):
    /// the processor refuses to start otherwise when <see cref="EventsPerMessage"/> is above 1. Only matters
    /// with more than one event per message. Between 0 and 7 days; default 300 s.
    /// </summary>
    /// <remarks>
    /// Why this keeps every event on time: the consumer merges a partition's input topics message by message,
    /// in the order of each message's first event, and the engine counts an event as late when it is more
    /// than the allowed lateness L behind the newest event time it has seen (the watermark W). Take events
    /// published in time order, so within one (topic, partition) every message's events are at or after its
    /// first event and the first events of successive messages do not decrease; and take every envelope's
    /// span S at most L. When a message M is processed, W is the newest event of some message M' already
    /// processed, or of an event of M itself before the current one. M' was taken by the merge while M, or
    /// a message before M on M's own topic (whose first event is no later than M's), waited at the head of
    /// its queue, so first(M') &lt;= first(M), and W &lt;= first(M') + S &lt;= first(M) + S. Every event e of M
    /// has time at least first(M), so it is at most S &lt;= L behind W: never late. (Earlier events of M
    /// itself are also within S of first(M).) The one exception is the merge's idle timeout
    /// (<see cref="MaxTaskIdle"/>), which lets the other inputs go on without one that cannot be fetched.
    /// </remarks>
    public TimeSpan MaxEnvelopeSpan { get => _maxEnvelopeSpan; set => _maxEnvelopeSpan = Span(value, TimeSpan.Zero, TimeSpan.FromDays(7), "Kafka:MaxEnvelopeSpan"); }

    /// <summary>Largest state-snapshot message; larger snapshots are split into chunks. Default 512 KiB.</summary>
    public int SnapshotChunkBytes { get => _snapshotChunkBytes; set => _snapshotChunkBytes = Between(value, 1024, 100 << 20, "Kafka:SnapshotChunkBytes"); }

    /// <summary>
    /// How often the consumer commits, in the background, the input offsets whose outputs are all
    /// acknowledged (librdkafka <c>auto.commit.interval.ms</c>; offsets are stored only once acknowledged).
    /// Default 1 s.
    /// </summary>
    public TimeSpan CommitInterval { get => _commitInterval; set => _commitInterval = Span(value, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), "Kafka:CommitInterval"); }

    /// <summary>
    /// How often each partition's engine state is written to the state topic together with its input offsets
    /// (also on revoke and shutdown). A restore replays at most this much input. Default 30 s.
    /// </summary>
    public TimeSpan SnapshotInterval { get => _snapshotInterval; set => _snapshotInterval = Span(value, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), "Kafka:SnapshotInterval"); }

    /// <summary>
    /// How long the producer keeps retrying an output before it is failed (librdkafka
    /// <c>delivery.timeout.ms</c>). A failed output is reported, nothing after it is committed, and the
    /// partition is replayed from its last snapshot. Default 30 s.
    /// </summary>
    public TimeSpan DeliveryTimeout { get => _deliveryTimeout; set => _deliveryTimeout = Span(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), "Kafka:DeliveryTimeout"); }

    /// <summary>
    /// The input topics of one partition are merged in event-time order, so a partition's results do not
    /// depend on fetch timing. An input with nothing buffered holds the merge while the partition has data not
    /// yet fetched (its position is below the high watermark the last fetch reported); an input that has
    /// reached its end does not. This bounds that wait, for a partition whose data cannot be fetched (its
    /// leader is down): then the others go on without it, and that stretch's interleaving follows arrival.
    /// Default 30 s.
    /// </summary>
    public TimeSpan MaxTaskIdle { get => _maxTaskIdle; set => _maxTaskIdle = Span(value, TimeSpan.Zero, TimeSpan.FromHours(1), "Kafka:MaxTaskIdle"); }

    /// <summary>
    /// Runs the engines on a thread of their own: while it processes one batch and produces its outputs, the
    /// consume thread fetches, decodes and merges the next. Results are the same either way (batches are cut
    /// and ordered on the consume thread); false keeps everything on the consume thread, for a host that
    /// wants one thread per processor. Default true.
    /// </summary>
    public bool EngineThread { get; set; } = true;

    /// <summary>Longest time to read a partition's snapshot and committed offsets on assignment. Default 30 s.</summary>
    public TimeSpan RestoreTimeout { get => _restoreTimeout; set => _restoreTimeout = Span(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), "Kafka:RestoreTimeout"); }

    /// <summary>Checks the rules that span options.</summary>
    /// <exception cref="ArgumentException">A combination of options is inconsistent; the message names them.</exception>
    public void Validate()
    {
        Topics.Validate();
    }

    internal static string RequireText(string? value, string option) => OptionGuard.NotBlank(value, option);

    private static int Between(int value, int min, int max, string option) => OptionGuard.Between(value, min, max, option);

    private static TimeSpan Span(TimeSpan value, TimeSpan min, TimeSpan max, string option) => OptionGuard.Between(value, min, max, option);
}

/// <summary>Topic names. Defaults follow the seed configuration.</summary>
public sealed class KafkaTopicOptions
{
    private string _priceUpdates = "price-updates";
    private string _competitorData = "competitor-data";
    private string _userBehavior = "user-behavior";
    private string _marketSignals = "market-signals";
    private string _pricingDecisions = "pricing-decisions";
    private string _deadLetter = "priceintel-dead-letter";
    private string _state = "priceintel-state";

    /// <summary>Input: our own list price, unit cost and inventory updates. Default <c>price-updates</c>.</summary>
    public string PriceUpdates { get => _priceUpdates; set => _priceUpdates = KafkaOptions.RequireText(value, "Kafka:Topics:PriceUpdates"); }

    /// <summary>Input: competitor prices (scrapers, price APIs, feeds). Default <c>competitor-data</c>.</summary>
    public string CompetitorData { get => _competitorData; set => _competitorData = KafkaOptions.RequireText(value, "Kafka:Topics:CompetitorData"); }

    /// <summary>Input: shopper behaviour (views, add-to-cart, purchases). Default <c>user-behavior</c>.</summary>
    public string UserBehavior { get => _userBehavior; set => _userBehavior = KafkaOptions.RequireText(value, "Kafka:Topics:UserBehavior"); }

    /// <summary>Output: market signals, keyed by product. Default <c>market-signals</c>.</summary>
    public string MarketSignals { get => _marketSignals; set => _marketSignals = KafkaOptions.RequireText(value, "Kafka:Topics:MarketSignals"); }

    /// <summary>Output: pricing decisions, keyed by product. Default <c>pricing-decisions</c>.</summary>
    public string PricingDecisions { get => _pricingDecisions; set => _pricingDecisions = KafkaOptions.RequireText(value, "Kafka:Topics:PricingDecisions"); }

    /// <summary>Poison input, with headers naming its origin and the error. Default <c>priceintel-dead-letter</c>.</summary>
    public string DeadLetter { get => _deadLetter; set => _deadLetter = KafkaOptions.RequireText(value, "Kafka:Topics:DeadLetter"); }

    /// <summary>
    /// Engine state snapshots with their input offsets, one partition per input partition (at least as many
    /// partitions as the input topics). Default <c>priceintel-state</c>.
    /// </summary>
    public string State { get => _state; set => _state = KafkaOptions.RequireText(value, "Kafka:Topics:State"); }

    /// <summary>The input topics in merge tie-break order: price updates, competitor data, user behaviour.</summary>
    public IReadOnlyList<string> Inputs => [PriceUpdates, CompetitorData, UserBehavior];

    /// <summary>Checks that the topics are distinct.</summary>
    /// <exception cref="ArgumentException">Two roles share a topic; the message names them.</exception>
    public void Validate()
    {
        var roles = new (string Name, string Topic)[]
        {
            ("PriceUpdates", PriceUpdates), ("CompetitorData", CompetitorData), ("UserBehavior", UserBehavior),
            ("MarketSignals", MarketSignals), ("PricingDecisions", PricingDecisions), ("DeadLetter", DeadLetter), ("State", State),
        };
        for (int i = 0; i < roles.Length; i++)
        {
            for (int j = i + 1; j < roles.Length; j++)
            {
                if (string.Equals(roles[i].Topic, roles[j].Topic, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Kafka:Topics:{roles[i].Name} and Kafka:Topics:{roles[j].Name} are both '{roles[i].Topic}'; every role needs its own topic.");
                }
            }
        }
    }
}
