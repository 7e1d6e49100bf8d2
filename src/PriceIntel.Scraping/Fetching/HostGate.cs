namespace PriceIntel.Scraping;

/// <summary>
/// Politeness for one host: at most N requests in flight and a minimum interval between request
/// starts, pushed back further by Retry-After. Waits on the injected <see cref="TimeProvider"/>.
/// </summary>
#pragma warning disable CA1001 // SemaphoreSlim needs disposing only when its AvailableWaitHandle was created, which is never done here
internal sealed class HostGate(TimeProvider time, int concurrency)
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private readonly Lock _lock = new();
    private DateTimeOffset _nextStart = DateTimeOffset.MinValue;

    /// <summary>Waits for a slot and for the host's next start time; dispose the result to free the slot.</summary>
    public async ValueTask<Lease> EnterAsync(TimeSpan minInterval, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_lock)
                {
                    var now = time.GetUtcNow();
                    wait = _nextStart - now;
                    if (wait <= TimeSpan.Zero)
                    {
                        _nextStart = now + minInterval;
                        return new Lease(this);
                    }
                }

                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>No request to this host starts before <paramref name="notBefore"/> (Retry-After).</summary>
    public void PushBack(DateTimeOffset notBefore)
    {
        lock (_lock)
        {
            if (notBefore > _nextStart)
            {
                _nextStart = notBefore;
            }
        }
    }

    internal readonly struct Lease(HostGate gate) : IDisposable
    {
        public void Dispose() => gate._slots.Release();
    }
}
