using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace PriceIntel.Kafka.Publishing;

/// <summary>
/// Kafka's default key partitioner, as the Java client computes it (<c>BuiltInPartitioner.partitionForKey</c>):
/// the 32-bit MurmurHash2 of the key bytes with seed <c>0x9747b28c</c> (<c>Utils.murmur2</c>), made positive
/// by clearing the sign bit, modulo the partition count. librdkafka's <c>murmur2</c> / <c>murmur2_random</c>
/// partitioners give the same partitions. The publisher computes partitions itself and produces to explicit
/// partitions, so every producer and every input topic places a product on the same partition whatever
/// client or partitioner setting it uses.
/// </summary>
internal static class KafkaPartitioner
{
    /// <summary>The seed Kafka uses for its murmur2 key hash.</summary>
    public const uint Seed = 0x9747b28c;

    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>Kafka's <c>Utils.murmur2</c> of <paramref name="data"/>, as the signed value Java returns.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int whole = length & ~3;
        for (int i = 0; i < whole; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= M;
                break;
            case 1:
                h ^= data[whole];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>The partition Kafka's default partitioner assigns to a key: <c>(murmur2(key) &amp; 0x7fffffff) % partitionCount</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is not positive.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return (Murmur2(key) & 0x7fffffff) % partitionCount;
    }

    /// <summary>The partition of a text key, hashed as its UTF-8 bytes (what Kafka's string serializers send).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is not positive.</exception>
    [SkipLocalsInit]
    public static int Partition(ReadOnlySpan<char> key, int partitionCount)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var utf8 = max <= 1024 ? stackalloc byte[1024] : new byte[max];
        int n = Encoding.UTF8.GetBytes(key, utf8);
        return Partition(utf8[..n], partitionCount);
    }
}
