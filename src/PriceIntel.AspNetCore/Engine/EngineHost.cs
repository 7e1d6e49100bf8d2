using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel.Engine.Diagnostics;

namespace PriceIntel.AspNetCore.Engine;

/// <summary>
/// Runs one <see cref="MarketEngine"/> in the web host. The engine is single-threaded, so everything
/// that touches it goes through this host's loop: event batches (from HTTP ingest, the simulator or a
/// replay) through a bounded queue that makes producers wait when the engine falls behind, and
/// queries (a product's live board, the experiment tallies) through a second queue that the loop
/// serves between batches, so a read never waits behind more than one batch. Outputs are copied
/// and handed to the sinks (store, live feed, simulator feedback) by a writer task of their own, so
/// a slow store slows the engine only once its queue is full.
/// </summary>
internal sealed partial class EngineHost : BackgroundService, IMarketEventIngress
{
    /// <summary>Events per pooled batch.</summary>
    public const int BatchSize = 4096;

    private readonly MarketEngine _engine;
    private readonly IMarketOutputSink[] _sinks;
    private readonly IMarketStore _store;
    private readonly DemandEventIdAssigner _demandIds = new();
    private readonly EngineHostOptions _options;
    private readonly PriceIntelMetrics _engineMetrics;
    private readonly EngineStatus _status;
    private readonly ILogger<EngineHost> _logger;
    private readonly Channel<EventBatch> _batches;
    private readonly ConcurrentQueue<EngineQuery> _queries = new();
    private readonly Channel<OutputBatch> _outputs;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MarketSimulator? _simulator;
    private volatile bool _stopped;

    public EngineHost(MarketEngine engine, IMarketStore store, Feed.LiveFeed feed, IOptions<PriceIntelApiOptions> options, PriceIntelMetrics engineMetrics, EngineStatus status, ILogger<EngineHost> logger)
    {
        _engine = engine;
        _sinks = [store, feed];
        _store = store;
        _options = options.Value.Engine;
        _engineMetrics = engineMetrics;
        _status = status;
        _logger = logger;
        _batches = Channel.CreateBounded<EventBatch>(new BoundedChannelOptions(_options.QueueBatches) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _outputs = Channel.CreateBounded<OutputBatch>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The key tables of the engine's ids.</summary>
    public MarketKeys Keys => _engine.Keys;

    /// <summary>True while the loop runs.</summary>
    public bool IsRunning => _started.Task.IsCompleted && !_stopped;

    /// <summary>True when the engine runs in Kafka processors and this host only serves the API.</summary>
    public bool IsRemote => _options.Input == EngineInput.Kafka;

    /// <summary>The simulator, when the engine's input is the simulator.</summary>
    public MarketSimulator? Simulator => _simulator;

    /// <summary>
    /// Queues a batch of events for the engine, waiting while the queue is full. The engine owns
    /// <paramref name="events"/> from here and returns it to <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    /// <param name="events">A rented array.</param>
    /// <param name="count">Events in it.</param>
    /// <param name="waitForProcessing">When true, the returned task completes once the engine processed the batch and its outputs reached every sink.</param>
    /// <param name="cancellationToken">Stops the wait for room.</param>
    /// <param name="recordHistory">When true (and <see cref="EngineHostOptions.RecordPriceHistory"/> is on), competitor and list prices are also appended to the store's price history.</param>
    public async ValueTask PostAsync(MarketEvent[] events, int count, bool waitForProcessing, CancellationToken cancellationToken, bool recordHistory = true)
    {
        if (count == 0)
        {
            ArrayPool<MarketEvent>.Shared.Return(events);
            return;
        }

        var done = waitForProcessing ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        try
        {
            await _batches.Writer.WriteAsync(new EventBatch(events, count, done, recordHistory && _options.RecordPriceHistory), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<MarketEvent>.Shared.Return(events);
            throw;
        }

        _wake.Release();
        if (done is not null)
        {
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="query"/> on the engine's loop between batches.</summary>
    /// <exception cref="InvalidOperationException">The engine is not running.</exception>
    /// <exception cref="EngineNotLocalException">The engine runs in Kafka processors (<see cref="EngineInput.Kafka"/>).</exception>
    public Task<T> QueryAsync<T>(Func<MarketEngine, T> query, CancellationToken cancellationToken)
    {
        if (IsRemote)
        {
            throw new EngineNotLocalException();
        }

        if (_stopped)
        {
            throw new InvalidOperationException("The engine is not running.");
        }

        var work = new EngineQuery<T>(query);
        _queries.Enqueue(work);
        _wake.Release();
        return work.Result.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until every batch queued so far was processed and its outputs reached the sinks.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _batches.Writer.WriteAsync(new EventBatch([], 0, marker, false), cancellationToken).ConfigureAwait(false);
        _wake.Release();
        await marker.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (IsRemote)
        {
            // Kafka mode: the engine runs in KafkaMarketProcessor processes; nothing to run here.
            _stopped = true;
            LogRemote();
            return;
        }

        var writer = Task.Run(() => WriteOutputsAsync(), CancellationToken.None);
        Task? input = null;
        try
        {
            input = StartInput(stoppingToken);
            _started.TrySetResult();
            LogStarted(_options.Input, _sinks.Length);
            await RunLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _stopped = true;
            _outputs.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            if (input is not null)
            {
                try
                {
                    await input.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped with the host.
                }
            }

            FailPending();
            if (_simulator is not null)
            {
                await _simulator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private Task? StartInput(CancellationToken stoppingToken)
    {
        switch (_options.Input)
        {
            case EngineInput.Simulator:
                _simulator = new MarketSimulator(
                    new MarketSimulatorOptions
                    {
                        Seed = _options.SimulatorSeed,
                        ProductCount = _options.SimulatorProducts,
                        CompetitorCount = _options.SimulatorCompetitors,
                        Start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
                        Duration = TimeSpan.FromDays(365),
                        Feedback = SimulatorFeedbackMode.OpenLoop,
                        Tick = TimeSpan.FromSeconds(1),
                        MinScrapeIntervalMinutes = 1,
                        MaxScrapeIntervalMinutes = 5,
                        PromotionsPerPairPerWeek = 20,
                        ViewsPerProductPerHour = 60,
                        ViralSpikesPerProductPerWeek = 3,
                        CostChangesPerProductPerWeek = 1,
                    },
                    _engine.Keys);
                return Task.Run(
                    async () =>
                    {
                        await CatalogSimulatedProductsAsync(stoppingToken).ConfigureAwait(false);
                        await PumpAsync(_simulator, _simulator.StartTimestamp, _options.SimulatorSpeed, stoppingToken).ConfigureAwait(false);
                    },
                    CancellationToken.None);
            case EngineInput.Replay:
                var replay = MarketEventSources.JsonLinesFile(_options.ReplayPath!, _engine.Keys);
                return Task.Run(() => PumpAsync(replay, long.MinValue, 0, stoppingToken), CancellationToken.None);
            default:
                return null;
        }
    }

    /// <summary>Puts the simulator's products in the catalog (those not there yet), so the demo lists them.</summary>
    private async Task CatalogSimulatedProductsAsync(CancellationToken cancellationToken)
    {
        var keys = _engine.Keys.Products;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        string currency = _simulator!.Options.Currency.ToString();
        var batch = new List<CatalogProduct>(512);
        for (int id = 0; id < keys.Count; id++)
        {
            string sku = keys.GetName(id);
            if (await _store.GetProductAsync(sku, cancellationToken).ConfigureAwait(false) is null)
            {
                batch.Add(new CatalogProduct(sku, "Simulated product " + sku, "simulated", currency, null, null, null, null, null, null, [], now, now));
            }

            if (batch.Count == 512 || (id == keys.Count - 1 && batch.Count > 0))
            {
                await _store.UpsertProductsAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    /// <summary>Feeds a source to the engine; paced so its event time advances <paramref name="speed"/> times as fast as the wall clock (0: flat out).</summary>
    private async Task PumpAsync(IMarketEventSource source, long firstTimestamp, double speed, CancellationToken cancellationToken)
    {
        var rejections = new LoggingRejectionSink(_logger, _engineMetrics);
        var clock = Stopwatch.StartNew();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var buffer = ArrayPool<MarketEvent>.Shared.Rent(BatchSize);
                int count = await source.ReadAsync(buffer.AsMemory(0, BatchSize), rejections, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    ArrayPool<MarketEvent>.Shared.Return(buffer);
                    LogInputEnded(source.Name);
                    return;
                }

                if (speed <= 0 || firstTimestamp == long.MinValue)
                {
                    await PostAsync(buffer, count, waitForProcessing: false, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Paced: hand over each event once the wall clock has reached its (scaled) event time.
                int start = 0;
                while (start < count)
                {
                    long simulatedNow = firstTimestamp + (long)(clock.Elapsed.TotalMilliseconds * speed);
                    int end = start;
                    while (end < count && buffer[end].Timestamp <= simulatedNow)
                    {
                        end++;
                    }

                    if (end > start)
                    {
                        var due = ArrayPool<MarketEvent>.Shared.Rent(end - start);
                        buffer.AsSpan(start, end - start).CopyTo(due);
                        await PostAsync(due, end - start, waitForProcessing: false, cancellationToken).ConfigureAwait(false);
                        start = end;
                    }
                    else
                    {
                        double waitMs = Math.Clamp((buffer[start].Timestamp - simulatedNow) / speed, 1, 1000);
                        await Task.Delay(TimeSpan.FromMilliseconds(waitMs), cancellationToken).ConfigureAwait(false);
                    }
                }

                ArrayPool<MarketEvent>.Shared.Return(buffer);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            LogInputFailed(ex, source.Name);
        }
        finally
        {
            if (source is not MarketSimulator)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (true)
            {
                RunQueries();
                if (!_batches.Reader.TryRead(out var batch))
                {
                    break;
                }

                await ProcessAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private void RunQueries()
    {
        while (_queries.TryDequeue(out var query))
        {
            query.Run(_engine);
        }
    }

    private async ValueTask ProcessAsync(EventBatch batch)
    {
        if (batch.Count == 0)
        {
            // A drain marker: complete it once the writer has passed every earlier output.
            if (batch.Done is not null)
            {
                await _outputs.Writer.WriteAsync(new OutputBatch(default, default, _engine.Keys) { Done = batch.Done }).ConfigureAwait(false);
            }

            return;
        }

        long started = Stopwatch.GetTimestamp();
        var before = _engine.Counters;
        OutputBatch copy;
        try
        {
            var outputs = _engine.Process(batch.Events.AsSpan(0, batch.Count));
            copy = outputs.IsEmpty
                ? new OutputBatch(default, default, _engine.Keys)
                : new OutputBatch(outputs.Signals.ToArray(), outputs.Decisions.ToArray(), _engine.Keys);
        }
        catch
        {
            ArrayPool<MarketEvent>.Shared.Return(batch.Events);
            throw;
        }

        if (batch.RecordHistory)
        {
            // The writer appends the batch's prices to the store's history, then returns the array.
            copy = copy with { Events = batch.Events, EventCount = batch.Count };
        }
        else
        {
            ArrayPool<MarketEvent>.Shared.Return(batch.Events);
        }

        var after = _engine.Counters;
        _status.Update(batch.Count, after, _engine.Watermark);
        _engineMetrics.RecordBatch(batch.Count, before, after, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (!copy.IsEmpty || batch.Done is not null || copy.Events is not null)
        {
            await _outputs.Writer.WriteAsync(copy with { Done = batch.Done }).ConfigureAwait(false);
        }
    }

    private async Task WriteOutputsAsync()
    {
        var reader = _outputs.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.Events is not null)
                {
                    try
                    {
                        await _store.AppendMarketEventsAsync(item.Events.AsMemory(0, item.EventCount), item.Keys, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        LogSinkFailed(ex, "price history");
                    }

                    try
                    {
                        await AppendDemandHistoryAsync(item.Events, item.EventCount, item.Keys).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        LogSinkFailed(ex, "demand history");
                    }
                    finally
                    {
                        ArrayPool<MarketEvent>.Shared.Return(item.Events);
                    }
                }

                if (!item.IsEmpty)
                {
                    var batch = new PriceIntel.OutputBatch(item.Signals, item.Decisions, item.Keys);
                    foreach (var sink in _sinks)
                    {
                        try
                        {
                            await sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                            await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (Exception ex)
                        {
                            LogSinkFailed(ex, sink.GetType().Name);
                        }
                    }
                }

                item.Done?.TrySetResult();
            }
        }
    }

    /// <summary>Appends the batch's demand, inventory and cost events to the store's demand history (ids from one assigner: this loop is its only user).</summary>
    private async ValueTask AppendDemandHistoryAsync(MarketEvent[] events, int count, MarketKeys keys)
    {
        bool any = false;
        for (int i = 0; i < count && !any; i++)
        {
            any = DemandEventIdAssigner.IsDemandHistoryEvent(in events[i]);
        }

        if (!any)
        {
            return;
        }

        var ids = ArrayPool<ulong>.Shared.Rent(count);
        try
        {
            _demandIds.Assign(events.AsSpan(0, count), keys, ids);
            await _store.AppendDemandEventsAsync(events.AsMemory(0, count), ids.AsMemory(0, count), keys, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(ids);
        }
    }

    private void FailPending()
    {
        var stopped = new InvalidOperationException("The engine stopped.");
        while (_queries.TryDequeue(out var query))
        {
            query.Fail(stopped);
        }

        while (_batches.Reader.TryRead(out var batch))
        {
            batch.Done?.TrySetException(stopped);
            if (batch.Events.Length > 0)
            {
                ArrayPool<MarketEvent>.Shared.Return(batch.Events);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private readonly record struct EventBatch(MarketEvent[] Events, int Count, TaskCompletionSource? Done, bool RecordHistory);

    private readonly record struct OutputBatch(ReadOnlyMemory<MarketSignal> Signals, ReadOnlyMemory<PricingDecision> Decisions, MarketKeys Keys)
    {
        public TaskCompletionSource? Done { get; init; }

        public MarketEvent[]? Events { get; init; }

        public int EventCount { get; init; }

        public bool IsEmpty => Signals.IsEmpty && Decisions.IsEmpty;
    }

    private abstract class EngineQuery
    {
        public abstract void Run(MarketEngine engine);

        public abstract void Fail(Exception error);
    }

    private sealed class EngineQuery<T>(Func<MarketEngine, T> query) : EngineQuery
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Result => _result.Task;

        public override void Run(MarketEngine engine)
        {
            try
            {
                _result.TrySetResult(query(engine));
            }
            catch (Exception ex)
            {
                _result.TrySetException(ex);
            }
        }

        public override void Fail(Exception error) => _result.TrySetException(error);
    }

    private sealed class LoggingRejectionSink(ILogger logger, PriceIntelMetrics metrics) : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
            metrics.RecordRejected(1);
            LogRejected(logger, rejected.Source, rejected.Position, rejected.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine host started: input {Input}, {SinkCount} sinks")]
    private partial void LogStarted(EngineInput input, int sinkCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine host idle: the engine runs in the Kafka processors; ingest goes to the input topics")]
    private partial void LogRemote();

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine input {Source} ended")]
    private partial void LogInputEnded(string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Engine input {Source} failed")]
    private partial void LogInputFailed(Exception exception, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Output sink {Sink} failed; its outputs of this batch are lost")]
    private partial void LogSinkFailed(Exception exception, string sink);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected input from {Source} at {Position}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string source, long position, string reason);
}
