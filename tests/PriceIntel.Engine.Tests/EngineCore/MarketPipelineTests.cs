using System.Diagnostics.Metrics;
using PriceIntel.Engine.Diagnostics;

namespace PriceIntel.Engine.Tests.EngineCore;

public sealed class MarketPipelineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("priceintel-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Bad_lines_are_set_aside_and_counted_and_every_good_event_is_processed()
    {
        var path = Path.Combine(_directory, "events.jsonl");
        var lines = new List<string>();
        int good = 0;
        for (int i = 0; i < 3000; i++)
        {
            if (i % 100 == 7)
            {
                lines.Add(i % 200 == 7 ? "{not json" : $$"""{"type":"competitor_price","product":"SKU-{{i % 50}}","competitor":"c1","price":"NaN","currency":"USD","ts":{{i * 1000}}}""");
                continue;
            }

            lines.Add($$"""{"type":"competitor_price","product":"SKU-{{i % 50}}","competitor":"c{{i % 4}}","price":{{20 + (i % 7)}}.5,"currency":"USD","availability":"in_stock","ts":{{i * 1000}}}""");
            good++;
        }

        await File.WriteAllLinesAsync(path, lines);
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(new PriceIntelOptions(), keys);
        var sink = MarketOutputSinks.InMemory();
        using var deadLetters = new DeadLetterFile(Path.Combine(_directory, "rejected.jsonl"));
        await using var source = MarketEventSources.JsonLinesFile(path, keys);

        var summary = await MarketPipeline.Create(source, engine, [sink], new PipelineOptions { BatchSize = 256 }, deadLetters).RunAsync();

        Assert.Equal(good, summary.EventsIn);
        Assert.Equal(30, summary.Rejected);
        Assert.Equal(30, deadLetters.Count);
        Assert.Equal(30, File.ReadAllLines(deadLetters.Path).Length);
        Assert.False(summary.Cancelled);
        Assert.True(sink.FlushCount >= 1);
        Assert.Equal(engine.Counters.Decisions, sink.Decisions.Count);
        Assert.Equal(engine.Counters.TotalSignals, sink.Signals.Count);
        Assert.Contains(deadLetters.Tail, r => r.Reason.Contains("price", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Pipeline_outputs_equal_a_direct_engine_run()
    {
        var events = Stream(20_000);
        var directKeys = new MarketKeys();
        var pipelineKeys = new MarketKeys();
        Intern(directKeys);
        Intern(pipelineKeys);
        var direct = MarketEngine.Create(new PriceIntelOptions(), directKeys);
        var expected = new List<StoredDecision>();
        foreach (var chunk in events.Chunk(777))
        {
            foreach (var d in direct.Process(chunk).Decisions.Span)
            {
                expected.Add(StoredDecision.From(d, directKeys));
            }
        }

        var sink = MarketOutputSinks.InMemory();
        await using var source = MarketEventSources.InMemory(events);
        await MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), pipelineKeys), [sink], new PipelineOptions { BatchSize = 100, BufferedBatches = 2 }).RunAsync();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, sink.Decisions);
    }

    [Fact]
    public async Task Cancelling_stops_reading_processes_what_is_buffered_and_flushes()
    {
        var keys = new MarketKeys();
        Intern(keys);
        var sink = MarketOutputSinks.InMemory();
        await using var source = new EndlessSource(Stream(5000));
        using var cancel = new CancellationTokenSource();
        var observer = new CancelAfter(cancel, batches: 20);
        var pipeline = MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [sink], new PipelineOptions { BatchSize = 64 }, observer: observer);

        var summary = await pipeline.RunAsync(cancel.Token);

        Assert.True(summary.Cancelled);
        Assert.True(summary.EventsIn >= 20 * 64);
        Assert.Equal(summary.EventsIn, observer.Events);
        Assert.True(sink.FlushCount >= 1);
        Assert.True(source.Handed >= summary.EventsIn); // nothing processed that was not read
    }

    [Fact]
    public async Task Drop_newest_mode_drops_and_counts_when_the_engine_side_is_slow()
    {
        var keys = new MarketKeys();
        Intern(keys);
        var events = Stream(50_000);
        await using var source = MarketEventSources.InMemory(events);
        var slow = new SlowSink(TimeSpan.FromMilliseconds(20));
        var options = new PipelineOptions { BatchSize = 500, BufferedBatches = 1, FullMode = BufferFullMode.DropNewest };

        var summary = await MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [slow], options).RunAsync();

        Assert.True(summary.Dropped > 0, "a slow sink with one buffered batch must make the reader drop");
        Assert.Equal(events.Length, summary.EventsIn + summary.Dropped);
    }

    [Fact]
    public async Task Wait_mode_loses_nothing_behind_a_slow_sink()
    {
        var keys = new MarketKeys();
        Intern(keys);
        var events = Stream(5_000);
        await using var source = MarketEventSources.InMemory(events);
        var slow = new SlowSink(TimeSpan.FromMilliseconds(5));
        var options = new PipelineOptions { BatchSize = 500, BufferedBatches = 1, FullMode = BufferFullMode.Wait };

        var summary = await MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [slow], options).RunAsync();

        Assert.Equal(0, summary.Dropped);
        Assert.Equal(events.Length, summary.EventsIn);
    }

    [Fact]
    public async Task A_failing_source_surfaces_its_error_after_buffered_work_is_flushed()
    {
        var keys = new MarketKeys();
        Intern(keys);
        var sink = MarketOutputSinks.InMemory();
        await using var source = new FailingSource(Stream(1000), failAfterBatches: 3);
        var pipeline = MarketPipeline.Create(source, MarketEngine.Create(new PriceIntelOptions(), keys), [sink], new PipelineOptions { BatchSize = 100 });

        var ex = await Assert.ThrowsAsync<IOException>(() => pipeline.RunAsync());

        Assert.Equal("feed broke", ex.Message);
        Assert.Equal(300, pipeline.EventsProcessed);
        Assert.True(sink.FlushCount >= 1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync());
    }

    [Fact]
    public async Task Counters_are_published_on_the_PriceIntel_meter()
    {
        var keys = new MarketKeys();
        Intern(keys);
        using var metrics = new PriceIntelMetrics();
        var totals = new Dictionary<string, long>();
        var signalKinds = new HashSet<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Meter.Name == PriceIntelMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (totals)
            {
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
                foreach (var tag in tags)
                {
                    if (tag.Key == "kind")
                    {
                        signalKinds.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();

        var events = Stream(20_000);
        await using var source = MarketEventSources.InMemory(events);
        var engine = MarketEngine.Create(new PriceIntelOptions(), keys);
        var summary = await MarketPipeline.Create(source, engine, [MarketOutputSinks.InMemory()], metrics: metrics).RunAsync();

        Assert.Equal(summary.EventsIn, totals["priceintel.events.in"]);
        Assert.Equal(summary.Decisions, totals["priceintel.decisions"]);
        Assert.Equal(summary.Signals, totals.GetValueOrDefault("priceintel.signals"));
        Assert.True(summary.Signals > 0);
        Assert.Contains("low_inventory", signalKinds);
    }

    private static void Intern(MarketKeys keys)
    {
        for (int i = 0; i < 40; i++)
        {
            keys.Products.Intern($"SKU-{i}");
        }

        for (int c = 0; c < 4; c++)
        {
            keys.Competitors.Intern($"c{c}");
        }
    }

    // Products 0..39 and competitors 0..3 as interned by Intern, a slow random walk, cost and list
    // price at the start, and stock that runs low now and then.
    private static MarketEvent[] Stream(int count)
    {
        var rng = new Random(17);
        var usd = CurrencyCode.Usd;
        var level = Enumerable.Range(0, 40).Select(i => 20.0 + i).ToArray();
        var events = new List<MarketEvent>(count + 80);
        for (int p = 0; p < 40; p++)
        {
            events.Add(MarketEvent.Cost(p, Money.FromDouble(level[p] * 0.7), usd, 0));
            events.Add(MarketEvent.ListPrice(p, Money.FromDouble(level[p] * 1.05), usd, 0));
        }

        for (int i = 0; i < count; i++)
        {
            int p = rng.Next(40);
            long ts = (i + 1) * 5_000L;
            events.Add(i % 9 == 0
                ? MarketEvent.Inventory(p, rng.Next(0, 60), ts)
                : MarketEvent.CompetitorPrice(p, rng.Next(4), 0, Money.FromDouble(Math.Round(level[p] *= 1 + ((rng.NextDouble() - 0.5) * 0.01), 2)), usd, Availability.InStock, ts));
        }

        return [.. events];
    }

    private sealed class CancelAfter(CancellationTokenSource cancel, int batches) : IPipelineObserver
    {
        private int _batches;

        public long Events { get; private set; }

        public void OnBatchProcessed(int eventCount, long lastEventTimestamp, in OutputBatch outputs)
        {
            Events += eventCount;
            if (++_batches == batches)
            {
                cancel.Cancel();
            }
        }
    }

    // Replays a stream forever, moving event time on each lap, and waits a little per read like a live feed.
    private sealed class EndlessSource(MarketEvent[] lap) : IMarketEventSource
    {
        private long _position;

        public string Name => "endless";

        public long Handed => Interlocked.Read(ref _position);

        public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken);
            var span = destination.Span;
            for (int i = 0; i < span.Length; i++)
            {
                long n = _position + i;
                var e = lap[n % lap.Length];
                long shift = (n / lap.Length) * 100_000_000L;
                span[i] = e.Kind == MarketEventKind.CompetitorPrice
                    ? MarketEvent.CompetitorPrice(e.ProductId, e.CompetitorId, e.PlatformId, e.Price, e.Currency, e.Availability, e.Timestamp + shift)
                    : MarketEvent.Inventory(e.ProductId, Math.Max(0, e.Quantity), e.Timestamp + shift);
            }

            Interlocked.Add(ref _position, span.Length);
            return span.Length;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FailingSource(MarketEvent[] events, int failAfterBatches) : IMarketEventSource
    {
        private int _batches;
        private int _position;

        public string Name => "failing";

        public ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            if (_batches++ == failAfterBatches)
            {
                throw new IOException("feed broke");
            }

            int n = Math.Min(destination.Length, events.Length - _position);
            events.AsSpan(_position, n).CopyTo(destination.Span);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class SlowSink(TimeSpan delay) : IMarketOutputSink
    {
        public async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken) => await Task.Delay(delay, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
