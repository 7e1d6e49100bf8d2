using System.Buffers;

namespace PriceIntel;

/// <summary>Sources that also keep what they hand out in a store's price history.</summary>
public static class PriceHistorySources
{
    /// <summary>
    /// How many events <see cref="Recording"/> lets the store work on while the source hands out more
    /// (their copies take about 10 MiB). Many small batches in flight let the store write them in a few
    /// large transactions.
    /// </summary>
    public const int MaxEventsInFlight = 262_144;

    /// <summary>
    /// Wraps a source so every batch it hands out is also appended to <paramref name="store"/>'s price
    /// history (competitor prices and list prices) and, when the store is also an
    /// <see cref="IDemandHistoryStore"/> (every <see cref="IMarketStore"/> is), to its demand history
    /// (demand, inventory and cost events, with ids from one <see cref="DemandEventIdAssigner"/> per
    /// wrapper, so replaying the same stream stores nothing twice). The append of a
    /// batch starts before the batch is handed out and runs while the engine processes it; at most
    /// <see cref="MaxEventsInFlight"/> events (or one batch, when larger) are being appended at a time, so a slow or retrying store
    /// slows the source down (back-pressure) and memory stays bounded. When the source reports its end
    /// (<see cref="IMarketEventSource.ReadAsync"/> returns 0) and when the wrapper is disposed, every
    /// append has finished. A store failure surfaces from the next
    /// <see cref="IMarketEventSource.ReadAsync"/> (or from <see cref="IAsyncDisposable.DisposeAsync"/>);
    /// nothing that failed is ever counted as stored. Disposing the wrapper disposes
    /// <paramref name="source"/>, not the store.
    /// </summary>
    /// <param name="source">The source to read from.</param>
    /// <param name="store">Where observations go.</param>
    /// <param name="keys">The key tables the source interns into.</param>
    /// <returns>The wrapping source.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMarketEventSource Recording(IMarketEventSource source, IPriceHistoryStore store, MarketKeys keys)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        return new PriceHistoryRecordingSource(source, store, keys);
    }

    private sealed class PriceHistoryRecordingSource(IMarketEventSource source, IPriceHistoryStore store, MarketKeys keys) : IMarketEventSource
    {
        private readonly Queue<(Task Append, MarketEvent[] Copy, ulong[]? Ids, int Count)> _inFlight = new();
        private readonly IDemandHistoryStore? _demand = store as IDemandHistoryStore;
        private readonly DemandEventIdAssigner _demandIds = new();
        private int _eventsInFlight;

        public string Name => source.Name;

        public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            // Earlier failures first, then room for one more batch.
            while (_inFlight.Count > 0 && (_inFlight.Peek().Append.IsCompleted || _eventsInFlight + destination.Length > MaxEventsInFlight))
            {
                await FinishOldestAsync().ConfigureAwait(false);
            }

            int count = await source.ReadAsync(destination, rejections, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                // The engine reuses the destination: the store gets its own copy. Stored even when
                // cancellation arrives meanwhile: the batch is handed out either way.
                var copy = ArrayPool<MarketEvent>.Shared.Rent(count);
                destination.Span[..count].CopyTo(copy);
                Task append = store.AppendMarketEventsAsync(copy.AsMemory(0, count), keys, CancellationToken.None).AsTask();
                ulong[]? ids = null;
                if (_demand is not null && HasDemandHistoryEvents(copy.AsSpan(0, count)))
                {
                    ids = ArrayPool<ulong>.Shared.Rent(count);
                    _demandIds.Assign(copy.AsSpan(0, count), keys, ids);
                    append = Task.WhenAll(append, _demand.AppendDemandEventsAsync(copy.AsMemory(0, count), ids.AsMemory(0, count), keys, CancellationToken.None).AsTask());
                }

                _inFlight.Enqueue((append, copy, ids, count));
                _eventsInFlight += count;
            }
            else
            {
                await FinishAllAsync().ConfigureAwait(false);
            }

            return count;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await FinishAllAsync().ConfigureAwait(false);
            }
            finally
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async ValueTask FinishAllAsync()
        {
            Exception? failure = null;
            while (_inFlight.Count > 0)
            {
                try
                {
                    await FinishOldestAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (failure is null)
                {
                    failure = ex;
                }
                catch (Exception)
                {
                    // The first failure is the one reported; the rest are waited for so no copy is returned while in use.
                }
            }

            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }

        private async ValueTask FinishOldestAsync()
        {
            var (append, copy, ids, count) = _inFlight.Dequeue();
            _eventsInFlight -= count;
            try
            {
                await append.ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<MarketEvent>.Shared.Return(copy);
                if (ids is not null)
                {
                    ArrayPool<ulong>.Shared.Return(ids);
                }
            }
        }

        private static bool HasDemandHistoryEvents(ReadOnlySpan<MarketEvent> events)
        {
            foreach (ref readonly var e in events)
            {
                if (DemandEventIdAssigner.IsDemandHistoryEvent(in e))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
