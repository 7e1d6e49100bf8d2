using System.Text.Json;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class DeadLetterFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Appends_json_lines_counts_and_keeps_a_bounded_tail()
    {
        var path = _temp.File("dead/letters.jsonl");
        using (var dead = new DeadLetterFile(path, tailCapacity: 3))
        {
            for (int i = 1; i <= 5; i++)
            {
                dead.Reject(new RejectedInput("file.jsonl", i, $"reason {i}", $"{{\"line\":{i}}}"));
            }

            Assert.Equal(5, dead.Count);
            Assert.Equal([3L, 4, 5], dead.Tail.Select(r => r.Position));

            // Each record is on disk (in the OS) before Reject returns.
            var lines = JsonLinesFileSinkContractTests.ReadShared(path).ToArray();
            Assert.Equal(5, lines.Length);
            using var doc = JsonDocument.Parse(lines[1]);
            Assert.Equal("file.jsonl", doc.RootElement.GetProperty("source").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("position").GetInt64());
            Assert.Equal("reason 2", doc.RootElement.GetProperty("reason").GetString());
            Assert.Equal("{\"line\":2}", doc.RootElement.GetProperty("payload").GetString());
        }

        // Reopening appends.
        using (var dead = new DeadLetterFile(path))
        {
            dead.Reject(new RejectedInput("x", 0, "again", string.Empty));
            Assert.Equal(1, dead.Count);
        }

        Assert.Equal(6, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task Is_safe_to_share_between_threads()
    {
        var path = _temp.File("shared.jsonl");
        using var dead = new DeadLetterFile(path, tailCapacity: 10);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 250; i++)
            {
                dead.Reject(new RejectedInput($"source-{t}", i, "bad", "payload with \"quotes\" and \n newline"));
            }
        })));
        Assert.Equal(1000, dead.Count);
        Assert.Equal(10, dead.Tail.Count);
        var lines = JsonLinesFileSinkContractTests.ReadShared(path).ToArray();
        Assert.Equal(1000, lines.Length);
        Assert.All(lines, line => Assert.Equal("bad", JsonDocument.Parse(line).RootElement.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Collects_what_a_source_rejects()
    {
        var input = _temp.File("in.jsonl");
        await File.WriteAllTextAsync(input, "{oops}\n{\"type\":\"inventory\",\"product\":\"p\",\"units\":3,\"ts\":1}\n{\"type\":\"inventory\",\"product\":\"p\",\"units\":-3,\"ts\":1}\n");
        using var dead = new DeadLetterFile(_temp.File("dead.jsonl"));
        await using var source = MarketEventSources.JsonLinesFile(input, new MarketKeys());
        var events = await TestEvents.ReadAllAsync(source, dead);
        Assert.Single(events);
        Assert.Equal(2, dead.Count);
        Assert.Equal([1L, 3], dead.Tail.Select(r => r.Position));
        Assert.Contains("units -3 is negative", dead.Tail[1].Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
