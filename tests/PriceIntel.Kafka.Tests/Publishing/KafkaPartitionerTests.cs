using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Kafka.Publishing;

namespace PriceIntel.Kafka.Tests.Publishing;

public sealed class KafkaPartitionerTests
{
    /// <summary>The vectors of Apache Kafka's own UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).</summary>
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_Java_client(string key, int expected)
    {
        Assert.Equal(expected, KafkaPartitioner.Murmur2(Encoding.ASCII.GetBytes(key)));
        Assert.Equal(expected, JavaMurmur2(Encoding.ASCII.GetBytes(key)));
    }

    [Property(MaxTest = 2000)]
    public Property Murmur2_agrees_with_a_literal_transcription_of_the_Java_code() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())), bytes =>
            KafkaPartitioner.Murmur2(bytes) == JavaMurmur2(bytes));

    [Property(MaxTest = 1000)]
    public Property Partition_is_in_range_deterministic_and_the_Java_formula()
    {
        var gen =
            from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())
            from count in Gen.OneOf(Gen.Choose(1, 16), Gen.Choose(1, 100_000), Gen.Constant(int.MaxValue))
            select (bytes, count);
        return Prop.ForAll(Arb.From(gen), t =>
        {
            int p = KafkaPartitioner.Partition(t.bytes, t.count);
            return p >= 0 && p < t.count
                && p == KafkaPartitioner.Partition(t.bytes.AsSpan(), t.count)
                && p == (JavaMurmur2(t.bytes) & 0x7fffffff) % t.count;
        });
    }

    [Property(MaxTest = 500)]
    public Property Text_keys_hash_as_their_UTF8_bytes()
    {
        var gen =
            from text in Gen.Elements("SKU-1", "é-ü-ß", "emoji-🙂", "0", "a much longer product key with spaces and ümlauts")
            from suffix in Gen.Choose(0, 1_000_000)
            from count in Gen.Choose(1, 256)
            select (key: text + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
        return Prop.ForAll(Arb.From(gen), t =>
            KafkaPartitioner.Partition(t.key.AsSpan(), t.count) == KafkaPartitioner.Partition(Encoding.UTF8.GetBytes(t.key), t.count));
    }

    [Fact]
    public void Keys_spread_over_all_partitions()
    {
        var hits = new int[12];
        for (int i = 0; i < 12_000; i++)
        {
            hits[KafkaPartitioner.Partition($"SKU-{i}".AsSpan(), hits.Length)]++;
        }

        Assert.All(hits, h => Assert.InRange(h, 800, 1200));
    }

    [Fact]
    public void A_non_positive_partition_count_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPartitioner.Partition("k"u8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KafkaPartitioner.Partition("k"u8, -3));
    }

    /// <summary>
    /// org.apache.kafka.common.utils.Utils.murmur2 transcribed line by line: signed ints that wrap,
    /// <c>&gt;&gt;&gt;</c> as an unsigned shift, the switch with its fall-through written out.
    /// </summary>
    private static int JavaMurmur2(byte[] data)
    {
        unchecked
        {
            int length = data.Length;
            int seed = (int)0x9747b28c;
            const int m = 0x5bd1e995;
            const int r = 24;

            int h = seed ^ length;
            int length4 = length / 4;

            for (int i = 0; i < length4; i++)
            {
                int i4 = i * 4;
                int k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
                k *= m;
                k ^= (int)((uint)k >> r);
                k *= m;
                h *= m;
                h ^= k;
            }

            int rest = length % 4;
            if (rest == 3)
            {
                h ^= (data[(length & ~3) + 2] & 0xff) << 16;
            }

            if (rest >= 2)
            {
                h ^= (data[(length & ~3) + 1] & 0xff) << 8;
            }

            if (rest >= 1)
            {
                h ^= data[length & ~3] & 0xff;
                h *= m;
            }

            h ^= (int)((uint)h >> 13);
            h *= m;
            h ^= (int)((uint)h >> 15);
            return h;
        }
    }
}
