using System.Text;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class JsonLinesSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private const string Good1 = """{"type":"competitor_price","product":"SKU-1","competitor":"acme","platform":"web","price":19.99,"currency":"USD","availability":"in_stock","ts":1732406400000}""";
    private const string Good2 = """{"type":"demand","product":"SKU-1","action":"purchase","quantity":2,"price":18.5,"currency":"USD","ts":1732406401000}""";
    private const string Good3 = """{"type":"inventory","product":"SKU-2","units":42,"ts":1732406402000}""";
    private const string Good4 = """{"type":"cost","product":"SKU-2","cost":12.5,"currency":"EUR","ts":"2024-11-24T00:00:03Z"}""";
    private const string Good5 = """{"type":"list_price","product":"SKU-2","price":21.99,"currency":"EUR","ts":1732406404000}""";

    [Fact]
    public async Task A_file_mixing_good_and_bad_lines_yields_every_good_event_and_rejects_every_bad_one()
    {
        var overlong = """{"type":"inventory","product":"SKU-9","units":1,"ts":1,"pad":" """ + new string('x', 70_000) + "\"}";
        var lines = new List<byte[]>
        {
            Bytes(Good1),                                                                                              // 1
            Bytes("""{"type":"competitor_price","product":"SKU-1","competitor":"acme",""" ),                          // 2 malformed
            Bytes(Good2),                                                                                              // 3
            Bytes("""{"type":"competitor_price","product":"SKU-1","competitor":"acme","price":"NaN","currency":"USD","ts":1}"""), // 4
            Bytes("""{"type":"competitor_price","product":"SKU-1","competitor":"acme","price":-3.5,"currency":"USD","ts":1}"""),  // 5
            Bytes("""{"type":"competitor_price","product":"SKU-1","competitor":"acme","price":5e15,"currency":"USD","ts":1}"""),  // 6
            Bytes(string.Empty),                                                                                       // 7 empty: skipped, not rejected
            Bytes("""{"type":"refund","product":"SKU-1","ts":1}"""),                                                   // 8
            Bytes(Good3),                                                                                              // 9
            Bytes("""{"type":"list_price","product":"SKU-1","price":1,"currency":"ABC","ts":1}"""),                    // 10
            Bytes(overlong),                                                                                           // 11
            (byte[])[.. Bytes("""{"type":"inventory","product":"SKU-"""), 0xFF, 0xFE, .. Bytes("\",\"units\":1,\"ts\":1}")],  // 12 invalid UTF-8
            Bytes(Good4),                                                                                              // 13
        };
        var content = new List<byte>();
        foreach (var line in lines)
        {
            content.AddRange(line);
            content.AddRange("\r\n"u8.ToArray());
        }

        content.AddRange(Bytes(Good5)); // last line without a newline
        var path = _temp.File("mixed.jsonl");
        await File.WriteAllBytesAsync(path, [.. content]);

        var keys = new MarketKeys();
        var rejections = new RejectionCollector();
        await using var source = MarketEventSources.JsonLinesFile(path, keys);
        var events = await TestEvents.ReadAllAsync(source, rejections, batchSize: 2);

        Assert.Equal(
            [MarketEventKind.CompetitorPrice, MarketEventKind.Demand, MarketEventKind.Inventory, MarketEventKind.Cost, MarketEventKind.ListPrice],
            events.Select(e => e.Kind));
        Assert.Equal([199_900L, 185_000L, 0L, 125_000L, 219_900L], events.Select(e => e.Price.Ticks));
        Assert.Equal(1_732_406_403_000, events[3].Timestamp);
        Assert.Equal(["SKU-1", "SKU-2"], Enumerable.Range(0, keys.Products.Count).Select(keys.Products.GetName));

        var rejected = rejections.Items;
        Assert.Equal([2L, 4, 5, 6, 8, 10, 11, 12], rejected.Select(r => r.Position));
        Assert.All(rejected, r => Assert.Equal(path, r.Source));
        Assert.Contains("malformed JSON", rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("price 'NaN' is not a number", rejected[1].Reason, StringComparison.Ordinal);
        Assert.Contains("price -3.50 must be above zero", rejected[2].Reason, StringComparison.Ordinal);
        Assert.Contains("price is absurdly large", rejected[3].Reason, StringComparison.Ordinal);
        Assert.Contains("unknown type 'refund'", rejected[4].Reason, StringComparison.Ordinal);
        Assert.Contains("unknown currency 'ABC'", rejected[5].Reason, StringComparison.Ordinal);
        Assert.Contains("longer than the maximum of 65536 bytes", rejected[6].Reason, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", rejected[7].Reason, StringComparison.Ordinal);
        Assert.Equal("""{"type":"competitor_price","product":"SKU-1","competitor":"acme",""", rejected[0].Payload);
        Assert.True(rejected[6].Payload.Length <= RejectedInput.MaxPayloadLength + 1);
    }

    [Fact]
    public async Task An_overlong_line_is_discarded_without_buffering_it_and_reading_goes_on()
    {
        // 2 MB with no newline, through a stream that trickles, then a good line.
        var data = new List<byte>();
        data.AddRange(Bytes("{\"pad\":\""));
        data.AddRange(Enumerable.Repeat((byte)'x', 2_000_000));
        data.AddRange(Bytes("\"}\n" + Good3 + "\n"));
        var keys = new MarketKeys();
        var rejections = new RejectionCollector();
        await using var source = MarketEventSources.JsonLines(new TrickleStream([.. data], 50_000), keys, "big", maxLineBytes: 1024);
        var events = await TestEvents.ReadAllAsync(source, rejections, 16);
        Assert.Single(events);
        Assert.Equal(42, events[0].Quantity);
        var rejected = Assert.Single(rejections.Items);
        Assert.Equal(1, rejected.Position);
        Assert.Contains("longer than the maximum of 1024 bytes", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Line_numbers_count_empty_lines_and_crlf()
    {
        var text = "\n\r\n" + Good3 + "\r\n\n{bad}\n";
        var rejections = new RejectionCollector();
        await using var source = MarketEventSources.JsonLines(new MemoryStream(Bytes(text)), new MarketKeys(), "mem");
        var events = await TestEvents.ReadAllAsync(source, rejections);
        Assert.Single(events);
        Assert.Equal(5, Assert.Single(rejections.Items).Position);
    }

    [Fact]
    public async Task Recorded_events_replay_identically()
    {
        var keys = new MarketKeys();
        var events = TestEvents.Sample(keys, 500);
        var path = _temp.File("recorded/stream.jsonl");
        await using (var recorder = JsonLinesEventRecorder.Create(path, keys))
        {
            await using var recording = MarketEventSources.Recording(MarketEventSources.InMemory(events), recorder);
            var passed = await TestEvents.ReadAllAsync(recording, new RejectionCollector(), 64);
            TestEvents.AssertSame(events, passed);
            Assert.Equal(500, recorder.EventsWritten);
        }

        Assert.Equal(500, File.ReadAllLines(path).Length);
        await using var replay = MarketEventSources.JsonLinesFile(path, keys);
        TestEvents.AssertSame(events, await TestEvents.ReadAllAsync(replay, new RejectionCollector(), 100));
    }

    [Fact]
    public async Task A_missing_file_throws_FileNotFoundException()
    {
        var error = Assert.Throws<FileNotFoundException>(() => MarketEventSources.JsonLinesFile(_temp.File("nope.jsonl"), new MarketKeys()));
        await Task.CompletedTask;
        Assert.Contains("nope.jsonl", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose() => _temp.Dispose();
}
