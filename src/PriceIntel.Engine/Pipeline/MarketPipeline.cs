using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Engine.Diagnostics;
using PriceIntel.Shared;

namespace PriceIntel;

/// <summary>
/// Pumps a source through one <see cref="MarketEngine"/> into sinks, in batches. A reader task fills
/// preallocated batches from the source and hands them over a bounded buffer
/// (<see cref="PipelineOptions.BufferedBatches"/>) with an explicit full mode
/// (<see cref="PipelineOptions.FullMode"/>: wait, or drop and count); the engine task processes each
/// batch and writes its outputs to every sink in turn. Cancelling stops reading; what is already
/// buffered is still processed and every sink is flushed before <see cref="RunAsync"/> returns.
/// </summary>
public sealed partial class MarketPipeline
{
    private readonly IMarketEventSource _source;
    private readonly MarketEngine _engine;
    private readonly IMarketOutputSink[] _sinks;
    private readonly PipelineOptions _options;
    private readonly RejectionCounter _rejections;
    private readonly PriceIntelMetrics? _metrics;
    private readonly IPipelineObserver? _observer;
    private readonly ILogger _logger;
    private long _eventsIn;
    private long _dropped;
    private int _started;

    private MarketPipeline(IMarketEventSource source, MarketEngine engine, IMarketOutputSink[] sinks, PipelineOptions options, IRejectionSink? rejections, PriceIntelMetrics? metrics, IPipelineObserver? observer, ILogger logger)
    {
        _source = source;
        _engine = engine;
        _sinks = sinks;
        _options = options;
        _metrics = metrics;
        _observer = observer;
        _logger = logger;
        _rejections = new RejectionCounter(rejections, logger);
    }

    /// <summary>Builds a pipeline. Run it once with <see cref="RunAsync"/>.</summary>
    /// <param name="source">Where events come from.</param>
    /// <param name="engine">The engine that processes them (used by the pipeline's engine task only).</param>
    /// <param name="sinks">Where outputs go, written in this order.</param>
    /// <param name="options">Batch size, buffer size and full mode; defaults when null.</param>
    /// <param name="rejections">Where bad input is set aside (e.g. a dead-letter file); it is always counted.</param>
    /// <param name="metrics">Counters to update; none when null.</param>
    /// <param name="observer">Called after each batch; none when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <exception cref="ArgumentNullException">source, engine or sinks is null.</exception>
    public static MarketPipeline Create(
        IMarketEventSource source,
        MarketEngine engine,
        IEnumerable<IMarketOutputSink> sinks,
        PipelineOptions? options = null,
        IRejectionSink? rejections = null,
        PriceIntelMetrics? metrics = null,
        IPipelineObserver? observer = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(sinks);
        return new MarketPipeline(source, engine, [.. sinks], options ?? new PipelineOptions(), rejections, metrics, observer, logger ?? NullLogger.Instance);
    }

    /// <summary>Events processed so far (safe to read from any thread while running).</summary>
    public long EventsProcessed => Interlocked.Read(ref _eventsIn);

    /// <summary>Inputs rejected so far (safe to read from any thread while running).</summary>
    public long Rejected => _rejections.Count;

    /// <summary>
    /// Runs until the source ends or <paramref name="cancellationToken"/> is cancelled, then flushes every sink.
    /// </summary>
    /// <returns>Counts of what was processed.</returns>
    /// <exception cref="InvalidOperationException">The pipeline was already run.</exception>
    /// <exception cref="Exception">Whatever the source or a sink threw, after buffered work was flushed where possible.</exception>
    public async Task<PipelineSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A MarketPipeline runs once; create a new one to run again.");
        }

        var stopwatch = Stopwatch.StartNew();
        var filled = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_options.BufferedBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var free = Channel.CreateUnbounded<MarketEvent[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        for (int i = 0; i < _options.BufferedBatches + 2; i++)
        {
            free.Writer.TryWrite(new MarketEvent[_options.BatchSize]);
        }

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        LogStarting(_source.Name, _sinks.Length, _options.BatchSize, _options.BufferedBatches, _options.FullMode);
        var reader = Task.Run(() => ReadLoopAsync(filled.Writer, free, stopReading.Token), CancellationToken.None);
        Exception? failure = null;
        try
        {
            await ProcessLoopAsync(filled.Reader, free.Writer).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            await stopReading.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (failure is null)
        {
            failure = ex;
        }
        catch (Exception)
        {
            // The engine side already failed; its exception is the one reported.
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (failure is null)
            {
                failure = ex;
            }
        }

        var counters = _engine.Counters;
        var summary = new PipelineSummary(
            EventsProcessed,
            _rejections.Count,
            counters.Invalid,
            counters.Late,
            Interlocked.Read(ref _dropped),
            counters.TotalSignals,
            counters.Decisions,
            stopwatch.Elapsed,
            cancellationToken.IsCancellationRequested);
        LogFinished(summary.EventsIn, summary.Rejected, summary.Late, summary.Signals, summary.Decisions, summary.Elapsed.TotalSeconds);
        if (failure is not null)
        {
            LogFailed(failure);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return summary;
    }

    private async Task ReadLoopAsync(ChannelWriter<Batch> filled, Channel<MarketEvent[]> free, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var buffer = await free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                int count = await _source.ReadAsync(buffer, _rejections, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }

                var batch = new Batch(buffer, count);
                if (_options.FullMode == BufferFullMode.DropNewest)
                {
                    if (!filled.TryWrite(batch))
                    {
                        Interlocked.Add(ref _dropped, count);
                        _metrics?.Dropped(count);
                        free.Writer.TryWrite(buffer);
                    }
                }
                else
                {
                    await filled.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Graceful stop: what is buffered is still processed.
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            filled.TryComplete(error);
        }
    }

    private async Task ProcessLoopAsync(ChannelReader<Batch> filled, ChannelWriter<MarketEvent[]> free)
    {
        long rejectedReported = 0;
        var counters = _engine.Counters;
        while (await filled.WaitToReadAsync().ConfigureAwait(false))
        {
            while (filled.TryRead(out var batch))
            {
                long started = Stopwatch.GetTimestamp();
                var events = batch.Events.AsSpan(0, batch.Count);
                var outputs = _engine.Process(events);
                long lastTimestamp = events[^1].Timestamp;
                free.TryWrite(batch.Events);
                foreach (var sink in _sinks)
                {
                    if (!outputs.IsEmpty)
                    {
                        await sink.WriteAsync(outputs, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                _observer?.OnBatchProcessed(batch.Count, lastTimestamp, outputs);
                Interlocked.Add(ref _eventsIn, batch.Count);
                if (_metrics is not null)
                {
                    var now = _engine.Counters;
                    _metrics.EventsIn(batch.Count);
                    _metrics.Late(now.Late - counters.Late);
                    _metrics.Decisions(now.Decisions - counters.Decisions);
                    _metrics.Signals(SignalKind.CompetitorPriceDrop, now.CompetitorPriceDrops - counters.CompetitorPriceDrops);
                    _metrics.Signals(SignalKind.DemandSurge, now.DemandSurges - counters.DemandSurges);
                    _metrics.Signals(SignalKind.LowInventory, now.LowInventories - counters.LowInventories);
                    _metrics.Signals(SignalKind.PriceAnomaly, now.PriceAnomalies - counters.PriceAnomalies);
                    var rejected = _rejections.Count;
                    _metrics.Rejected(rejected - rejectedReported);
                    rejectedReported = rejected;
                    _metrics.BatchDuration(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    counters = now;
                }
            }
        }

        // Surface a source failure after everything buffered was processed.
        await filled.Completion.ConfigureAwait(false);
    }

    private readonly record struct Batch(MarketEvent[] Events, int Count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline starting: source {Source}, {SinkCount} sinks, batch size {BatchSize}, {Buffered} buffered batches, full mode {FullMode}")]
    private partial void LogStarting(string source, int sinkCount, int batchSize, int buffered, BufferFullMode fullMode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline finished: {EventsIn} events, {Rejected} rejected, {Late} late, {Signals} signals, {Decisions} decisions in {Seconds:F2} s")]
    private partial void LogFinished(long eventsIn, long rejected, long late, long signals, long decisions, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline failed")]
    private partial void LogFailed(Exception exception);
}
