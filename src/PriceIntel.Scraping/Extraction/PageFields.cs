namespace PriceIntel.Scraping;

/// <summary>Collects fields while the readers run in order of trust: the first value set for a field stays.</summary>
internal sealed class PageFields
{
    public ExtractedField<Money> Price;
    public ExtractedField<CurrencyCode> Currency;
    public ExtractedField<Availability> Availability;
    public ExtractedField<string?> Title;
    public ExtractedField<string?> Gtin;
    public ExtractedField<string?> Mpn;
    public ExtractedField<string?> Sku;
    public ExtractedField<string?> Brand;
    public Money? LowPrice;
    public Money? HighPrice;

    /// <summary>Page-level hints: the currency and decimal separator the page declares.</summary>
    public PriceParseHints Hints;

    /// <summary>Every price seen, chosen or not (capped), for <see cref="ProductPage.PriceCandidates"/>.</summary>
    public readonly List<PriceCandidate> Candidates = [];

    /// <summary>The availability of the structured offer that gave <see cref="Price"/>, when it stated one.</summary>
    public Availability PriceOfferAvailability;

    /// <summary>True when <see cref="Price"/> is the low end of an AggregateOffer or range.</summary>
    public bool PriceIsRangeLow;

    public PriceCrossCheck CrossCheck;

    /// <summary>Prices a shopper sees, as the visual heuristic rated them (for the cross-check).</summary>
    public readonly List<VisiblePrice> Visible = [];

    public bool HasPrice => Price.HasValue;

    private const int MaxCandidates = 64;

    public void AddCandidate(PriceCandidate candidate)
    {
        if (Candidates.Count < MaxCandidates && candidate.Amount.IsValidPrice)
        {
            Candidates.Add(candidate);
        }
    }

    /// <summary>Sets price and currency together (a price from one method, currency from another only when the first gave none); records the candidate either way.</summary>
    public void OfferPrice(Money price, CurrencyCode currency, ExtractionMethod method, double confidence, string? source = null)
    {
        if (!price.IsValidPrice)
        {
            return;
        }

        if (source is not null)
        {
            AddCandidate(new PriceCandidate(price, currency, method, confidence, PriceRole.Current, source));
        }

        if (Price.HasValue)
        {
            return;
        }

        Price = new(price, method, confidence);
        if (!currency.IsEmpty && !Currency.HasValue)
        {
            Currency = new(currency, method, confidence);
        }
    }

    public void OfferCurrency(CurrencyCode currency, ExtractionMethod method, double confidence)
    {
        if (!Currency.HasValue && !currency.IsEmpty && currency.IsKnown)
        {
            Currency = new(currency, method, confidence);
        }
    }

    public void OfferAvailability(Availability availability, ExtractionMethod method, double confidence)
    {
        if (!Availability.HasValue && availability != PriceIntel.Availability.Unknown)
        {
            Availability = new(availability, method, confidence);
        }
    }

    public static void Offer(ref ExtractedField<string?> field, string? value, ExtractionMethod method, double confidence)
    {
        if (field.HasValue || string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        value = Collapse(value);
        if (value.Length > 512)
        {
            value = value[..512];
        }

        field = new(value, method, confidence);
    }

    public void OfferGtin(string? value, ExtractionMethod method, double confidence)
    {
        var normalized = ProductMatching.NormalizeGtin(value);
        if (normalized is not null)
        {
            Offer(ref Gtin, normalized, method, confidence);
        }
    }

    /// <summary>Replaces the chosen price after the cross-check (currency too when the new one names it).</summary>
    public void ReplacePrice(Money price, CurrencyCode currency, ExtractionMethod method, double confidence)
    {
        Price = new(price, method, confidence);
        if (!currency.IsEmpty)
        {
            Currency = new(currency, method, confidence);
        }
    }

    public ProductPage ToPage(bool truncated) => new()
    {
        PriceCandidates = MarkChosen(),
        CrossCheck = CrossCheck,
        Price = Price,
        Currency = Currency,
        Availability = Availability,
        Title = Title,
        Gtin = Gtin,
        Mpn = Mpn,
        Sku = Sku,
        Brand = Brand,
        LowPrice = LowPrice,
        HighPrice = HighPrice,
        Truncated = truncated,
    };

    private PriceCandidate[] MarkChosen()
    {
        var result = Candidates.ToArray();
        if (!Price.HasValue)
        {
            return result;
        }

        for (int i = 0; i < result.Length; i++)
        {
            var c = result[i];
            if (c.Amount == Price.Value && c.Method == Price.Method && c.Role == PriceRole.Current)
            {
                result[i] = c with { Chosen = true };
                break;
            }
        }

        return result;
    }

    /// <summary>Trims and collapses runs of white space to one space.</summary>
    public static string Collapse(string value)
    {
        var span = value.AsSpan().Trim();
        bool needs = false;
        for (int i = 1; i < span.Length; i++)
        {
            if (char.IsWhiteSpace(span[i]) && (char.IsWhiteSpace(span[i - 1]) || span[i] != ' '))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return span.Length == value.Length ? value : span.ToString();
        }

        var chars = new char[span.Length];
        int n = 0;
        bool space = false;
        foreach (var c in span)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && n > 0)
            {
                chars[n++] = ' ';
            }

            space = false;
            chars[n++] = c;
        }

        return new string(chars, 0, n);
    }

    /// <summary>schema.org availability (URL, short name or free text) to <see cref="PriceIntel.Availability"/>.</summary>
    public static Availability ParseAvailability(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return PriceIntel.Availability.Unknown;
        }

        var v = value.AsSpan().Trim();
        int slash = v.LastIndexOf('/');
        if (slash >= 0 && slash < v.Length - 1)
        {
            v = v[(slash + 1)..];
        }

        if (v.StartsWith("InStock", StringComparison.OrdinalIgnoreCase) || v.Equals("in stock", StringComparison.OrdinalIgnoreCase) || v.StartsWith("OnlineOnly", StringComparison.OrdinalIgnoreCase) || v.StartsWith("InStoreOnly", StringComparison.OrdinalIgnoreCase) || v.Equals("instock", StringComparison.OrdinalIgnoreCase))
        {
            return PriceIntel.Availability.InStock;
        }

        if (v.StartsWith("OutOfStock", StringComparison.OrdinalIgnoreCase) || v.StartsWith("SoldOut", StringComparison.OrdinalIgnoreCase) || v.StartsWith("Discontinued", StringComparison.OrdinalIgnoreCase) || v.Equals("out of stock", StringComparison.OrdinalIgnoreCase) || v.Equals("oos", StringComparison.OrdinalIgnoreCase))
        {
            return PriceIntel.Availability.OutOfStock;
        }

        if (v.StartsWith("LimitedAvailability", StringComparison.OrdinalIgnoreCase))
        {
            return PriceIntel.Availability.LimitedStock;
        }

        if (v.StartsWith("PreOrder", StringComparison.OrdinalIgnoreCase) || v.StartsWith("BackOrder", StringComparison.OrdinalIgnoreCase) || v.StartsWith("PreSale", StringComparison.OrdinalIgnoreCase))
        {
            return PriceIntel.Availability.PreOrder;
        }

        return StockText.Classify(value);
    }
}

/// <summary>A price shown on the page: its role and whether it sits by the buy button.</summary>
internal readonly record struct VisiblePrice(Money Amount, CurrencyCode Currency, PriceRole Role, bool NearBuy, double Score);

/// <summary>Stock messages in shop languages.</summary>
internal static class StockText
{
    private static readonly string[] OutOfStock =
    [
        "out of stock", "sold out", "currently unavailable", "no longer available", "not available", "unavailable",
        "ausverkauft", "nicht verfügbar", "nicht lieferbar", "nicht auf lager", "nicht vorrätig", "vergriffen",
        "épuisé", "rupture de stock", "indisponible", "agotado", "sin stock", "no disponible", "esaurito", "non disponibile",
        "uitverkocht", "niet op voorraad", "slutsåld", "utsolgt", "udsolgt", "brak w magazynie", "niedostępny", "vyprodáno",
        "нет в наличии", "売り切れ", "在庫切れ", "缺货", "售罄", "품절",
    ];

    private static readonly string[] InStock =
    [
        "in stock", "available", "add to cart", "add to basket", "buy now", "auf lager", "lieferbar", "verfügbar", "in den warenkorb",
        "en stock", "disponible", "hay existencias", "en existencia", "ajouter au panier", "en existencia", "añadir al carrito", "disponibile", "op voorraad", "i lager", "på lager",
        "в наличии", "在庫あり", "有货", "재고 있음",
    ];

    public static Availability Classify(ReadOnlySpan<char> text)
    {
        foreach (var phrase in OutOfStock)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return Availability.OutOfStock;
            }
        }

        foreach (var phrase in InStock)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return Availability.InStock;
            }
        }

        return Availability.Unknown;
    }
}
