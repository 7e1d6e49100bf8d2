using PriceIntel.Scraping.Tests.Extraction;

namespace PriceIntel.Scraping.Tests;

/// <summary>
/// One test per category of issue 14, in the issue's order, so a reader can check each is handled. Strings and
/// pages are new here (not in either evaluation set).
/// </summary>
public sealed class IssueCategoryTests
{
    private static readonly ProductPageExtractor Extractor = TestExtractors.Create();

    private static ParsedPrice Parse(string text, string currency = "") =>
        PriceText.Parse(text, new PriceParseHints(currency.Length == 0 ? default : CurrencyCode.Parse(currency), '\0'));

    [Theory]
    [InlineData("129,00 Knallerpreis", "EUR", 129.00)]
    [InlineData("59.90 Tagesangebot", "USD", 59.90)]
    [InlineData("Preis: 14,95 Flaschenpfand", "EUR", 14.95)]
    [InlineData("249 ZRB", "", 249)] // an upper-case code the tables do not know
    [InlineData("1 800 ⵣⵔⴱ", "", 1800)] // a word in a script the tables do not know
    public void Unknown_words_next_to_a_number_keep_the_number(string text, string hint, double amount)
    {
        var parsed = Parse(text, hint);
        Assert.True(parsed.HasPrice, $"{text}: {parsed.Status}");
        Assert.Equal((decimal)amount, parsed.Amount.ToDecimal());
    }

    [Theory]
    [InlineData("249 reviews")]
    [InlineData("Only 3 left")]
    public void An_ordinary_lower_case_word_beside_a_bare_integer_is_not_a_price(string text) =>
        Assert.False(Parse(text).HasPrice); // a mixed-case Latin word is read as text, not as an unknown currency

    [Fact]
    public void A_shared_symbol_reports_the_symbol_the_candidates_and_the_page_context_settles_it()
    {
        const string text = "499 kr";
        var parsed = PriceText.Parse(text);
        Assert.True(parsed.HasPrice);
        Assert.True(parsed.Currency.IsEmpty);
        Assert.Equal("kr", parsed.SymbolIn(text).ToString());
        var candidates = parsed.CandidateCurrencies.ToArray().Select(c => c.ToString()).ToArray();
        Assert.Contains("SEK", candidates);
        Assert.Contains("NOK", candidates);
        Assert.Contains("DKK", candidates);
        Assert.Equal("NOK", PriceText.ResolveCurrency(parsed, new CurrencyContext { Host = "butikk.example.no" }).ToString());
        Assert.Equal("SEK", PriceText.ResolveCurrency(parsed, new CurrencyContext { Language = "sv-SE" }).ToString());
        Assert.Equal("DKK", PriceText.ResolveCurrency(parsed, new CurrencyContext { OtherPrices = [CurrencyCode.Parse("DKK")] }).ToString());
    }

    [Theory]
    [InlineData("£119. 95", 119.95)]
    [InlineData("0,987654 €", 0.9877)]
    [InlineData("$3.14159", 3.1416)]
    public void Number_shapes_space_after_the_mark_and_more_than_four_decimals(string text, double amount) =>
        Assert.Equal((decimal)amount, Parse(text).Amount.ToDecimal());

    [Fact]
    public void A_range_gives_its_low_end_and_says_so()
    {
        var parsed = Parse("from 35 to 60 €");
        Assert.Equal(35m, parsed.Amount.ToDecimal());
        Assert.Equal("EUR", parsed.Currency.ToString());
        Assert.True(parsed.Qualifiers.HasFlag(PriceQualifiers.Range) || parsed.Qualifiers.HasFlag(PriceQualifiers.From), parsed.Qualifiers.ToString());
    }

    [Fact]
    public void Several_prices_are_picked_by_rule_and_the_rule_is_reported()
    {
        var pair = Parse("£42.00 £36.00");
        Assert.Equal(36m, pair.Amount.ToDecimal());
        Assert.True(pair.Qualifiers.HasFlag(PriceQualifiers.OldPriceInferred));
        var worded = Parse("Was £42.00 Now £36.00");
        Assert.Equal(36m, worded.Amount.ToDecimal());
        Assert.True(worded.Qualifiers.HasFlag(PriceQualifiers.HadOldPrice));
        var twoCurrencies = Parse("CHF 58.00 (€ 61.50)");
        Assert.Equal(58m, twoCurrencies.Amount.ToDecimal());
        Assert.True(twoCurrencies.Qualifiers.HasFlag(PriceQualifiers.FirstOfSeveral));
    }

    [Fact]
    public void Month_and_each_qualifiers_keep_the_only_price()
    {
        var monthly = Parse("€7.99 / month");
        Assert.Equal(7.99m, monthly.Amount.ToDecimal());
        Assert.True(monthly.Qualifiers.HasFlag(PriceQualifiers.Recurring));
        Assert.Equal(0.45m, Parse("$0.45 each", "USD").Amount.ToDecimal());
    }

    [Fact]
    public void Negative_looking_discounts_are_not_prices_but_a_dash_bullet_is_not_a_sign()
    {
        Assert.False(Parse("-€3.00").HasPrice);
        Assert.False(Parse("−12,00 €").HasPrice);
        Assert.Equal(18.5m, Parse("- 18,50 €").Amount.ToDecimal());
    }

    private static string Page(string head, string body, string lang = "en-GB") => $"<html lang=\"{lang}\"><head>{head}</head><body>{body}</body></html>";

    [Fact]
    public void Og_price_meta_keys_are_read()
    {
        var page = Extractor.Extract(Page("""<meta property="og:price" content="27.50"><meta property="og:currency" content="GBP">""", "<h1>Lamp</h1>"));
        Assert.Equal(27.5m, page.Price.Value.ToDecimal());
        Assert.Equal("GBP", page.Currency.Value.ToString());
    }

    [Fact]
    public void Event_ticket_offers_are_read()
    {
        var page = Extractor.Extract(Page("""<script type="application/ld+json">{"@context":"https://schema.org","@type":"SportsEvent","name":"Cup final","offers":{"@type":"Offer","price":"55","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script>""", "<h1>Cup final</h1>", "nl-NL"));
        Assert.Equal(55m, page.Price.Value.ToDecimal());
    }

    [Theory]
    [InlineData("zh-Hant-TW", "原價 NT$2,400", "NT$1,880", 1880)]
    [InlineData("fr-FR", "Ancien prix 64,90 €", "49,90 €", 49.90)]
    [InlineData("de-DE", "Unverbindliche Preisempfehlung 89,99 €", "69,99 €", 69.99)]
    [InlineData("sv-SE", "Ord. pris 499 kr", "349 kr", 349)]
    public void Old_price_words_in_many_languages_mark_the_old_price(string lang, string old, string live, double expected)
    {
        var page = Extractor.Extract(Page("", $"""<h1>Item</h1><div class="box"><span class="a">{old}</span><span class="b">{live}</span></div><button>Buy</button>""", lang));
        Assert.Equal((decimal)expected, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void A_class_name_containing_old_on_the_live_price_does_not_make_it_old()
    {
        var page = Extractor.Extract(Page("", """<h1>Ring</h1><div class="price-box"><span class="price price--gold bold">£240.00</span></div><button>Add to bag</button>"""));
        Assert.Equal(240m, page.Price.Value.ToDecimal());
    }

    [Fact]
    public void Vat_inclusive_is_preferred_by_default_and_exclusive_on_request()
    {
        const string body = """<h1>Drill</h1><div class="p"><span>£100.00 ex VAT</span></div><div class="p"><span>£120.00 inc VAT</span></div><button>Add to basket</button>""";
        Assert.Equal(120m, Extractor.Extract(Page("", body)).Price.Value.ToDecimal());
        var options = TestExtractors.Options();
        options.PreferExcludingTax = true;
        Assert.Equal(100m, new ProductPageExtractor(options).Extract(Page("", body)).Price.Value.ToDecimal());
    }

    [Fact]
    public void A_model_code_is_not_read_as_a_price()
    {
        Assert.False(Parse("Type 450b", "EUR").HasPrice);
        var page = Extractor.Extract(Page("", """<h1>Speaker 450b</h1><div class="model">450b</div><div class="cost">£89.00</div><button>Add to basket</button>"""));
        Assert.Equal(89m, page.Price.Value.ToDecimal());
    }
}
