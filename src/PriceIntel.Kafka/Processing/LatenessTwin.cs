using System.Buffers;
using System.Globalization;

namespace PriceIntel.Kafka.Processing;

/// <summary>
/// A twin of the engine's lateness rule for one partition, applied to the same events in the same order: it
/// finds the events the engine will count as late and not merge (more than <c>Windows:AllowedLatenessSeconds</c>
/// behind the newest event time seen), so the task can dead-letter them instead of letting them vanish. Consume
/// thread only.
/// </summary>
internal sealed class LatenessTwin(int partition, long allowedLatenessMs)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private MarketEventJsonEncoder? _encoder;
    private MarketKeys? _keys;

    /// <summary>The newest event time seen (the engine's watermark after the same events).</summary>
    public long Watermark { get; private set; } = long.MinValue;

    /// <summary>Starts again where an engine's own watermark is (restore, rewind); its keys name late events.</summary>
    public void Reset(long watermark, MarketKeys keys)
    {
        Watermark = watermark;
        _keys = keys;
        _encoder = null;
    }

    /// <summary>Advances the watermark with <paramref name="timestamp"/>; true when that event is late.</summary>
    public bool IsLate(long timestamp)
    {
        if (timestamp > Watermark)
        {
            Watermark = timestamp;
            return false;
        }

        return timestamp < Watermark - allowedLatenessMs;
    }

    /// <summary>The dead letter for a late event: the event as a JSON line, and why, with how far behind it was.</summary>
    /// <param name="offset">The input message's offset.</param>
    /// <param name="index">The event's index in the message.</param>
    /// <param name="e">The late event.</param>
    public InputRejection Rejection(long offset, int index, in MarketEvent e)
    {
        long behind = Watermark - e.Timestamp;
        _buffer.ResetWrittenCount();
        (_encoder ??= new MarketEventJsonEncoder(_keys!)).Write(in e, _buffer);
        var payload = _buffer.WrittenSpan[..^1].ToArray(); // without the line feed
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"late: event {index + 1} of the message has event time {DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp):O}, {behind} ms behind partition {partition}'s newest event time {DateTimeOffset.FromUnixTimeMilliseconds(Watermark):O}; more than the allowed lateness (Windows:AllowedLatenessSeconds = {allowedLatenessMs / 1000.0}), so it is not merged into the windows");
        return new InputRejection(offset, 0, reason, payload) { LateByMs = behind };
    }
}
