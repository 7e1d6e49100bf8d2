using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

using PriceIntel.Engine.Codec;

namespace PriceIntel.Engine.Sources;

/// <summary>
/// Reads JSON Lines events from a stream (a file, stdin, an HTTP body) through a
/// <see cref="PipeReader"/>: splits lines, decodes them into the caller's batch, sends every bad
/// line to the <see cref="IRejectionSink"/> with the source name, line number, reason and payload,
/// and keeps going. Steady state allocates nothing per event. One reader at a time.
/// </summary>
internal sealed class JsonLinesEventSource : IMarketEventSource
{
    private const int PipeBufferBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly PipeReader _reader;
    private readonly JsonLineSplitter _splitter;
    private readonly MarketEventJsonDecoder _decoder;
    private bool _finished;

    public JsonLinesEventSource(Stream stream, string name, MarketKeys keys, int maxLineBytes = JsonLineSplitter.DefaultMaxLineBytes, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferBytes, minimumReadSize: PipeBufferBytes / 4, leaveOpen: true));
        _splitter = new JsonLineSplitter(maxLineBytes);
        _decoder = new MarketEventJsonDecoder(keys);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Lines seen so far, empty lines included.</summary>
    public long Lines => _splitter.LineNumber;

    /// <summary>Events decoded and returned so far.</summary>
    public long Events { get; private set; }

    /// <summary>Lines rejected so far.</summary>
    public long Rejected { get; private set; }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // no allocation per batch when the pipe read waits
    public async ValueTask<int> ReadAsync(Memory<MarketEvent> destination, IRejectionSink rejections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        if (destination.IsEmpty)
        {
            throw new ArgumentException("The destination batch must hold at least one event.", nameof(destination));
        }

        while (!_finished)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            int count = DecodeLines(ref buffer, result.IsCompleted, destination.Span, rejections);
            if (count == destination.Length)
            {
                _reader.AdvanceTo(buffer.Start); // more may be buffered: look again next call
            }
            else
            {
                _reader.AdvanceTo(buffer.Start, result.Buffer.End);
            }

            if (result.IsCompleted && buffer.IsEmpty)
            {
                _finished = true;
            }

            if (count > 0)
            {
                Events += count;
                return count;
            }
        }

        return 0;
    }

    private int DecodeLines(ref ReadOnlySequence<byte> buffer, bool isCompleted, Span<MarketEvent> destination, IRejectionSink rejections)
    {
        int count = 0;
        while (count < destination.Length)
        {
            var status = _splitter.TryReadLine(ref buffer, isCompleted, out var line);
            if (status == LineStatus.NeedMore)
            {
                break;
            }

            if (status == LineStatus.TooLong)
            {
                Reject(rejections, $"line is longer than the maximum of {_splitter.MaxLineBytes} bytes", line);
                continue;
            }

            if (_decoder.TryDecode(line, out destination[count], out var error))
            {
                count++;
            }
            else
            {
                Reject(rejections, error, line);
            }
        }

        return count;
    }

    private void Reject(IRejectionSink rejections, string reason, ReadOnlySpan<byte> line)
    {
        Rejected++;
        rejections.Reject(RejectedInput.Create(Name, _splitter.LineNumber, reason, PayloadText(line)));
    }

    /// <summary>The line as text for a rejection record (invalid UTF-8 shows as U+FFFD).</summary>
    public static string PayloadText(ReadOnlySpan<byte> line)
    {
        int max = RejectedInput.MaxPayloadLength * 2;
        return Encoding.UTF8.GetString(line.Length > max ? line[..max] : line);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
