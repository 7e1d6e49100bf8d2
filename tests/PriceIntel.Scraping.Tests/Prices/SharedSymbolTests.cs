namespace PriceIntel.Scraping.Tests.Prices;

/// <summary>Shared symbols report the symbol as written and the candidate currencies; page context settles them.</summary>
public sealed class SharedSymbolTests
{
    [Theory]
    [InlineData("$1,299", "$", "USD CAD AUD")]
    [InlineData("  1 299 kr", "kr", "SEK NOK DKK ISK")]
    [InlineData("Rs. 1,499", "Rs.", "INR PKR LKR NPR")]
    [InlineData("¥1,280", "¥", "JPY CNY")]
    [InlineData("150 درهم", "درهم", "AED MAD")]
    public void A_shared_symbol_keeps_the_amount_and_names_its_candidates(string text, string symbol, string someCandidates)
    {
        var parsed = PriceText.Parse(text);
        Assert.True(parsed.HasPrice, $"'{text}' gave {parsed.Status}");
        Assert.True(parsed.Currency.IsEmpty);
        Assert.Equal(symbol, parsed.SymbolIn(text).ToString());
        var candidates = parsed.CandidateCurrencies.ToArray().Select(c => c.ToString()).ToHashSet();
        foreach (var code in someCandidates.Split(' '))
        {
            Assert.Contains(code, candidates);
        }
    }

    [Fact]
    public void An_iso_code_has_a_symbol_range_and_no_candidates()
    {
        const string text = "USD 49.95";
        var parsed = PriceText.Parse(text);
        Assert.Equal("USD", parsed.SymbolIn(text).ToString());
        Assert.True(parsed.CandidateCurrencies.IsEmpty);
    }

    [Theory]
    [InlineData("$12.00", "shop.example.ca", null, "", "CAD")]
    [InlineData("$12.00", "shop.example.com.au", null, "", "AUD")]
    [InlineData("$12.00", "shop.example", "en-NZ", "", "NZD")]
    [InlineData("$12.00", "shop.example", "es-MX", "", "MXN")]
    [InlineData("$12.00", "shop.example.se", null, "", "")] // a dollar sign on a Swedish site stays open
    [InlineData("1 299 kr", "butik.example.se", null, "", "SEK")]
    [InlineData("1 299 kr", "shop.example", "nb", "", "NOK")]
    [InlineData("1 299 kr", "shop.example", "da-DK", "", "DKK")]
    [InlineData("1 299 kr", "shop.example.com", "en", "DKK", "DKK")]
    [InlineData("Rs 1,499", "shop.example.pk", null, "", "PKR")]
    [InlineData("Rs 1,499", "shop.example.lk", "si", "", "LKR")]
    [InlineData("¥1,280", "shop.example.jp", null, "", "JPY")]
    [InlineData("¥128", "shop.example", "zh-CN", "", "CNY")]
    [InlineData("¥128", "shop.example.com", "ja", "CNY", "CNY")] // structured data beats the language
    public void Page_context_settles_the_symbol(string text, string host, string? language, string declared, string expected)
    {
        var parsed = PriceText.Parse(text);
        var context = new CurrencyContext { Host = host, Language = language, Declared = declared.Length == 0 ? default : CurrencyCode.Parse(declared) };
        Assert.Equal(expected, PriceText.ResolveCurrency(parsed, context).ToString());
    }

    [Fact]
    public void Other_prices_on_the_page_settle_the_symbol_when_they_agree()
    {
        var parsed = PriceText.Parse("$25");
        Assert.Equal("CAD", PriceText.ResolveCurrency(parsed, new CurrencyContext { OtherPrices = [CurrencyCode.Parse("CAD"), CurrencyCode.Parse("CAD")] }).ToString());
        Assert.True(PriceText.ResolveCurrency(parsed, new CurrencyContext { OtherPrices = [CurrencyCode.Parse("CAD"), CurrencyCode.Parse("AUD")] }).IsEmpty);
        Assert.True(PriceText.ResolveCurrency(parsed, new CurrencyContext { OtherPrices = [CurrencyCode.Parse("EUR")] }).IsEmpty);
    }

    [Fact]
    public void A_known_currency_is_kept()
    {
        var parsed = PriceText.Parse("€5");
        Assert.Equal("EUR", PriceText.ResolveCurrency(parsed, new CurrencyContext { Host = "shop.example.ca" }).ToString());
    }

    [Theory]
    [InlineData(false, 121)]
    [InlineData(true, 100)]
    public void Tax_preference_picks_between_gross_and_net(bool preferNet, decimal expected)
    {
        var hints = new PriceParseHints(default) { PreferExcludingTax = preferNet };
        var parsed = PriceText.Parse("€100 excl. VAT €121 incl. VAT", hints);
        Assert.Equal(expected, parsed.Amount.ToDecimal());
        Assert.Equal(preferNet, hints.WithCurrency(CurrencyCode.Usd).PreferExcludingTax);
    }
}
