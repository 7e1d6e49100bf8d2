namespace PriceIntel.Engine.Sources;

/// <summary>Passes another source's events through unchanged and records each batch as JSON lines.</summary>
internal sealed class RecordingEventSource(IMarketEventSource inner, JsonLinesEventRecorder recorder) : IMarketEventSource
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        int count = await inner.ReadAsync(destination, rejections, cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            await recorder.WriteAsync(destination[..count], cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await recorder.DisposeAsync().ConfigureAwait(false);
    }
}
