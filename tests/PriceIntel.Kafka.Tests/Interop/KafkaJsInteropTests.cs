using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

using PriceIntel.Kafka.Publishing;
using PriceIntel.Kafka.Tests.Processing;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Interop;

/// <summary>
/// An independent client (KafkaJS, run by Node from tests/interop/kafkajs) against the processor on the mock cluster:
/// inputs produced by KafkaJS with its Java-compatible partitioner land on the partitions the processor expects,
/// and KafkaJS reads the outputs with default settings (uncompressed, plain JSON, keys and id headers).
/// </summary>
public sealed class KafkaJsInteropTests(ITestOutputHelper output)
{
    [KafkaJsFact]
    public async Task KafkaJs_produces_inputs_the_processor_routes_right_and_reads_its_outputs_with_default_settings()
    {
        using var h = new ProcessorHarness(output);
        string file = Path.Combine(Path.GetTempPath(), $"priceintel-kafkajs-{Guid.NewGuid():N}.tsv");
        try
        {
            int messages = await WriteMarketAsync(h, file);
            RunNode(output, "produce", h.Options.BootstrapServers, file);

            // Every KafkaJS message sits on the partition Kafka's murmur2 gives its key: no misrouting.
            foreach (var topic in h.Options.Topics.Inputs)
            {
                foreach (var r in h.ReadAll(topic))
                {
                    Assert.Equal(KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(ProductOf(r.Message.Value)), h.Partitions), r.Partition.Value);
                }
            }

            var reference = h.ComputeReference();
            Assert.Equal(messages, reference.Events);
            using var processor = h.NewProcessor();
            using var stop = new CancellationTokenSource();
            var run = processor.RunAsync(stop.Token);
            ProcessorHarness.WaitCaughtUp(processor);
            await h.StopAsync(processor, stop, run);
            Assert.Equal(0, processor.Counters.MisroutedEvents);
            Assert.Equal(0, processor.Counters.DeadLettered);
            var observed = h.AssertOutputsAndFinalState(reference);
            Assert.True(observed.Distinct > 0, "the market produced outputs");

            // KafkaJS reads every output with a consumer's defaults (it has no lz4: outputs must be uncompressed).
            var lines = RunNode(output, "read", h.Options.BootstrapServers, observed.Copies.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Options.Topics.MarketSignals, h.Options.Topics.PricingDecisions);
            var read = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(observed.Copies, read.Count);
            foreach (var m in read)
            {
                string value = m.GetProperty("value").GetString()!;
                using var json = JsonDocument.Parse(value);
                string id = m.GetProperty("id").GetString()!;
                Assert.Equal(json.RootElement.GetProperty("id").GetString(), id);
                Assert.Equal(json.RootElement.GetProperty("product").GetString(), m.GetProperty("key").GetString());
                Assert.Equal(observed.JsonById[m.GetProperty("topic").GetString() + "/" + id], value);
            }

            Assert.Equal(observed.Distinct, read.Select(m => m.GetProperty("topic").GetString() + "/" + m.GetProperty("id").GetString()).Distinct().Count());
        }
        finally
        {
            File.Delete(file);
        }
    }

    // A simulated market as "topic<TAB>key<TAB>value" lines, one event per message, in the simulator's order.
    private static async Task<int> WriteMarketAsync(ProcessorHarness h, string file)
    {
        var keys = new MarketKeys();
        await using var simulator = new MarketSimulator(
            new MarketSimulatorOptions { Seed = 11, ProductCount = 20, CompetitorCount = 3, Duration = TimeSpan.FromHours(3), ViewsPerProductPerHour = 6 },
            keys);
        var encoder = new MarketEventJsonEncoder(keys);
        var buffer = new ArrayBufferWriter<byte>();
        var events = new MarketEvent[1024];
        var text = new StringBuilder();
        int count = 0;
        int n;
        while ((n = await simulator.ReadAsync(events, NoRejections.Instance, CancellationToken.None)) > 0)
        {
            foreach (var e in events.AsSpan(0, n))
            {
                buffer.ResetWrittenCount();
                encoder.Write(in e, buffer);
                string topic = InputTopics.NameOf(h.Options.Topics, InputTopics.Of(e.Kind));
                text.Append(topic).Append('\t').Append(keys.Products.GetName(e.ProductId)).Append('\t')
                    .Append(Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n')).Append('\n');
                count++;
            }
        }

        await File.WriteAllTextAsync(file, text.ToString());
        return count;
    }

    private static string ProductOf(byte[] value)
    {
        using var json = JsonDocument.Parse(value);
        return json.RootElement.GetProperty("product").GetString()!;
    }

    private static List<string> RunNode(ITestOutputHelper output, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = KafkaJsFactAttribute.Folder!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("interop.mjs");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var node = Process.Start(start)!;
        var stderr = node.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (node.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)), "node did not exit");
        output.WriteLine($"node {string.Join(' ', args)}: exit {node.ExitCode}, {lines.Count} lines; {stderr.Result.Trim()}");
        Assert.True(node.ExitCode == 0, $"node {args[0]} failed ({node.ExitCode}): {stderr.Result}");
        return lines;
    }

    private sealed class NoRejections : IRejectionSink
    {
        public static readonly NoRejections Instance = new();

        public void Reject(RejectedInput rejected) => throw new InvalidOperationException($"the simulator rejected its own event: {rejected.Reason}");
    }
}

/// <summary>
/// A fact that needs Node and the npm modules of tests/interop/kafkajs (<c>npm ci</c> there; .ci/run does it); it is
/// skipped, saying why, when either is missing.
/// </summary>
public sealed class KafkaJsFactAttribute : FactAttribute
{
    public KafkaJsFactAttribute()
    {
        if (Folder is null)
        {
            Skip = "KafkaJS interop skipped: tests/interop/kafkajs not found above the test's folder.";
        }
        else if (!File.Exists(Path.Combine(Folder, "node_modules", "kafkajs", "package.json")))
        {
            Skip = $"KafkaJS interop skipped: the npm modules are not installed (run `npm ci` in {Folder}).";
        }
        else if (!NodeOnPath())
        {
            Skip = "KafkaJS interop skipped: `node` is not on PATH (Node 18+ is needed).";
        }
    }

    /// <summary>tests/interop/kafkajs of this checkout, or null.</summary>
    public static string? Folder { get; } = FindFolder();

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "interop", "kafkajs");
            if (File.Exists(Path.Combine(candidate, "interop.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool NodeOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "node")));
}
