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
        string? oldPrice = null;
        string? twitterLabel = null;
        string? twitterData = null;
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
                case "og:price:amount" or "product:price:amount" or "price" or "og:price" or "product:price" or "og:product:price:amount" or "product:price:value" or "itemprop:price":
                    price ??= content;
                    break;
                case "product:sale_price:amount" or "og:sale_price:amount" or "og:sale_price" or "product:sale_price":
                    salePrice ??= content;
                    break;
                case "og:price:currency" or "product:price:currency" or "pricecurrency" or "og:currency" or "product:currency" or "og:product:price:currency" or "currency":
                    currency ??= content;
                    break;
                case "product:sale_price:currency" or "og:sale_price:currency":
                    saleCurrency ??= content;
                    break;
                case "product:original_price:amount" or "og:original_price:amount" or "product:original_price" or "og:price:standard_amount" or "product:regular_price:amount":
                    oldPrice ??= content;
                    break;
                case "twitter:label1" or "twitter:label2":
                    twitterLabel ??= content;
                    break;
                case "twitter:data1" or "twitter:data2":
                    twitterData ??= content;
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

        // twitter:label1 "Price" + twitter:data1 "$49.99" (common on Shopify and WooCommerce themes).
        if (price is null && salePrice is null && twitterData is not null && twitterLabel is not null &&
            PriceText.Parse(twitterLabel).Status == PriceTextStatus.NoPrice && (twitterLabel.Contains("price", StringComparison.OrdinalIgnoreCase) || twitterLabel.Contains("preis", StringComparison.OrdinalIgnoreCase) || twitterLabel.Contains("prix", StringComparison.OrdinalIgnoreCase) || twitterLabel.Contains("precio", StringComparison.OrdinalIgnoreCase)))
        {
            price = twitterData;
        }

        var oldCode = currency is not null && PriceText.TryParseCurrency(currency, fields.Hints.Currency, out var oc) ? oc : default;
        if (PriceValue.TryRead(oldPrice, oldCode.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(oldCode), out var old, out var oldTextCurrency))
        {
            fields.AddCandidate(new PriceCandidate(old, oldCode.IsEmpty ? oldTextCurrency : oldCode, ExtractionMethod.MetaTags, Confidence, PriceRole.Old, "meta original price"));
        }

        if (salePrice is not null && price is not null && PriceValue.TryRead(price, oldCode.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(oldCode), out var regular, out var regularCurrency))
        {
            fields.AddCandidate(new PriceCandidate(regular, oldCode.IsEmpty ? regularCurrency : oldCode, ExtractionMethod.MetaTags, Confidence, PriceRole.Old, "meta price (a sale price is also given)"));
        }

        var amountText = salePrice ?? price;
        var currencyText = salePrice is not null ? saleCurrency ?? currency : currency;
        var code = currencyText is not null && PriceText.TryParseCurrency(currencyText, fields.Hints.Currency, out var c) ? c : default;
        if (PriceValue.TryRead(amountText, code.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(code), out var amount, out var textCurrency))
        {
            fields.OfferPrice(amount, code.IsEmpty ? textCurrency : code, ExtractionMethod.MetaTags, Confidence, salePrice is not null ? "meta sale price" : "meta price");
        }

        if (!code.IsEmpty && fields.HasPrice)
        {
            fields.OfferCurrency(code, ExtractionMethod.MetaTags, Confidence);
        }
    }

    /// <summary>The currency a page declares in meta tags or microdata, for hints.</summary>
    public static CurrencyCode DeclaredCurrency(IDocument document, CurrencyCode hint)
    {
        var element = Selectors.First(document, "meta[property='og:price:currency'],meta[property='product:price:currency'],meta[property='og:currency'],meta[property='product:currency'],[itemprop=priceCurrency],[property='schema:priceCurrency'],[property=priceCurrency]");
        if (element is null)
        {
            return default;
        }

        var text = ScopedDataReader.Value(element);
        return text is not null && PriceText.TryParseCurrency(text, hint, out var currency) ? currency : default;
    }
}
