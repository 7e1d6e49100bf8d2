using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;

namespace PriceIntel.Scraping;

/// <summary>
/// Per-host politeness on System.Threading.RateLimiting: two limiters partitioned by the URL's authority,
/// one for requests in flight (<see cref="FetcherOptions.PerHostConcurrency"/>) and one permit for request
/// starts, held until the host's next start is allowed (the per-host interval or robots.txt Crawl-delay,
/// pushed back by a Retry-After). The start permit is given back by a timer on the injected
/// <see cref="TimeProvider"/>, so tests move time by hand.
/// </summary>
internal sealed class HostLimits : IDisposable
{
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<HttpRequestMessage> _inFlight;
    private readonly PartitionedRateLimiter<HttpRequestMessage> _starts;

    public HostLimits(int perHostConcurrency, TimeProvider time)
    {
        _time = time;
        _inFlight = PartitionedRateLimiter.Create<HttpRequestMessage, string>(
            request => RateLimitPartition.GetConcurrencyLimiter(HostOf(request), _ => Queued(perHostConcurrency)), StringComparer.OrdinalIgnoreCase);
        _starts = PartitionedRateLimiter.Create<HttpRequestMessage, string>(
            request => RateLimitPartition.GetConcurrencyLimiter(HostOf(request), _ => Queued(1)), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The least time between two request starts to the request's host (set by the fetcher per request).</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> Interval = new("PriceIntel.Scraping.Interval");

    /// <summary>Counts the attempts sent for a request (retries included).</summary>
    public static readonly HttpRequestOptionsKey<StrongBox<int>> Attempts = new("PriceIntel.Scraping.Attempts");

    /// <summary>Waits for a slot and for the host's next start; the result frees the slot when disposed.</summary>
    public async ValueTask<Entry> EnterAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var slot = await _inFlight.AcquireAsync(request, 1, cancellationToken).ConfigureAwait(false);
        if (!slot.IsAcquired)
        {
            slot.Dispose();
            throw new InvalidOperationException($"The per-host limiter refused a request to {HostOf(request)}.");
        }

        try
        {
            var start = await AcquireStartAsync(request, cancellationToken).ConfigureAwait(false);
            var interval = request.Options.TryGetValue(Interval, out var value) ? value : TimeSpan.Zero;
            var hold = new StartHold(start, _time);
            hold.ReleaseAt(_time.GetUtcNow() + interval);
            return new Entry(slot, hold);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <summary>No request to the host starts before <paramref name="notBefore"/> (a Retry-After).</summary>
    public void PushBack(HttpRequestMessage request, StartHold current, DateTimeOffset notBefore)
    {
        if (!current.TryExtend(notBefore))
        {
            _ = HoldInTurnAsync(request, notBefore);
        }
    }

    /// <summary>The start permit was already given back: takes it again (in turn) and holds it until <paramref name="notBefore"/>.</summary>
    private async Task HoldInTurnAsync(HttpRequestMessage request, DateTimeOffset notBefore)
    {
        try
        {
            var start = await AcquireStartAsync(request, CancellationToken.None).ConfigureAwait(false);
            new StartHold(start, _time).ReleaseAt(notBefore);
        }
        catch (ObjectDisposedException)
        {
            // The fetcher was disposed meanwhile: nothing left to hold back.
        }
    }

    private async ValueTask<RateLimitLease> AcquireStartAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var start = await _starts.AcquireAsync(request, 1, cancellationToken).ConfigureAwait(false);
        if (!start.IsAcquired)
        {
            start.Dispose();
            throw new InvalidOperationException($"The per-host start limiter refused a request to {HostOf(request)}.");
        }

        return start;
    }

    public void Dispose()
    {
        _inFlight.Dispose();
        _starts.Dispose();
    }

    private static string HostOf(HttpRequestMessage request) => request.RequestUri?.Authority ?? "";

    private static ConcurrencyLimiterOptions Queued(int permits) =>
        new() { PermitLimit = permits, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };

    /// <summary>The in-flight slot and the start permit of one request.</summary>
    internal readonly record struct Entry(RateLimitLease Slot, StartHold Start) : IDisposable
    {
        public void Dispose() => Slot.Dispose();
    }

    /// <summary>A start permit given back by a timer at a time that can only move later.</summary>
    internal sealed class StartHold(RateLimitLease lease, TimeProvider time)
    {
        private readonly Lock _lock = new();
        private ITimer? _timer;
        private DateTimeOffset _releaseAt;
        private bool _released;

        public void ReleaseAt(DateTimeOffset at)
        {
            lock (_lock)
            {
                _releaseAt = at;
                var wait = at - time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    ReleaseLocked();
                    return;
                }

                _timer = time.CreateTimer(static state => ((StartHold)state!).Release(), this, wait, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>Holds the permit until <paramref name="at"/> when it is still held; false when it was given back.</summary>
        public bool TryExtend(DateTimeOffset at)
        {
            lock (_lock)
            {
                if (_released)
                {
                    return false;
                }

                if (at > _releaseAt)
                {
                    _releaseAt = at;
                    _timer?.Change(at - time.GetUtcNow(), Timeout.InfiniteTimeSpan);
                }

                return true;
            }
        }

        private void Release()
        {
            lock (_lock)
            {
                var left = _releaseAt - time.GetUtcNow();
                if (!_released && left > TimeSpan.Zero)
                {
                    _timer?.Change(left, Timeout.InfiniteTimeSpan); // extended after this firing was scheduled, or fired early
                    return;
                }

                ReleaseLocked();
            }
        }

        private void ReleaseLocked()
        {
            if (_released)
            {
                return;
            }

            _released = true;
            _timer?.Dispose();
            lease.Dispose();
        }
    }
}

/// <summary>
/// The per-attempt handler between the retry/circuit-breaker pipeline and the attempt timeout: enters the
/// host's limiters, counts the attempt and, on a 429/503 with Retry-After, keeps the host's next start back.
/// </summary>
internal sealed class HostPacingHandler(HostLimits limits, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var entry = await limits.EnterAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.Options.TryGetValue(HostLimits.Attempts, out var attempts))
        {
            Interlocked.Increment(ref attempts.Value);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode is 429 or 503 && RetryAfter(response.Headers.RetryAfter, time) is { } wait && wait > TimeSpan.Zero)
        {
            limits.PushBack(request, entry.Start, time.GetUtcNow() + wait);
        }

        return response;
    }

    /// <summary>The wait a Retry-After header asks for (delta or date), never negative; null when absent.</summary>
    internal static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider time)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
