using AngleSharp.Dom;

namespace PriceIntel.Scraping;

/// <summary>
/// schema.org Product/Offer from microdata (<c>itemscope</c>/<c>itemtype</c>/<c>itemprop</c>) or RDFa
/// (<c>typeof</c>/<c>property</c>): properties are assigned to their nearest enclosing item, so a
/// review's or a recommended product's name and price are not taken for the product's.
/// </summary>
internal sealed class ScopedDataReader
{
    public static readonly ScopedDataReader Microdata = new("itemscope", "itemtype", "itemprop", ExtractionMethod.Microdata, 0.9);
    public static readonly ScopedDataReader Rdfa = new("typeof", "typeof", "property", ExtractionMethod.Rdfa, 0.85);

    private readonly string _scopeAttribute;
    private readonly string _typeAttribute;
    private readonly string _propertyAttribute;
    private readonly string _scopeSelector;
    private readonly string _propertySelector;
    private readonly ExtractionMethod _method;
    private readonly double _confidence;

    private ScopedDataReader(string scopeAttribute, string typeAttribute, string propertyAttribute, ExtractionMethod method, double confidence)
    {
        _scopeAttribute = scopeAttribute;
        _typeAttribute = typeAttribute;
        _propertyAttribute = propertyAttribute;
        _scopeSelector = $"[{scopeAttribute}]";
        _propertySelector = $"[{propertyAttribute}]";
        _method = method;
        _confidence = confidence;
    }

    public void Read(IDocument document, PageFields fields)
    {
        foreach (var scope in Selectors.All(document, _scopeSelector)!)
        {
            if (!HasType(scope, "Product") && !HasType(scope, "IndividualProduct") && !HasType(scope, "ProductModel"))
            {
                continue;
            }

            ReadProduct(scope, fields);
            if (fields.HasPrice)
            {
                return;
            }
        }
    }

    private void ReadProduct(IElement product, PageFields fields)
    {
        IElement? offer = null;
        string? currencyText = null;
        string? priceText = null;
        string? lowText = null;
        string? highText = null;
        string? availability = null;
        foreach (var element in Selectors.All(product, _propertySelector)!)
        {
            var owner = Owner(element);
            bool ofProduct = owner == product;
            bool ofOffer = owner is not null && owner != product && (offer is not null ? owner == offer : IsOfferOf(owner, product));
            if (!ofProduct && !ofOffer)
            {
                continue;
            }

            foreach (var property in Properties(element))
            {
                if (ofProduct)
                {
                    switch (property)
                    {
                        case "name":
                            PageFields.Offer(ref fields.Title, Value(element), _method, _confidence);
                            break;
                        case "sku":
                            PageFields.Offer(ref fields.Sku, Value(element), _method, _confidence);
                            break;
                        case "mpn":
                            PageFields.Offer(ref fields.Mpn, Value(element), _method, _confidence);
                            break;
                        case "gtin" or "gtin13" or "gtin12" or "gtin14" or "gtin8" or "isbn":
                            fields.OfferGtin(Value(element), _method, _confidence);
                            break;
                        case "brand":
                            PageFields.Offer(ref fields.Brand, BrandName(element), _method, _confidence);
                            break;
                        case "offers" when element.HasAttribute(_scopeAttribute) || element.HasAttribute(_typeAttribute):
                            offer ??= element;
                            break;
                    }
                }

                // Offer properties; a product without an offer item may carry them directly.
                if (ofOffer || (ofProduct && !element.HasAttribute(_scopeAttribute)))
                {
                    switch (property)
                    {
                        case "price":
                            priceText ??= Value(element);
                            break;
                        case "lowPrice":
                            lowText ??= Value(element);
                            break;
                        case "highPrice":
                            highText ??= Value(element);
                            break;
                        case "priceCurrency":
                            currencyText ??= Value(element);
                            break;
                        case "availability":
                            availability ??= Value(element);
                            break;
                    }
                }
            }
        }

        var currency = currencyText is not null && PriceText.TryParseCurrency(currencyText, fields.Hints.Currency, out var c) ? c : default;
        var hints = currency.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(currency);
        if (PriceValue.TryRead(lowText, hints, out var low, out _))
        {
            fields.LowPrice = low;
        }

        if (PriceValue.TryRead(highText, hints, out var high, out _))
        {
            fields.HighPrice = high;
        }

        if (PriceValue.TryRead(priceText ?? lowText, hints, out var price, out var textCurrency))
        {
            fields.OfferPrice(price, currency.IsEmpty ? textCurrency : currency, _method, _confidence, _method == ExtractionMethod.Microdata ? "microdata itemprop=price" : "RDFa property=price");
        }

        fields.OfferAvailability(PageFields.ParseAvailability(availability), _method, _confidence);
    }

    private bool IsOfferOf(IElement scope, IElement product) =>
        Owner(scope) == product && Properties(scope).Contains("offers");

    private IElement? Owner(IElement element)
    {
        for (var parent = element.ParentElement; parent is not null; parent = parent.ParentElement)
        {
            if (parent.HasAttribute(_scopeAttribute))
            {
                return parent;
            }
        }

        return null;
    }

    private List<string> Properties(IElement element)
    {
        var list = new List<string>(1);
        var raw = element.GetAttribute(_propertyAttribute);
        if (raw is null)
        {
            return list;
        }

        foreach (var token in raw.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(LocalName(token));
        }

        return list;
    }

    private bool HasType(IElement element, string type)
    {
        var raw = element.GetAttribute(_typeAttribute);
        if (raw is null)
        {
            return false;
        }

        foreach (var token in raw.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (LocalName(token).Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string LocalName(string token)
    {
        int cut = Math.Max(token.LastIndexOf('/'), Math.Max(token.LastIndexOf(':'), token.LastIndexOf('#')));
        return cut >= 0 ? token[(cut + 1)..] : token;
    }

    private string? BrandName(IElement element)
    {
        if (element.HasAttribute(_scopeAttribute) || element.HasAttribute(_typeAttribute))
        {
            foreach (var inner in Selectors.All(element, _propertySelector)!)
            {
                if (Properties(inner).Contains("name"))
                {
                    return Value(inner);
                }
            }
        }

        return Value(element);
    }

    /// <summary>The value of a property element: <c>content</c>, then the element's URL or value attribute, then its text.</summary>
    internal static string? Value(IElement element)
    {
        var content = element.GetAttribute("content");
        if (content is not null)
        {
            return content;
        }

        var name = element.LocalName;
        var attribute = name switch
        {
            "a" or "link" or "area" => element.GetAttribute("href"),
            "img" or "audio" or "video" or "source" => element.GetAttribute("src"),
            "data" or "meter" or "input" => element.GetAttribute("value"),
            "time" => element.GetAttribute("datetime"),
            _ => element.GetAttribute("resource") ?? element.GetAttribute("href"),
        };
        return attribute ?? VisibleText.Bounded(element, 2048);
    }
}
