using System.Buffers;
using BenchmarkDotNet.Attributes;
using PriceIntel.Engine.Codec;

namespace PriceIntel.Benchmarks.Serialization;

/// <summary>
/// Decoding events of a simulated market (seed 42, 2,000 products × 8 competitors over two days)
/// as <see cref="MarketEventJsonEncoder"/> writes them: <see cref="MarketEventJsonDecoder.TryDecode"/>
/// against its <see cref="System.Text.Json.Utf8JsonReader"/> path alone
/// (<see cref="MarketEventJsonDecoder.TryDecodeWithReader"/>, the baseline). <see cref="Events"/>
/// <c>mixed</c> is the first 1,000,000 events as they come (mostly competitor prices and demand);
/// an event type name takes only that type's lines among them, repeated to 1,000,000. Figures are per line.
/// </summary>
[MemoryDiagnoser]
public class MixedJsonDecodeBenchmarks
{
    private const int Lines = 1_000_000;

    private EncodedLines _lines = null!;
    private MarketEventJsonDecoder _decoder = null!;
    private MarketEvent[] _events = [];

    /// <summary><c>mixed</c>, or the one event type to decode.</summary>
    [Params("mixed", "competitor_price", "demand", "inventory", "cost", "list_price")]
    public string Events { get; set; } = "mixed";

    [GlobalSetup]
    public void Setup()
    {
        var keys = new MarketKeys();
        var simulator = new MarketSimulator(
            new MarketSimulatorOptions { Seed = 42, ProductCount = 2_000, CompetitorCount = 8, Duration = TimeSpan.FromDays(2) },
            keys);
        var encoder = new MarketEventJsonEncoder(keys);
        var output = new ArrayBufferWriter<byte>(Lines * 160);
        var batch = new MarketEvent[4096];
        var kinds = new int[6];
        var starts = new List<int>(Lines);
        var lengths = new List<int>(Lines);
        int count = 0;
        while (count < Lines)
        {
            int n = simulator.ReadAsync(batch, NoRejections.Instance, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (n == 0)
            {
                throw new InvalidOperationException($"the simulated market has only {count} events; {Lines} are needed");
            }

            for (int i = 0; i < n && count < Lines; i++, count++)
            {
                kinds[(int)batch[i].Kind]++;
                if (Events == "mixed" || Events == WireNames.EventKinds[(int)batch[i].Kind].ToString())
                {
                    int start = output.WrittenCount;
                    encoder.Write(in batch[i], output);
                    starts.Add(start);
                    lengths.Add(output.WrittenCount - start - 1);
                }
            }
        }

        var lineStarts = new int[Lines];
        var lineLengths = new int[Lines];
        for (int i = 0; i < Lines; i++)
        {
            lineStarts[i] = starts[i % starts.Count];
            lineLengths[i] = lengths[i % lengths.Count];
        }

        simulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _lines = new EncodedLines(output.WrittenSpan.ToArray(), lineStarts, lineLengths);
        _decoder = new MarketEventJsonDecoder(keys);
        _events = new MarketEvent[Lines];
        if (MarketEventDecoder() != Lines || MarketEventDecoder_ReaderOnly() != Lines)
        {
            throw new InvalidOperationException("setup lines must all decode");
        }

        Console.WriteLine(
            $"// {Events}: {starts.Count} distinct lines of {output.WrittenCount / (double)starts.Count:F1} bytes on average; the first {Lines} events: " +
            $"{kinds[1]} competitor_price, {kinds[2]} demand, {kinds[3]} inventory, {kinds[4]} cost, {kinds[5]} list_price");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int MarketEventDecoder_ReaderOnly() => _lines.DecodeAll(_decoder, _events, readerOnly: true);

    [Benchmark(OperationsPerInvoke = Lines)]
    public int MarketEventDecoder() => _lines.DecodeAll(_decoder, _events, readerOnly: false);

    /// <summary>The simulator never rejects; anything else is a setup bug.</summary>
    private sealed class NoRejections : IRejectionSink
    {
        public static readonly NoRejections Instance = new();

        public void Reject(RejectedInput rejected) => throw new InvalidOperationException(rejected.Reason);
    }
}
