using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PriceIntel.Kafka;
using PriceIntel.Kafka.Testing;

namespace PriceIntel.ConsoleDemo;

/// <summary>
/// The demo's Kafka modes: <c>--kafka HOST:PORT</c> runs a <see cref="KafkaMarketProcessor"/>, <c>load</c>
/// publishes the simulator to the input topics, <c>--kafka mock</c> does both against librdkafka's mock
/// cluster in this process.
/// </summary>
internal static class KafkaDemo
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs the mode <paramref name="demo"/> names; returns the process exit code.</summary>
    public static async Task<int> RunAsync(DemoArguments demo, IConfiguration configuration, PriceIntelOptions engineOptions, ILoggerFactory loggers)
    {
        KafkaOptions kafka;
        try
        {
            kafka = KafkaConfiguration.Bind(configuration.GetSection(KafkaOptions.SectionName));
            if (demo.KafkaBootstrap is not null)
            {
                kafka.BootstrapServers = demo.KafkaBootstrap;
            }

            if (demo.GroupId is not null)
            {
                kafka.GroupId = demo.GroupId;
            }

            if (demo.EventsPerMessage is { } perMessage)
            {
                kafka.EventsPerMessage = perMessage;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        if (demo.Mode == DemoMode.KafkaMock)
        {
            ApplyMockDefaults(kafka, configuration.GetSection(KafkaOptions.SectionName));
        }

        if (demo.Mode != DemoMode.KafkaMock)
        {
            Console.WriteLine(Describe(kafka)); // the mock's address is known once it runs
        }

        var logger = loggers.CreateLogger("PriceIntel.Kafka");
        using var stop = new StopSignal();
        try
        {
            switch (demo.Mode)
            {
                case DemoMode.KafkaProcess:
                    Console.WriteLine($"Kafka processor — {kafka.BootstrapServers}, group {kafka.GroupId}, inputs {string.Join(", ", kafka.Topics.Inputs)}");
                    PrintSummary(await ProcessAsync(kafka, engineOptions, logger, demo.UntilCaughtUp, demo.Quiet, stop), published: null);
                    return 0;
                case DemoMode.KafkaLoad:
                    if (demo.CreateTopicsPartitions is { } partitions)
                    {
                        await CreateTopicsAsync(kafka, partitions);
                    }

                    await LoadAsync(kafka, demo, logger, stop.Token);
                    return 0;
                case DemoMode.KafkaMock:
                    return await MockAsync(kafka, demo, engineOptions, logger, stop);
                default:
                    throw new ArgumentOutOfRangeException(nameof(demo), demo.Mode, "not a Kafka mode");
            }
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            Console.WriteLine($"Stopped ({stop.Signal}).");
            return 0;
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException or TimeoutException or ArgumentException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message}{(ex is KafkaException ? $" (Kafka at {kafka.BootstrapServers})" : "")}");
            return 1;
        }
    }

    // --kafka mock: everything in one process — cluster, topics, load, processing, summary.
    private static async Task<int> MockAsync(KafkaOptions kafka, DemoArguments demo, PriceIntelOptions engineOptions, ILogger logger, StopSignal stop)
    {
        using var cluster = KafkaMockCluster.Create(brokers: 3);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        kafka.BootstrapServers = cluster.BootstrapServers;
        Console.WriteLine($"Kafka mock cluster — 3 brokers at {cluster.BootstrapServers}");
        Console.WriteLine(Describe(kafka));
        Console.WriteLine($"  attach another process while this one runs: dotnet run -c Release --project samples/PriceIntel.Console -- --kafka {cluster.BootstrapServers} --group other");
        foreach (var (topic, partitions) in TopicsToCreate(kafka, demo.Partitions))
        {
            cluster.CreateTopic(topic, partitions);
        }

        Console.WriteLine($"  topics: {string.Join(", ", TopicsToCreate(kafka, demo.Partitions).Select(t => $"{t.Topic} ({t.Partitions})"))}");
        var wall = Stopwatch.StartNew();
        var load = await LoadAsync(kafka, demo, logger, stop.Token);
        Console.WriteLine($"processing with group {kafka.GroupId}{(demo.KeepRunning ? " until Ctrl+C" : " until caught up")}");
        var run = await ProcessAsync(kafka, engineOptions, logger, untilCaughtUp: !demo.KeepRunning, demo.Quiet, stop);
        if (demo.KeepRunning)
        {
            // Other processes may have loaded more or written outputs too: no end-to-end figures.
            PrintSummary(run, published: null);
            PrintSignalsByKind(kafka);
            return 0;
        }

        var processing = run.CaughtUpAfter ?? run.Elapsed;
        var endToEnd = load.Elapsed + processing;
        PrintSummary(run, load.Events);
        Console.WriteLine(string.Create(Inv, $"  end to end  {run.Counters.Events,14:N0} events published and processed in {endToEnd.TotalSeconds:F1} s = {run.Counters.Events / Math.Max(endToEnd.TotalSeconds, 1e-3),10:N0} events/s (load {load.Elapsed.TotalSeconds:F1} s + processing {processing.TotalSeconds:F1} s; wall {wall.Elapsed.TotalSeconds:F1} s)"));
        PrintSignalsByKind(kafka);
        if (run.Counters.Events < load.Events && run.StoppedBy is null)
        {
            Console.WriteLine(string.Create(Inv, $"warning: {load.Events - run.Counters.Events:N0} published events were not processed. The mock brokers keep only the newest ~5 MiB per partition and drop older input: use more --partitions, --events-per-message, or a smaller market."));
        }

        return 0;
    }

    // Every setting in effect, on one line, so a run (or a parent process) can see what configuration,
    // environment and flags added up to.
    private static string Describe(KafkaOptions k)
    {
        var t = k.Topics;
        return string.Create(Inv, $"kafka settings: bootstrap={k.BootstrapServers} group={k.GroupId} topics=[{t.PriceUpdates}, {t.CompetitorData}, {t.UserBehavior} -> {t.MarketSignals}, {t.PricingDecisions}; dead letter {t.DeadLetter}; state {t.State}] batch_size={k.BatchSize} max_message_bytes={k.MaxMessageBytes} events_per_message={k.EventsPerMessage} snapshot_chunk_bytes={k.SnapshotChunkBytes} commit_interval={k.CommitInterval} snapshot_interval={k.SnapshotInterval} delivery_timeout={k.DeliveryTimeout} max_task_idle={k.MaxTaskIdle} restore_timeout={k.RestoreTimeout} client=[{string.Join(", ", k.Client.Select(kv => $"{kv.Key}={kv.Value}"))}]");
    }

    // Settings that suit the in-process mock, unless the configuration or environment sets them: commits every
    // 200 ms (caught up means committed, so this is also how long the end of a run waits). Inputs and outputs stay
    // uncompressed (Kafka's default), so any client can read the demo's topics (KafkaJS has no lz4 built in).
    private static void ApplyMockDefaults(KafkaOptions kafka, IConfiguration section)
    {
        if (!section.GetSection(nameof(KafkaOptions.CommitInterval)).Exists())
        {
            kafka.CommitInterval = TimeSpan.FromMilliseconds(200);
        }
    }

    /// <summary>What a processor run did.</summary>
    private sealed record ProcessResult(KafkaProcessorCounters Counters, TimeSpan Elapsed, TimeSpan? CaughtUpAfter, string? StoppedBy, string? LastError);

    // Runs a processor until the stop token (Ctrl+C, SIGTERM) or, with untilCaughtUp, until it has been caught up
    // for a second; every second it prints a "processing: key=value ..." line a parent process can parse.
    private static async Task<ProcessResult> ProcessAsync(KafkaOptions kafka, PriceIntelOptions engineOptions, ILogger logger, bool untilCaughtUp, bool quiet, StopSignal signal)
    {
        var stop = signal.Token;
        using var processor = KafkaMarketProcessor.Create(engineOptions, kafka, logger);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var wall = Stopwatch.StartNew();
        var run = processor.RunAsync(done.Token);
        var nextPrint = TimeSpan.FromSeconds(1);
        long lastEvents = 0;
        var lastPrint = TimeSpan.Zero;
        TimeSpan? caughtUpSince = null;
        string? reportedError = null;
        bool stopping = false;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(100, CancellationToken.None));
            if (processor.IsCaughtUp)
            {
                caughtUpSince ??= wall.Elapsed;
            }
            else if (!stopping)
            {
                caughtUpSince = null;
            }

            if (processor.LastError is { } error && error != reportedError)
            {
                reportedError = error;
                Console.Error.WriteLine($"warning: {error}");
            }

            if (!quiet && wall.Elapsed >= nextPrint)
            {
                var c = processor.Counters;
                double rate = (c.Events - lastEvents) / Math.Max((wall.Elapsed - lastPrint).TotalSeconds, 1e-3);
                lastEvents = c.Events;
                lastPrint = wall.Elapsed;
                nextPrint = wall.Elapsed + TimeSpan.FromSeconds(1);
                Console.WriteLine(string.Create(Inv, $"processing: events={c.Events} signals={c.Signals} decisions={c.Decisions} dead_letters={c.DeadLettered} commits={c.Commits} snapshots={c.Snapshots} partitions={c.AssignedPartitions} late={c.LateEvents}{LateByPartition(processor)} misrouted={c.MisroutedEvents} refused={c.RefusedMessages} events_per_s={rate:F0} caught_up={(processor.IsCaughtUp ? "yes" : "no")} t={wall.Elapsed.TotalSeconds:F1}s"));
                Console.Out.Flush();
            }

            if (!stopping && (stop.IsCancellationRequested || (untilCaughtUp && wall.Elapsed - caughtUpSince >= TimeSpan.FromSeconds(1))))
            {
                stopping = true;
                Console.WriteLine(stop.IsCancellationRequested ? "stopping: flushing outputs, committing offsets, writing state, leaving the group" : "caught up: stopping cleanly");
                Console.Out.Flush();
                done.Cancel();
            }
        }

        await run; // rethrows the processor's failure
        return new ProcessResult(processor.Counters, wall.Elapsed, untilCaughtUp && !stop.IsCancellationRequested ? caughtUpSince : null, signal.Signal, processor.LastError);
    }

    // Late events per partition, for the progress line: "[p3:12,p7:1]" (only partitions that had any).
    private static string LateByPartition(KafkaMarketProcessor processor)
    {
        var late = processor.PartitionCounters.Where(p => p.LateEvents > 0).Select(p => string.Create(Inv, $"p{p.Partition}:{p.LateEvents}")).ToList();
        return late.Count == 0 ? "" : $"[{string.Join(',', late)}]";
    }

    private static void PrintSummary(ProcessResult run, long? published)
    {
        var c = run.Counters;
        var active = run.CaughtUpAfter ?? run.Elapsed;
        Console.WriteLine();
        Console.WriteLine(run.StoppedBy is not null
            ? $"Stopped ({run.StoppedBy}) — outputs flushed, offsets committed, state written, group left."
            : run.CaughtUpAfter is not null ? "Caught up — outputs flushed, offsets committed, state written, group left." : "Done.");
        Console.WriteLine(string.Create(Inv, $"  events      {c.Events,14:N0} processed{(published is { } p ? $" of {p:N0} published" : "")} from {c.Messages:N0} messages in {active.TotalSeconds:F1} s = {c.Events / Math.Max(active.TotalSeconds, 1e-3),10:N0} events/s (group join included; {c.ReplayedEvents:N0} replayed)"));
        Console.WriteLine(string.Create(Inv, $"  signals     {c.Signals,14:N0}"));
        Console.WriteLine(string.Create(Inv, $"  decisions   {c.Decisions,14:N0}"));
        Console.WriteLine(string.Create(Inv, $"  dead letters{c.DeadLettered,14:N0}   late {c.LateEvents:N0}   misrouted {c.MisroutedEvents:N0}   refused by Kafka {c.RefusedMessages:N0}"));
        Console.WriteLine(string.Create(Inv, $"  commits     {c.Commits,14:N0} ({c.CommitFailures:N0} failed)   snapshots {c.Snapshots:N0} ({c.SnapshotFailures:N0} failed)   restores {c.Restores:N0}   rewinds {c.Rewinds:N0}   delivery failures {c.DeliveryFailures:N0}"));
        if (run.LastError is not null)
        {
            Console.WriteLine($"  last error  {run.LastError}");
        }
    }

    /// <summary>What a load published.</summary>
    private sealed record LoadResult(long Events, long Messages, TimeSpan Elapsed);

    // Publishes the simulator (always open loop: nothing feeds decisions back through Kafka) or a replay file.
    private static async Task<LoadResult> LoadAsync(KafkaOptions kafka, DemoArguments demo, ILogger logger, CancellationToken stop)
    {
        var keys = new MarketKeys();
        IMarketEventSource source;
        string description;
        if (demo.ReplayPath is not null)
        {
            source = MarketEventSources.JsonLinesFile(demo.ReplayPath, keys);
            description = $"replay of {Path.GetFullPath(demo.ReplayPath)}";
        }
        else
        {
            source = new MarketSimulator(
                new MarketSimulatorOptions
                {
                    ProductCount = demo.Products,
                    CompetitorCount = demo.Competitors,
                    Duration = TimeSpan.FromDays(demo.Days),
                    Seed = demo.Seed,
                    Feedback = SimulatorFeedbackMode.OpenLoop,
                    Tick = TimeSpan.FromMinutes(1),
                },
                keys);
            description = string.Create(Inv, $"simulator: {demo.Products:N0} products × {demo.Competitors} competitors over {demo.Days:0.##} days, seed {demo.Seed}, open loop");
        }

        await using var _ = source;
        using var publisher = KafkaEventPublisher.Create(kafka, keys, logger);
        Console.WriteLine($"loading {description} into {string.Join(", ", kafka.Topics.Inputs)} ({publisher.PartitionCount} partitions each, {kafka.EventsPerMessage} event(s) per message) at {kafka.BootstrapServers}");
        var wall = Stopwatch.StartNew();
        var publish = Task.Run(() => publisher.PublishAsync(source, rejections: null, stop), CancellationToken.None);
        long lastEvents = 0;
        while (!publish.IsCompleted)
        {
            await Task.WhenAny(publish, Task.Delay(1000, CancellationToken.None));
            if (!demo.Quiet && !publish.IsCompleted)
            {
                var c = publisher.Counters;
                Console.WriteLine(string.Create(Inv, $"loading: events={c.Events} messages={c.Messages} events_per_s={c.Events - lastEvents} t={wall.Elapsed.TotalSeconds:F0}s"));
                lastEvents = c.Events;
            }
        }

        try
        {
            await publish;
        }
        finally
        {
            // Whatever was handed to the producer is delivered (or reported) before the process goes.
            publisher.Flush(kafka.DeliveryTimeout + TimeSpan.FromSeconds(5));
        }

        var elapsed = wall.Elapsed;
        var counters = publisher.Counters;
        Console.WriteLine(string.Create(Inv, $"loaded {counters.Events:N0} events in {counters.Messages:N0} messages ({counters.Bytes / 1048576.0:F1} MiB) in {elapsed.TotalSeconds:F1} s = {counters.Events / Math.Max(elapsed.TotalSeconds, 1e-3):N0} events/s, flushed{(counters.Rejected > 0 ? $"; {counters.Rejected:N0} inputs rejected by the source" : "")}"));
        return new LoadResult(counters.Events, counters.Messages, elapsed);
    }

    /// <summary>The adapter's topics: inputs, outputs and state with <paramref name="partitions"/>, dead letter with 1.</summary>
    private static IEnumerable<(string Topic, int Partitions)> TopicsToCreate(KafkaOptions kafka, int partitions)
    {
        var t = kafka.Topics;
        foreach (var input in t.Inputs)
        {
            yield return (input, partitions);
        }

        yield return (t.MarketSignals, partitions);
        yield return (t.PricingDecisions, partitions);
        yield return (t.DeadLetter, 1);
        yield return (t.State, partitions);
    }

    // load --create-topics P: creates the missing topics through the admin API and says which already exist.
    private static async Task CreateTopicsAsync(KafkaOptions kafka, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(ClientProperties(kafka))).Build();
        // All topics, not named ones: asking for a named topic can auto-create it with the broker's defaults.
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
        var missing = new List<TopicSpecification>();
        foreach (var (topic, count) in TopicsToCreate(kafka, partitions))
        {
            if (existing.TryGetValue(topic, out int has))
            {
                Console.WriteLine($"topic {topic} exists with {has} partition(s){(has != count ? $" (wanted {count}; left as it is)" : "")}");
            }
            else
            {
                missing.Add(new TopicSpecification { Name = topic, NumPartitions = count, ReplicationFactor = -1 });
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(missing);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another process created some of them meanwhile.
        }
        catch (KafkaException ex)
        {
            throw new InvalidOperationException($"could not create topics {string.Join(", ", missing.Select(t => t.Name))} at {kafka.BootstrapServers}: {ex.Message}", ex);
        }

        Console.WriteLine($"created {string.Join(", ", missing.Select(t => $"{t.Name} ({t.NumPartitions})"))}");
    }

    // --kafka mock: the signals on the output topic, by kind (the processor counts only their total).
    private static void PrintSignalsByKind(KafkaOptions kafka)
    {
        var properties = ClientProperties(kafka);
        properties.Remove("compression.type"); // a producer property; a consumer warns about it
        properties.Remove("compression.codec");
        var config = new ConsumerConfig(properties)
        {
            GroupId = kafka.GroupId + ".demo-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        var topic = kafka.Topics.MarketSignals;
        var assignment = new List<TopicPartitionOffset>();
        var open = new HashSet<int>();
        using (var admin = new AdminClientBuilder(new AdminClientConfig(ClientProperties(kafka))).Build())
        {
            foreach (var p in admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions)
            {
                var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10));
                if (marks.High > marks.Low)
                {
                    assignment.Add(new TopicPartitionOffset(topic, p.PartitionId, marks.Low));
                    open.Add(p.PartitionId);
                }
            }
        }

        var byKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        consumer.Assign(assignment);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (open.Count > 0 && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is null)
            {
                continue;
            }

            if (r.IsPartitionEOF)
            {
                open.Remove(r.Partition.Value);
                continue;
            }

            using var json = JsonDocument.Parse(r.Message.Value);
            string kind = json.RootElement.TryGetProperty("kind", out var k) ? k.GetString() ?? "?" : "?";
            byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
        }

        Console.WriteLine($"  signals on {topic} (from every writer), by kind{(open.Count > 0 ? " (read incomplete)" : "")}");
        foreach (var (kind, count) in byKind)
        {
            Console.WriteLine(string.Create(Inv, $"    {kind,-22}{count,10:N0}"));
        }
    }

    // The pass-through librdkafka properties and the bootstrap servers, as the adapter's own clients get them.
    private static Dictionary<string, string> ClientProperties(KafkaOptions kafka)
    {
        var properties = kafka.Client.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);
        properties["bootstrap.servers"] = kafka.BootstrapServers;
        return properties;
    }

    /// <summary>
    /// Turns the first SIGINT (Ctrl+C) or SIGTERM into a cancellation, so the run stops cleanly; a second
    /// one ends the process at once.
    /// </summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;

        public StopSignal()
        {
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        public CancellationToken Token => _cancel.Token;

        public string? Signal { get; private set; }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
            _cancel.Dispose();
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (_cancel.IsCancellationRequested)
            {
                return; // the second signal: default handling ends the process
            }

            context.Cancel = true;
            Signal = context.Signal.ToString();
            Console.Error.WriteLine($"{Signal}: stopping cleanly (send it again to stop at once)");
            _cancel.Cancel();
        }
    }
}
