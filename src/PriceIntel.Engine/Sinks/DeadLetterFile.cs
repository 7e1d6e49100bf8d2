using System.Buffers;
using System.Text.Json;
using PriceIntel.Engine.Codec;

namespace PriceIntel;

/// <summary>
/// A rejection sink that appends every rejected input to a JSON Lines file
/// (<c>{"source":…,"position":…,"reason":…,"payload":…}</c>), counts them and keeps the last few in
/// memory for display. Each record reaches the operating system before <see cref="Reject"/>
/// returns. Thread-safe: several sources may share one file.
/// </summary>
public sealed class DeadLetterFile : IRejectionSink, IDisposable
{
    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly RejectedInput[] _tail;
    private int _tailNext;
    private long _count;
    private bool _disposed;

    /// <summary>Opens (or creates, with its directory) the dead-letter file for appending.</summary>
    /// <param name="path">The file.</param>
    /// <param name="tailCapacity">How many of the latest rejections <see cref="Tail"/> keeps (1 to 10,000). Default 100.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tailCapacity"/> is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public DeadLetterFile(string path, int tailCapacity = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tailCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tailCapacity, 10_000);
        _file = JsonLinesWriter.OpenAppend(path);
        Path = path;
        _tail = new RejectedInput[tailCapacity];
        _writer = new Utf8JsonWriter(_buffer, MarketEventJsonEncoder.WriterOptions);
    }

    /// <summary>The file rejections are appended to.</summary>
    public string Path { get; }

    /// <summary>Rejections received since this instance was opened.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The latest rejections, oldest first (at most the tail capacity).</summary>
    public IReadOnlyList<RejectedInput> Tail
    {
        get
        {
            lock (_lock)
            {
                int kept = (int)Math.Min(_count, _tail.Length);
                var result = new RejectedInput[kept];
                for (int i = 0; i < kept; i++)
                {
                    result[i] = _tail[(_tailNext - kept + i + _tail.Length) % _tail.Length];
                }

                return result;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The file was closed.</exception>
    public void Reject(RejectedInput rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteString(WireNames.Source, rejected.Source);
            _writer.WriteNumber(WireNames.Position, rejected.Position);
            _writer.WriteString(WireNames.Reason, rejected.Reason);
            _writer.WriteString(WireNames.Payload, SafeText(rejected.Payload));
            _writer.WriteEndObject();
            _writer.Flush();
            MarketEventJsonEncoder.WriteNewLine(_buffer);
            _file.Write(_buffer.WrittenSpan);
            _file.Flush();

            _tail[_tailNext] = rejected;
            _tailNext = (_tailNext + 1) % _tail.Length;
            _count++;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>Replaces lone surrogates (possible after payload truncation), which JSON writers refuse.</summary>
    private static string SafeText(string text)
    {
        foreach (var c in text)
        {
            if (char.IsSurrogate(c))
            {
                return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));
            }
        }

        return text;
    }
}
