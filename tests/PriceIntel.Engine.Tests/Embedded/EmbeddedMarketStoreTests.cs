using System.Text;
using PriceIntel.Engine.Tests.Serialization;

namespace PriceIntel.Engine.Tests.Embedded;

public sealed class EmbeddedMarketStoreContractTests : MarketStoreContractTests
{
    private readonly TempDirectory _temp = new();

    protected override bool SupportsReopen => true;

    protected override async Task<IMarketStore> CreateStoreAsync() => await EmbeddedMarketStore.OpenAsync(_temp.File("store"));

    protected override async Task<IMarketStore> ReopenAsync(IMarketStore store)
    {
        await store.DisposeAsync();
        var reopened = await EmbeddedMarketStore.OpenAsync(_temp.File("store"));
        Assert.Empty(reopened.OpenReport);
        return reopened;
    }

    protected override void Cleanup() => _temp.Dispose();
}

public sealed class EmbeddedMarketStoreRecoveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MarketKeys _keys = new();

    private string Dir => _temp.File("store");

    private async Task WriteAndCloseAsync(int firstId, int count)
    {
        await using var store = await EmbeddedMarketStore.OpenAsync(Dir);
        var signals = Enumerable.Range(firstId, count).Select(i => TestOutputs.Signal(_keys, (ulong)i, SignalKind.LowInventory, "SKU-1", null, i)).ToArray();
        var decisions = Enumerable.Range(firstId, count).Select(i => TestOutputs.Decision(_keys, (ulong)i, "SKU-1", i)).ToArray();
        await store.WriteAsync(new OutputBatch(signals, decisions, _keys), CancellationToken.None);
        await store.FlushAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_torn_last_line_is_dropped_reported_and_cut_off_so_appends_stay_clean()
    {
        await WriteAndCloseAsync(1, 3);
        var signalsPath = Path.Combine(Dir, EmbeddedMarketStore.SignalsFileName);
        var whole = await File.ReadAllBytesAsync(signalsPath);
        await File.AppendAllTextAsync(signalsPath, """{"type":"signal","id":"00000000000000""");

        await using (var store = await EmbeddedMarketStore.OpenAsync(Dir))
        {
            var problem = Assert.Single(store.OpenReport);
            Assert.Contains("signals.jsonl: torn last line 4", problem, StringComparison.Ordinal);
            Assert.Equal(3, store.SignalCount);
            Assert.Equal(3, store.DecisionCount);
            Assert.Equal(whole, await File.ReadAllBytesAsync(signalsPath));
            await store.WriteAsync(new OutputBatch(new[] { TestOutputs.Signal(_keys, 9, SignalKind.LowInventory, "SKU-1", null, 9) }, default, _keys), CancellationToken.None);
        }

        await using var reopened = await EmbeddedMarketStore.OpenAsync(Dir);
        Assert.Empty(reopened.OpenReport);
        Assert.Equal(4, reopened.SignalCount);
    }

    [Fact]
    public async Task A_whole_last_record_without_its_newline_is_kept_and_the_next_append_starts_a_new_line()
    {
        await WriteAndCloseAsync(1, 2);
        var decisionsPath = Path.Combine(Dir, EmbeddedMarketStore.DecisionsFileName);
        var text = await File.ReadAllTextAsync(decisionsPath);
        await File.WriteAllTextAsync(decisionsPath, text.TrimEnd('\n'));

        await using (var store = await EmbeddedMarketStore.OpenAsync(Dir))
        {
            Assert.Empty(store.OpenReport);
            Assert.Equal(2, store.DecisionCount);
        }

        await WriteAndCloseAsync(3, 1);
        await using var reopened = await EmbeddedMarketStore.OpenAsync(Dir);
        Assert.Empty(reopened.OpenReport);
        Assert.Equal(3, reopened.DecisionCount);
    }

    [Fact]
    public async Task A_corrupt_line_in_the_middle_is_skipped_and_reported()
    {
        await WriteAndCloseAsync(1, 2);
        var signalsPath = Path.Combine(Dir, EmbeddedMarketStore.SignalsFileName);
        var lines = (await File.ReadAllLinesAsync(signalsPath, Encoding.UTF8)).ToList();
        lines.Insert(1, "garbage that is not json");
        await File.WriteAllLinesAsync(signalsPath, lines);

        await using var store = await EmbeddedMarketStore.OpenAsync(Dir);
        var problem = Assert.Single(store.OpenReport);
        Assert.Contains("signals.jsonl: line 2 skipped", problem, StringComparison.Ordinal);
        Assert.Equal(2, store.SignalCount);
    }

    [Fact]
    public async Task Writes_after_dispose_are_refused()
    {
        var store = await EmbeddedMarketStore.OpenAsync(Dir);
        await store.DisposeAsync();
        await store.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
            await store.WriteAsync(new OutputBatch(new[] { TestOutputs.Signal(_keys, 1, SignalKind.LowInventory, "p", null, 1) }, default, _keys), CancellationToken.None));
    }

    public void Dispose() => _temp.Dispose();
}
