namespace PriceIntel.Engine.Simulation;

/// <summary>
/// The thread-safe meeting point of the host (which applies decisions and acknowledges processed
/// events from its own threads) and the simulator's reader. Price updates wait here until their
/// decision time is old enough for the tick being generated; the reader waits here until the host's
/// acknowledgement covers the ticks the next one depends on.
/// </summary>
internal sealed class FeedbackGate
{
    private readonly Lock _lock = new();
    private PriceUpdate[] _pending = new PriceUpdate[256];
    private int _pendingCount;
    private long _acknowledged = long.MinValue;
    private long _boundary = long.MinValue;
    private TaskCompletionSource? _waiter;
    private bool _closed;

    public long Applied { get; private set; }

    public long Late { get; private set; }

    public long Stale { get; private set; }

    public long Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Queues our new price for a product index; applied once its time is below the boundary of a generated tick.</summary>
    public void Enqueue(int index, long priceTicks, long timestamp)
    {
        lock (_lock)
        {
            if (timestamp < _boundary)
            {
                Late++; // the host broke the contract: applied at the next tick, which timing decides
            }

            if (_pendingCount == _pending.Length)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }

            _pending[_pendingCount++] = new PriceUpdate(index, priceTicks, timestamp);
        }
    }

    /// <summary>Records that the host has processed every event up to <paramref name="timestamp"/>; wakes the reader.</summary>
    public void Acknowledge(long timestamp)
    {
        TaskCompletionSource? waiter = null;
        lock (_lock)
        {
            if (timestamp > _acknowledged)
            {
                Volatile.Write(ref _acknowledged, timestamp);
                waiter = _waiter;
                _waiter = null;
            }
        }

        waiter?.TrySetResult();
    }

    /// <summary>A task that completes once the acknowledgement reaches <paramref name="required"/> (or the gate closes).</summary>
    public Task WaitFor(long required)
    {
        lock (_lock)
        {
            if (_acknowledged >= required || _closed)
            {
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    /// <summary>
    /// Applies, in arrival order, every queued update whose decision time is before
    /// <paramref name="boundary"/>, and keeps the rest queued. Arrival order only matters between
    /// updates of one product, which a single-threaded engine emits in a fixed order.
    /// </summary>
    public void Drain(long boundary, SimulatedMarket market)
    {
        lock (_lock)
        {
            _boundary = boundary;
            var kept = 0;
            for (int i = 0; i < _pendingCount; i++)
            {
                var update = _pending[i];
                if (update.Timestamp < boundary)
                {
                    if (market.ApplyOurPrice(update.Index, update.PriceTicks, update.Timestamp))
                    {
                        Applied++;
                    }
                    else
                    {
                        Stale++;
                    }
                }
                else
                {
                    _pending[kept++] = update;
                }
            }

            _pendingCount = kept;
        }
    }

    /// <summary>Releases a waiting reader for good (disposal).</summary>
    public void Close()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _closed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    private readonly record struct PriceUpdate(int Index, long PriceTicks, long Timestamp);
}
