using System.Text;

namespace PriceIntel.Engine.Tests.Serialization;

/// <summary>What every <see cref="IMarketEventSource"/> must do, run against each implementation.</summary>
public abstract class MarketEventSourceContractTests : IDisposable
{
    protected TempDirectory Temp { get; } = new();

    /// <summary>A source that yields exactly <paramref name="events"/> (ids from <paramref name="keys"/>), in order.</summary>
    protected abstract IMarketEventSource CreateSource(MarketKeys keys, MarketEvent[] events);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(1000)]
    public async Task Yields_every_event_in_order_whatever_the_batch_size(int batchSize)
    {
        var keys = new MarketKeys();
        var events = TestEvents.Sample(keys, 103);
        await using var source = CreateSource(keys, events);
        var rejections = new RejectionCollector();
        var read = await TestEvents.ReadAllAsync(source, rejections, batchSize);
        TestEvents.AssertSame(events, read);
        Assert.Empty(rejections.Items);
    }

    [Fact]
    public async Task Keeps_returning_zero_once_finished()
    {
        var keys = new MarketKeys();
        await using var source = CreateSource(keys, TestEvents.Sample(keys, 2));
        var batch = new MarketEvent[8];
        var rejections = new RejectionCollector();
        int total = 0;
        int n;
        while ((n = await source.ReadAsync(batch, rejections, CancellationToken.None)) > 0)
        {
            total += n;
        }

        Assert.Equal(2, total);
        Assert.Equal(0, await source.ReadAsync(batch, rejections, CancellationToken.None));
        Assert.Equal(0, await source.ReadAsync(batch, rejections, CancellationToken.None));
    }

    [Fact]
    public async Task An_empty_source_finishes_at_once()
    {
        await using var source = CreateSource(new MarketKeys(), []);
        Assert.Equal(0, await source.ReadAsync(new MarketEvent[4], new RejectionCollector(), CancellationToken.None));
    }

    [Fact]
    public async Task Never_writes_past_the_destination()
    {
        var keys = new MarketKeys();
        var events = TestEvents.Sample(keys, 10);
        await using var source = CreateSource(keys, events);
        var buffer = new MarketEvent[10];
        var sentinel = MarketEvent.Inventory(12345, 99, 42);
        buffer[3] = sentinel;
        int n = await source.ReadAsync(buffer.AsMemory(0, 3), new RejectionCollector(), CancellationToken.None);
        Assert.InRange(n, 1, 3);
        Assert.True(TestEvents.Same(sentinel, buffer[3]));
    }

    [Fact]
    public async Task A_cancelled_token_throws()
    {
        var keys = new MarketKeys();
        await using var source = CreateSource(keys, TestEvents.Sample(keys, 5));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.ReadAsync(new MarketEvent[4], new RejectionCollector(), cts.Token));
    }

    [Fact]
    public async Task Has_a_name()
    {
        await using var source = CreateSource(new MarketKeys(), []);
        Assert.False(string.IsNullOrWhiteSpace(source.Name));
    }

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class InMemorySourceContractTests : MarketEventSourceContractTests
{
    protected override IMarketEventSource CreateSource(MarketKeys keys, MarketEvent[] events) => MarketEventSources.InMemory(events);
}

public sealed class InMemoryBatchedSourceContractTests : MarketEventSourceContractTests
{
    protected override IMarketEventSource CreateSource(MarketKeys keys, MarketEvent[] events) =>
        MarketEventSources.InMemory([[], events.Take(events.Length / 3).ToArray(), [], events.Skip(events.Length / 3).ToArray()], "batches");
}

/// <summary>The file source: events are written with the encoder and decoded into fresh key tables.</summary>
public sealed class JsonLinesFileSourceContractTests : MarketEventSourceContractTests
{
    protected override IMarketEventSource CreateSource(MarketKeys keys, MarketEvent[] events)
    {
        var path = Temp.File($"events-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, TestEvents.Encode(keys, events));
        return MarketEventSources.JsonLinesFile(path, keys);
    }
}

/// <summary>The stream source over a stream that trickles 7 bytes a read, so every line straddles buffer segments.</summary>
public sealed class TrickleStreamSourceContractTests : MarketEventSourceContractTests
{
    protected override IMarketEventSource CreateSource(MarketKeys keys, MarketEvent[] events) =>
        MarketEventSources.JsonLines(new TrickleStream(Encoding.UTF8.GetBytes(TestEvents.Encode(keys, events)), 7), keys, "trickle");
}
