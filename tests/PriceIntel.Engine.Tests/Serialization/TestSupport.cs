using System.Text;

namespace PriceIntel.Engine.Tests.Serialization;

/// <summary>Collects rejections in memory.</summary>
public sealed class RejectionCollector : IRejectionSink
{
    private readonly Lock _lock = new();
    private readonly List<RejectedInput> _items = [];

    public IReadOnlyList<RejectedInput> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    public void Reject(RejectedInput rejected)
    {
        lock (_lock)
        {
            _items.Add(rejected);
        }
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("priceintel-io-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>A read-only stream that hands out at most a few bytes per read, so lines straddle pipe segments.</summary>
internal sealed class TrickleStream(byte[] data, int chunk) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class TestEvents
{
    public const long T0 = 1_732_406_400_000;

    /// <summary>Reads a source to its end with the given batch size.</summary>
    public static async Task<List<MarketEvent>> ReadAllAsync(IMarketEventSource source, IRejectionSink rejections, int batchSize = 3)
    {
        var all = new List<MarketEvent>();
        var batch = new MarketEvent[batchSize];
        int n;
        while ((n = await source.ReadAsync(batch, rejections, CancellationToken.None)) > 0)
        {
            Assert.InRange(n, 1, batchSize);
            all.AddRange(batch.AsSpan(0, n));
        }

        return all;
    }

    /// <summary>Encodes events as JSON lines text.</summary>
    public static string Encode(MarketKeys keys, IEnumerable<MarketEvent> events)
    {
        var encoder = new MarketEventJsonEncoder(keys);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var e in events)
        {
            encoder.Write(in e, buffer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A varied, valid sequence of events over a few products.</summary>
    public static MarketEvent[] Sample(MarketKeys keys, int count)
    {
        var result = new MarketEvent[count];
        for (int i = 0; i < count; i++)
        {
            int product = keys.Products.Intern($"SKU-{i % 7}");
            long ts = T0 + (i * 1000L);
            result[i] = (i % 5) switch
            {
                0 => MarketEvent.CompetitorPrice(product, keys.Competitors.Intern($"shop-{i % 3}"), keys.Platforms.Intern("web"), new Money(100_000 + (i * 137)), CurrencyCode.Usd, Availability.InStock, ts),
                1 => MarketEvent.Demand(product, DemandAction.Purchase, 1 + (i % 4), new Money(199_900), CurrencyCode.Usd, ts),
                2 => MarketEvent.Inventory(product, i % 50, ts),
                3 => MarketEvent.Cost(product, new Money(125_000), CurrencyCode.Eur, ts),
                _ => MarketEvent.ListPrice(product, new Money(219_900), CurrencyCode.Usd, ts),
            };
        }

        return result;
    }

    /// <summary>Field-by-field equality (MarketEvent has no value equality of its own).</summary>
    public static bool Same(in MarketEvent a, in MarketEvent b) =>
        a.Kind == b.Kind && a.ProductId == b.ProductId && a.CompetitorId == b.CompetitorId && a.PlatformId == b.PlatformId &&
        a.Price == b.Price && a.Currency == b.Currency && a.Quantity == b.Quantity && a.Action == b.Action &&
        a.Availability == b.Availability && a.Timestamp == b.Timestamp;

    public static void AssertSame(IReadOnlyList<MarketEvent> expected, IReadOnlyList<MarketEvent> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Same(expected[i], actual[i]), $"event {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
