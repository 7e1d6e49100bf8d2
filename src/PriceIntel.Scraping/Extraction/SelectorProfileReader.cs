using AngleSharp.Dom;

namespace PriceIntel.Scraping;

/// <summary>Applies the selector profiles for the page's host (site profiles before platform-wide "*" ones).</summary>
internal static class SelectorProfileReader
{
    private const double Confidence = 0.75;

    public static void Read(IDocument document, string? host, IList<SelectorProfile> profiles, PageFields fields)
    {
        // Site-specific profiles first, then the "*" platform profiles.
        for (int pass = 0; pass < 2 && !fields.HasPrice; pass++)
        {
            foreach (var profile in profiles)
            {
                bool wildcard = profile.Hosts.Contains("*");
                if ((pass == 0) == wildcard || !profile.AppliesTo(host))
                {
                    continue;
                }

                if (Apply(document, profile, fields))
                {
                    return;
                }
            }
        }
    }

    private static bool Apply(IDocument document, SelectorProfile profile, PageFields fields)
    {
        var priceElement = First(document, profile.Price);
        if (priceElement is null)
        {
            return false;
        }

        var priceText = profile.PriceAttribute is { Length: > 0 } attribute ? priceElement.GetAttribute(attribute) : VisibleText.Of(priceElement, 200);
        var currencyElement = First(document, profile.Currency);
        var declared = currencyElement is not null && PriceText.TryParseCurrency(ScopedDataReader.Value(currencyElement) ?? "", fields.Hints.Currency, out var c) ? c : default;
        var hints = declared.IsEmpty ? fields.Hints : fields.Hints.WithCurrency(declared);
        var parsed = PriceText.Parse(priceText ?? "", hints);
        if (!parsed.HasPrice || (parsed.Qualifiers & PriceQualifiers.PerUnit) != 0)
        {
            return false;
        }

        fields.OfferPrice(parsed.Amount, parsed.Currency, ExtractionMethod.SelectorProfile, Confidence, $"profile {profile.Name}");
        PageFields.Offer(ref fields.Title, BoundedText(First(document, profile.Title)), ExtractionMethod.SelectorProfile, Confidence);
        PageFields.Offer(ref fields.Sku, TextOrValue(First(document, profile.Sku)), ExtractionMethod.SelectorProfile, Confidence);
        PageFields.Offer(ref fields.Brand, BoundedText(First(document, profile.Brand)), ExtractionMethod.SelectorProfile, Confidence);
        fields.OfferGtin(TextOrValue(First(document, profile.Gtin)), ExtractionMethod.SelectorProfile, Confidence);
        var stock = First(document, profile.Availability);
        if (stock is not null)
        {
            var text = VisibleText.Of(stock, 400);
            var availability = Availability.Unknown;
            foreach (var phrase in profile.OutOfStockText)
            {
                if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                {
                    availability = Availability.OutOfStock;
                    break;
                }
            }

            if (availability == Availability.Unknown)
            {
                availability = stock.HasAttribute("disabled") ? Availability.OutOfStock : StockText.Classify(text);
            }

            fields.OfferAvailability(availability, ExtractionMethod.SelectorProfile, Confidence);
        }

        if ((parsed.Qualifiers & PriceQualifiers.SoldOut) != 0)
        {
            fields.OfferAvailability(Availability.OutOfStock, ExtractionMethod.SelectorProfile, Confidence);
        }

        return true;
    }

    private static string? TextOrValue(IElement? element) => element is null ? null : element.GetAttribute("value") ?? BoundedText(element);

    private static string? BoundedText(IElement? element) => element is null ? null : VisibleText.Bounded(element, 1024);

    private static IElement? First(IDocument document, IReadOnlyList<string> selectors)
    {
        foreach (var selector in selectors)
        {
            // A malformed selector in a profile compiles to null and is skipped.
            if (Selectors.First(document, selector) is { } element)
            {
                return element;
            }
        }

        return null;
    }
}

/// <summary>The text a shopper sees in an element: scripts and styles skipped, "<sup>99</sup>" cents joined with a decimal point.</summary>
internal static class VisibleText
{
    /// <summary>
    /// The element's text content when it is at most <paramref name="maxLength"/> characters, else null;
    /// stops reading as soon as the limit is passed, so a wrapper around a huge subtree costs no more than the limit
    /// (<see cref="INode.TextContent"/> would build the whole subtree's text).
    /// </summary>
    public static string? Bounded(INode node, int maxLength)
    {
        var builder = new System.Text.StringBuilder();
        return AppendAll(node, builder, maxLength, 0) ? builder.ToString() : null;
    }

    private static bool AppendAll(INode node, System.Text.StringBuilder builder, int maxLength, int depth)
    {
        if (depth > 64)
        {
            return false;
        }

        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                if (builder.Length + text.Data.Length > maxLength)
                {
                    return false;
                }

                builder.Append(text.Data);
            }
            else if (child is IElement element && !AppendAll(element, builder, maxLength, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    public static string Of(IElement element, int maxLength)
    {
        var builder = new System.Text.StringBuilder();
        Append(element, builder, maxLength, 0);
        return PageFields.Collapse(builder.ToString());
    }

    private static void Append(INode node, System.Text.StringBuilder builder, int maxLength, int depth)
    {
        if (builder.Length >= maxLength || depth > 32)
        {
            return;
        }

        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                builder.Append(text.Data);
            }
            else if (child is IElement element)
            {
                var name = element.LocalName;
                if (name is "script" or "style" or "noscript" or "template" or "svg")
                {
                    continue;
                }

                if (name == "sup" && IsCents(Bounded(element, 8)) && builder.Length > 0 && char.IsDigit(builder[^1]))
                {
                    builder.Append('.');
                }

                if (name is "br" or "p" or "div" or "li")
                {
                    builder.Append(' ');
                }

                Append(element, builder, maxLength, depth + 1);
                if (name is "p" or "div" or "li" or "td")
                {
                    builder.Append(' ');
                }
            }

            if (builder.Length >= maxLength)
            {
                return;
            }
        }
    }

    private static bool IsCents(string? text)
    {
        var t = text.AsSpan().Trim();
        return t.Length == 2 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[1]);
    }
}
