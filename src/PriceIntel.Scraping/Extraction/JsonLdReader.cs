using System.Text.Json;

namespace PriceIntel.Scraping;

/// <summary>
/// schema.org Product/Offer from JSON-LD: <c>@graph</c>, top-level arrays, nested offers,
/// AggregateOffer low/high, priceSpecification, and blocks with the usual defects (trailing commas,
/// comments, HTML comment or CDATA wrappers, several objects back to back, raw line breaks in strings).
/// </summary>
internal static class JsonLdReader
{
    private const int MaxNodeDepth = 24;
    private const double Confidence = 0.95;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    public static void Read(IEnumerable<string> blocks, PageFields fields, int maxChars, ExtractionDeadline deadline)
    {
        int budget = maxChars;
        foreach (var raw in blocks)
        {
            if (raw.Length > maxChars || raw.Length > budget || deadline.Expired)
            {
                continue;
            }

            budget -= raw.Length;
            using var document = TryParse(raw);
            if (document is null)
            {
                continue;
            }

            var product = FindProduct(document.RootElement, 0);
            if (product is { } p)
            {
                ReadProduct(p, fields);
                if (fields.HasPrice)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The page currency a JSON-LD block declares, for hints before other methods run.</summary>
    internal static JsonDocument? TryParse(string raw)
    {
        var text = raw.Trim();
        if (text.StartsWith("<!--", StringComparison.Ordinal))
        {
            text = text[4..];
        }

        if (text.EndsWith("-->", StringComparison.Ordinal))
        {
            text = text[..^3];
        }

        text = text.Replace("<![CDATA[", "", StringComparison.Ordinal).Replace("]]>", "", StringComparison.Ordinal).Trim();
        if (text.StartsWith("//", StringComparison.Ordinal))
        {
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            text = newline < 0 ? "" : text[(newline + 1)..];
        }

        if (TryDocument(text) is { } doc)
        {
            return doc;
        }

        // Raw control characters inside strings (a common CMS defect): escape them.
        var cleaned = EscapeControlCharacters(text);
        if (TryDocument(cleaned) is { } doc2)
        {
            return doc2;
        }

        // Several objects back to back: wrap them in an array.
        var joined = "[" + cleaned.Replace("}\n{", "},{", StringComparison.Ordinal).Replace("}{", "},{", StringComparison.Ordinal).Replace("} {", "},{", StringComparison.Ordinal) + "]";
        return TryDocument(joined);
    }

    private static JsonDocument? TryDocument(string text)
    {
        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // ArgumentException: the text holds a lone UTF-16 surrogate, which cannot be transcoded to UTF-8.
            return null;
        }
    }

    private static string EscapeControlCharacters(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        bool inString = false;
        bool escaped = false;
        foreach (var c in text)
        {
            if (inString && c < ' ')
            {
                builder.Append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : " ");
                continue;
            }

            if (inString && !escaped && c == '"')
            {
                inString = false;
            }
            else if (!inString && c == '"')
            {
                inString = true;
            }

            escaped = inString && !escaped && c == '\\';
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static JsonElement? FindProduct(JsonElement node, int depth)
    {
        if (depth > MaxNodeDepth)
        {
            return null;
        }

        if (node.ValueKind == JsonValueKind.Array)
        {
            JsonElement? fallback = null;
            foreach (var item in node.EnumerateArray())
            {
                if (FindProduct(item, depth + 1) is { } found)
                {
                    if (HasOffers(found))
                    {
                        return found;
                    }

                    fallback ??= found;
                }
            }

            return fallback;
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (IsType(node, "Product") || IsType(node, "IndividualProduct") || IsType(node, "ProductModel") || IsType(node, "ProductGroup") || IsType(node, "Vehicle") || IsType(node, "Book") ||
            (IsEventType(node) && HasOffers(node)))
        {
            if (HasOffers(node) || !IsType(node, "ProductGroup"))
            {
                return node;
            }

            // A ProductGroup: its variants carry the offers.
            if (node.TryGetProperty("hasVariant", out var variants) && FindProduct(variants, depth + 1) is { } variant)
            {
                return variant;
            }

            return node;
        }

        foreach (var name in (ReadOnlySpan<string>)["@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "item", "about"])
        {
            if (node.TryGetProperty(name, out var child) && FindProduct(child, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>schema.org Event and its subtypes (MusicEvent, TheaterEvent, SportsEvent…), whose offers are tickets.</summary>
    private static bool IsEventType(JsonElement node)
    {
        if (!node.TryGetProperty("@type", out var t))
        {
            return false;
        }

        foreach (var item in Items(t))
        {
            if (item.ValueKind == JsonValueKind.String && SafeString(item) is { } name && (name.EndsWith("Event", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Festival", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasOffers(JsonElement node) => node.ValueKind == JsonValueKind.Object && node.TryGetProperty("offers", out _);

    private static bool IsType(JsonElement node, string type)
    {
        if (!node.TryGetProperty("@type", out var t))
        {
            return false;
        }

        if (t.ValueKind == JsonValueKind.String)
        {
            return TypeEquals(SafeString(t), type);
        }

        if (t.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in t.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && TypeEquals(SafeString(item), type))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TypeEquals(string? value, string type)
    {
        if (value is null)
        {
            return false;
        }

        int cut = Math.Max(value.LastIndexOf('/'), value.LastIndexOf(':'));
        return value.AsSpan(cut + 1).Equals(type, StringComparison.OrdinalIgnoreCase);
    }

    private static void ReadProduct(JsonElement product, PageFields fields)
    {
        PageFields.Offer(ref fields.Title, Text(product, "name"), ExtractionMethod.JsonLd, Confidence);
        PageFields.Offer(ref fields.Sku, Text(product, "sku"), ExtractionMethod.JsonLd, Confidence);
        PageFields.Offer(ref fields.Mpn, Text(product, "mpn"), ExtractionMethod.JsonLd, Confidence);
        foreach (var key in (ReadOnlySpan<string>)["gtin13", "gtin", "gtin12", "gtin14", "gtin8", "isbn"])
        {
            fields.OfferGtin(Text(product, key), ExtractionMethod.JsonLd, Confidence);
        }

        if (product.TryGetProperty("brand", out var brand))
        {
            PageFields.Offer(ref fields.Brand, brand.ValueKind == JsonValueKind.String ? SafeString(brand) : First(brand) is { ValueKind: JsonValueKind.Object } b ? Text(b, "name") : null, ExtractionMethod.JsonLd, Confidence);
        }

        if (!product.TryGetProperty("offers", out var offers))
        {
            return;
        }

        RecordCandidates(offers, fields, "offers", 0);
        var chosen = ChooseOffer(offers, fields.Hints, 0);
        if (chosen is null)
        {
            return;
        }

        var offer = chosen.Value;
        var currency = CurrencyOf(offer, fields.Hints);
        if (IsType(offer, "AggregateOffer"))
        {
            var low = Amount(offer, "lowPrice", fields.Hints.WithCurrency(currency));
            var high = Amount(offer, "highPrice", fields.Hints.WithCurrency(currency));
            fields.LowPrice = low;
            fields.HighPrice = high;
            var price = low ?? Amount(offer, "price", fields.Hints.WithCurrency(currency));
            if (price is null && offer.TryGetProperty("offers", out var inner) && ChooseOffer(inner, fields.Hints, 1) is { } innerOffer)
            {
                offer = innerOffer;
                currency = CurrencyOf(offer, fields.Hints).IsEmpty ? currency : CurrencyOf(offer, fields.Hints);
                price = OfferPrice(offer, fields.Hints.WithCurrency(currency), ref currency);
            }

            if (price is { } p && !fields.HasPrice)
            {
                fields.OfferPrice(p, currency, ExtractionMethod.JsonLd, low is null ? Confidence : 0.85);
                fields.PriceIsRangeLow = low is not null;
                fields.PriceOfferAvailability = PageFields.ParseAvailability(Text(offer, "availability"));
            }
        }
        else if (!fields.HasPrice && OfferPrice(offer, fields.Hints.WithCurrency(currency), ref currency) is { } price)
        {
            fields.OfferPrice(price, currency, ExtractionMethod.JsonLd, Confidence);
            fields.PriceOfferAvailability = PageFields.ParseAvailability(Text(offer, "availability"));
        }

        fields.OfferAvailability(PageFields.ParseAvailability(Text(offer, "availability")), ExtractionMethod.JsonLd, Confidence);
        PageFields.Offer(ref fields.Sku, Text(offer, "sku"), ExtractionMethod.JsonLd, Confidence);
        fields.OfferGtin(Text(offer, "gtin13") ?? Text(offer, "gtin"), ExtractionMethod.JsonLd, Confidence);
    }

    /// <summary>An offer's price: <c>price</c>, else the sale price in <c>priceSpecification</c> (list and strike-through prices skipped).</summary>
    private static Money? OfferPrice(JsonElement offer, PriceParseHints hints, ref CurrencyCode currency)
    {
        var price = Amount(offer, "price", hints);
        if (!offer.TryGetProperty("priceSpecification", out var specs))
        {
            return price;
        }

        // A specification typed SalePrice below the offer's price: the offer carries the list price.
        foreach (var spec in Items(specs))
        {
            if (spec.ValueKind == JsonValueKind.Object && RoleOf(spec) == PriceRole.Current && Text(spec, "priceType") is { } type && type.Contains("SalePrice", StringComparison.OrdinalIgnoreCase) &&
                Amount(spec, "price", hints) is { } sale && (price is null || sale < price.Value))
            {
                return sale;
            }
        }

        if (price is not null)
        {
            return price;
        }

        foreach (var spec in Items(specs))
        {
            if (spec.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (RoleOf(spec) != PriceRole.Current || spec.TryGetProperty("referenceQuantity", out _))
            {
                continue; // a list, struck, member-only or unit price
            }

            var specCurrency = CurrencyOf(spec, hints);
            if (Amount(spec, "price", hints.WithCurrency(specCurrency.IsEmpty ? currency : specCurrency)) is { } specPrice)
            {
                if (!specCurrency.IsEmpty)
                {
                    currency = specCurrency;
                }

                return specPrice;
            }
        }

        return null;
    }

    /// <summary>What a price specification stands for: list/strikethrough/MSRP → old; a member tier or customer type → member-only.</summary>
    private static PriceRole RoleOf(JsonElement spec)
    {
        var priceType = Text(spec, "priceType");
        if (priceType is not null && (priceType.Contains("ListPrice", StringComparison.OrdinalIgnoreCase) || priceType.Contains("Strikethrough", StringComparison.OrdinalIgnoreCase) ||
            priceType.Contains("MSRP", StringComparison.OrdinalIgnoreCase) || priceType.Contains("SRP", StringComparison.OrdinalIgnoreCase) || priceType.Contains("MinimumAdvertised", StringComparison.OrdinalIgnoreCase)))
        {
            return PriceRole.Old;
        }

        if (spec.TryGetProperty("validForMemberTier", out _) || spec.TryGetProperty("eligibleCustomerType", out _) || (priceType is not null && priceType.Contains("Member", StringComparison.OrdinalIgnoreCase)))
        {
            return PriceRole.MemberOnly;
        }

        return PriceRole.Current;
    }

    /// <summary>Every offer price, low/high and price specification, for the audit list and the cross-check.</summary>
    private static void RecordCandidates(JsonElement offers, PageFields fields, string path, int depth)
    {
        if (depth > 3)
        {
            return;
        }

        int index = 0;
        foreach (var offer in Items(offers))
        {
            if (offer.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string at = offers.ValueKind == JsonValueKind.Array ? $"{path}[{index}]" : path;
            index++;
            var currency = CurrencyOf(offer, fields.Hints);
            var hints = fields.Hints.WithCurrency(currency);
            var availability = PageFields.ParseAvailability(Text(offer, "availability"));
            if (Amount(offer, "price", hints) is { } price)
            {
                fields.AddCandidate(new PriceCandidate(price, currency, ExtractionMethod.JsonLd, Confidence, PriceRole.Current, $"JSON-LD {at}.price") { Availability = availability });
            }

            if (Amount(offer, "lowPrice", hints) is { } low)
            {
                fields.AddCandidate(new PriceCandidate(low, currency, ExtractionMethod.JsonLd, 0.85, PriceRole.RangeLow, $"JSON-LD {at}.lowPrice") { Availability = availability });
            }

            if (offer.TryGetProperty("priceSpecification", out var specs))
            {
                int s = 0;
                foreach (var spec in Items(specs))
                {
                    if (spec.ValueKind == JsonValueKind.Object && !spec.TryGetProperty("referenceQuantity", out _))
                    {
                        var specCurrency = CurrencyOf(spec, fields.Hints);
                        if (Amount(spec, "price", fields.Hints.WithCurrency(specCurrency.IsEmpty ? currency : specCurrency)) is { } specPrice)
                        {
                            fields.AddCandidate(new PriceCandidate(specPrice, specCurrency.IsEmpty ? currency : specCurrency, ExtractionMethod.JsonLd, 0.9, RoleOf(spec), $"JSON-LD {at}.priceSpecification[{s}]") { Availability = availability });
                        }
                    }

                    s++;
                }
            }

            if (offer.TryGetProperty("offers", out var inner))
            {
                RecordCandidates(inner, fields, at + ".offers", depth + 1);
            }
        }
    }

    private static JsonElement? ChooseOffer(JsonElement offers, PriceParseHints hints, int depth)
    {
        if (offers.ValueKind == JsonValueKind.Object)
        {
            return offers;
        }

        if (offers.ValueKind != JsonValueKind.Array || depth > 4)
        {
            return null;
        }

        // The first in-stock offer with a price, new before used/refurbished/damaged ones (marketplaces list a
        // used copy below the new price); else the first offer with a price; else the first.
        JsonElement? firstPriced = null;
        JsonElement? first = null;
        JsonElement? secondHandInStock = null;
        foreach (var item in offers.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            first ??= item;
            var currency = CurrencyOf(item, hints);
            bool priced = Amount(item, "price", hints.WithCurrency(currency)) is not null || Amount(item, "lowPrice", hints.WithCurrency(currency)) is not null || item.TryGetProperty("priceSpecification", out _);
            if (!priced)
            {
                continue;
            }

            firstPriced ??= item;
            if (PageFields.ParseAvailability(Text(item, "availability")) == Availability.InStock)
            {
                if (!IsSecondHand(item))
                {
                    return item;
                }

                secondHandInStock ??= item;
            }
        }

        return secondHandInStock ?? firstPriced ?? first;
    }

    /// <summary>itemCondition says used, refurbished or damaged (schema.org URLs or bare names).</summary>
    private static bool IsSecondHand(JsonElement offer)
    {
        var condition = Text(offer, "itemCondition");
        return condition is not null &&
            (condition.Contains("Used", StringComparison.OrdinalIgnoreCase) || condition.Contains("Refurbished", StringComparison.OrdinalIgnoreCase) ||
             condition.Contains("Damaged", StringComparison.OrdinalIgnoreCase));
    }

    private static CurrencyCode CurrencyOf(JsonElement offer, PriceParseHints hints)
    {
        var text = Text(offer, "priceCurrency");
        return text is not null && PriceText.TryParseCurrency(text, hints.Currency, out var currency) ? currency : default;
    }

    private static Money? Amount(JsonElement node, string name, PriceParseHints hints)
    {
        if (!node.TryGetProperty(name, out var value))
        {
            return null;
        }

        value = First(value);
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetDecimal(out var d) && d > 0 && d < 1_000_000_000_000m ? Money.FromDecimal(d) : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return PriceValue.TryRead(SafeString(value), hints, out var amount, out _) ? amount : null;
    }

    /// <summary><see cref="JsonElement.GetString"/> that gives null instead of throwing on a lone-surrogate escape such as <c>\\ud800</c>.</summary>
    internal static string? SafeString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement node, string name)
    {
        if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(name, out var value))
        {
            return null;
        }

        value = First(value);
        return value.ValueKind switch
        {
            JsonValueKind.String => SafeString(value),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Object when value.TryGetProperty("@id", out var id) && id.ValueKind == JsonValueKind.String => SafeString(id),
            JsonValueKind.Object when value.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String => SafeString(n),
            _ => null,
        };
    }

    private static JsonElement First(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                return item;
            }
        }

        return value;
    }

    private static IEnumerable<JsonElement> Items(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                yield return item;
            }
        }
        else
        {
            yield return value;
        }
    }
}
