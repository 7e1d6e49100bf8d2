using System.Globalization;
using System.Text;

namespace PriceIntel.Scraping.Tests.Extraction;

public sealed class ProductPageExtractorTests
{
    private static readonly ProductPageExtractor Extractor = TestExtractors.Create();

    // file ‖ url ‖ price ‖ currency ‖ method ‖ availability ‖ title
    public static TheoryData<string, string, string, string, ExtractionMethod, Availability, string> Pages() => new()
    {
        { "jsonld-basic.html", "", "49.99", "USD", ExtractionMethod.JsonLd, Availability.InStock, "Acme Electric Kettle 1.7L" },
        { "jsonld-graph.html", "", "139", "EUR", ExtractionMethod.JsonLd, Availability.InStock, "Kaffeemühle Pro" },
        { "jsonld-aggregate.html", "", "12.5", "GBP", ExtractionMethod.JsonLd, Availability.Unknown, "Basic Tee" },
        { "jsonld-pricespec.html", "", "99", "CHF", ExtractionMethod.JsonLd, Availability.InStock, "Cordless Drill 18V" },
        { "jsonld-malformed.html", "", "24.95", "EUR", ExtractionMethod.JsonLd, Availability.InStock, "Desk Lamp LED" },
        { "jsonld-outofstock.html", "", "499", "USD", ExtractionMethod.JsonLd, Availability.OutOfStock, "Game Console" },
        { "microdata.html", "", "1299", "EUR", ExtractionMethod.Microdata, Availability.LimitedStock, "Casque Audio Sans Fil" },
        { "rdfa.html", "", "89.95", "CAD", ExtractionMethod.Rdfa, Availability.PreOrder, "Trail Backpack 30L" },
        { "opengraph.html", "", "59", "USD", ExtractionMethod.MetaTags, Availability.InStock, "Runner Sneakers" },
        { "profile-woocommerce.html", "https://tienda.example/sarten", "29.95", "EUR", ExtractionMethod.SelectorProfile, Availability.InStock, "Sartén Antiadherente 28 cm" },
        { "profile-amazon.html", "https://www.amazon.de/dp/B000TEST01", "34.99", "EUR", ExtractionMethod.SelectorProfile, Availability.OutOfStock, "Wasserkocher Edelstahl 1,7 L" },
        { "visual-plain.html", "", "34.99", "GBP", ExtractionMethod.VisualHeuristic, Availability.InStock, "Folding Garden Chair" },
        { "visual-strike.html", "", "29.99", "EUR", ExtractionMethod.VisualHeuristic, Availability.InStock, "Toaster 2 Scheiben" },
        { "visual-split.html", "", "129.99", "USD", ExtractionMethod.VisualHeuristic, Availability.InStock, "Studio Headphones" },
        { "visual-outofstock.html", "", "89.99", "USD", ExtractionMethod.VisualHeuristic, Availability.OutOfStock, "Space Station Building Set" },
        { "arabic.html", "", "1234.5", "SAR", ExtractionMethod.VisualHeuristic, Availability.Unknown, "عطر العود" },
        { "japanese.html", "", "12800", "JPY", ExtractionMethod.VisualHeuristic, Availability.InStock, "炊飯器 5.5合" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public void Extracts_fixture(string file, string url, string price, string currency, ExtractionMethod method, Availability availability, string title)
    {
        var page = Extractor.Extract(Fixture.Read(file), url.Length == 0 ? null : new Uri(url));
        Assert.True(page.HasPrice, $"{file}: no price ({page})");
        Assert.Equal(decimal.Parse(price, CultureInfo.InvariantCulture), page.Price.Value.ToDecimal());
        Assert.Equal(currency, page.Currency.Value.ToString());
        Assert.Equal(method, page.Price.Method);
        Assert.InRange(page.Price.Confidence, 0.01, 1);
        Assert.Equal(availability, page.Availability.Value);
        Assert.Equal(title, page.Title.Value);
        Assert.Null(page.Failure);
    }

    [Fact]
    public void JsonLd_identifiers_are_read_and_normalised()
    {
        var page = Extractor.Extract(Fixture.Read("jsonld-basic.html"));
        Assert.Equal("04006381333931", page.Gtin.Value);
        Assert.Equal("AK17-BLK", page.Mpn.Value);
        Assert.Equal("AK-17", page.Sku.Value);
        Assert.Equal("Acme", page.Brand.Value);
        Assert.Equal(ExtractionMethod.JsonLd, page.Brand.Method);
    }

    [Fact]
    public void JsonLd_is_kept_but_trusted_less_when_the_visible_price_disagrees_with_no_evidence_either_way()
    {
        // The fixture's visible text says $59.99; the structured offer says 49.99; nothing else on the page.
        var page = Extractor.Extract(Fixture.Read("jsonld-basic.html"));
        Assert.Equal(49.99m, page.Price.Value.ToDecimal());
        Assert.Equal(PriceCrossCheck.Disagreed, page.CrossCheck);
        Assert.InRange(page.Price.Confidence, 0.3, 0.65);
        Assert.Contains(page.PriceCandidates, c => c.Method == ExtractionMethod.VisualHeuristic && c.Amount.ToDecimal() == 59.99m);
        Assert.Contains(page.PriceCandidates, c => c.Method == ExtractionMethod.JsonLd && c.Amount.ToDecimal() == 49.99m && c.Chosen);
    }

    [Fact]
    public void Aggregate_offer_records_low_and_high()
    {
        var page = Extractor.Extract(Fixture.Read("jsonld-aggregate.html"));
        Assert.Equal(12.5m, page.LowPrice!.Value.ToDecimal());
        Assert.Equal(19m, page.HighPrice!.Value.ToDecimal());
    }

    [Fact]
    public void Microdata_takes_the_products_own_properties_not_the_reviews_or_another_products()
    {
        var page = Extractor.Extract(Fixture.Read("microdata.html"));
        Assert.Equal("SonBon", page.Brand.Value);
        Assert.Equal("SB-300", page.Mpn.Value);
        Assert.Equal("04006381333931", page.Gtin.Value);
        Assert.Equal(ExtractionMethod.Microdata, page.Title.Method);
    }

    [Fact]
    public void Selector_profile_reads_sku_from_the_page()
    {
        var page = Extractor.Extract(Fixture.Read("profile-amazon.html"), new Uri("https://www.amazon.de/dp/B000TEST01"));
        Assert.Equal("B000TEST01", page.Sku.Value);
        Assert.Equal(ExtractionMethod.SelectorProfile, page.Availability.Method);
    }

    [Fact]
    public void Site_profile_does_not_apply_to_other_hosts()
    {
        var page = Extractor.Extract(Fixture.Read("profile-amazon.html"), new Uri("https://shop.example/kettle"));
        Assert.NotEqual(ExtractionMethod.SelectorProfile, page.Price.Method);
    }

    [Theory]
    [InlineData("decoys-only.html")]
    [InlineData("visual-ambiguous.html")]
    public void Pages_with_only_decoys_or_two_equal_prices_give_no_price(string file)
    {
        var page = Extractor.Extract(Fixture.Read(file));
        Assert.False(page.Price.HasValue, $"{file} gave {page.Price}");
    }

    [Fact]
    public void Custom_profiles_load_from_json_and_are_used()
    {
        var profiles = SelectorProfile.LoadJson("""[{"name":"acme","hosts":["acme.example"],"price":["#the-price"],"priceAttribute":"data-amount","title":["#name"]}]""");
        var options = TestExtractors.Options();
        options.Profiles.Clear();
        options.Profiles.Add(profiles[0]);
        var extractor = new ProductPageExtractor(options);
        var page = extractor.Extract("""<html><body><div id="name">Widget</div><span id="the-price" data-amount="USD 12.34">sale!</span></body></html>""", new Uri("https://www.acme.example/w"));
        Assert.Equal(12.34m, page.Price.Value.ToDecimal());
        Assert.Equal("USD", page.Currency.Value.ToString());
        Assert.Equal(ExtractionMethod.SelectorProfile, page.Price.Method);
        Assert.Equal("Widget", page.Title.Value);
    }

    [Fact]
    public void Invalid_profile_json_is_refused_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => SelectorProfile.LoadJson("""[{"name":"x","hosts":[]}]"""));
        Assert.Contains("needs a name, at least one host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Built_in_profiles_cover_large_retailers_and_platforms()
    {
        var names = SelectorProfile.BuiltIn.Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "amazon", "ebay", "walmart", "shopify", "woocommerce", "magento" }, names);
    }

    [Fact]
    public void Deeply_nested_html_is_parsed_without_crashing()
    {
        var html = new StringBuilder("<html><body><h1>Deep</h1><span class=\"price\">$10.00</span>");
        for (int i = 0; i < 100_000; i++)
        {
            html.Append("<div>");
        }

        html.Append("<span class=\"price\">$99.00</span></body></html>");
        var page = new ProductPageExtractor(new ProductPageExtractorOptions { MaxDepth = 64, MaxExtractionTime = TimeSpan.FromMinutes(2), ParseTimeout = TimeSpan.FromMinutes(1) }).Extract(html.ToString(), hints: new PriceParseHints(CurrencyCode.Usd));
        Assert.Null(page.Failure);
        Assert.True(page.Truncated);
        Assert.Equal("Deep", page.Title.Value);
        Assert.Equal(10m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void Oversized_html_is_cut_and_reported()
    {
        var options = new ProductPageExtractorOptions { MaxHtmlChars = 4096, MaxExtractionTime = TimeSpan.FromMinutes(2), ParseTimeout = TimeSpan.FromMinutes(1) };
        var html = Fixture.Read("jsonld-basic.html") + new string('x', 10_000);
        var page = new ProductPageExtractor(options).Extract(html);
        Assert.True(page.Truncated);
        Assert.Equal(49.99m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void Parsing_stops_when_the_time_budget_is_spent()
    {
        var options = new ProductPageExtractorOptions { ParseTimeout = TimeSpan.FromTicks(1) };
        var html = string.Concat(Enumerable.Repeat("<p><b>x</b></p>", 5000));
        var page = new ProductPageExtractor(options).Extract(html);
        Assert.NotNull(page.Failure);
        Assert.Contains("parsing stopped", page.Failure, StringComparison.Ordinal);
        Assert.False(page.HasPrice);
    }

    [Fact]
    public void Outside_currency_hint_settles_a_bare_dollar_sign()
    {
        const string html = """<html><body><h1>Mug</h1><span class="price">$12.00</span><button>Add to cart</button></body></html>""";
        Assert.False(Extractor.Extract(html).HasPrice);
        var page = Extractor.Extract(html, hints: new PriceParseHints(CurrencyCode.Parse("CAD")));
        Assert.Equal("CAD", page.Currency.Value.ToString());
        Assert.Equal(12m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void A_sold_out_button_marks_the_page_out_of_stock()
    {
        const string html = """<html lang="en-US"><body><h1>Tote Bag</h1><span class="price">$25.00</span><button type="submit" disabled>Sold out</button></body></html>""";
        var page = Extractor.Extract(html);
        Assert.Equal(Availability.OutOfStock, page.Availability.Value);
        Assert.Equal(25m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void A_price_inside_the_add_to_cart_box_counts_but_a_mini_cart_total_does_not()
    {
        const string html = """
            <html lang="en-US"><body>
            <div class="header-minicart"><span class="price">$120.00</span></div>
            <h1>Desk Fan</h1>
            <div class="product-add-to-cart"><span class="price">$39.00</span><button>Add to cart</button></div>
            </body></html>
            """;
        var page = Extractor.Extract(html);
        Assert.Equal(39m, page.Price.Value.ToDecimal());
        Assert.Equal(ExtractionMethod.VisualHeuristic, page.Price.Method);
    }
}
