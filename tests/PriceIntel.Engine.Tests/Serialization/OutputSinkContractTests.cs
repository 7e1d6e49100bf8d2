using System.Text;

namespace PriceIntel.Engine.Tests.Serialization;

/// <summary>What every <see cref="IMarketOutputSink"/> must do, run against each implementation.</summary>
public abstract class OutputSinkContractTests : IDisposable
{
    protected TempDirectory Temp { get; } = new();

    protected abstract Task<IMarketOutputSink> CreateSinkAsync();

    /// <summary>What the sink delivered, in the order written (after a flush).</summary>
    protected abstract Task<(IReadOnlyList<StoredSignal> Signals, IReadOnlyList<StoredDecision> Decisions)> ReadBackAsync(IMarketOutputSink sink);

    [Fact]
    public async Task Flushed_outputs_come_back_with_keys_resolved_and_values_exact()
    {
        var keys = new MarketKeys();
        var signals = new[]
        {
            TestOutputs.Signal(keys, 0x00AB_0000_0000_0001, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", 1_000),
            TestOutputs.Signal(keys, 0xFFFF_FFFF_FFFF_FFFF, SignalKind.DemandSurge, "SKU-é", null, 2_000, observed: double.NaN),
        };
        var decisions = new[] { TestOutputs.Decision(keys, 42, "SKU-1", 1_500), TestOutputs.Decision(keys, 43, "SKU-\"2\"", 2_500, newTicks: 1) };
        await using var sink = await CreateSinkAsync();
        await sink.WriteAsync(TestOutputs.Batch(keys, signals, decisions), CancellationToken.None);
        await sink.FlushAsync(CancellationToken.None);

        var (gotSignals, gotDecisions) = await ReadBackAsync(sink);
        Assert.Equal(signals.Select(s => StoredSignal.From(s, keys)), gotSignals);
        Assert.Equal(decisions.Select(d => StoredDecision.From(d, keys)), gotDecisions);
        Assert.Equal(18.99m, gotDecisions[0].NewPrice);
        Assert.Equal(18.5123m, gotDecisions[0].TargetPrice);
        Assert.Equal(0.0001m, gotDecisions[1].NewPrice);
        Assert.Null(gotSignals[1].Competitor);
        Assert.True(double.IsNaN(gotSignals[1].Observed));
    }

    [Fact]
    public async Task Batches_accumulate_in_order_and_the_batch_memory_may_be_reused_after_the_call()
    {
        var keys = new MarketKeys();
        var reused = new MarketSignal[1];
        var reusedDecision = new PricingDecision[1];
        await using var sink = await CreateSinkAsync();
        var expectedSignals = new List<StoredSignal>();
        var expectedDecisions = new List<StoredDecision>();
        for (int i = 0; i < 50; i++)
        {
            reused[0] = TestOutputs.Signal(keys, (ulong)(1000 + i), SignalKind.LowInventory, $"SKU-{i % 3}", null, 10_000 + i);
            reusedDecision[0] = TestOutputs.Decision(keys, (ulong)(5000 + i), $"SKU-{i % 3}", 10_000 + i, 100_000 + i);
            expectedSignals.Add(StoredSignal.From(reused[0], keys));
            expectedDecisions.Add(StoredDecision.From(reusedDecision[0], keys));
            await sink.WriteAsync(new OutputBatch(reused, reusedDecision, keys), CancellationToken.None);
        }

        reused[0] = default;
        await sink.FlushAsync(CancellationToken.None);
        var (signals, decisions) = await ReadBackAsync(sink);
        Assert.Equal(expectedSignals, signals);
        Assert.Equal(expectedDecisions, decisions);
    }

    [Fact]
    public async Task An_empty_batch_delivers_nothing()
    {
        await using var sink = await CreateSinkAsync();
        await sink.WriteAsync(new OutputBatch(default, default, new MarketKeys()), CancellationToken.None);
        await sink.FlushAsync(CancellationToken.None);
        var (signals, decisions) = await ReadBackAsync(sink);
        Assert.Empty(signals);
        Assert.Empty(decisions);
    }

    [Fact]
    public async Task A_cancelled_token_throws()
    {
        var keys = new MarketKeys();
        await using var sink = await CreateSinkAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var batch = TestOutputs.Batch(keys, [TestOutputs.Signal(keys, 1, SignalKind.LowInventory, "p", null, 1)], []);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sink.WriteAsync(batch, cts.Token));
    }

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static (IReadOnlyList<StoredSignal>, IReadOnlyList<StoredDecision>) ParseLines(IEnumerable<string> lines)
    {
        var signals = new List<StoredSignal>();
        var decisions = new List<StoredDecision>();
        foreach (var line in lines)
        {
            Assert.True(MarketOutputJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(line), out var s, out var d, out var error), error);
            if (s is not null)
            {
                signals.Add(s);
            }
            else
            {
                decisions.Add(d!);
            }
        }

        return (signals, decisions);
    }
}

public sealed class InMemoryOutputSinkContractTests : OutputSinkContractTests
{
    protected override Task<IMarketOutputSink> CreateSinkAsync() => Task.FromResult<IMarketOutputSink>(MarketOutputSinks.InMemory());

    protected override Task<(IReadOnlyList<StoredSignal> Signals, IReadOnlyList<StoredDecision> Decisions)> ReadBackAsync(IMarketOutputSink sink)
    {
        var memory = (InMemoryOutputSink)sink;
        return Task.FromResult((memory.Signals, memory.Decisions));
    }
}

public sealed class JsonLinesFileSinkContractTests : OutputSinkContractTests
{
    private string Path => Temp.File("out/outputs.jsonl");

    protected override Task<IMarketOutputSink> CreateSinkAsync() => Task.FromResult(MarketOutputSinks.JsonLinesFile(Path));

    protected override Task<(IReadOnlyList<StoredSignal> Signals, IReadOnlyList<StoredDecision> Decisions)> ReadBackAsync(IMarketOutputSink sink) =>
        Task.FromResult(ParseLines(ReadShared(Path)));

    internal static IEnumerable<string> ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

public sealed class JsonLinesTwoFileSinkContractTests : OutputSinkContractTests
{
    protected override Task<IMarketOutputSink> CreateSinkAsync() =>
        Task.FromResult(MarketOutputSinks.JsonLinesFiles(Temp.File("signals.jsonl"), Temp.File("decisions.jsonl")));

    protected override Task<(IReadOnlyList<StoredSignal> Signals, IReadOnlyList<StoredDecision> Decisions)> ReadBackAsync(IMarketOutputSink sink)
    {
        var (signals, noDecisions) = ParseLines(JsonLinesFileSinkContractTests.ReadShared(Temp.File("signals.jsonl")));
        var (noSignals, decisions) = ParseLines(JsonLinesFileSinkContractTests.ReadShared(Temp.File("decisions.jsonl")));
        Assert.Empty(noDecisions);
        Assert.Empty(noSignals);
        return Task.FromResult((signals, decisions));
    }
}
