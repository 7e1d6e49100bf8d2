using System.Buffers;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Codec;

/// <summary>What <see cref="JsonLineSplitter.TryReadLine"/> found.</summary>
internal enum LineStatus
{
    /// <summary>No complete line is buffered; read more input.</summary>
    NeedMore,

    /// <summary>A line (terminator and trailing \r removed; never empty).</summary>
    Line,

    /// <summary>A line longer than the maximum; the returned span is its beginning, the rest is discarded.</summary>
    TooLong,
}

/// <summary>
/// Splits buffered bytes into lines: \n or \r\n terminated, a last line without a terminator,
/// empty lines skipped, lines longer than the maximum reported once and then discarded up to their
/// end, so memory stays bounded whatever the input. Lines inside one buffer segment are returned in
/// place; lines that straddle segments are copied into a scratch buffer that is reused. Tracks line
/// numbers (1-based, empty lines counted) and byte offsets.
/// </summary>
internal sealed class JsonLineSplitter
{
    /// <summary>Default longest line: 64 KiB.</summary>
    public const int DefaultMaxLineBytes = 64 * 1024;

    /// <summary>Bytes of an overlong line kept as its payload.</summary>
    public const int OverlongPayloadBytes = 4096;

    private readonly int _maxLineBytes;
    private byte[] _scratch = [];
    private bool _discarding;

    public JsonLineSplitter(int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 16);
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>Longest line accepted, in bytes, without its terminator.</summary>
    public int MaxLineBytes => _maxLineBytes;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset in the input where the line last returned starts.</summary>
    public long LineStart { get; private set; }

    /// <summary>Whether the line last returned ended with a line feed (false for a last line cut short).</summary>
    public bool LineTerminated { get; private set; }

    /// <summary>Bytes consumed so far (through the end of the last line returned or skipped).</summary>
    public long Consumed { get; private set; }

    /// <summary>Takes the next non-empty line from <paramref name="buffer"/>, advancing it past what was consumed.</summary>
    /// <param name="buffer">Unconsumed input; sliced past every byte consumed.</param>
    /// <param name="isCompleted">True when no more input will come, so a final unterminated line counts.</param>
    /// <param name="line">The line; valid until the buffer is advanced or the next call.</param>
    public LineStatus TryReadLine(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            line = default;
            if (buffer.IsEmpty)
            {
                return LineStatus.NeedMore;
            }

            // Fast path: a line feed in the first segment.
            var first = buffer.FirstSpan;
            int lf = first.IndexOf((byte)'\n');
            long length;
            bool terminated;
            if (lf >= 0)
            {
                length = lf;
                terminated = true;
            }
            else if (!buffer.IsSingleSegment && buffer.PositionOf((byte)'\n') is { } position)
            {
                length = buffer.Slice(0, position).Length;
                terminated = true;
            }
            else if (isCompleted)
            {
                length = buffer.Length;
                terminated = false;
            }
            else
            {
                if (buffer.Length > _maxLineBytes + 1 && !_discarding)
                {
                    // Overlong and still going: report it now, then drop bytes until its end.
                    StartLine(buffer.Length, terminated: false, count: false);
                    line = Copy(buffer.Slice(0, OverlongPayloadBytes));
                    _discarding = true;
                    Consumed += buffer.Length;
                    buffer = buffer.Slice(buffer.End);
                    return LineStatus.TooLong;
                }

                if (_discarding)
                {
                    Consumed += buffer.Length;
                    buffer = buffer.Slice(buffer.End);
                }

                return LineStatus.NeedMore;
            }

            long total = terminated ? length + 1 : length;
            if (_discarding)
            {
                // The tail of an overlong line already reported.
                _discarding = false;
                Consumed += total;
                buffer = buffer.Slice(total);
                continue;
            }

            long contentLength = length;
            if (contentLength > 0 && ByteAt(buffer, first, contentLength - 1) == (byte)'\r')
            {
                contentLength--;
            }

            if (contentLength == 0)
            {
                LineNumber++;
                Consumed += total;
                buffer = buffer.Slice(total);
                continue;
            }

            StartLine(total, terminated, count: true);
            var status = LineStatus.Line;
            if (contentLength > _maxLineBytes)
            {
                status = LineStatus.TooLong;
                contentLength = OverlongPayloadBytes;
            }

            line = contentLength <= first.Length
                ? first[..(int)contentLength]
                : Copy(buffer.Slice(0, contentLength));
            buffer = buffer.Slice(total);
            return status;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StartLine(long total, bool terminated, bool count)
    {
        LineNumber++;
        LineStart = Consumed;
        LineTerminated = terminated;
        if (count)
        {
            Consumed += total;
        }
    }

    private static byte ByteAt(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> first, long index) =>
        index < first.Length ? first[(int)index] : buffer.Slice(index, 1).FirstSpan[0];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> bytes)
    {
        int length = (int)bytes.Length;
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, Math.Min(_maxLineBytes, Math.Max(4096, _scratch.Length * 2)))];
        }

        bytes.CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }
}
