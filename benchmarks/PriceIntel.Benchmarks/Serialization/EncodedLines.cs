
namespace PriceIntel.Benchmarks.Serialization;

/// <summary>
/// JSON lines laid out once in one buffer (the line terminators outside the slices), and the decode loop
/// the decoder benchmarks time over them.
/// </summary>
internal sealed class EncodedLines(byte[] buffer, int[] starts, int[] lengths)
{
    public int Count => starts.Length;

    public ReadOnlySpan<byte> Line(int i) => buffer.AsSpan(starts[i], lengths[i]);

    /// <summary>Decodes every line into <paramref name="events"/>; <paramref name="readerOnly"/> runs the decoder's <c>Utf8JsonReader</c> path alone. Returns how many decoded.</summary>
    public int DecodeAll(MarketEventJsonDecoder decoder, MarketEvent[] events, bool readerOnly)
    {
        int ok = 0;
        var all = buffer.AsSpan();
        for (int i = 0; i < starts.Length; i++)
        {
            var line = all.Slice(starts[i], lengths[i]);
            if (readerOnly ? decoder.TryDecodeWithReader(line, out events[i], out _) : decoder.TryDecode(line, out events[i], out _))
            {
                ok++;
            }
        }

        return ok;
    }
}
