namespace PriceIntel.Scraping.Tests.Extraction;

/// <summary>Structured data against the visible price, every candidate exposed, and the page shapes of issue 14.</summary>
public sealed class CrossCheckTests
{
    private static readonly ProductPageExtractor Extractor = TestExtractors.Create();

    private static string Page(string lang, string head, string body) => $"<html lang=\"{lang}\"><head>{head}</head><body>{body}</body></html>";

    private static string JsonLd(string offers, string name = "Widget") =>
        $$"""<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"{{name}}","offers":{{offers}}}</script>""";

    [Fact]
    public void Agreement_raises_confidence()
    {
        var html = Page("en-US", JsonLd("""{"@type":"Offer","price":"45.00","priceCurrency":"USD","availability":"InStock"}"""), """<h1>Widget</h1><span class="price">$45.00</span><button>Add to cart</button>""");
        var page = Extractor.Extract(html);
        Assert.Equal(PriceCrossCheck.Agreed, page.CrossCheck);
        Assert.Equal(45m, page.Price.Value.ToDecimal());
        Assert.True(page.Price.Confidence >= 0.97);
    }

    [Fact]
    public void A_new_offer_is_preferred_to_a_cheaper_used_one_even_when_the_used_price_is_visible()
    {
        var html = Page("de-DE", JsonLd("""[{"@type":"Offer","price":"80.00","priceCurrency":"EUR","availability":"InStock","itemCondition":"https://schema.org/UsedCondition"},{"@type":"Offer","price":"120.00","priceCurrency":"EUR","availability":"InStock","itemCondition":"https://schema.org/NewCondition"}]""", "Objektiv"), """<h1>Objektiv</h1><div class="buybox"><div class="preis">120,00 €</div><button>In den Warenkorb</button></div><aside>Gebraucht ab 80,00 €</aside>""");
        var page = Extractor.Extract(html);
        Assert.Equal(120m, page.Price.Value.ToDecimal());
        Assert.Equal(PriceCrossCheck.Agreed, page.CrossCheck);
        Assert.Contains(page.PriceCandidates, c => c.Method == ExtractionMethod.JsonLd && c.Amount.ToDecimal() == 80m);
    }

    [Fact]
    public void Only_used_offers_still_give_a_price()
    {
        var html = Page("en-US", JsonLd("""[{"@type":"Offer","price":"35.00","priceCurrency":"USD","availability":"InStock","itemCondition":"UsedCondition"}]""", "Book"), """<h1>Book</h1>""");
        Assert.Equal(35m, Extractor.Extract(html).Price.Value.ToDecimal());
    }

    [Fact]
    public void Prices_mentioned_in_an_article_with_no_buy_button_are_not_a_product_price()
    {
        var html = Page("en-US", "", """<article><h1>Five kettles under $80</h1><p>The one we liked best costs about $59 at most shops.</p><p>A cheaper pick is around $35, but it is loud.</p></article>""");
        Assert.False(Extractor.Extract(html).HasPrice);
    }

    [Fact]
    public void A_short_price_line_inside_an_article_layout_still_counts()
    {
        var html = Page("en-US", "", """<article class="product"><h1>Kettle</h1><p class="price">$59.00</p><button>Add to cart</button></article>""");
        Assert.Equal(59m, Extractor.Extract(html).Price.Value.ToDecimal());
        var noButton = Page("en-US", "", """<article class="product"><h1>Kettle</h1><p class="price">Our price: $59.00</p></article>""");
        Assert.Equal(59m, Extractor.Extract(noButton).Price.Value.ToDecimal());
    }

    [Fact]
    public void Of_several_offers_the_one_the_page_shows_by_the_buy_button_is_taken()
    {
        var html = Page("en-US", JsonLd("""[{"@type":"Offer","price":"49.00","priceCurrency":"USD","availability":"InStock","itemCondition":"NewCondition"},{"@type":"Offer","price":"45.00","priceCurrency":"USD","availability":"InStock"}]"""), """<h1>Widget</h1><div class="buybox"><span class="price">$45.00</span><button>Add to cart</button></div>""");
        var page = Extractor.Extract(html);
        Assert.Equal(45m, page.Price.Value.ToDecimal());
        Assert.Equal(ExtractionMethod.JsonLd, page.Price.Method);
        Assert.Equal(PriceCrossCheck.TookMatchingOffer, page.CrossCheck);
        Assert.Equal(2, page.PriceCandidates.Count(c => c.Method == ExtractionMethod.JsonLd));
        Assert.Single(page.PriceCandidates, c => c.Chosen);
    }

    [Fact]
    public void A_structured_list_price_that_the_page_strikes_through_loses_to_the_live_price()
    {
        var html = Page("de-DE", JsonLd("""{"@type":"Offer","price":"129.00","priceCurrency":"EUR","availability":"InStock"}""", "Mixer"), """<h1>Mixer</h1><div class="pricebox"><del>129,00 €</del> <span class="price">99,00 €</span></div><button>In den Warenkorb</button>""");
        var page = Extractor.Extract(html);
        Assert.Equal(99m, page.Price.Value.ToDecimal());
        Assert.Equal("EUR", page.Currency.Value.ToString());
        Assert.Equal(PriceCrossCheck.TookVisible, page.CrossCheck);
        Assert.InRange(page.Price.Confidence, 0.5, 0.8);
        Assert.Contains(page.PriceCandidates, c => c.Role == PriceRole.Old && c.Amount.ToDecimal() == 129m && c.Method == ExtractionMethod.VisualHeuristic);
    }

    [Fact]
    public void A_structured_card_only_price_loses_to_the_price_for_everyone()
    {
        var html = Page("en-GB", JsonLd("""{"@type":"Offer","price":"8.99","priceCurrency":"GBP"}""", "Coffee beans"), """<h1>Coffee beans</h1><p class="promo">Clubcard price £8.99</p><span class="price">£10.99</span><button>Add to basket</button>""");
        var page = Extractor.Extract(html);
        Assert.Equal(10.99m, page.Price.Value.ToDecimal());
        Assert.Equal(PriceCrossCheck.TookVisible, page.CrossCheck);
        Assert.Contains(page.PriceCandidates, c => c.Role == PriceRole.MemberOnly && c.Amount.ToDecimal() == 8.99m);
    }

    [Fact]
    public void Member_tier_specifications_and_list_prices_in_json_ld_are_recorded_not_chosen()
    {
        var offers = """
            {"@type":"Offer","priceCurrency":"EUR","priceSpecification":[
              {"@type":"UnitPriceSpecification","price":"59.99","priceType":"https://schema.org/ListPrice"},
              {"@type":"UnitPriceSpecification","price":"39.99","validForMemberTier":{"@type":"MemberProgramTier","name":"Gold"}},
              {"@type":"UnitPriceSpecification","price":"44.99"}]}
            """;
        var page = Extractor.Extract($"<html><head>{JsonLd(offers)}</head><body><h1>Widget</h1></body></html>");
        Assert.Equal(44.99m, page.Price.Value.ToDecimal());
        Assert.Contains(page.PriceCandidates, c => c.Role == PriceRole.Old && c.Amount.ToDecimal() == 59.99m);
        Assert.Contains(page.PriceCandidates, c => c.Role == PriceRole.MemberOnly && c.Amount.ToDecimal() == 39.99m);
    }

    [Fact]
    public void A_sale_price_specification_below_the_offer_price_wins()
    {
        var offers = """{"@type":"Offer","price":"80.00","priceCurrency":"USD","priceSpecification":{"@type":"UnitPriceSpecification","price":"64.00","priceType":"https://schema.org/SalePrice"}}""";
        var page = Extractor.Extract($"<html><head>{JsonLd(offers)}</head><body><h1>Widget</h1></body></html>");
        Assert.Equal(64m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void Event_ticket_offers_are_read()
    {
        const string html = """
            <html lang="en-GB"><head><script type="application/ld+json">
            {"@context":"https://schema.org","@type":"MusicEvent","name":"Night Orchestra Live","startDate":"2027-03-04T19:30",
             "offers":[{"@type":"Offer","name":"Stalls","price":"65.00","priceCurrency":"GBP","availability":"https://schema.org/SoldOut"},
                       {"@type":"Offer","name":"Circle","price":"42.50","priceCurrency":"GBP","availability":"https://schema.org/InStock"}]}
            </script></head><body><h1>Night Orchestra Live</h1></body></html>
            """;
        var page = Extractor.Extract(html);
        Assert.Equal(42.5m, page.Price.Value.ToDecimal());
        Assert.Equal("GBP", page.Currency.Value.ToString());
        Assert.Equal(ExtractionMethod.JsonLd, page.Price.Method);
        Assert.Equal("Night Orchestra Live", page.Title.Value);
    }

    [Theory]
    [InlineData("""<meta property="og:price" content="24.50"><meta property="og:currency" content="EUR">""", 24.5, "EUR")]
    [InlineData("""<meta property="product:price" content="19.00 USD">""", 19, "USD")]
    [InlineData("""<meta name="twitter:label1" content="Price"><meta name="twitter:data1" content="£12.00">""", 12, "GBP")]
    [InlineData("""<meta property="product:price:amount" content="30.00"><meta property="product:sale_price:amount" content="25.00"><meta property="product:price:currency" content="CAD">""", 25, "CAD")]
    public void Meta_price_keys_are_read(string meta, double price, string currency)
    {
        var page = Extractor.Extract($"<html><head>{meta}</head><body><h1>Thing</h1></body></html>");
        Assert.Equal((decimal)price, page.Price.Value.ToDecimal());
        Assert.Equal(currency, page.Currency.Value.ToString());
        Assert.Equal(ExtractionMethod.MetaTags, page.Price.Method);
    }

    [Fact]
    public void A_meta_regular_price_beside_a_sale_price_is_an_old_candidate()
    {
        var page = Extractor.Extract("""<html><head><meta property="product:price:amount" content="30.00"><meta property="product:sale_price:amount" content="25.00"><meta property="product:price:currency" content="CAD"></head><body></body></html>""");
        Assert.Contains(page.PriceCandidates, c => c.Role == PriceRole.Old && c.Amount.ToDecimal() == 30m);
    }

    [Theory]
    [InlineData("""<span class="price"><s>$20.00</s> $15.00</span>""", 15)]
    [InlineData("""<span class="price">$20.00 $15.00</span>""", 15)]
    [InlineData("""<div class="pricing"><span class="oldprice">$20.00</span><span class="price">$15.00</span></div>""", 15)]
    [InlineData("""<div class="box"><span class="price">$59.99</span><span class="price">$49.99</span></div>""", 49.99)]
    public void A_price_box_holding_the_old_and_the_new_price_gives_the_new(string box, double expected)
    {
        var page = Extractor.Extract($"""<html lang="en-US"><body><h1>Lamp</h1>{box}<button>Add to cart</button></body></html>""");
        Assert.Equal((decimal)expected, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void The_only_price_styled_old_by_its_class_is_still_read_with_low_confidence()
    {
        var page = Extractor.Extract("""<html lang="de-DE"><body><h1>Lampe</h1><span class="price-old">19,99 €</span><button>In den Warenkorb</button></body></html>""");
        Assert.Equal(19.99m, page.Price.Value.ToDecimal());
        Assert.True(page.Price.Confidence <= 0.4);
    }

    [Fact]
    public void Class_names_containing_old_as_part_of_another_word_do_not_strike_the_live_price()
    {
        var page = Extractor.Extract("""<html lang="en-US"><body><h1>Ring</h1><span class="price bold gold-price holder">$240.00</span><span class="was-price">$300.00</span><button>Add to cart</button></body></html>""");
        Assert.Equal(240m, page.Price.Value.ToDecimal());
    }

    [Theory]
    [InlineData(false, 119)]
    [InlineData(true, 100)]
    public void Vat_preference_is_an_option_defaulting_to_tax_inclusive(bool preferNet, double expected)
    {
        const string html = """<html lang="de-DE"><body><h1>Bohrmaschine</h1><div><span class="price net">100,00 € zzgl. MwSt.</span></div><div><span class="price gross">119,00 € inkl. MwSt.</span></div><button>In den Warenkorb</button></body></html>""";
        var options = TestExtractors.Options();
        options.PreferExcludingTax = preferNet;
        var page = new ProductPageExtractor(options).Extract(html);
        Assert.Equal((decimal)expected, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void A_model_code_is_not_a_price()
    {
        const string html = """<html lang="en-US"><body><h1>Robot Vacuum 600a</h1><div class="model">600a</div><div class="sku">Model 600A</div><span class="price">$199.00</span><button>Add to cart</button></body></html>""";
        var page = Extractor.Extract(html);
        Assert.Equal(199m, page.Price.Value.ToDecimal());
        Assert.DoesNotContain(page.PriceCandidates, c => c.Amount.ToDecimal() == 600m);
    }

    [Fact]
    public void A_tie_is_broken_by_the_buy_button()
    {
        const string html = """
            <html lang="en-US"><body><h1>Kettle</h1>
            <div class="a"><span class="price">$30.00</span></div>
            <p>Lots of text here about the kettle.</p>
            <div class="b"><div class="c"><span class="price">$25.00</span><button>Add to cart</button></div></div>
            </body></html>
            """;
        var page = Extractor.Extract(html);
        Assert.Equal(25m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void Traditional_chinese_old_price_words_are_understood()
    {
        const string html = """<html lang="zh-TW"><body><h1>藍牙耳機</h1><div class="info"><p>原價 NT$1,590</p><p class="price">特價 NT$1,290</p></div><button>加入購物車</button></body></html>""";
        var page = Extractor.Extract(html);
        Assert.Equal(1290m, page.Price.Value.ToDecimal());
        Assert.Equal("TWD", page.Currency.Value.ToString());
    }

    [Fact]
    public void Japanese_suggested_retail_price_is_not_the_price()
    {
        const string html = """<html lang="ja"><body><h1>電気ケトル</h1><p>メーカー希望小売価格 ¥5,980</p><p class="price">¥4,980（税込）</p><button>カートに入れる</button></body></html>""";
        var page = Extractor.Extract(html, new Uri("https://shop.example.jp/item/1"));
        Assert.Equal(4980m, page.Price.Value.ToDecimal());
        Assert.Equal("JPY", page.Currency.Value.ToString());
    }

    [Theory]
    [InlineData("https://shop.example.ca/p/1", "en", "CAD")]
    [InlineData("https://shop.example.com.au/p/1", "en", "AUD")]
    [InlineData("https://butik.example.se/p/1", "sv", "SEK")]
    public void The_country_tld_settles_a_shared_symbol(string url, string lang, string currency)
    {
        var price = lang == "sv" ? "249 kr" : "$25.00";
        var page = Extractor.Extract($"""<html lang="{lang}"><body><h1>Mug</h1><span class="price">{price}</span><button>Add to cart</button></body></html>""", new Uri(url));
        Assert.Equal(currency, page.Currency.Value.ToString());
    }
}
