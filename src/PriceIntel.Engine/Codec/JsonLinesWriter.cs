using System.Buffers;

namespace PriceIntel.Engine.Codec;

/// <summary>
/// A buffered JSON Lines output: callers encode lines into <see cref="Buffer"/>; it goes to the
/// stream once it passes the threshold, and on <see cref="FlushAsync"/>. The buffer keeps its
/// capacity, so steady-state writes allocate nothing. Not thread-safe.
/// </summary>
internal sealed class JsonLinesWriter : IAsyncDisposable
{
    public const int DefaultThresholdBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _thresholdBytes;
    private bool _disposed;

    public JsonLinesWriter(Stream stream, bool leaveOpen = false, int thresholdBytes = DefaultThresholdBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _thresholdBytes = thresholdBytes;
        Buffer = new ArrayBufferWriter<byte>(thresholdBytes + 4096);
    }

    /// <summary>Where lines are encoded before they are written out.</summary>
    public ArrayBufferWriter<byte> Buffer { get; }

    /// <summary>Opens a file for appending (created with its directory when missing), unbuffered: this class buffers.</summary>
    public static FileStream OpenAppend(string path, bool append = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
    }

    /// <summary>Writes the buffer out when it has passed the threshold.</summary>
    public ValueTask WriteIfFullAsync(CancellationToken cancellationToken) =>
        Buffer.WrittenCount >= _thresholdBytes ? WriteOutAsync(cancellationToken) : default;

    /// <summary>Writes whatever is buffered to the stream.</summary>
    public async ValueTask WriteOutAsync(CancellationToken cancellationToken)
    {
        if (Buffer.WrittenCount > 0)
        {
            await _stream.WriteAsync(Buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            Buffer.ResetWrittenCount();
        }
    }

    /// <summary>Writes the buffer out and flushes the stream; with <paramref name="toDisk"/>, a file is flushed to the device.</summary>
    public async ValueTask FlushAsync(bool toDisk, CancellationToken cancellationToken)
    {
        await WriteOutAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (toDisk && _stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await FlushAsync(toDisk: false, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
