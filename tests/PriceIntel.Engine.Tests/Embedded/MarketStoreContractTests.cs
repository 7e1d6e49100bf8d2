using PriceIntel.Engine.Tests.Serialization;

namespace PriceIntel.Engine.Tests.Embedded;

/// <summary>
/// What every <see cref="IMarketStore"/> must do: run against the embedded store here and against
/// other stores (e.g. MongoDB) by deriving from this class.
/// </summary>
public abstract class MarketStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_732_406_400_000);

    private IMarketStore? _store;

    protected MarketKeys Keys { get; } = new();

    protected IMarketStore Store => _store ?? throw new InvalidOperationException("not initialised");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IMarketStore> CreateStoreAsync();

    /// <summary>Whether <see cref="ReopenAsync"/> is supported.</summary>
    protected virtual bool SupportsReopen => false;

    /// <summary>Disposes <paramref name="store"/> and opens the same store again.</summary>
    protected virtual Task<IMarketStore> ReopenAsync(IMarketStore store) => throw new NotSupportedException();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Cleanup();
    }

    protected virtual void Cleanup()
    {
    }

    private static long Ms(int minutes) => T0.AddMinutes(minutes).ToUnixTimeMilliseconds();

    private Task WriteAsync(MarketSignal[] signals, PricingDecision[] decisions) =>
        Store.WriteAsync(new OutputBatch(signals, decisions, Keys), CancellationToken.None).AsTask();

    private async Task SeedAsync()
    {
        // Deliberately out of time order within and across batches.
        await WriteAsync(
            [
                TestOutputs.Signal(Keys, 1, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", Ms(10)),
                TestOutputs.Signal(Keys, 2, SignalKind.LowInventory, "SKU-2", null, Ms(5)),
                TestOutputs.Signal(Keys, 3, SignalKind.PriceAnomaly, "SKU-1", "zeta", Ms(30)),
            ],
            [TestOutputs.Decision(Keys, 101, "SKU-1", Ms(10)), TestOutputs.Decision(Keys, 102, "SKU-2", Ms(20))]);
        await WriteAsync(
            [
                TestOutputs.Signal(Keys, 4, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", Ms(20)),
                TestOutputs.Signal(Keys, 5, SignalKind.DemandSurge, "SKU-3", null, Ms(0)),
            ],
            [TestOutputs.Decision(Keys, 103, "SKU-1", Ms(40)), TestOutputs.Decision(Keys, 104, "SKU-1", Ms(1))]);
        await Store.FlushAsync(CancellationToken.None);
    }

    private async Task<ulong[]> SignalIds(StoreQuery query, SignalKind? kind = null) =>
        [.. (await Store.QuerySignalsAsync(query, kind, CancellationToken.None)).Select(s => s.Id)];

    private async Task<ulong[]> DecisionIds(StoreQuery query) =>
        [.. (await Store.QueryDecisionsAsync(query, CancellationToken.None)).Select(d => d.Id)];

    [Fact]
    public async Task Queries_return_newest_first()
    {
        await SeedAsync();
        Assert.Equal(new ulong[] { 3UL, 4, 1, 2, 5 }, await SignalIds(new StoreQuery()));
        Assert.Equal(new ulong[] { 103UL, 102, 101, 104 }, await DecisionIds(new StoreQuery()));
    }

    [Fact]
    public async Task Stored_records_keep_every_value()
    {
        await SeedAsync();
        var signal = (await Store.QuerySignalsAsync(new StoreQuery("SKU-1", Limit: 1), null, CancellationToken.None)).Single();
        Assert.Equal(StoredSignal.From(TestOutputs.Signal(Keys, 3, SignalKind.PriceAnomaly, "SKU-1", "zeta", Ms(30)), Keys), signal);
        var decision = (await Store.QueryDecisionsAsync(new StoreQuery("SKU-2"), CancellationToken.None)).Single();
        Assert.Equal(StoredDecision.From(TestOutputs.Decision(Keys, 102, "SKU-2", Ms(20)), Keys), decision);
    }

    [Fact]
    public async Task Filters_by_product()
    {
        await SeedAsync();
        Assert.Equal(new ulong[] { 3UL, 4, 1 }, await SignalIds(new StoreQuery("SKU-1")));
        Assert.Equal(new ulong[] { 103UL, 101, 104 }, await DecisionIds(new StoreQuery("SKU-1")));
        Assert.Empty(await SignalIds(new StoreQuery("SKU-unknown")));
    }

    [Fact]
    public async Task Time_range_includes_from_and_excludes_to()
    {
        await SeedAsync();
        Assert.Equal(new ulong[] { 4UL, 1 }, await SignalIds(new StoreQuery(From: T0.AddMinutes(10), To: T0.AddMinutes(30))));
        Assert.Equal(new ulong[] { 102UL, 101 }, await DecisionIds(new StoreQuery(From: T0.AddMinutes(10), To: T0.AddMinutes(40))));
        Assert.Equal(new ulong[] { 3UL, 4 }, await SignalIds(new StoreQuery("SKU-1", From: T0.AddMinutes(11))));
        Assert.Equal(new ulong[] { 2UL, 5 }, await SignalIds(new StoreQuery(To: T0.AddMinutes(10))));
    }

    [Fact]
    public async Task Filters_signals_by_kind()
    {
        await SeedAsync();
        Assert.Equal(new ulong[] { 4UL, 1 }, await SignalIds(new StoreQuery(), SignalKind.CompetitorPriceDrop));
        Assert.Empty(await SignalIds(new StoreQuery("SKU-2"), SignalKind.CompetitorPriceDrop));
    }

    [Fact]
    public async Task Limit_keeps_the_newest()
    {
        await SeedAsync();
        Assert.Equal(new ulong[] { 3UL, 4 }, await SignalIds(new StoreQuery(Limit: 2)));
        Assert.Equal(new ulong[] { 103UL }, await DecisionIds(new StoreQuery(Limit: 1)));
        Assert.Equal(new ulong[] { 4UL }, await SignalIds(new StoreQuery(Limit: 1), SignalKind.CompetitorPriceDrop));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task Limits_out_of_range_are_refused(int limit)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.QueryDecisionsAsync(new StoreQuery(Limit: limit), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.QuerySignalsAsync(new StoreQuery(Limit: limit), null, CancellationToken.None));
    }

    [Fact]
    public async Task The_same_id_is_stored_once_so_replays_are_safe()
    {
        await SeedAsync();
        await SeedAsync();
        await WriteAsync([TestOutputs.Signal(Keys, 1, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", Ms(10))], [TestOutputs.Decision(Keys, 101, "SKU-1", Ms(10))]);
        Assert.Equal(5, (await SignalIds(new StoreQuery())).Length);
        Assert.Equal(4, (await DecisionIds(new StoreQuery())).Length);
    }

    [Fact]
    public async Task Reopening_keeps_everything_and_still_drops_replays()
    {
        if (!SupportsReopen)
        {
            return;
        }

        await SeedAsync();
        _store = await ReopenAsync(Store);
        Assert.Equal(new ulong[] { 3UL, 4, 1, 2, 5 }, await SignalIds(new StoreQuery()));
        Assert.Equal(new ulong[] { 103UL, 102, 101, 104 }, await DecisionIds(new StoreQuery()));
        await SeedAsync();
        await WriteAsync([TestOutputs.Signal(Keys, 6, SignalKind.LowInventory, "SKU-2", null, Ms(50))], []);
        await Store.FlushAsync(CancellationToken.None);
        _store = await ReopenAsync(Store);
        Assert.Equal(new ulong[] { 6UL, 3, 4, 1, 2, 5 }, await SignalIds(new StoreQuery()));
        Assert.Equal(4, (await DecisionIds(new StoreQuery())).Length);
    }

    [Fact]
    public async Task Queries_may_run_while_the_pipeline_writes()
    {
        const int Batches = 200;
        var writer = Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                var signals = new MarketSignal[5];
                for (int i = 0; i < signals.Length; i++)
                {
                    signals[i] = TestOutputs.Signal(Keys, (ulong)((b * 10) + i + 1000), SignalKind.DemandSurge, $"SKU-{i}", null, Ms(b));
                }

                await Store.WriteAsync(new OutputBatch(signals, new[] { TestOutputs.Decision(Keys, (ulong)(b + 50_000), "SKU-0", Ms(b)) }, Keys), CancellationToken.None);
            }
        });
        int lastSeen = 0;
        while (!writer.IsCompleted)
        {
            var seen = await Store.QuerySignalsAsync(new StoreQuery(Limit: 10_000), SignalKind.DemandSurge, CancellationToken.None);
            Assert.True(seen.Count >= lastSeen, "a later query never sees fewer records");
            for (int i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i - 1].Time >= seen[i].Time, "newest first");
            }

            lastSeen = seen.Count;
            await Task.Yield();
        }

        await writer;
        await Store.FlushAsync(CancellationToken.None);
        Assert.Equal(Batches * 5, (await Store.QuerySignalsAsync(new StoreQuery(Limit: 10_000), null, CancellationToken.None)).Count);
        Assert.Equal(Batches, (await Store.QueryDecisionsAsync(new StoreQuery("SKU-0", Limit: 10_000), CancellationToken.None)).Count);
    }
}
