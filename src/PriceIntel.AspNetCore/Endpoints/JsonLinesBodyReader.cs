using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>
/// Decodes a JSON Lines request body straight from Kestrel's <see cref="PipeReader"/> with the engine's public
/// <see cref="MarketEventJsonDecoder"/>, into pooled event batches: no stream wrapper, no copy of a line unless
/// it straddles two buffer segments (then into one reused scratch buffer), no string or list per event.
/// Decoders are pooled per key tables, so their UTF-8 key caches stay warm across requests. Empty lines are
/// skipped but counted, <c>\r\n</c> is accepted, and a line longer than <see cref="MaxLineBytes"/> is refused
/// on its own and skipped to its end, so memory stays bounded whatever the body.
/// </summary>
internal sealed class JsonLinesBodyReader
{
    /// <summary>Longest line accepted (64 KiB, as the engine's JSON Lines sources).</summary>
    public const int MaxLineBytes = 64 * 1024;

    private static readonly ConcurrentDictionary<MarketKeys, ConcurrentBag<MarketEventJsonDecoder>> Pools = new();

    private readonly PipeReader _body;
    private readonly MarketEventJsonDecoder _decoder;
    private readonly ConcurrentBag<MarketEventJsonDecoder> _pool;
    private byte[]? _scratch;
    private long _line;
    private bool _skipping;
    private bool _finished;

    private JsonLinesBodyReader(PipeReader body, MarketKeys keys)
    {
        _body = body;
        _pool = Pools.GetOrAdd(keys, _ => []);
        _decoder = _pool.TryTake(out var decoder) ? decoder : new MarketEventJsonDecoder(keys);
    }

    /// <summary>Takes a pooled decoder for <paramref name="keys"/>; <see cref="Release"/> gives it back.</summary>
    public static JsonLinesBodyReader Rent(PipeReader body, MarketKeys keys) => new(body, keys);

    /// <summary>
    /// Fills <paramref name="batch"/> with the next decoded events; 0 at the end of the body. Each bad line goes to
    /// <paramref name="reject"/> with its 1-based line number and the decoder's reason.
    /// </summary>
    public async ValueTask<int> ReadAsync(MarketEvent[] batch, int capacity, Action<long, string> reject, CancellationToken cancellationToken)
    {
        int count = 0;
        while (count < capacity && !_finished)
        {
            var result = await _body.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            count += DecodeLines(ref buffer, result.IsCompleted, batch.AsSpan(count, capacity - count), reject);
            if (count == capacity)
            {
                // The batch is full: more lines may be buffered already; look at them again on the next call.
                _body.AdvanceTo(buffer.Start);
                break;
            }

            // Everything complete was decoded; the rest is the start of a line that needs more input.
            _body.AdvanceTo(buffer.Start, buffer.End);
            _finished = result.IsCompleted;
        }

        return count;
    }

    /// <summary>Returns the decoder to the pool and the scratch buffer to <see cref="ArrayPool{T}"/>.</summary>
    public void Release()
    {
        _pool.Add(_decoder);
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    private int DecodeLines(ref ReadOnlySequence<byte> buffer, bool isCompleted, Span<MarketEvent> destination, Action<long, string> reject)
    {
        int count = 0;
        while (count < destination.Length && !buffer.IsEmpty)
        {
            var first = buffer.FirstSpan;
            int lf = first.IndexOf((byte)'\n');
            long length;
            bool terminated = true;
            if (lf >= 0)
            {
                length = lf;
            }
            else if (!buffer.IsSingleSegment && buffer.PositionOf((byte)'\n') is { } position)
            {
                length = buffer.Slice(0, position).Length;
            }
            else if (isCompleted)
            {
                length = buffer.Length;
                terminated = false;
            }
            else
            {
                if (buffer.Length > MaxLineBytes + 1 && !_skipping)
                {
                    // Overlong and still going: refuse it now, then drop bytes until its end.
                    _line++;
                    reject(_line, string.Create(CultureInfo.InvariantCulture, $"line is longer than the maximum of {MaxLineBytes} bytes"));
                    _skipping = true;
                }

                if (_skipping)
                {
                    buffer = buffer.Slice(buffer.End);
                }

                break;
            }

            long total = terminated ? length + 1 : length;
            if (_skipping)
            {
                // The end of an overlong line already refused.
                _skipping = false;
                buffer = buffer.Slice(total);
                continue;
            }

            _line++;
            var line = length <= first.Length ? first[..(int)length] : Copy(buffer.Slice(0, length));
            buffer = buffer.Slice(total);
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                continue;
            }

            if (line.Length > MaxLineBytes)
            {
                reject(_line, string.Create(CultureInfo.InvariantCulture, $"line is longer than the maximum of {MaxLineBytes} bytes"));
            }
            else if (_decoder.TryDecode(line, out destination[count], out var error))
            {
                count++;
            }
            else
            {
                reject(_line, error);
            }
        }

        return count;
    }

    private ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> bytes)
    {
        int length = (int)Math.Min(bytes.Length, MaxLineBytes + 1);
        if (_scratch is null || _scratch.Length < length)
        {
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }

        bytes.Slice(0, length).CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }
}
