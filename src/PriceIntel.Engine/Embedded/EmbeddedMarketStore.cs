using System.Buffers;
using System.IO.Pipelines;
using PriceIntel.Engine.Embedded;
using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// The single-machine store, no server: signals and decisions are appended as JSON lines
/// (docs/wire-format.md) to <c>signals.jsonl</c> and <c>decisions.jsonl</c> in a directory, and
/// indexed in memory by product and time. An id already stored is not stored again, so replays are
/// safe. Opening the directory again reloads the index; a torn last line left by a crash is
/// dropped (the file is cut back to the last whole line) and reported in <see cref="OpenReport"/>.
/// Writes (from the pipeline) and queries (from any thread) may run concurrently. Records are
/// queryable as soon as <see cref="WriteAsync"/> returns and durable after <see cref="FlushAsync"/>.
/// </summary>
public sealed class EmbeddedMarketStore : IMarketStore
{
    /// <summary>File name of the signal log inside the store directory.</summary>
    public const string SignalsFileName = "signals.jsonl";

    /// <summary>File name of the decision log inside the store directory.</summary>
    public const string DecisionsFileName = "decisions.jsonl";

    private const int MaxRecordBytes = 1024 * 1024;

    private readonly Lock _indexLock = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly OutputIndex<StoredSignal> _signals;
    private readonly OutputIndex<StoredDecision> _decisions;
    private readonly JsonLinesWriter _signalLog;
    private readonly JsonLinesWriter _decisionLog;
    private readonly MarketOutputJsonEncoder _json = new();
    private bool _disposed;

    private EmbeddedMarketStore(string directory, OutputIndex<StoredSignal> signals, OutputIndex<StoredDecision> decisions, IReadOnlyList<string> report)
    {
        Directory = directory;
        _signals = signals;
        _decisions = decisions;
        OpenReport = report;
        _signalLog = new JsonLinesWriter(JsonLinesWriter.OpenAppend(System.IO.Path.Combine(directory, SignalsFileName)));
        _decisionLog = new JsonLinesWriter(JsonLinesWriter.OpenAppend(System.IO.Path.Combine(directory, DecisionsFileName)));
    }

    /// <summary>The store directory.</summary>
    public string Directory { get; }

    /// <summary>What opening found wrong and dealt with (torn last lines dropped, unreadable lines skipped); empty when all was well.</summary>
    public IReadOnlyList<string> OpenReport { get; }

    /// <summary>Distinct signals stored.</summary>
    public int SignalCount
    {
        get
        {
            lock (_indexLock)
            {
                return _signals.Count;
            }
        }
    }

    /// <summary>Distinct decisions stored.</summary>
    public int DecisionCount
    {
        get
        {
            lock (_indexLock)
            {
                return _decisions.Count;
            }
        }
    }

    /// <summary>Opens (creating when missing) a store directory and loads its index.</summary>
    /// <param name="directory">The store directory.</param>
    /// <param name="cancellationToken">Stops loading.</param>
    /// <exception cref="ArgumentException">The directory path is empty.</exception>
    /// <exception cref="IOException">The files cannot be read or opened for appending.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static async Task<EmbeddedMarketStore> OpenAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        System.IO.Directory.CreateDirectory(directory);
        var report = new List<string>();
        var signals = new OutputIndex<StoredSignal>();
        var decisions = new OutputIndex<StoredDecision>();
        var loader = new Loader(signals, decisions, report);
        await loader.LoadAsync(System.IO.Path.Combine(directory, SignalsFileName), cancellationToken);
        await loader.LoadAsync(System.IO.Path.Combine(directory, DecisionsFileName), cancellationToken);
        return new EmbeddedMarketStore(directory, signals, decisions, report);
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.IsEmpty)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(batch.Keys);

        // Copy out of the batch before the first await: its memory is only valid during this call.
        var signals = new StoredSignal[batch.Signals.Length];
        for (int i = 0; i < signals.Length; i++)
        {
            signals[i] = StoredSignal.From(in batch.Signals.Span[i], batch.Keys);
        }

        var decisions = new StoredDecision[batch.Decisions.Length];
        for (int i = 0; i < decisions.Length; i++)
        {
            decisions[i] = StoredDecision.From(in batch.Decisions.Span[i], batch.Keys);
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_indexLock)
            {
                foreach (var s in signals)
                {
                    if (_signals.TryAdd(s.Id, s.Product, s.Time.ToUnixTimeMilliseconds(), s))
                    {
                        _json.WriteSignal(s, _signalLog.Buffer);
                    }
                }

                foreach (var d in decisions)
                {
                    if (_decisions.TryAdd(d.Id, d.Product, d.Time.ToUnixTimeMilliseconds(), d))
                    {
                        _json.WriteDecision(d, _decisionLog.Buffer);
                    }
                }
            }

            await _signalLog.WriteIfFullAsync(cancellationToken);
            await _decisionLog.WriteIfFullAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await _signalLog.FlushAsync(toDisk: true, cancellationToken);
            await _decisionLog.FlushAsync(toDisk: true, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    public ValueTask<IReadOnlyList<StoredDecision>> QueryDecisionsAsync(StoreQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var (from, to) = Range(query);
        lock (_indexLock)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredDecision>>(_decisions.Query(query.Product, from, to, query.Limit, null));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    public ValueTask<IReadOnlyList<StoredSignal>> QuerySignalsAsync(StoreQuery query, SignalKind? kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var (from, to) = Range(query);
        Func<StoredSignal, bool>? filter = kind is { } k ? s => s.Kind == k : null;
        lock (_indexLock)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredSignal>>(_signals.Query(query.Product, from, to, query.Limit, filter));
        }
    }

    /// <summary>Writes everything out and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                await _signalLog.FlushAsync(toDisk: true, CancellationToken.None);
                await _decisionLog.FlushAsync(toDisk: true, CancellationToken.None);
            }
            finally
            {
                await _signalLog.DisposeAsync();
                await _decisionLog.DisposeAsync();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static (long From, long To) Range(StoreQuery query) =>
        (query.From?.ToUnixTimeMilliseconds() ?? long.MinValue, query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);

    /// <summary>Reads the logs back into the index on open, and repairs a torn tail.</summary>
    private sealed class Loader(OutputIndex<StoredSignal> signals, OutputIndex<StoredDecision> decisions, List<string> report)
    {
        private long _truncateAt = -1;
        private bool _needsNewLine;

        public async Task LoadAsync(string path, CancellationToken cancellationToken)
        {
            if (!File.Exists(path))
            {
                return;
            }

            _truncateAt = -1;
            _needsNewLine = false;
            var splitter = new JsonLineSplitter(MaxRecordBytes);
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
                while (true)
                {
                    var result = await reader.ReadAsync(cancellationToken);
                    var buffer = result.Buffer;
                    ReadLines(ref buffer, result.IsCompleted, splitter, path);
                    reader.AdvanceTo(buffer.Start, result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }

                await reader.CompleteAsync();
            }

            if (_truncateAt >= 0)
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
                file.SetLength(_truncateAt);
            }
            else if (_needsNewLine)
            {
                await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                file.WriteByte((byte)'\n');
            }
        }

        private void ReadLines(ref ReadOnlySequence<byte> buffer, bool isCompleted, JsonLineSplitter splitter, string path)
        {
            while (true)
            {
                var status = splitter.TryReadLine(ref buffer, isCompleted, out var line);
                if (status == LineStatus.NeedMore)
                {
                    return;
                }

                string? error = $"record longer than {MaxRecordBytes} bytes";
                if (status == LineStatus.Line && MarketOutputJsonDecoder.TryDecode(line, out var signal, out var decision, out error))
                {
                    if (signal is not null)
                    {
                        signals.TryAdd(signal.Id, signal.Product, signal.Time.ToUnixTimeMilliseconds(), signal);
                    }
                    else if (decision is not null)
                    {
                        decisions.TryAdd(decision.Id, decision.Product, decision.Time.ToUnixTimeMilliseconds(), decision);
                    }

                    _needsNewLine = !splitter.LineTerminated;
                    continue;
                }

                if (status == LineStatus.Line && !splitter.LineTerminated)
                {
                    // The last line stops mid-record: a write cut short by a crash. Cut it off so appends start clean.
                    _truncateAt = splitter.LineStart;
                    report.Add($"{Path.GetFileName(path)}: torn last line {splitter.LineNumber} (from byte {splitter.LineStart}) dropped: {error}");
                }
                else
                {
                    report.Add($"{Path.GetFileName(path)}: line {splitter.LineNumber} skipped: {error}");
                }
            }
        }
    }
}
