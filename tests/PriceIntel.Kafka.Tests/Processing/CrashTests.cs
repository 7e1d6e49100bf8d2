using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>
/// A consumer process killed hard (SIGKILL: no flush, no commit, no snapshot, no leaving the group), then
/// a processor restarted on the same group: it resumes, nothing is lost, the outputs equal the in-process
/// reference after dropping repeats by id, and the final state equals the reference's. The killed process
/// is the console demo (<c>--kafka BOOTSTRAP --group G</c>) run as a child of the test.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    // 12 partitions keep every partition well under the mock's ~5 MiB retention with ~300k events.
    private const int Partitions = 12;

    [Fact]
    public async Task A_process_killed_before_any_commit_is_replayed_from_the_beginning_and_loses_nothing()
    {
        using var h = new ProcessorHarness(output, partitions: Partitions);
        var (published, reference) = PublishBigMarket(h);

        ChildProgress atKill;
        using (var child = ConsoleProcessor.Start(h, output, o =>
        {
            // Nothing committed, nothing snapshotted while the child lives.
            o.CommitInterval = TimeSpan.FromMinutes(10);
            o.SnapshotInterval = TimeSpan.FromMinutes(10);
        }))
        {
            atKill = child.WaitFor(p => p.Events > 0 && p.Signals + p.Decisions > 0, "the child processing and its outputs acknowledged");
            child.Kill();
        }

        output.WriteLine($"killed at {atKill} of {published} events");
        Assert.True(atKill.Signals + atKill.Decisions > 0, "the child produced no outputs before it was killed: the test would prove nothing");
        Assert.Equal(0, atKill.Commits);
        Assert.All(Committed(h), tpo => Assert.True(tpo.Offset.Value < 0, $"{tpo.TopicPartition} committed at {tpo.Offset}"));
        Assert.Empty(h.ReadFinalEngines());

        var restarted = await RunRestartedUntilCaughtUp(h);
        Assert.Equal(reference.Events, restarted.Events); // from the beginning: nothing was committed
        Assert.Equal(0, restarted.ReplayedEvents); // and nothing suppressed

        var observed = h.ReadOutputs();
        output.WriteLine($"{observed.Distinct} distinct outputs, {observed.Copies} copies ({observed.Copies - observed.Distinct} repeats; the child had {atKill.Signals + atKill.Decisions} acknowledged)");
        observed.AssertMatches(reference);
        Assert.True(observed.Copies > observed.Distinct, "the replay re-emitted nothing the killed child had sent");
        Assert.True(observed.Copies - observed.Distinct >= atKill.Signals + atKill.Decisions, "every output the child had acknowledged is emitted again by the replay from the beginning");
        h.AssertFinalStateEquals(reference);
    }

    [Fact]
    public async Task A_process_killed_mid_stream_resumes_from_its_snapshots_and_commits_and_loses_nothing()
    {
        using var h = new ProcessorHarness(output, partitions: Partitions);
        var (published, reference) = PublishBigMarket(h);

        ChildProgress atKill;
        using (var child = ConsoleProcessor.Start(h, output, o =>
        {
            // Short intervals: the child has committed and snapshotted early in its run, so the kill below
            // lands mid-stream even though the child reads the whole input in about a second.
            o.CommitInterval = TimeSpan.FromMilliseconds(50);
            o.SnapshotInterval = TimeSpan.FromMilliseconds(100);
        }))
        {
            // Commits and snapshots seen from outside (the child prints progress only once a second, by which
            // time it may have read most of the input).
            using var probe = new GroupProbe(h);
            ProcessorHarness.WaitFor(() => { child.AssertRunning(); return probe.CommittedSum() > 0 && probe.StateMessages() > 0; }, "the child's first commit and snapshot");

            // A kill right after a progress line can land in a pause (waiting for input), when everything
            // processed is committed and a restart repeats nothing. Kill while outputs are being written past
            // the committed offsets instead.
            var deadline = DateTime.UtcNow + ProcessorHarness.Patience;
            while (true)
            {
                long committedBefore = probe.CommittedSum();
                long outputsBefore = probe.OutputsSum();
                Thread.Sleep(20);
                long outputsAfter = probe.OutputsSum();
                if (outputsAfter > outputsBefore && probe.CommittedSum() == committedBefore)
                {
                    child.Kill();
                    output.WriteLine($"killed while outputs were written past the commit: {outputsAfter - outputsBefore} new outputs in the last 20 ms, committed offsets sum {committedBefore}");
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, "the child never wrote outputs past its committed offsets");
                Assert.True(probe.CommittedSum() < published, "the child finished before it could be killed mid-way: publish more input");
                child.AssertRunning();
            }

            atKill = child.Progress;
        }

        output.WriteLine($"killed at {atKill} of {published} events");
        Assert.False(atKill.CaughtUp, "the child had caught up before it was killed: nothing would be left to resume");
        var committed = Committed(h);
        output.WriteLine($"committed at the kill: {string.Join(", ", committed.Select(c => $"{c.Topic}[{c.Partition.Value}]={c.Offset}"))}");
        Assert.Contains(committed, tpo => tpo.Offset.Value > 0);
        Assert.NotEmpty(h.ReadFinalEngines());

        var restarted = await RunRestartedUntilCaughtUp(h);
        Assert.True(restarted.Restores > 0, "the restarted processor restored nothing");
        Assert.True(restarted.Events + restarted.ReplayedEvents < reference.Events, $"the restarted processor started over from the beginning ({restarted.Events} + {restarted.ReplayedEvents} replayed of {reference.Events})");
        Assert.True(restarted.Events < reference.Events);

        var observed = h.ReadOutputs();
        output.WriteLine($"{observed.Distinct} distinct outputs, {observed.Copies} copies ({observed.Copies - observed.Distinct} repeats; the child had {atKill.Signals + atKill.Decisions} acknowledged)");
        observed.AssertMatches(reference);

        // Repeats are allowed, not required: when the kill lands just after a state snapshot that covers every output the
        // child had delivered, the restart resumes from that snapshot and repeats nothing (seen in CI: 0 repeats, snapshot
        // offsets ahead of the commit). Either way nothing may be missing (above) and the final state must be the reference's.
        h.AssertFinalStateEquals(reference);
    }

    // ~600k events, one per message (lz4 on the wire so the mock keeps all of it), so the child needs a few seconds.
    private (long Published, Reference Reference) PublishBigMarket(ProcessorHarness h)
    {
        long published = h.PublishMarket(products: 480, competitors: 4, hours: 54, compress: true);
        var reference = h.ComputeReference();
        Assert.True(published >= 250_000, $"only {published} events: the child would finish before it can be killed");
        Assert.Equal(published, reference.Events); // the mock kept all of the input
        output.WriteLine($"reference: {reference.Events} events, {reference.Distinct} outputs");
        return (published, reference);
    }

    private async Task<KafkaProcessorCounters> RunRestartedUntilCaughtUp(ProcessorHarness h)
    {
        var clock = Stopwatch.StartNew();
        using var processor = h.NewProcessor();
        using var stop = new CancellationTokenSource();
        var run = processor.RunAsync(stop.Token);
        ProcessorHarness.WaitCaughtUp(processor);
        var caughtUp = clock.Elapsed;
        await stop.CancelAsync();
        await run.WaitAsync(ProcessorHarness.Patience);
        var counters = processor.Counters;
        output.WriteLine($"restarted processor caught up after {caughtUp.TotalSeconds:F1} s (the dead member's session timeout included): {counters}");
        return counters;
    }

    private static List<TopicPartitionOffset> Committed(ProcessorHarness h)
    {
        using var probe = new GroupProbe(h);
        return probe.Committed();
    }

    /// <summary>Reads the group's committed input offsets and the output topics' ends from outside the group.</summary>
    private sealed class GroupProbe(ProcessorHarness h) : IDisposable
    {
        private readonly IConsumer<byte[]?, byte[]> _consumer = h.Mock.BuildConsumer<byte[]?, byte[]>(h.Mock.ConsumerConfig(h.Options.GroupId));
        private readonly List<TopicPartition> _inputs = Partitions(h, h.Options.Topics.Inputs);
        private readonly List<TopicPartition> _outputs = Partitions(h, [h.Options.Topics.MarketSignals, h.Options.Topics.PricingDecisions]);
        private readonly List<TopicPartition> _state = Partitions(h, [h.Options.Topics.State]);

        public List<TopicPartitionOffset> Committed() => _consumer.Committed(_inputs, ProcessorHarness.Patience);

        public long CommittedSum() => Committed().Sum(tpo => Math.Max(tpo.Offset.Value, 0));

        public long OutputsSum() => _outputs.Sum(tp => _consumer.QueryWatermarkOffsets(tp, ProcessorHarness.Patience).High.Value);

        public long StateMessages() => _state.Sum(tp => _consumer.QueryWatermarkOffsets(tp, ProcessorHarness.Patience).High.Value);

        public void Dispose() => _consumer.Dispose();

        private static List<TopicPartition> Partitions(ProcessorHarness h, IEnumerable<string> topics) =>
            topics.SelectMany(t => Enumerable.Range(0, h.Partitions).Select(p => new TopicPartition(t, new Partition(p)))).ToList();
    }
}

/// <summary>The console demo's latest <c>processing:</c> progress line.</summary>
internal readonly record struct ChildProgress(long Events, long Signals, long Decisions, long Commits, long Snapshots, bool CaughtUp);

/// <summary>
/// The console demo running a <see cref="KafkaMarketProcessor"/> in its own process against the harness's
/// cluster and group, with the harness's Kafka settings passed as <c>PRICEINTEL_Kafka__*</c> variables; its
/// output goes to the test output, its progress lines are parsed. Disposing kills it if it still runs.
/// </summary>
internal sealed partial class ConsoleProcessor : IDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _directory;
    private readonly Lock _lock = new();
    private ChildProgress? _progress;
    private volatile bool _disposed;

    private ConsoleProcessor(Process process, ITestOutputHelper output, string directory)
    {
        _process = process;
        _output = output;
        _directory = directory;
    }

    /// <summary>Where the console demo of this build's configuration is (the test project builds it).</summary>
    public static string DllPath
    {
        get
        {
            string relative = typeof(ConsoleProcessor).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConsoleDemoOutput").Value!;
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PriceIntel.sln")))
            {
                dir = dir.Parent;
            }

            if (dir is null)
            {
                throw new InvalidOperationException($"PriceIntel.sln not found above {AppContext.BaseDirectory}");
            }

            string path = Path.Combine(dir.FullName, relative);
            return File.Exists(path) ? path : throw new FileNotFoundException($"The console demo is not built at {path}; build the solution (or the test project) in the same configuration first.", path);
        }
    }

    public static ConsoleProcessor Start(ProcessorHarness h, ITestOutputHelper output, Action<KafkaOptions>? change = null)
    {
        var o = h.CopyOptions();
        change?.Invoke(o);

        // An empty configuration file, so the engine runs with the defaults the reference uses, and a working
        // directory where the repository's config/config.yaml is not found either.
        string directory = Path.Combine(Path.GetTempPath(), $"priceintel-crash-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "empty.yaml");
        File.WriteAllText(config, "# crash test: engine defaults; Kafka settings from the environment\n");

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { DllPath, "--config", config, "--kafka", o.BootstrapServers, "--group", o.GroupId })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PRICEINTEL_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        void Set(string member, string value) => start.Environment[$"PRICEINTEL_Kafka__{member}"] = value;
        static string Span(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
        Set(nameof(KafkaOptions.BatchSize), o.BatchSize.ToString(CultureInfo.InvariantCulture));
        Set(nameof(KafkaOptions.MaxMessageBytes), o.MaxMessageBytes.ToString(CultureInfo.InvariantCulture));
        Set(nameof(KafkaOptions.SnapshotChunkBytes), o.SnapshotChunkBytes.ToString(CultureInfo.InvariantCulture));
        Set(nameof(KafkaOptions.CommitInterval), Span(o.CommitInterval));
        Set(nameof(KafkaOptions.SnapshotInterval), Span(o.SnapshotInterval));
        Set(nameof(KafkaOptions.DeliveryTimeout), Span(o.DeliveryTimeout));
        Set(nameof(KafkaOptions.MaxTaskIdle), Span(o.MaxTaskIdle));
        Set(nameof(KafkaOptions.RestoreTimeout), Span(o.RestoreTimeout));
        foreach (var (key, value) in o.Client)
        {
            Set($"Client__{key}", value);
        }

        var process = new Process { StartInfo = start };
        var child = new ConsoleProcessor(process, output, directory);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, "out");
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, "err");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Write($"started pid {process.Id}: {dotnet} {string.Join(' ', start.ArgumentList)}");
        return child;
    }

    /// <summary>Waits for a progress line that satisfies <paramref name="condition"/>; fails if the child exits first.</summary>
    public ChildProgress WaitFor(Func<ChildProgress, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ProcessorHarness.Patience;
        while (true)
        {
            ChildProgress? progress;
            lock (_lock)
            {
                progress = _progress;
            }

            if (progress is { } p && condition(p))
            {
                return p;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The child exited with {_process.ExitCode} before {what}; last progress: {progress}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last progress: {progress}");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The newest progress line (zeros before the first).</summary>
    public ChildProgress Progress
    {
        get
        {
            lock (_lock)
            {
                return _progress ?? default;
            }
        }
    }

    /// <summary>Fails when the child has ended (it should run until it is killed).</summary>
    public void AssertRunning() => Assert.False(_process.HasExited, $"the child ended on its own (exit code {(_process.HasExited ? _process.ExitCode : 0)}); last progress: {Progress}");

    /// <summary>SIGKILL: the process ends at once, without flushing, committing or leaving the group.</summary>
    public void Kill()
    {
        AssertRunning();
        _process.Kill(entireProcessTree: true);
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "the killed child did not end");
        _process.WaitForExit(); // drains the redirected output
        Write($"killed (exit code {_process.ExitCode})");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
        finally
        {
            _disposed = true;
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover empty temp directory is harmless.
            }
        }
    }

    [GeneratedRegex(@"^processing: events=(\d+) signals=(\d+) decisions=(\d+) dead_letters=\d+ commits=(\d+) snapshots=(\d+) .*caught_up=(yes|no)")]
    private static partial Regex ProgressLine();

    private void OnLine(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        var m = ProgressLine().Match(line);
        if (m.Success)
        {
            long N(int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            var progress = new ChildProgress(N(1), N(2), N(3), N(4), N(5), m.Groups[6].Value == "yes");
            lock (_lock)
            {
                _progress = progress;
            }
        }

        Write($"{stream}: {line}");
    }

    private void Write(string text)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _output.WriteLine($"[child {_clock.Elapsed.TotalSeconds,6:F2}s] {text}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended.
        }
    }
}
