using PriceIntel.Engine.Codec;

namespace PriceIntel.Engine.Sinks;

/// <summary>
/// Writes signals and decisions as JSON lines (docs/wire-format.md), to one stream or one each,
/// buffered; <see cref="FlushAsync"/> writes everything out and flushes files to disk. Encoding
/// reads the batch before the first await, so the batch memory is not kept.
/// </summary>
internal sealed class JsonLinesOutputSink : IMarketOutputSink
{
    private readonly JsonLinesWriter _signals;
    private readonly JsonLinesWriter _decisions;
    private readonly MarketOutputJsonEncoder _json = new();

    /// <summary>Creates a sink; when <paramref name="decisions"/> is null, decisions go to <paramref name="signals"/> too.</summary>
    public JsonLinesOutputSink(JsonLinesWriter signals, JsonLinesWriter? decisions = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        _signals = signals;
        _decisions = decisions ?? signals;
    }

    /// <summary>Signals written so far.</summary>
    public long SignalsWritten { get; private set; }

    /// <summary>Decisions written so far.</summary>
    public long DecisionsWritten { get; private set; }

    /// <inheritdoc />
    public ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.IsEmpty)
        {
            return default;
        }

        ArgumentNullException.ThrowIfNull(batch.Keys);
        foreach (ref readonly var signal in batch.Signals.Span)
        {
            _json.WriteSignal(in signal, batch.Keys, _signals.Buffer);
        }

        foreach (ref readonly var decision in batch.Decisions.Span)
        {
            _json.WriteDecision(in decision, batch.Keys, _decisions.Buffer);
        }

        SignalsWritten += batch.Signals.Length;
        DecisionsWritten += batch.Decisions.Length;
        return ReferenceEquals(_signals, _decisions)
            ? _signals.WriteIfFullAsync(cancellationToken)
            : WriteBothIfFullAsync(cancellationToken);
    }

    private async ValueTask WriteBothIfFullAsync(CancellationToken cancellationToken)
    {
        await _signals.WriteIfFullAsync(cancellationToken).ConfigureAwait(false);
        await _decisions.WriteIfFullAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _signals.FlushAsync(toDisk: true, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(_signals, _decisions))
        {
            await _decisions.FlushAsync(toDisk: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _signals.DisposeAsync().ConfigureAwait(false);
        if (!ReferenceEquals(_signals, _decisions))
        {
            await _decisions.DisposeAsync().ConfigureAwait(false);
        }
    }
}
