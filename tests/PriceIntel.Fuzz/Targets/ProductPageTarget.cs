using System.Runtime.InteropServices;
using PriceIntel.Scraping;

namespace PriceIntel.Fuzz.Targets;

/// <summary>
/// <see cref="ProductPageExtractor.Extract"/>: any page text (the first byte picks UTF-8 or raw UTF-16,
/// so lone surrogates reach the JSON-LD and text paths) gives a result, never an exception, within the
/// extractor's documented time and allocation bounds.
/// </summary>
internal sealed class ProductPageTarget : FuzzTarget
{
    private readonly ProductPageExtractor _extractor = new();
    private static readonly Uri PageUrl = new("https://shop.example/p/1");

    public override string Name => "product-page";

    public override int MaxInputBytes => 256 * 1024;

    public override TimeSpan TimeBudget => TimeSpan.FromSeconds(2);

    public override long AllocationBudget(int inputLength) => 64L * 1024 * 1024 + 400L * inputLength;

    public override IReadOnlyList<byte[]> Dictionary { get; } = JsonLinesTarget.Tokens(
        "<script type=\"application/ld+json\">", "</script>", "{\"@type\":\"Product\",\"offers\":{\"@type\":\"Offer\",\"price\":\"19.99\",\"priceCurrency\":\"USD\"}}",
        "\"@graph\":[", "itemprop=\"price\" content=\"", "<meta property=\"og:price:amount\" content=\"", "<span class=\"price\">",
        "<del>", "</del>", "<s>", "class=\"old-price\"", "\\ud800", "\"price\":", "<div>", "</div>", "&nbsp;", "&#x20AC;", "<button>Add to cart</button>");

    public override void Run(byte[] input)
    {
        var html = input.Length > 0 && input[0] == 0xFE
            ? new string(MemoryMarshal.Cast<byte, char>(input.AsSpan(1, (input.Length - 1) & ~1)))
            : System.Text.Encoding.UTF8.GetString(input);
        var page = _extractor.Extract(html, PageUrl);
        if (page.Price.HasValue && page.Price.Value.Ticks < 0)
        {
            throw new InvalidOperationException($"contract: a negative price {page.Price.Value}");
        }
    }
}
