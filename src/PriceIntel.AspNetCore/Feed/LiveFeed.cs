using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Diagnostics;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.AspNetCore.Feed;

/// <summary>What a live feed subscriber wants.</summary>
/// <param name="Signals">Send signals.</param>
/// <param name="Decisions">Send decisions.</param>
/// <param name="MinSeverity">Only signals at least this severe.</param>
/// <param name="Product">Only this product; null for all.</param>
internal sealed record FeedFilter(bool Signals, bool Decisions, SignalSeverity MinSeverity, string? Product);

/// <summary>One item of the live feed: its event type (<c>signal</c>, <c>decision</c>, <c>summary</c>) and JSON.</summary>
internal readonly record struct FeedItem(string EventType, string Json, string? Product, SignalSeverity Severity);

/// <summary>
/// The live feed of signals and decisions (served as Server-Sent Events). An output sink: the engine
/// host writes every output batch here after the store. Each item is serialized once and offered to
/// every subscriber's bounded queue; a subscriber gets at most <see cref="FeedOptions.MaxItemsPerSecond"/>
/// items a second (a dashboard must not receive every event of a busy market), and every
/// <see cref="FeedOptions.SummaryIntervalSeconds"/> a summary with running totals and what it missed.
/// </summary>
internal sealed class LiveFeed : BackgroundService, IMarketOutputSink
{
    private const int SubscriberQueue = 1024;

    private readonly FeedOptions _options;
    private readonly EngineStatus _status;
    private readonly ApiMetrics _metrics;
    private readonly Lock _lock = new();
    private Subscriber[] _subscribers = [];
    private bool _stopped;
    private long _signalsInfo;
    private long _signalsWarning;
    private long _signalsCritical;
    private long _decisions;

    public LiveFeed(IOptions<PriceIntelApiOptions> options, EngineStatus status, ApiMetrics metrics)
    {
        _options = options.Value.Feed;
        _status = status;
        _metrics = metrics;
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        foreach (ref readonly var signal in batch.Signals.Span)
        {
            _ = signal.Severity switch
            {
                SignalSeverity.Critical => Interlocked.Increment(ref _signalsCritical),
                SignalSeverity.Warning => Interlocked.Increment(ref _signalsWarning),
                _ => Interlocked.Increment(ref _signalsInfo),
            };
            if (subscribers.Length > 0)
            {
                var dto = SignalDto.From(StoredSignal.From(signal, batch.Keys));
                Offer(subscribers, new FeedItem("signal", JsonSerializer.Serialize(dto, ApiJson.Options), dto.Product, dto.Severity));
            }
        }

        foreach (ref readonly var decision in batch.Decisions.Span)
        {
            Interlocked.Increment(ref _decisions);
            if (subscribers.Length > 0)
            {
                var dto = DecisionDto.From(StoredDecision.From(decision, batch.Keys));
                Offer(subscribers, new FeedItem("decision", JsonSerializer.Serialize(dto, ApiJson.Options), dto.Product, SignalSeverity.Info));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Publishes a decision made outside the engine (a manual price).</summary>
    public void PublishDecision(DecisionDto decision)
    {
        Interlocked.Increment(ref _decisions);
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length > 0)
        {
            Offer(subscribers, new FeedItem("decision", JsonSerializer.Serialize(decision, ApiJson.Options), decision.Product, SignalSeverity.Info));
        }
    }

    /// <summary>Publishes a signal acknowledgement.</summary>
    public void PublishAcknowledgement(SignalDto signal)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length > 0)
        {
            Offer(subscribers, new FeedItem("acknowledgement", JsonSerializer.Serialize(signal, ApiJson.Options), signal.Product, signal.Severity));
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Nothing to release: the host stops the feed (as a hosted service), not the engine host that writes to it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The subscriber's items until <paramref name="cancellationToken"/> ends the connection.</summary>
    public async IAsyncEnumerable<FeedItem> SubscribeAsync(FeedFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscriber = new Subscriber(filter, _options.MaxItemsPerSecond);
        lock (_lock)
        {
            if (_stopped)
            {
                // The feed has stopped (the host is shutting down): the summary below, then the end, at once.
                subscriber.Queue.Writer.TryComplete();
            }
            else
            {
                _subscribers = [.. _subscribers, subscriber];
            }
        }

        _metrics.FeedSubscribed(1);
        try
        {
            // The first item tells the client where things stand, at once.
            yield return Summary(subscriber);
            var reader = subscriber.Queue.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscribers = [.. _subscribers.Where(s => s != subscriber)];
            }

            _metrics.FeedSubscribed(-1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.SummaryIntervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var subscriber in Volatile.Read(ref _subscribers))
                {
                    subscriber.Queue.Writer.TryWrite(Summary(subscriber));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            CompleteSubscribers();
        }
    }

    /// <summary>Stops the summaries and ends every subscriber's stream, also when the feed stops before its loop ran.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CompleteSubscribers();
        }
    }

    /// <summary>Ends every subscriber's stream; under the lock, so one that connects meanwhile is either ended here or sees <see cref="_stopped"/>.</summary>
    private void CompleteSubscribers()
    {
        lock (_lock)
        {
            _stopped = true;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Queue.Writer.TryComplete();
            }
        }
    }

    private void Offer(Subscriber[] subscribers, FeedItem item)
    {
        foreach (var subscriber in subscribers)
        {
            if (!subscriber.Wants(item))
            {
                continue;
            }

            if (!subscriber.TryTakePermit() || !subscriber.Queue.Writer.TryWrite(item))
            {
                subscriber.CountDropped();
                _metrics.FeedDropped(1);
            }
        }
    }

    private FeedItem Summary(Subscriber subscriber)
    {
        long watermark = _status.Watermark;
        var summary = new FeedSummary(
            DateTimeOffset.UtcNow,
            watermark == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(watermark),
            _status.EventsProcessed,
            new SeverityCounts(Interlocked.Read(ref _signalsInfo), Interlocked.Read(ref _signalsWarning), Interlocked.Read(ref _signalsCritical)),
            Interlocked.Read(ref _decisions),
            subscriber.TakeDropped());
        return new FeedItem("summary", JsonSerializer.Serialize(summary, ApiJson.Options), null, SignalSeverity.Info);
    }

    private sealed class Subscriber(FeedFilter filter, int maxPerSecond)
    {
        private readonly Lock _lock = new();
        private long _windowStart = Environment.TickCount64;
        private int _inWindow;
        private long _dropped;

        public Channel<FeedItem> Queue { get; } = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(SubscriberQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });

        public bool Wants(in FeedItem item) => item.EventType switch
        {
            "signal" or "acknowledgement" => filter.Signals && item.Severity >= filter.MinSeverity && (filter.Product is null || filter.Product == item.Product),
            "decision" => filter.Decisions && (filter.Product is null || filter.Product == item.Product),
            _ => true,
        };

        public bool TryTakePermit()
        {
            lock (_lock)
            {
                long now = Environment.TickCount64;
                if (now - _windowStart >= 1000)
                {
                    _windowStart = now;
                    _inWindow = 0;
                }

                return ++_inWindow <= maxPerSecond;
            }
        }

        public void CountDropped() => Interlocked.Increment(ref _dropped);

        public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);
    }
}

/// <summary>Signal totals by severity.</summary>
internal sealed record SeverityCounts(long Info, long Warning, long Critical);

/// <summary>The live feed's periodic summary: running totals since the host started, and what this subscriber missed since the last summary.</summary>
internal sealed record FeedSummary(DateTimeOffset Time, DateTimeOffset? EventTime, long EventsProcessed, SeverityCounts Signals, long Decisions, long Dropped);
