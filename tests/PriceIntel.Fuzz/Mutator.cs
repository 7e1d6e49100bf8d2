using System.Text;

namespace PriceIntel.Fuzz;

/// <summary>
/// Makes new inputs from corpus entries: bit flips, special bytes and characters, lone surrogates (raw
/// and escaped), huge and odd numbers, deep nesting, splices of two entries, truncation, chunk
/// duplication and deletion, dictionary tokens. Deterministic for a given <see cref="Random"/> seed.
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> dictionary, int maxBytes)
{
    private static readonly byte[][] Specials =
    [
        "\0"u8.ToArray(), [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], "\""u8.ToArray(), "\\"u8.ToArray(),
        "\\ud800"u8.ToArray(), "\\udc00\\ud800"u8.ToArray(), "\\u0000"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(),
        "["u8.ToArray(), "]"u8.ToArray(), "<"u8.ToArray(), ">"u8.ToArray(), "&"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(),
        "1e309"u8.ToArray(), "-1e309"u8.ToArray(), "99999999999999999999999999"u8.ToArray(), "-0"u8.ToArray(), "NaN"u8.ToArray(),
        "0.0000000000000000000001"u8.ToArray(), "9223372036854775808"u8.ToArray(), "-9223372036854775809"u8.ToArray(),
        "2147483648"u8.ToArray(), "\u00A0"u8.ToArray(), "\u202E"u8.ToArray(), "\uFEFF"u8.ToArray(), "€"u8.ToArray(),
        "&#xD800;"u8.ToArray(), "&#0;"u8.ToArray(), "*x"u8.ToArray(), "&x "u8.ToArray(), "<<: "u8.ToArray(), "!!binary "u8.ToArray(),
    ];

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        var steps = 1 + random.Next(4);
        for (var i = 0; i < steps; i++)
        {
            MutateOnce(data, corpus);
        }

        if (data.Count > maxBytes)
        {
            data.RemoveRange(maxBytes, data.Count - maxBytes);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        switch (random.Next(12))
        {
            case 0 when data.Count > 0:
                var bit = random.Next(data.Count * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 2:
                data.InsertRange(Position(data), Pick(Specials));
                break;
            case 3 when dictionary.Count > 0:
                data.InsertRange(Position(data), Pick(dictionary));
                break;
            case 4 when data.Count > 0:
                var cut = random.Next(data.Count + 1);
                data.RemoveRange(cut, data.Count - cut);
                break;
            case 5 when data.Count > 1:
                var start = random.Next(data.Count);
                var length = Math.Min(data.Count - start, 1 + random.Next(64));
                data.RemoveRange(start, length);
                break;
            case 6 when data.Count > 1:
                var from = random.Next(data.Count);
                var count = Math.Min(data.Count - from, 1 + random.Next(256));
                var chunk = data.GetRange(from, count);
                var times = 1 + random.Next(random.Next(2) == 0 ? 4 : 200);
                var at = Position(data);
                for (var t = 0; t < times && data.Count < maxBytes; t++)
                {
                    data.InsertRange(at, chunk);
                }

                break;
            case 7 when corpus.Count > 0:
                var other = corpus[random.Next(corpus.Count)];
                if (other.Length > 0)
                {
                    var otherStart = random.Next(other.Length);
                    var otherLength = Math.Min(other.Length - otherStart, 1 + random.Next(512));
                    data.InsertRange(Position(data), other.AsSpan(otherStart, otherLength).ToArray());
                }

                break;
            case 8:
                data.InsertRange(Position(data), Nesting());
                break;
            case 9:
                data.InsertRange(Position(data), Encoding.UTF8.GetBytes(Number()));
                break;
            case 10 when data.Count > 0:
                // Replace a run of digits with an extreme number.
                var digit = data.FindIndex(random.Next(data.Count), b => b is >= (byte)'0' and <= (byte)'9');
                if (digit >= 0)
                {
                    var end = digit;
                    while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.')
                    {
                        end++;
                    }

                    data.RemoveRange(digit, end - digit);
                    data.InsertRange(digit, Encoding.UTF8.GetBytes(Number()));
                }

                break;
            default:
                data.Insert(Position(data), (byte)random.Next(256));
                break;
        }
    }

    private int Position(List<byte> data) => random.Next(data.Count + 1);

    private byte[] Pick(IReadOnlyList<byte[]> items) => items[random.Next(items.Count)];

    private byte[] Nesting()
    {
        var depth = random.Next(3) switch { 0 => 1 + random.Next(16), 1 => 64 + random.Next(256), _ => 1_000 + random.Next(20_000) };
        var open = random.Next(5) switch
        {
            0 => "["u8.ToArray(),
            1 => "{\"a\":"u8.ToArray(),
            2 => "<div>"u8.ToArray(),
            3 => "- "u8.ToArray(),
            _ => "a:\n "u8.ToArray(),
        };
        var result = new byte[Math.Min(open.Length * depth, maxBytes)];
        for (var i = 0; i + open.Length <= result.Length; i += open.Length)
        {
            open.CopyTo(result, i);
        }

        return result;
    }

    private string Number() => random.Next(8) switch
    {
        0 => new string('9', 1 + random.Next(400)),
        1 => "1e" + random.Next(-400, 400),
        2 => "0." + new string('0', random.Next(400)) + "1",
        3 => long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        4 => "-" + random.Next(),
        5 => "1,000,000.00",
        6 => "1.000.000,00",
        _ => random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}
