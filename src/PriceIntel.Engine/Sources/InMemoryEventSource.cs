namespace PriceIntel.Engine.Sources;

/// <summary>
/// A source over events already in memory, handed out in order in batches no larger than the
/// caller's destination. For tests, benchmarks and hosts that build events themselves.
/// </summary>
internal sealed class InMemoryEventSource : IMarketEventSource
{
    private readonly IEnumerator<ReadOnlyMemory<MarketEvent>> _batches;
    private ReadOnlyMemory<MarketEvent> _current;
    private bool _finished;

    public InMemoryEventSource(string name, IEnumerable<ReadOnlyMemory<MarketEvent>> batches)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(batches);
        Name = name;
        _batches = batches.GetEnumerator();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (destination.IsEmpty)
        {
            throw new ArgumentException("The destination batch must hold at least one event.", nameof(destination));
        }

        while (_current.IsEmpty)
        {
            if (_finished || !_batches.MoveNext())
            {
                _finished = true;
                return ValueTask.FromResult(0);
            }

            _current = _batches.Current;
        }

        int count = Math.Min(destination.Length, _current.Length);
        _current.Span[..count].CopyTo(destination.Span);
        _current = _current[count..];
        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _batches.Dispose();
        return ValueTask.CompletedTask;
    }
}
