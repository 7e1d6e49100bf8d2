namespace PriceIntel.Scraping;

/// <summary>
/// Compares the price structured data (or a selector profile) gave with the prices a shopper sees, and
/// decides by evidence when they disagree: another offer in the structured data that matches the page wins;
/// the visible price wins when the structured one shows on the page only as an old or member price, or is
/// the low end of a range or an unavailable offer while the visible one sits by the buy button; otherwise
/// the structured price stays with lower confidence. The outcome is <see cref="ProductPage.CrossCheck"/>.
/// </summary>
internal static class PriceCrossChecker
{
    private const double AgreedConfidence = 0.97;
    private const double MatchingOfferConfidence = 0.85;
    private const double VisibleConfidence = 0.7;
    private const double DisagreedConfidence = 0.6;

    public static void Check(PageFields fields, ExtractedField<Money> visualBest, ExtractedField<CurrencyCode> visualCurrency, bool structured)
    {
        var price = fields.Price.Value;
        var currency = fields.Currency.Value;
        bool anyLive = false;
        foreach (var v in fields.Visible)
        {
            anyLive |= v.Role == PriceRole.Current;
        }

        if (!anyLive)
        {
            fields.CrossCheck = PriceCrossCheck.NotChecked;
            return;
        }

        foreach (var v in fields.Visible)
        {
            if (v.Role == PriceRole.Current && Same(v.Amount, v.Currency, price, currency))
            {
                fields.CrossCheck = PriceCrossCheck.Agreed;
                fields.Price = fields.Price with { Confidence = Math.Max(fields.Price.Confidence, structured ? AgreedConfidence : 0.85) };
                return;
            }
        }

        // 1. Another offer or price specification in the structured data matches a live visible price:
        //    the strongest visible one (by the buy button first) decides which.
        VisiblePrice? bestMatch = null;
        PriceCandidate? matchingOffer = null;
        foreach (var v in fields.Visible)
        {
            if (v.Role != PriceRole.Current || (bestMatch is { } b && (b.NearBuy && !v.NearBuy || (b.NearBuy == v.NearBuy && b.Score >= v.Score))))
            {
                continue;
            }

            foreach (var c in fields.Candidates)
            {
                if (c.Method != ExtractionMethod.VisualHeuristic && c.Role == PriceRole.Current && c.Availability != Availability.OutOfStock && Same(c.Amount, c.Currency, v.Amount, v.Currency))
                {
                    bestMatch = v;
                    matchingOffer = c;
                    break;
                }
            }
        }

        if (matchingOffer is not null)
        {
            fields.ReplacePrice(matchingOffer.Amount, matchingOffer.Currency.IsEmpty ? currency : matchingOffer.Currency, matchingOffer.Method, MatchingOfferConfidence);
            fields.CrossCheck = PriceCrossCheck.TookMatchingOffer;
            return;
        }

        // 2. Evidence against the structured price.
        bool shownAsOldOrMember = false;
        foreach (var v in fields.Visible)
        {
            shownAsOldOrMember |= v.Role is PriceRole.Old or PriceRole.MemberOnly && Same(v.Amount, v.Currency, price, currency);
        }

        bool visibleByBuyButton = false;
        if (visualBest.HasValue)
        {
            foreach (var v in fields.Visible)
            {
                visibleByBuyButton |= v.Role == PriceRole.Current && v.NearBuy && v.Amount == visualBest.Value;
            }
        }

        bool weakStructured = fields.PriceIsRangeLow || fields.PriceOfferAvailability == Availability.OutOfStock;
        if (visualBest.HasValue && (shownAsOldOrMember || (weakStructured && visibleByBuyButton)) &&
            (visualCurrency.Value.IsEmpty || currency.IsEmpty || visualCurrency.Value == currency))
        {
            fields.ReplacePrice(visualBest.Value, visualCurrency.Value.IsEmpty ? currency : visualCurrency.Value, ExtractionMethod.VisualHeuristic, VisibleConfidence);
            fields.CrossCheck = PriceCrossCheck.TookVisible;
            return;
        }

        // 3. Nothing settles it: keep the structured price, trusted less.
        fields.Price = fields.Price with { Confidence = Math.Min(fields.Price.Confidence, DisagreedConfidence) };
        fields.CrossCheck = PriceCrossCheck.Disagreed;
    }

    private static bool Same(Money a, CurrencyCode ca, Money b, CurrencyCode cb) => a == b && (ca.IsEmpty || cb.IsEmpty || ca == cb);
}
