using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;

namespace PriceIntel.Benchmarks.Serialization;

/// <summary>
/// Decoding 1,000,000 competitor_price JSON lines (10,000 products × 8 competitors): our <see cref="MarketEventJsonDecoder"/> (keys already
/// interned after the first pass, exact money, validation) against a per-line
/// <see cref="JsonSerializer.Deserialize{TValue}(ReadOnlySpan{byte}, JsonSerializerOptions?)"/>
/// into a DTO with strings and a decimal, the obvious way to do it, and against the decoder's own
/// <see cref="Utf8JsonReader"/> path alone (<see cref="MarketEventJsonDecoder.TryDecodeWithReader"/>,
/// what <c>TryDecode</c> was before its fast path). Figures are per line.
/// </summary>
[MemoryDiagnoser]
public class JsonDecodeBenchmarks
{
    private const int Products = 10_000;
    private const int Competitors = 8;
    private const int Lines = 1_000_000;

    private static readonly JsonSerializerOptions DtoOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private EncodedLines _lines = null!;
    private MarketEventJsonDecoder _decoder = null!;
    private MarketEvent[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        var keys = new MarketKeys();
        var encoder = new MarketEventJsonEncoder(keys);
        var output = new ArrayBufferWriter<byte>(Lines * 200);
        var random = new Random(42);
        var starts = new int[Lines];
        var lengths = new int[Lines];
        for (int i = 0; i < Lines; i++)
        {
            int product = keys.Products.Intern($"SKU-{i % Products:D6}");
            int competitor = keys.Competitors.Intern($"competitor-{(i / Products) % Competitors}");
            var e = MarketEvent.CompetitorPrice(product, competitor, keys.Platforms.Intern("web"), new Money(random.Next(10_000, 50_000_000)), CurrencyCode.Usd, Availability.InStock, 1_732_406_400_000 + (i * 250L));
            starts[i] = output.WrittenCount;
            encoder.Write(in e, output);
            lengths[i] = output.WrittenCount - starts[i] - 1;
        }

        _lines = new EncodedLines(output.WrittenSpan.ToArray(), starts, lengths);
        _decoder = new MarketEventJsonDecoder(keys);
        _events = new MarketEvent[Lines];
        if (MarketEventDecoder() != Lines)
        {
            throw new InvalidOperationException("setup lines must all decode");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public decimal JsonSerializerDto()
    {
        decimal sum = 0;
        for (int i = 0; i < Lines; i++)
        {
            var dto = JsonSerializer.Deserialize<CompetitorPriceDto>(_lines.Line(i), DtoOptions)!;
            sum += dto.Price;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int MarketEventDecoder() => _lines.DecodeAll(_decoder, _events, readerOnly: false);

    [Benchmark(OperationsPerInvoke = Lines)]
    public int MarketEventDecoder_ReaderOnly() => _lines.DecodeAll(_decoder, _events, readerOnly: true);

    /// <summary>The baseline's target type.</summary>
    public sealed class CompetitorPriceDto
    {
        public string Type { get; set; } = string.Empty;

        public string Product { get; set; } = string.Empty;

        public string Competitor { get; set; } = string.Empty;

        public string? Platform { get; set; }

        public decimal Price { get; set; }

        public string Currency { get; set; } = string.Empty;

        public string? Availability { get; set; }

        [JsonPropertyName("ts")]
        public long Ts { get; set; }
    }
}
