using System.Security.Cryptography;
using Confluent.Kafka;

namespace PriceIntel.Kafka.Processing;

/// <summary>A consumed value, copied into the deserializer's reusable buffer (valid until the next message).</summary>
internal readonly record struct RawValue(int Length, int OriginalLength);

/// <summary>
/// Copies each message value into one reusable buffer instead of a new array, so consuming allocates
/// nothing beyond what Confluent.Kafka itself does. Values longer than the message limit are cut at the
/// limit (the rest is not needed: such a message is dead-lettered, with its original length in the error).
/// Used on the consume thread only.
/// </summary>
internal sealed class RawValueDeserializer(int maxMessageBytes) : IDeserializer<RawValue>
{
    private byte[] _buffer = new byte[4096];

    public RawValue Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        int length = Math.Min(data.Length, maxMessageBytes);
        if (length > _buffer.Length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }

        data[..length].CopyTo(_buffer);
        // An oversized value is cut here, so its hash (for the dead letter's headers) is taken over the whole
        // of it now. Rare: only messages over the limit pay for it.
        OversizedSha256 = data.Length > length ? SHA256.HashData(data) : null;
        return new RawValue(length, isNull ? 0 : data.Length);
    }

    /// <summary>SHA-256 of the last value when it was longer than the limit (and cut); null otherwise.</summary>
    public byte[]? OversizedSha256 { get; private set; }

    public ReadOnlySpan<byte> Bytes(RawValue value) => _buffer.AsSpan(0, value.Length);
}
