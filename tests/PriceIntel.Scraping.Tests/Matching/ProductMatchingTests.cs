namespace PriceIntel.Scraping.Tests.Matching;

public sealed class ProductMatchingTests
{
    [Theory]
    [InlineData("4006381333931", "04006381333931")]
    [InlineData("400-638-133-393-1", "04006381333931")]
    [InlineData("012345678905", "00012345678905")]
    [InlineData("96385074", "00000096385074")]
    [InlineData("4006381333932", null)]
    [InlineData("12345", null)]
    [InlineData("ABC4006381333931", null)]
    [InlineData("", null)]
    public void Normalizes_gtins(string input, string? expected) => Assert.Equal(expected, ProductMatching.NormalizeGtin(input));

    [Fact]
    public void Upc_and_its_ean13_form_match()
    {
        Assert.True(ProductMatching.GtinMatches("012345678905", "0012345678905"));
        Assert.False(ProductMatching.GtinMatches("012345678905", "4006381333931"));
        Assert.False(ProductMatching.GtinMatches(null, null));
    }

    [Fact]
    public void Mpn_matches_ignore_punctuation_and_check_brand()
    {
        Assert.True(ProductMatching.MpnMatches("WH-1000XM5/B", "wh1000xm5b"));
        Assert.True(ProductMatching.MpnMatches("WH-1000XM5", "WH 1000 XM5", "Sony", "SONY"));
        Assert.False(ProductMatching.MpnMatches("WH-1000XM5", "WH-1000XM5", "Sony", "Bose"));
        Assert.False(ProductMatching.MpnMatches("A1", "A1"));
    }

    [Fact]
    public void Title_similarity_ranks_the_same_product_above_variants_and_unrelated_ones()
    {
        const string ours = "Apple iPhone 15 Pro 128GB Natural Titanium";
        var same = ProductMatching.TitleSimilarity(ours, "iPhone 15 Pro (128 GB) - Natural Titanium | Apple");
        var variant = ProductMatching.TitleSimilarity(ours, "Apple iPhone 15 Pro 256GB Natural Titanium");
        var unrelated = ProductMatching.TitleSimilarity(ours, "Stainless steel electric kettle 1.7 L");
        Assert.True(same > variant, $"{same} vs {variant}");
        Assert.True(variant > unrelated, $"{variant} vs {unrelated}");
        Assert.Equal(1.0, ProductMatching.TitleSimilarity(ours, ours));
        Assert.Equal(0.0, ProductMatching.TitleSimilarity(ours, ""));
        Assert.InRange(unrelated, 0, 0.2);
    }
}
