using System.Buffers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using PriceIntel.Kafka.Processing;
using PriceIntel.Kafka.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// A mock cluster with the adapter's topics, a simulated market published into them, processors to run
/// against it, and the reference the processors must reproduce: the input read back from Kafka, merged per
/// partition in event-time order by a plain k-way merge written here, and run through one engine per
/// partition in this process.
/// </summary>
internal sealed class ProcessorHarness : IDisposable
{
    private static int s_groups;

    public ProcessorHarness(ITestOutputHelper output, int partitions = 4, int brokers = 3)
    {
        Output = output;
        Mock = new MockClusterFixture(output: null, brokers: brokers);
        Partitions = partitions;
        int n = Interlocked.Increment(ref s_groups);
        Options = new KafkaOptions
        {
            BootstrapServers = Mock.Cluster.BootstrapServers,
            GroupId = $"priceintel-test-{n}",
            BatchSize = 512,
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SnapshotInterval = TimeSpan.FromMilliseconds(500),
            DeliveryTimeout = TimeSpan.FromSeconds(20),
            MaxTaskIdle = TimeSpan.FromMinutes(5),
            RestoreTimeout = TimeSpan.FromSeconds(30),
            SnapshotChunkBytes = 64 * 1024,
        };
        Options.Client["session.timeout.ms"] = "6000";
        Options.Client["heartbeat.interval.ms"] = "500";
        Options.Client["reconnect.backoff.max.ms"] = "1000";
        Options.Client["topic.metadata.refresh.interval.ms"] = "2000";
        var t = Options.Topics;
        foreach (var topic in t.Inputs)
        {
            Mock.Cluster.CreateTopic(topic, partitions);
        }

        Mock.Cluster.CreateTopic(t.MarketSignals, partitions);
        Mock.Cluster.CreateTopic(t.PricingDecisions, partitions);
        Mock.Cluster.CreateTopic(t.DeadLetter, 1);
        Mock.Cluster.CreateTopic(t.State, partitions);
    }

    public ITestOutputHelper Output { get; }

    public MockClusterFixture Mock { get; }

    public int Partitions { get; }

    public KafkaOptions Options { get; }

    public PriceIntelOptions EngineOptions { get; } = new();

    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(120);

    /// <summary>Publishes a simulated market (products × competitors over the given hours); returns the event count.</summary>
    public long PublishMarket(int products = 40, int competitors = 4, double hours = 12, ulong seed = 7, int eventsPerMessage = 1, bool compress = false)
    {
        var keys = new MarketKeys();
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions
            {
                Seed = seed,
                ProductCount = products,
                CompetitorCount = competitors,
                Duration = TimeSpan.FromHours(hours),
                ViewsPerProductPerHour = 6,
                ViralSpikesPerProductPerWeek = 20,
                PromotionsPerPairPerWeek = 10,
            },
            keys);
        var options = CopyOptions();
        options.EventsPerMessage = eventsPerMessage;
        if (compress)
        {
            options.Client["compression.type"] = "lz4"; // the mock keeps ~5 MiB per partition, counted compressed
        }

        using var publisher = KafkaEventPublisher.Create(options, keys);
        long n = publisher.PublishAsync(simulator).GetAwaiter().GetResult();
        publisher.Flush(Patience);
        Output.WriteLine($"published {n} events in {publisher.Counters.Messages} messages");
        return n;
    }

    /// <summary>Produces raw values to an input topic's partition (poison tests).</summary>
    public void ProduceRaw(string topic, int partition, params byte[][] values)
    {
        var config = Mock.ProducerConfig();
        config.MessageMaxBytes = 4_000_000; // room for the oversized poison of the dead-letter tests
        using var producer = Mock.BuildProducer<Null, byte[]>(config);
        foreach (var value in values)
        {
            producer.Produce(new TopicPartition(topic, new Partition(partition)), new Message<Null, byte[]> { Value = value });
        }

        producer.Flush(Patience);
    }

    public KafkaOptions CopyOptions()
    {
        var o = new KafkaOptions
        {
            BootstrapServers = Options.BootstrapServers,
            GroupId = Options.GroupId,
            BatchSize = Options.BatchSize,
            CommitInterval = Options.CommitInterval,
            SnapshotInterval = Options.SnapshotInterval,
            DeliveryTimeout = Options.DeliveryTimeout,
            MaxTaskIdle = Options.MaxTaskIdle,
            RestoreTimeout = Options.RestoreTimeout,
            SnapshotChunkBytes = Options.SnapshotChunkBytes,
            MaxMessageBytes = Options.MaxMessageBytes,
            MaxEnvelopeSpan = Options.MaxEnvelopeSpan,
            Topics = Options.Topics,
        };
        foreach (var kv in Options.Client)
        {
            o.Client[kv.Key] = kv.Value;
        }

        return o;
    }

    public KafkaMarketProcessor NewProcessor(Action<KafkaOptions>? change = null)
    {
        var options = CopyOptions();
        if (Environment.GetEnvironmentVariable(TestLogger.DebugVariable) is { Length: > 0 } contexts)
        {
            options.Client["debug"] = contexts;
        }

        change?.Invoke(options);
        return KafkaMarketProcessor.Create(EngineOptions, options, new TestLogger(Output));
    }

    /// <summary>Waits until every processor is caught up and together they own all partitions.</summary>
    public static void WaitCaughtUp(params KafkaMarketProcessor[] processors) => WaitCaughtUp(Patience, processors);

    public static void WaitCaughtUp(TimeSpan patience, params KafkaMarketProcessor[] processors)
    {
        var deadline = DateTime.UtcNow + patience;
        int stable = 0;
        while (stable < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                var states = string.Join("; ", processors.Select(p => $"{p.Counters} caughtUp={p.IsCaughtUp} error={p.LastError}{Environment.NewLine}{p.Description}"));
                throw new TimeoutException($"Processors not caught up within {patience}: {states}");
            }

            Thread.Sleep(100);
            bool all = processors.Where(p => p.Counters.AssignedPartitions > 0).All(p => p.IsCaughtUp)
                && processors.Any(p => p.Counters.AssignedPartitions > 0);
            stable = all ? stable + 1 : 0;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, or throws naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Stops a running processor cleanly and writes its counters to the test output.</summary>
    public async Task StopAsync(KafkaMarketProcessor processor, CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        Output.WriteLine(processor.Counters.ToString());
    }

    /// <summary>Reads the output topics and asserts them and the final state against <paramref name="reference"/>.</summary>
    public ObservedOutputs AssertOutputsAndFinalState(Reference reference, bool byLastAppearance = false)
    {
        var observed = ReadOutputs();
        Output.WriteLine($"{observed.Distinct} distinct outputs, {observed.Copies} copies; the reference has {reference.Distinct}");
        observed.AssertMatches(reference, byLastAppearance);
        AssertFinalStateEquals(reference);
        return observed;
    }

    /// <summary>Every message of a topic, all partitions, from the beginning to the current end.</summary>
    public List<ConsumeResult<byte[]?, byte[]>> ReadAll(string topic)
    {
        var config = Mock.ConsumerConfig($"reader-{Guid.NewGuid():N}");
        config.EnablePartitionEof = true;
        using var consumer = Mock.BuildConsumer<byte[]?, byte[]>(config);
        var result = new List<ConsumeResult<byte[]?, byte[]>>();
        var ends = new Dictionary<int, long>();
        var tps = new List<TopicPartitionOffset>();
        for (int p = 0; p < PartitionCount(topic); p++)
        {
            var tp = new TopicPartition(topic, new Partition(p));
            var marks = consumer.QueryWatermarkOffsets(tp, Patience);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p] = marks.High.Value;
                tps.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        if (tps.Count == 0)
        {
            return result;
        }

        consumer.Assign(tps);
        var deadline = DateTime.UtcNow + Patience;
        var done = new HashSet<int>();
        while (done.Count < ends.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reading {topic} did not reach the end within {Patience}.");
            }

            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null)
            {
                continue;
            }

            if (!r.IsPartitionEOF)
            {
                result.Add(r);
            }

            if (r.Offset.Value >= ends[r.Partition.Value] - (r.IsPartitionEOF ? 0 : 1))
            {
                done.Add(r.Partition.Value);
            }
        }

        return result;
    }

    public int PartitionCount(string topic) =>
        topic == Options.Topics.DeadLetter ? 1 : Partitions;

    /// <summary>The outputs on the signal and decision topics: per product, the JSON of each distinct id in first-seen order, and how many copies there were.</summary>
    public ObservedOutputs ReadOutputs()
    {
        var observed = new ObservedOutputs();
        foreach (var topic in new[] { Options.Topics.MarketSignals, Options.Topics.PricingDecisions })
        {
            foreach (var r in ReadAll(topic).OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value))
            {
                string product = Encoding.UTF8.GetString(r.Message.Key!);
                string json = Encoding.UTF8.GetString(r.Message.Value);
                string id = r.Message.Headers.TryGetLastBytes(OutputProducer.IdHeader, out var idBytes) ? Encoding.ASCII.GetString(idBytes) : throw new InvalidDataException("output without id header");
                observed.Add(topic, product, id, json);
            }
        }

        return observed;
    }

    /// <summary>
    /// What one process must produce: the input read back from Kafka, merged per partition by (first event
    /// time of the message, input topic order, offset), processed by one engine per partition.
    /// </summary>
    public Reference ComputeReference()
    {
        var reference = new Reference();
        var inputs = Options.Topics.Inputs;
        var perPartition = new List<ConsumeResult<byte[]?, byte[]>>[Partitions, inputs.Count];
        for (int t = 0; t < inputs.Count; t++)
        {
            for (int p = 0; p < Partitions; p++)
            {
                perPartition[p, t] = [];
            }

            foreach (var r in ReadAll(inputs[t]))
            {
                perPartition[r.Partition.Value, t].Add(r);
            }
        }

        for (int p = 0; p < Partitions; p++)
        {
            var engine = MarketEngine.Create(EngineOptions, new MarketKeys());
            var decoder = new MarketEventJsonDecoder(engine.Keys);
            var queues = new Queue<(long Time, MarketEvent[] Events)>[inputs.Count];
            for (int t = 0; t < inputs.Count; t++)
            {
                queues[t] = new Queue<(long, MarketEvent[])>();
                foreach (var r in perPartition[p, t].OrderBy(r => r.Offset.Value))
                {
                    var events = r.Message.Value.Length > Options.MaxMessageBytes ? [] : DecodeAll(decoder, r.Message.Value, out _);
                    int rejected = r.Message.Value.Length > Options.MaxMessageBytes ? 1 : CountRejected(r.Message.Value);
                    reference.Rejected += rejected;
                    queues[t].Enqueue((events.Length > 0 ? events[0].Timestamp : long.MinValue, events));
                }
            }

            var json = new MarketOutputJsonEncoder();
            var buffer = new ArrayBufferWriter<byte>();
            while (true)
            {
                int best = -1;
                for (int t = 0; t < inputs.Count; t++)
                {
                    if (queues[t].Count > 0 && (best < 0 || queues[t].Peek().Time < queues[best].Peek().Time))
                    {
                        best = t;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                var events = queues[best].Dequeue().Events;
                reference.Events += events.Length;
                var outputs = engine.Process(events);
                foreach (var s in outputs.Signals.Span)
                {
                    buffer.ResetWrittenCount();
                    json.WriteSignal(in s, engine.Keys, buffer);
                    reference.Add(Options.Topics.MarketSignals, engine.Keys.Products.GetName(s.ProductId), s.Id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n'));
                }

                foreach (var d in outputs.Decisions.Span)
                {
                    buffer.ResetWrittenCount();
                    json.WriteDecision(in d, engine.Keys, buffer);
                    reference.Add(Options.Topics.PricingDecisions, engine.Keys.Products.GetName(d.ProductId), d.Id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n'));
                }
            }

            reference.Engines[p] = engine;
        }

        return reference;
    }

    /// <summary>Each partition's newest snapshot on the state topic, restored.</summary>
    public Dictionary<int, MarketEngine> ReadFinalEngines()
    {
        using var reader = new StateTopicReader(CopyOptions());
        var engines = new Dictionary<int, MarketEngine>();
        for (int p = 0; p < Partitions; p++)
        {
            var snapshot = reader.ReadLatest(p, PartitionTask.StateKey(Options.GroupId, p), Patience);
            if (snapshot is not null)
            {
                engines[p] = MarketEngine.Restore(EngineOptions, snapshot.Bytes.AsSpan(0, snapshot.Length));
            }
        }

        return engines;
    }

    /// <summary>Asserts that the final per-product state on the state topic equals the reference engines'.</summary>
    public void AssertFinalStateEquals(Reference reference)
    {
        var finals = ReadFinalEngines();
        int products = 0;
        foreach (var (p, expected) in reference.Engines)
        {
            Assert.True(finals.TryGetValue(p, out var actual), $"partition {p} has no snapshot on the state topic");
            Assert.Equal(expected.Counters, actual!.Counters);
            Assert.Equal(expected.Watermark, actual.Watermark);
            for (int id = 0; id < expected.Keys.Products.Count; id++)
            {
                string product = expected.Keys.Products.GetName(id);
                if (!expected.TryGetView(product, out var want))
                {
                    continue; // a key interned from a line that was then refused: no state either way
                }

                Assert.True(actual.TryGetView(product, out var got), $"product {product} missing from partition {p}'s final state");
                Assert.Equal(JsonSerializer.Serialize(want), JsonSerializer.Serialize(got));
                products++;
            }

            Assert.Equal(JsonSerializer.Serialize(expected.GetArmReports()), JsonSerializer.Serialize(actual.GetArmReports()));
        }

        Assert.True(products > 0);
    }

    /// <summary>Asserts the group's committed offset of every input partition is that partition's end.</summary>
    public void AssertCommittedToTheEnd()
    {
        var config = Mock.ConsumerConfig(Options.GroupId);
        using var consumer = Mock.BuildConsumer<byte[]?, byte[]>(config);
        var tps = Options.Topics.Inputs.SelectMany(t => Enumerable.Range(0, Partitions).Select(p => new TopicPartition(t, new Partition(p)))).ToList();
        var committed = consumer.Committed(tps, Patience);
        foreach (var tpo in committed)
        {
            var marks = consumer.QueryWatermarkOffsets(tpo.TopicPartition, Patience);
            Assert.True(marks.High.Value == tpo.Offset.Value, $"{tpo.TopicPartition} committed at {tpo.Offset}, its end is {marks.High}");
        }
    }

    public void Dispose() => Mock.Dispose();

    private static int CountRejected(byte[] value)
    {
        var scratch = new MarketEventJsonDecoder(new MarketKeys());
        DecodeAll(scratch, value, out int rejected);
        return rejected;
    }

    private static MarketEvent[] DecodeAll(MarketEventJsonDecoder decoder, byte[] value, out int rejected)
    {
        rejected = 0;
        var events = new List<MarketEvent>();
        foreach (var line in Encoding.UTF8.GetString(value).Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (decoder.TryDecode(Encoding.UTF8.GetBytes(line.TrimEnd('\r')), out var e, out _))
            {
                events.Add(e);
            }
            else
            {
                rejected++;
            }
        }

        if (events.Count == 0 && rejected == 0)
        {
            rejected = 1; // an empty message is poison too
        }

        return [.. events];
    }
}

/// <summary>Outputs per product: distinct ids in order, their JSON, and copies seen.</summary>
internal class OutputSet
{
    public Dictionary<string, List<string>> IdsByProduct { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> JsonById { get; } = new(StringComparer.Ordinal);

    /// <summary>Per topic/product: distinct ids in order of their last appearance.</summary>
    public Dictionary<string, List<string>> IdsByProductLastSeen { get; } = new(StringComparer.Ordinal);

    public int Copies { get; private set; }

    public int Distinct => JsonById.Count;

    public void Add(string topic, string product, string id, string json)
    {
        Copies++;
        string key = topic + "/" + id;
        if (!IdsByProductLastSeen.TryGetValue(topic + "/" + product, out var last))
        {
            IdsByProductLastSeen[topic + "/" + product] = last = [];
        }

        last.Remove(key);
        last.Add(key);
        if (JsonById.TryGetValue(key, out var existing))
        {
            Assert.Equal(existing, json); // a repeat carries the same content
            return;
        }

        JsonById[key] = json;
        // Order is kept per product within a topic (signals and decisions are separate streams).
        if (!IdsByProduct.TryGetValue(topic + "/" + product, out var list))
        {
            IdsByProduct[topic + "/" + product] = list = [];
        }

        list.Add(key);
    }
}

internal sealed class ObservedOutputs : OutputSet
{
    /// <summary>
    /// Asserts: nothing lost, nothing extra, same content, and per product the same order — of first
    /// appearance, or with <paramref name="byLastAppearance"/> of last appearance (after a delivery failure,
    /// outputs queued behind the failed one can land before its replay; the replay then re-emits all of
    /// them in order, so a consumer applying outputs in log order ends with the right state).
    /// </summary>
    public void AssertMatches(Reference reference, bool byLastAppearance = false)
    {
        Assert.True(reference.Distinct > 0, "the reference produced no outputs: the test would prove nothing");
        var missing = reference.JsonById.Keys.Except(JsonById.Keys).ToList();
        var extra = JsonById.Keys.Except(reference.JsonById.Keys).ToList();
        // Both directions in one message: a loss with an extra beside it means different results (merge
        // order, state), a loss alone means an output that never reached the topic.
        Assert.True(
            missing.Count == 0 && extra.Count == 0,
            $"{missing.Count} outputs lost, e.g. {string.Join(" | ", missing.Take(3).Select(k => reference.JsonById[k]))}; "
            + $"{extra.Count} outputs not in the reference, e.g. {string.Join(" | ", extra.Take(3).Select(k => JsonById[k]))}");
        foreach (var (key, json) in reference.JsonById)
        {
            Assert.Equal(json, JsonById[key]);
        }

        foreach (var (product, ids) in reference.IdsByProduct)
        {
            Assert.Equal(ids, byLastAppearance ? IdsByProductLastSeen[product] : IdsByProduct[product]);
        }
    }
}

internal sealed class Reference : OutputSet
{
    public Dictionary<int, MarketEngine> Engines { get; } = [];

    public long Events { get; set; }

    public int Rejected { get; set; }
}
