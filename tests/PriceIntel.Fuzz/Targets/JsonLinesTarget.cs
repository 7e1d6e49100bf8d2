namespace PriceIntel.Fuzz.Targets;

/// <summary>
/// The JSON Lines event source (the replay path and the wire format every adapter decodes): any bytes
/// give events and rejections, never an exception; every line is either an event or a rejection.
/// </summary>
internal sealed class JsonLinesTarget : FuzzTarget
{
    public override string Name => "json-lines";

    public override IReadOnlyList<byte[]> Dictionary { get; } = Tokens(
        "\"type\":", "\"competitor_price\"", "\"behavior\"", "\"inventory\"", "\"cost\"", "\"product\":", "\"competitor\":",
        "\"platform\":", "\"price\":", "\"currency\":\"USD\"", "\"currency\":\"JPY\"", "\"availability\":\"in_stock\"", "\"action\":\"purchase\"",
        "\"quantity\":", "\"units\":", "\"ts\":", "\"ts\":\"2026-01-05T10:00:00Z\"", "\"cost\":", "null", "true", "1.005", "-1", "\\u00e9");

    public override IEnumerable<byte[]> BuiltInSeeds() =>
    [
        "{\"type\":\"competitor_price\",\"ts\":1767600000000,\"product\":\"SKU-1\",\"competitor\":\"acme\",\"platform\":\"web\",\"price\":19.99,\"currency\":\"USD\",\"availability\":\"in_stock\"}\n"u8.ToArray(),
        "{\"type\":\"behavior\",\"ts\":1767600000000,\"product\":\"SKU-1\",\"action\":\"purchase\",\"quantity\":2}\n{\"type\":\"inventory\",\"ts\":1767600001000,\"product\":\"SKU-1\",\"units\":5}\n"u8.ToArray(),
    ];

    public override void Run(byte[] input)
    {
        var keys = new MarketKeys();
        var sink = new CountingRejections();
        var source = MarketEventSources.JsonLines(new MemoryStream(input, writable: false), keys, "fuzz", leaveOpen: false, maxLineBytes: 16 * 1024);
        var buffer = new MarketEvent[256];
        long events = 0;
        while (true)
        {
            var read = source.ReadAsync(buffer, sink, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (read == 0)
            {
                break;
            }

            events += read;
        }

        source.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var lines = input.Count(b => b == (byte)'\n') + 1;
        if (events + sink.Count > lines)
        {
            throw new InvalidOperationException($"contract: {events} events + {sink.Count} rejections from {lines} lines");
        }
    }

    private sealed class CountingRejections : IRejectionSink
    {
        public int Count { get; private set; }

        public void Reject(RejectedInput rejected)
        {
            if (string.IsNullOrWhiteSpace(rejected.Reason))
            {
                throw new InvalidOperationException("contract: a rejection without a reason");
            }

            Count++;
        }
    }

    internal static byte[][] Tokens(params string[] tokens) => [.. tokens.Select(System.Text.Encoding.UTF8.GetBytes)];
}
