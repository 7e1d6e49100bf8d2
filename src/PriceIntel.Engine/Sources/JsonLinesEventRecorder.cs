using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// Records market events as JSON lines (the input wire format, docs/wire-format.md), so a stream
/// can be replayed later with <see cref="MarketEventSources.JsonLinesFile"/>. Buffered; call
/// <see cref="FlushAsync"/> or dispose to write everything out. One writer at a time.
/// </summary>
public sealed class JsonLinesEventRecorder : IAsyncDisposable
{
    private readonly JsonLinesWriter _writer;
    private readonly MarketEventJsonEncoder _encoder;

    private JsonLinesEventRecorder(JsonLinesWriter writer, MarketKeys keys)
    {
        _writer = writer;
        _encoder = new MarketEventJsonEncoder(keys);
    }

    /// <summary>Events recorded so far.</summary>
    public long EventsWritten { get; private set; }

    /// <summary>Records to a file, creating it (and its directory) when missing.</summary>
    /// <param name="path">The file.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="append">Append to an existing file instead of replacing it.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="ArgumentNullException">A parameter is null.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static JsonLinesEventRecorder Create(string path, MarketKeys keys, bool append = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new(new JsonLinesWriter(JsonLinesWriter.OpenAppend(path, append)), keys);
    }

    /// <summary>Records to a stream (e.g. stdout).</summary>
    /// <param name="stream">Where lines go.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="leaveOpen">Keep the stream open when the recorder is disposed.</param>
    /// <exception cref="ArgumentNullException">A parameter is null.</exception>
    public static JsonLinesEventRecorder Create(Stream stream, MarketKeys keys, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new(new JsonLinesWriter(stream, leaveOpen), keys);
    }

    /// <summary>Records a batch of events.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An event's id is not in the key tables.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<MarketEvent> events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (ref readonly var e in events.Span)
        {
            _encoder.Write(in e, _writer.Buffer);
        }

        EventsWritten += events.Length;
        return _writer.WriteIfFullAsync(cancellationToken);
    }

    /// <summary>Writes everything recorded so far to the stream and flushes it (files to disk).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(toDisk: true, cancellationToken);

    /// <summary>Writes everything out and closes the file or stream (unless left open).</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
