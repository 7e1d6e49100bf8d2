using System.Text;

namespace PriceIntel.Scraping.Tests.Extraction;

/// <summary>Issue 16 item 3: the extractor never throws on content and bounds time and memory for the whole extraction.</summary>
public sealed class HostilePageTests
{
    private static readonly ProductPageExtractor Extractor = TestExtractors.Create();

    public static TheoryData<string> SurrogatePages() => new()
    {
        // The fuzzer's 68-character page: a JSON-LD script followed by a raw lone high surrogate.
        "<script type=application/ld+json>\ud800",
        "<script type=application/ld+json>{\"@type\":\"Product\",\"name\":\"\ud800\"}</script>",
        "<script type=application/ld+json>{\"@type\":\"Product\",\"name\":\"\\ud800\",\"offers\":{\"price\":\"\\udfff\",\"priceCurrency\":\"\\ud800\"}}</script>",
        "<script type=application/ld+json>{\"@type\":\"\\ud800\",\"offers\":{\"price\":1}}</script>",
        "<script type=application/ld+json>{\"@graph\":[{\"@type\":[\"Product\",\"\\udc00\"],\"brand\":\"\\ud800\",\"sku\":\"\\ud800x\",\"offers\":[{\"@type\":\"\\ud83d\",\"availability\":\"\\udc00\",\"price\":\"\\ud800 9.99\"}]}]}</script>",
        "<script type=application/ld+json>{\"@type\":\"Product\",\"\\ud800\":\"x\",\"offers\":{\"\\udbff\":1,\"price\":\"5.00\",\"priceCurrency\":\"USD\"}}</script>",
        "<html><body><h1>\ud800</h1><span class=price>$\udc0012.00</span><button>Add to cart\ud800</button></body></html>",
    };

    [Theory]
    [MemberData(nameof(SurrogatePages))]
    public void Lone_surrogates_never_throw(string html)
    {
        var page = Extractor.Extract(html);
        Assert.NotNull(page);
    }

    [Fact]
    public void A_lone_surrogate_in_one_field_does_not_lose_the_others()
    {
        const string html = "<script type=application/ld+json>{\"@type\":\"Product\",\"name\":\"\\ud800\",\"offers\":{\"price\":\"5.00\",\"priceCurrency\":\"USD\"}}</script>";
        var page = Extractor.Extract(html);
        Assert.Equal(5m, page.Price.Value.ToDecimal());
        Assert.Equal("USD", page.Currency.Value.ToString());
        Assert.False(page.Title.HasValue && page.Title.Method == ExtractionMethod.JsonLd);
    }

    [Fact]
    public void Random_byte_soup_never_throws()
    {
        var random = new Random(16);
        string[] pieces = ["<script type=application/ld+json>", "</script>", "{\"@type\":\"Product\"", ",\"offers\":{\"price\":", "\"\\ud800\"", "\ud800", "\udfff", "<div class=price>", "$", "€", "1,299.99", "</div>", "<h1>", "]", "[", "}", "<!--", "-->", "<![CDATA[", "itemprop=price content=", "<meta property=og:price:amount content=", "'", "\"", ">"];
        for (int n = 0; n < 300; n++)
        {
            var html = new StringBuilder();
            int parts = random.Next(1, 40);
            for (int p = 0; p < parts; p++)
            {
                html.Append(pieces[random.Next(pieces.Length)]);
                if (random.Next(4) == 0)
                {
                    html.Append((char)random.Next(0, 0xFFFF));
                }
            }

            var page = Extractor.Extract(html.ToString());
            Assert.NotNull(page);
        }
    }

    public static TheoryData<string> LargePageShapes() => new()
    {
        "nested-wrappers",
        "flat-prices",
        "one-huge-text",
        "single-child-chain",
    };

    /// <summary>Pages near a 2 MB cap used to allocate over 1 GB (whole-subtree TextContent per element); now allocation is linear.</summary>
    [Theory]
    [MemberData(nameof(LargePageShapes))]
    public void Large_pages_allocate_linearly(string shape)
    {
        var html = LargePage(shape, 2 * 1024 * 1024);
        var extractor = new ProductPageExtractor(new ProductPageExtractorOptions { MaxHtmlChars = 2 * 1024 * 1024, MaxExtractionTime = TimeSpan.FromMinutes(5), ParseTimeout = TimeSpan.FromMinutes(5) });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var page = extractor.Extract(html);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(page);
        Assert.True(allocated < 200L * 1024 * 1024, $"{shape}: {allocated / (1024 * 1024)} MB allocated for a 2 MB page");
    }

    [Fact]
    public void The_whole_extraction_stops_at_its_budget_and_says_so()
    {
        var html = LargePage("flat-prices", 1024 * 1024);
        var extractor = new ProductPageExtractor(new ProductPageExtractorOptions { MaxExtractionTime = TimeSpan.FromTicks(1), ParseTimeout = TimeSpan.FromMinutes(1) });
        var page = extractor.Extract(html);
        Assert.NotNull(page.Failure);
        Assert.True(page.StoppedEarly);
        Assert.False(page.HasPrice);
    }

    [Fact]
    public void Extraction_time_option_is_validated()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ProductPageExtractorOptions { MaxExtractionTime = TimeSpan.Zero });
        Assert.Contains("MaxExtractionTime", e.Message, StringComparison.Ordinal);
    }

    internal static string LargePage(string shape, int size)
    {
        var html = new StringBuilder("<html lang=en-US><body><h1>Big</h1>", size + 1024);
        switch (shape)
        {
            case "nested-wrappers":
                while (html.Length < size)
                {
                    html.Append("<div class=a><div class=b><span>text 12 </span>");
                    html.Append("<div>");
                }

                break;
            case "flat-prices":
                for (int i = 0; html.Length < size; i++)
                {
                    html.Append("<div class=price>$").Append(i % 997).Append(".99</div>");
                }

                break;
            case "one-huge-text":
                html.Append("<div><div><div><p>");
                while (html.Length < size)
                {
                    html.Append("lorem 12.99 ipsum ");
                }

                break;
            default:
                for (int i = 0; i < 200; i++)
                {
                    html.Append("<section>");
                }

                while (html.Length < size)
                {
                    html.Append("x 1 ");
                }

                break;
        }

        return html.Append("</body></html>").ToString();
    }
}
