namespace PriceIntel;

/// <summary>
/// Collects engine outputs in memory as <see cref="StoredSignal"/> and <see cref="StoredDecision"/>
/// records, for tests and for hosts that show them. Thread-safe: the pipeline writes while others read.
/// </summary>
public sealed class InMemoryOutputSink : IMarketOutputSink
{
    private readonly Lock _lock = new();
    private readonly List<StoredSignal> _signals = [];
    private readonly List<StoredDecision> _decisions = [];
    private int _flushes;

    /// <summary>A copy of the signals received so far, in arrival order.</summary>
    public IReadOnlyList<StoredSignal> Signals
    {
        get
        {
            lock (_lock)
            {
                return [.. _signals];
            }
        }
    }

    /// <summary>A copy of the decisions received so far, in arrival order.</summary>
    public IReadOnlyList<StoredDecision> Decisions
    {
        get
        {
            lock (_lock)
            {
                return [.. _decisions];
            }
        }
    }

    /// <summary>How many times <see cref="FlushAsync"/> was called.</summary>
    public int FlushCount => Volatile.Read(ref _flushes);

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The sink was disposed.</exception>
    public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (batch.IsEmpty)
        {
            return default;
        }

        ArgumentNullException.ThrowIfNull(batch.Keys);
        lock (_lock)
        {
            foreach (ref readonly var signal in batch.Signals.Span)
            {
                _signals.Add(StoredSignal.From(in signal, batch.Keys));
            }

            foreach (ref readonly var decision in batch.Decisions.Span)
            {
                _decisions.Add(StoredDecision.From(in decision, batch.Keys));
            }
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _flushes);
        return default;
    }

    /// <summary>Forgets everything collected.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _signals.Clear();
            _decisions.Clear();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return default;
    }
}
