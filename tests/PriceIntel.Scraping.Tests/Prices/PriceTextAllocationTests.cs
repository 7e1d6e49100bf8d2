namespace PriceIntel.Scraping.Tests.Prices;

public sealed class PriceTextAllocationTests
{
    [Fact]
    public void Parsing_allocates_nothing()
    {
        var rows = PriceTextTableTests.Rows().Select(r => (string)r[0]).ToArray();
        var hints = new PriceParseHints(CurrencyCode.Usd, '.');
        long sum = 0;
        foreach (var s in rows)
        {
            sum += PriceText.Parse(s, hints).Amount.Ticks; // warm up static tables and the JIT
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            foreach (var s in rows)
            {
                sum += PriceText.Parse(s, hints).Amount.Ticks;
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }
}

public sealed class EvaluationSetAllocationTests
{
    [Fact]
    public void Parsing_the_evaluation_sets_allocates_nothing()
    {
        var rows = new[] { "Corpus", "HeldOut" }
            .SelectMany(set => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, set, "price-strings.tsv")))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('‖')[1].Trim())
            .ToArray();
        Assert.True(rows.Length > 400);
        long sum = 0;
        foreach (var s in rows)
        {
            sum += PriceText.Parse(s).Amount.Ticks; // warm up
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            foreach (var s in rows)
            {
                sum += PriceText.Parse(s).Amount.Ticks;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, sum);
    }
}
