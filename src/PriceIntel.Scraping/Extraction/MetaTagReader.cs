using AngleSharp.Dom;

namespace PriceIntel.Scraping;

/// <summary>OpenGraph and product meta tags (<c>og:price:amount</c>, <c>product:price:amount</c>, <c>product:sale_price:amount</c>…).</summary>
internal static class MetaTagReader
{
    private const double Confidence = 0.8;

    public static void Read(IDocument document, PageFields fields)
    {
        string? price = null;
        string? salePrice = null;
        string? currency = null;
        string? saleCurrency = null;
        foreach (var meta in Selectors.All(document, "meta[content]")!)
        {
            var key = meta.GetAttribute("property") ?? meta.GetAttribute("name") ?? meta.GetAttribute("itemprop");
            if (key is null)
            {
                continue;
            }

            var content = meta.GetAttribute("content");
            switch (key.Trim().ToLowerInvariant())
            {
                case "og:price:amount" or "product:price:amount" or "price":
                    price ??= content;
                    break;
                case "product:sale_price:amount" or "og:sale_price:amount":
                    salePrice ??= content;
                    break;
                case "og:price:currency" or "product:price:currency" or "pricecurrency":
                    currency ??= content;
                    break;
                case "product:sale_price:currency":
                    saleCurrency ??= content;
                    break;
                case "og:title" or "twitter:title":
                    PageFields.Offer(ref fields.Title, content, ExtractionMethod.MetaTags, 0.7);
                    break;
                case "product:availability" or "og:availability" or "availability":
                    fields.OfferAvailability(PageFields.ParseAvailability(content), ExtractionMethod.MetaTags, Confidence);
                    break;
                case "product:retailer_item_id" or "product:sku":
                    PageFields.Offer(ref fields.Sku, content, ExtractionMethod.MetaTags, Confidence);
                    break;
                case "product:brand" or "og:brand":
                    PageFields.Offer(ref fields.Brand, content, ExtractionMethod.MetaTags, Confidence);
                    break;
                case "product:mfr_part_no" or "product:mpn":
                    PageFields.Offer(ref fields.Mpn, content, ExtractionMethod.MetaTags, Confidence);
                    break;
                case "product:ean" or "product:upc" or "product:gtin" or "product:isbn" or "og:upc" or "og:ean":
                    fields.OfferGtin(content, ExtractionMethod.MetaTags, Confidence);
                    break;
            }
        }

        var amountText = salePrice ?? price;
        var currencyText = salePrice is not null ? saleCurrency ?? currency : currency;
        var code = currencyText is not null && PriceText.TryParseCurrency(currencyText, fields.Hints.Currency, out var c) ? c : default;
        if (PriceValue.TryRead(amountText, code.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(code), out var amount, out var textCurrency))
        {
            fields.OfferPrice(amount, code.IsEmpty ? textCurrency : code, ExtractionMethod.MetaTags, Confidence);
        }

        if (!code.IsEmpty && fields.HasPrice)
        {
            fields.OfferCurrency(code, ExtractionMethod.MetaTags, Confidence);
        }
    }

    /// <summary>The currency a page declares in meta tags or microdata, for hints.</summary>
    public static CurrencyCode DeclaredCurrency(IDocument document, CurrencyCode hint)
    {
        var element = Selectors.First(document, "meta[property='og:price:currency'],meta[property='product:price:currency'],[itemprop=priceCurrency],[property='schema:priceCurrency'],[property=priceCurrency]");
        if (element is null)
        {
            return default;
        }

        var text = ScopedDataReader.Value(element);
        return text is not null && PriceText.TryParseCurrency(text, hint, out var currency) ? currency : default;
    }
}
