using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Confluent.Kafka;
using PriceIntel.Kafka;
using PriceIntel.Kafka.Testing;

namespace PriceIntel.Benchmarks.Kafka;

/// <summary>
/// End to end through librdkafka's in-process mock cluster: a simulated market (700 products × 8
/// competitors over one day) is published once to the three input topics; each invocation then reads all
/// of it again with a fresh consumer group. The baseline only counts the messages (the processor's
/// consumer settings, values not even copied); a second bare consumer does the same with librdkafka's
/// default fetch settings. The pipeline is a fresh <see cref="KafkaMarketProcessor"/> that decodes,
/// merges, runs the engines, produces every signal and decision (idempotent, acks=all) and commits,
/// timed until <see cref="KafkaMarketProcessor.IsCaughtUp"/> with every event processed; once with its
/// engine thread (the default) and once with <see cref="KafkaOptions.EngineThread"/> off.
/// Figures are per event (<c>OperationsPerInvoke</c> = events; the Op/s column is events/s).
/// </summary>
/// <remarks>
/// <para>All benchmarks include joining the group (~0.1 s with the mock's rebalance delay at 0). Leaving
/// the group, and for the pipeline the final state snapshot written on a clean stop, happen in
/// the iteration cleanup, which is not timed and checks that the run read every message and event.</para>
/// <para>Every invocation of the pipeline gets its own state topic, so restoring on assignment scans an
/// empty partition rather than the snapshots of earlier invocations.</para>
/// <para>The mock keeps only the newest ~5 MiB of each partition: <see cref="Partitions"/> is chosen so the
/// input is never trimmed, and <see cref="Setup"/> checks that every low watermark is still 0.</para>
/// <para>Allocation is reported but not budgeted: per message it is Confluent.Kafka's (consume results,
/// delivery reports, header lists), not the engine's, which <c>allocation-budget.json</c> holds at 0.</para>
/// </remarks>
[Config(typeof(KafkaPipelineConfig))]
[MemoryDiagnoser]
public class KafkaPipelineBenchmarks
{
    /// <summary>Events of the simulated market below (deterministic for its seed); checked in setup.</summary>
    public const int Events = 293_732;

    private const int Partitions = 12;
    private const int Brokers = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private KafkaMockCluster _cluster = null!;
    private KafkaOptions _options = null!;
    private long _messages;
    private long _bytes;
    private int _run;

    private IConsumer<Ignore, int>? _bare;
    private long _bareMessages;
    private long _bareBytes;

    // Phases of the last run (ms from its start), printed by the iteration cleanup: where the time goes.
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private double _firstInput;
    private double _allInput;
    private double _caughtUp;
    private string _pipelineThreads = "";
    private string _bareFetch = "";

    private KafkaMarketProcessor? _processor;
    private CancellationTokenSource? _stop;
    private Task? _running;

    /// <summary>Events packed into one input message by the publisher (batch envelope); 1 = one event per message.</summary>
    [Params(1, 64)]
    public int EventsPerMessage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = KafkaMockCluster.Create(Brokers);
        _cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        _options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            EventsPerMessage = EventsPerMessage,

            // IsCaughtUp waits for the commit of the last outputs' offsets; the default 1 s interval would add
            // up to a second of idle tail to a run of a few seconds.
            CommitInterval = TimeSpan.FromMilliseconds(20),
        };

        // IsCaughtUp needs every input's end-of-partition event, which arrives with a fetch that finds nothing
        // new; the broker holds such a fetch for fetch.wait.max.ms (default 500 ms), which measured as a 400-450 ms
        // idle tail after the last event was processed. Both benchmarks use the setting (the baseline stops
        // on its message count, so it does not depend on it).
        _options.Client["fetch.wait.max.ms"] = "10";

        // The processor asks for this unless told otherwise; the baseline gets it too so both consumers
        // fetch alike (librdkafka's 1 s default idles a consumer whose fetch queue is over its thresholds).
        _options.Client["fetch.queue.backoff.ms"] = "10";
        var topics = _options.Topics;
        foreach (var topic in topics.Inputs)
        {
            _cluster.CreateTopic(topic, Partitions);
        }

        _cluster.CreateTopic(topics.MarketSignals, Partitions);
        _cluster.CreateTopic(topics.PricingDecisions, Partitions);
        _cluster.CreateTopic(topics.DeadLetter, 1);

        var keys = new MarketKeys();
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions { Seed = 42, ProductCount = 700, CompetitorCount = 8, Duration = TimeSpan.FromDays(1) },
            keys);
        using (var publisher = KafkaEventPublisher.Create(_options, keys))
        {
            long published = publisher.PublishAsync(simulator).GetAwaiter().GetResult();
            publisher.Flush(Patience);
            var c = publisher.Counters;
            if (published != Events || c.Events != Events)
            {
                throw new InvalidOperationException($"The simulated market has {published} events; {nameof(Events)} says {Events}.");
            }

            _messages = c.Messages;
            _bytes = c.Bytes;
        }

        CheckNothingTrimmed();
        Console.WriteLine($"// Kafka input: {Events} events in {_messages} messages, {_bytes} value bytes, {Partitions} partitions × 3 topics, {Brokers} mock brokers");
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    [IterationSetup(Targets = [nameof(Pipeline), nameof(PipelineOnOneThread)])]
    public void CreateStateTopic()
    {
        // A fresh state topic per run: restore on assignment scans the whole state partition.
        _options.Topics.State = $"priceintel-state-{++_run}";
        _cluster.CreateTopic(_options.Topics.State, Partitions);
    }

    /// <summary>A new group that reads every input message and counts it (and its value's length), nothing else.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long BareConsumption() => RunBare(tunedFetch: true);

    /// <summary>
    /// The same counting consumer with librdkafka's default fetch settings (<c>fetch.wait.max.ms</c> 500,
    /// <c>fetch.queue.backoff.ms</c> 1000): what a plain consumer gets from the mock out of the box.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long BareConsumptionLibrdkafkaDefaults() => RunBare(tunedFetch: false);

    private long RunBare(bool tunedFetch)
    {
        var settings = KafkaClientConfig.Build(_options, "consumer");
        _bareFetch = tunedFetch ? "tuned fetch" : "librdkafka fetch defaults";
        if (!tunedFetch)
        {
            settings.Remove("fetch.wait.max.ms");
            settings.Remove("fetch.queue.backoff.ms");
        }

        var config = new ConsumerConfig(settings)
        {
            GroupId = $"bare-{++_run}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            IsolationLevel = IsolationLevel.ReadCommitted,
            ConsumeResultFields = "topic", // as the processor's: no headers or timestamps marshalled
        };
        _clock.Restart();
        var consumer = new ConsumerBuilder<Ignore, int>(config).SetValueDeserializer(LengthOnly.Instance).Build();
        _bare = consumer;
        consumer.Subscribe(_options.Topics.Inputs);
        long messages = 0;
        long bytes = 0;
        long deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
        while (messages < _messages)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(10));
            if (r is null || r.IsPartitionEOF)
            {
                if (Environment.TickCount64 > deadline)
                {
                    throw new TimeoutException($"Bare consumption read {messages} of {_messages} messages in {Patience}.");
                }

                continue;
            }

            if (messages++ == 0)
            {
                _firstInput = _clock.Elapsed.TotalMilliseconds;
            }

            bytes += r.Message.Value;
        }

        _allInput = _clock.Elapsed.TotalMilliseconds;

        _bareMessages = messages;
        _bareBytes = bytes;
        return messages;
    }

    [IterationCleanup(Targets = [nameof(BareConsumption), nameof(BareConsumptionLibrdkafkaDefaults)])]
    public void CloseBare()
    {
        Console.WriteLine($"// bare ({_bareFetch}): first message at {_firstInput:F0} ms, all read at {_allInput:F0} ms");
        _bare?.Close();
        _bare?.Dispose();
        _bare = null;
        if (_bareMessages != _messages || _bareBytes != _bytes)
        {
            throw new InvalidOperationException($"Bare consumption read {_bareMessages} messages / {_bareBytes} bytes; {_messages} / {_bytes} were published.");
        }

        _bareMessages = _bareBytes = 0;
    }

    /// <summary>A new processor group: decode, merge, engines, outputs produced and acknowledged, offsets committed.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long Pipeline() => RunPipeline(engineThread: true);

    /// <summary>The same pipeline with <see cref="KafkaOptions.EngineThread"/> off: consuming, decoding, merging, the engines and producing all on one thread.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long PipelineOnOneThread() => RunPipeline(engineThread: false);

    private long RunPipeline(bool engineThread)
    {
        var options = Copy(_options);
        options.GroupId = $"pipeline-{_run}";
        options.EngineThread = engineThread;
        _pipelineThreads = engineThread ? "engine thread" : "one thread";
        _stop = new CancellationTokenSource();
        _clock.Restart();
        _firstInput = _allInput = 0;
        _processor = KafkaMarketProcessor.Create(new PriceIntelOptions(), options);
        _running = _processor.RunAsync(_stop.Token);
        long deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
        while (!_processor.IsCaughtUp || _processor.Counters.Events < Events)
        {
            if (_running.IsCompleted)
            {
                _running.GetAwaiter().GetResult(); // rethrows what stopped it
                throw new InvalidOperationException("The processor stopped before it caught up.");
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"The processor did not catch up in {Patience}: {_processor.Counters}, last error {_processor.LastError}.");
            }

            long events = _processor.Counters.Events;
            if (events > 0 && _firstInput == 0)
            {
                _firstInput = _clock.Elapsed.TotalMilliseconds;
            }

            if (events >= Events && _allInput == 0)
            {
                _allInput = _clock.Elapsed.TotalMilliseconds;
            }

            Thread.Sleep(1);
        }

        _caughtUp = _clock.Elapsed.TotalMilliseconds;
        return _processor.Counters.Events;
    }

    [IterationCleanup(Targets = [nameof(Pipeline), nameof(PipelineOnOneThread)])]
    public void StopPipeline()
    {
        if (_processor is null)
        {
            return;
        }

        var counters = _processor.Counters;
        _stop!.Cancel();
        if (!_running!.Wait(Patience))
        {
            throw new TimeoutException("The processor did not stop.");
        }

        _stop.Dispose();
        _processor.Dispose();
        _processor = null;
        Console.WriteLine($"// pipeline ({_pipelineThreads}): first batch processed at {_firstInput:F0} ms, all processed at {_allInput:F0} ms, caught up at {_caughtUp:F0} ms; {counters}");
        if (counters.Messages != _messages || counters.Events != Events || counters.ReplayedEvents != 0 || counters.DeadLettered != 0 || counters.DeliveryFailures != 0)
        {
            throw new InvalidOperationException($"The pipeline run did not process exactly the published input ({_messages} messages, {Events} events): {counters}.");
        }
    }

    private void CheckNothingTrimmed()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "watermarks" }).Build();
        long total = 0;
        foreach (var topic in _options.Topics.Inputs)
        {
            for (int p = 0; p < Partitions; p++)
            {
                var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(p)), Patience);
                if (marks.Low.Value != 0)
                {
                    throw new InvalidOperationException($"The mock trimmed {topic} [{p}] (low watermark {marks.Low.Value}): use more partitions.");
                }

                total += marks.High.Value;
            }
        }

        if (total != _messages)
        {
            throw new InvalidOperationException($"The input topics hold {total} messages; the publisher sent {_messages}.");
        }
    }

    private static KafkaOptions Copy(KafkaOptions o) => new()
    {
        BootstrapServers = o.BootstrapServers,
        EventsPerMessage = o.EventsPerMessage,
        CommitInterval = o.CommitInterval,
        Client = new Dictionary<string, string>(o.Client),
        Topics = new KafkaTopicOptions { State = o.Topics.State },
    };

    /// <summary>Reads only the value's length: no copy, no allocation.</summary>
    private sealed class LengthOnly : IDeserializer<int>
    {
        public static readonly LengthOnly Instance = new();

        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => data.Length;
    }

    /// <summary>Iterations of a fraction of a second: one invocation each (the per-run setup and cleanup need it), four warm-ups (tier-0 code in the first runs), seven measured.</summary>
    private sealed class KafkaPipelineConfig : ManualConfig
    {
        public KafkaPipelineConfig()
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(4)
                .WithIterationCount(7)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithId("KafkaRun"));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }
}
