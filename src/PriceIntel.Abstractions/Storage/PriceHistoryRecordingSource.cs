namespace PriceIntel;

/// <summary>Sources that also keep what they hand out in a store's price history.</summary>
public static class PriceHistorySources
{
    /// <summary>
    /// Wraps a source so every batch it hands out is first appended to <paramref name="store"/>'s price
    /// history (competitor prices and list prices; other kinds pass through unstored). The append is
    /// awaited before the batch is returned, so a slow or retrying store slows the source down
    /// (back-pressure) and an event is never processed without its observation stored first. A store
    /// failure surfaces from <see cref="IMarketEventSource.ReadAsync"/>. Disposing the wrapper disposes
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
        public string Name => source.Name;

        public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
        {
            int count = await source.ReadAsync(destination, rejections, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                // Stored even when cancellation arrives meanwhile: the batch is handed out either way.
                await store.AppendMarketEventsAsync(destination[..count], keys, CancellationToken.None).ConfigureAwait(false);
            }

            return count;
        }

        public ValueTask DisposeAsync() => source.DisposeAsync();
    }
}
