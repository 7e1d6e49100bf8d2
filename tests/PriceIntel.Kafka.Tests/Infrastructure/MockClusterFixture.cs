using System.Collections.Concurrent;
using Confluent.Kafka;
using PriceIntel.Kafka.Testing;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Infrastructure;

/// <summary>
/// One mock cluster per test (fault injection must not leak between tests) plus client configurations
/// that suit it: loopback bootstrap, fast group joins, short timeouts. Client log lines go to the test
/// output and are kept in <see cref="Logs"/> so a test can wait for or assert on them.
/// </summary>
internal sealed class MockClusterFixture : IDisposable
{
    private readonly ITestOutputHelper? _output;
    private int _topicCounter;

    public MockClusterFixture(ITestOutputHelper? output = null, int brokers = 3, bool fastGroupJoin = true)
    {
        _output = output;
        Cluster = KafkaMockCluster.Create(brokers);
        if (fastGroupJoin)
        {
            Cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        }
    }

    /// <summary>Generous upper bound for anything that should take well under a second.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(30);

    public KafkaMockCluster Cluster { get; }

    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>A topic name no other test in this cluster uses.</summary>
    public string NewTopicName(string prefix = "t") => $"{prefix}-{Interlocked.Increment(ref _topicCounter)}";

    /// <summary>Creates a topic with a fresh name and returns the name.</summary>
    public string CreateTopic(int partitions, string prefix = "t")
    {
        var topic = NewTopicName(prefix);
        Cluster.CreateTopic(topic, partitions);
        return topic;
    }

    /// <summary>Idempotent producer (acks=all), small linger, 30 s delivery timeout.</summary>
    public ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = 30_000,
        SocketTimeoutMs = 10_000,
        ReconnectBackoffMaxMs = 1_000,
    };

    /// <summary>
    /// Group consumer with manual commits, reading from the earliest offset. Session timeout 6 s and
    /// heartbeats every 500 ms keep rebalances and failure detection short on the mock.
    /// </summary>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = Cluster.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 500,
        SocketTimeoutMs = 10_000,
        ReconnectBackoffMaxMs = 1_000,
    };

    public IProducer<TKey, TValue> BuildProducer<TKey, TValue>(ProducerConfig config) =>
        new ProducerBuilder<TKey, TValue>(config).SetLogHandler((_, m) => Log(m.Level, m.Name, m.Message)).Build();

    public IConsumer<TKey, TValue> BuildConsumer<TKey, TValue>(ConsumerConfig config) =>
        new ConsumerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, m) => Log(m.Level, m.Name, m.Message))
            .SetErrorHandler((_, e) => Log(SyslogLevel.Error, "error", $"{e.Code}: {e.Reason}"))
            .Build();

    /// <summary>Writes a line to the test output; ignores the error xunit raises after the test ended.</summary>
    public void Write(string line)
    {
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Client threads may log after the test finished.
        }
    }

    /// <summary>
    /// Polls until the consumer has an assignment covering <paramref name="partitions"/> partitions,
    /// returning the messages consumed meanwhile.
    /// </summary>
    public static List<ConsumeResult<TKey, TValue>> WaitForAssignment<TKey, TValue>(IConsumer<TKey, TValue> consumer, int partitions)
    {
        var early = new List<ConsumeResult<TKey, TValue>>();
        var deadline = DateTime.UtcNow + Patience;
        while (consumer.Assignment.Count < partitions)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No assignment of {partitions} partitions within {Patience}; have {consumer.Assignment.Count}.");
            }

            var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (r is { IsPartitionEOF: false })
            {
                early.Add(r);
            }
        }

        return early;
    }

    public void Dispose() => Cluster.Dispose();

    private void Log(SyslogLevel level, string name, string message)
    {
        var line = $"[{DateTime.UtcNow:HH:mm:ss.fff}] {level} {name}: {message}";
        Logs.Enqueue(line);
        Write(line);
    }
}
