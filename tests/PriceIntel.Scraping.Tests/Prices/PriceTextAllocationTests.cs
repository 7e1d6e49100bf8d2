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
