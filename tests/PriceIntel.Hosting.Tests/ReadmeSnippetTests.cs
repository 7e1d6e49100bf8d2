using System.Buffers;
using System.Text;
using Microsoft.Extensions.Configuration;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Hosting.Tests;

/// <summary>
/// The README's "Embedding it" snippet, compiled and run: the code between the README markers below is the
/// README's code block, character for character (a test compares them), so the README cannot drift from code
/// that builds and works. It changes the working directory, so it runs alone.
/// </summary>
[Collection(nameof(WorkingDirectoryCollection))]
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task Embedding_snippet_runs_a_file_through_the_engine_into_the_store()
    {
        var work = Directory.CreateTempSubdirectory("priceintel-readme-");
        var previous = Directory.GetCurrentDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(work.FullName, "config"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "config.yaml"), Path.Combine(work.FullName, "config", "config.yaml"));
            int lines = WriteEvents(Path.Combine(work.FullName, "events.jsonl"));
            Directory.SetCurrentDirectory(work.FullName);

            var (summary, recent) = await Snippet();

            Assert.Equal(lines, summary.EventsIn);
            Assert.Equal(1, summary.Rejected); // the one bad line, kept in data/rejected.jsonl
            Assert.Single(File.ReadAllLines(Path.Combine(work.FullName, "data", "rejected.jsonl")));
            Assert.True(summary.Decisions > 0);
            Assert.NotEmpty(recent);
            Assert.All(recent, d => Assert.Equal("SKU-000042", d.Product));
            Assert.True(recent.Count <= 10);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void Readme_shows_exactly_the_code_this_test_runs()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("### Embedding it", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no 'Embedding it' section");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var shown = readme[start..end];

        var source = File.ReadAllText(Path.Combine(root, "tests", "PriceIntel.Hosting.Tests", "ReadmeSnippetTests.cs")).ReplaceLineEndings("\n");
        int from = source.IndexOf("// README:begin\n", StringComparison.Ordinal) + "// README:begin\n".Length;
        int to = source.IndexOf("        // README:end", from, StringComparison.Ordinal);
        var run = string.Concat(source[from..to].Split('\n').Select(l => (l.Length >= 8 ? l[8..] : l.TrimStart()) + "\n"))[..^1];

        Assert.Equal(run, shown);
    }

    private static async Task<(PipelineSummary Summary, IReadOnlyList<StoredDecision> Recent)> Snippet()
    {
#pragma warning disable IDE0007 // the README shows the summary's type
        // README:begin
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())   // the file paths below are relative to the working directory
            .AddPriceIntelYamlFile("config/config.yaml")
            .AddPriceIntelEnvironmentVariables()            // PriceIntel__Pricing__MinMargin=0.08 overrides the file
            .Build();
        var options = PriceIntelConfiguration.Bind(configuration);
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(options, keys);
        await using var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = "data/priceintel.db" });
        using var deadLetters = new DeadLetterFile("data/rejected.jsonl");
        var source = PriceHistorySources.Recording(MarketEventSources.JsonLinesFile("events.jsonl", keys), store, keys);
        var pipeline = MarketPipeline.Create(source, engine, [store], options.Pipeline, deadLetters);
        PipelineSummary summary = await pipeline.RunAsync(cancel.Token);
        var recent = await store.QueryDecisionsAsync(new DecisionQuery { Product = "SKU-000042", Limit = 10 }, cancel.Token);
        // README:end
#pragma warning restore IDE0007
        return (summary, recent.Items);
    }

    /// <summary>Two hours of one product against two competitors (one cuts its price), and one bad line.</summary>
    private static int WriteEvents(string path)
    {
        var keys = new MarketKeys();
        var encoder = new MarketEventJsonEncoder(keys);
        var buffer = new ArrayBufferWriter<byte>();
        int product = keys.Products.Intern("SKU-000042");
        int a = keys.Competitors.Intern("competitor-01");
        int b = keys.Competitors.Intern("competitor-02");
        long t0 = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        int count = 0;
        void Write(in MarketEvent e)
        {
            encoder.Write(e, buffer);
            count++;
        }

        Write(MarketEvent.Cost(product, Money.FromDecimal(10m), CurrencyCode.Usd, t0));
        Write(MarketEvent.ListPrice(product, Money.FromDecimal(14m), CurrencyCode.Usd, t0));
        Write(MarketEvent.Inventory(product, 200, t0));
        for (int minute = 1; minute <= 120; minute += 5)
        {
            long t = t0 + (minute * 60_000L);
            Write(MarketEvent.CompetitorPrice(product, a, -1, Money.FromDecimal(minute < 60 ? 13.50m : 12.20m), CurrencyCode.Usd, Availability.InStock, t));
            Write(MarketEvent.CompetitorPrice(product, b, -1, Money.FromDecimal(13.80m), CurrencyCode.Usd, Availability.InStock, t + 1));
        }

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan) + "{\"type\":\"competitor_price\",\"product\":\"SKU-000042\",\"price\":\"cheap\"}\n";
        File.WriteAllText(path, text);
        return count;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PriceIntel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PriceIntel.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(nameof(WorkingDirectoryCollection), DisableParallelization = true)]
public sealed class WorkingDirectoryCollection;
