using AngleSharp.Dom;

namespace PriceIntel.Scraping;

/// <summary>
/// Finds the main price of a page with no markup the way a shopper would: a short text with a
/// currency near the product title and the buy button, not struck through ("was" prices), not in
/// recommendation, header, footer or cart areas, not a per-unit price, shipping threshold or
/// instalment. When two different prices score alike it gives no price rather than a guess.
/// </summary>
internal static class VisualPriceHeuristic
{
    private const int MaxElements = 20_000;
    private const int MaxCandidates = 400;

    private static readonly string[] ExcludedAreaWords =
    [
        "recommend", "recommended", "recommendations", "related", "similar", "carousel", "upsell", "crosssell", "cross", "also", "bought",
        "viewed", "suggest", "suggestions", "recently", "footer", "header", "nav", "navigation", "menu", "minicart", "minibasket",
        "bundle", "accessories", "reviews", "sidebar", "banner", "shipping", "delivery", "teaser", "others",
    ];

    private static readonly string[] StruckWords = ["old", "was", "strike", "strikethrough", "crossed", "regular", "compare", "rrp", "msrp", "uvp", "list", "listprice", "original", "before", "previous", "del", "saving", "savings", "save", "discount", "unit", "baseprice", "grundpreis", "perunit"];

    private static readonly string[] CurrentWords = ["sale", "current", "final", "now", "special", "offer", "actual", "our", "deal", "new", "selling", "main", "promo"];

    private static readonly string[] BuyPhrases =
    [
        "add to cart", "add to basket", "add to bag", "buy now", "in den warenkorb", "jetzt kaufen", "ajouter au panier", "acheter",
        "añadir al carrito", "comprar", "aggiungi al carrello", "in winkelwagen", "lägg i varukorg", "dodaj do koszyka", "カートに入れる", "加入购物车", "장바구니",
    ];

    private struct Candidate
    {
        public Money Amount;
        public CurrencyCode Currency;
        public double Score;
        public int Index;
        public bool Bare;
    }

    public static void Read(IDocument document, PageFields fields, ExtractionDeadline deadline)
    {
        try
        {
            ReadCore(document, fields, deadline);
        }
        finally
        {
            t_words?.Clear();
        }
    }

    private static void ReadCore(IDocument document, PageFields fields, ExtractionDeadline deadline)
    {
        var body = document.Body;
        if (body is null)
        {
            return;
        }

        // Copied once: indexing AngleSharp's live collection walks the tree each time.
        var all = new List<IElement>(256);
        foreach (var element in document.All)
        {
            all.Add(element);
            if (all.Count == MaxElements)
            {
                break;
            }
        }

        int count = all.Count;
        int h1 = -1;
        int buy = -1;
        bool buyDisabled = false;
        for (int i = 0; i < count; i++)
        {
            if ((i & 63) == 0 && deadline.Expired)
            {
                return;
            }

            var e = all[i];
            if (h1 < 0 && e.LocalName == "h1" && !InExcludedArea(e))
            {
                h1 = i;
            }

            if (buy < 0 && e.LocalName is "button" or "input" && IsBuyButton(e))
            {
                buy = i;
                buyDisabled = e.HasAttribute("disabled") || string.Equals(e.GetAttribute("aria-disabled"), "true", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (h1 >= 0)
        {
            PageFields.Offer(ref fields.Title, VisibleText.Bounded(all[h1], 1024), ExtractionMethod.VisualHeuristic, 0.6);
        }

        var candidates = new List<Candidate>();
        for (int i = 0; i < count && candidates.Count < MaxCandidates; i++)
        {
            if ((i & 63) == 0 && deadline.Expired)
            {
                return;
            }

            var e = all[i];
            if (e.LocalName is "script" or "style" or "noscript" or "template" or "head" or "title" or "meta" or "option" or "select" or "svg" || e.ChildElementCount > 6)
            {
                continue;
            }

            var raw = VisibleText.Bounded(e, 200);
            if (raw is null || raw.Length == 0 || !HasDigit(raw))
            {
                continue;
            }

            var text = VisibleText.Of(e, 120);
            if (text.Length > 80)
            {
                continue;
            }

            var parsed = PriceText.Parse(text, fields.Hints);
            if (!parsed.HasPrice || parsed.Currency.IsEmpty || (parsed.Qualifiers & (PriceQualifiers.PerUnit | PriceQualifiers.MultiBuy)) != 0)
            {
                continue;
            }

            bool priceNamed = NamesPrice(e);
            if ((parsed.Qualifiers & PriceQualifiers.BareNumber) != 0 && !priceNamed)
            {
                continue; // a bare number counts only where the page calls it a price
            }

            if (IsStruckOrExcluded(e, out bool current))
            {
                continue;
            }

            double score = 1;
            if (priceNamed)
            {
                score += 3;
            }

            if (current || (parsed.Qualifiers & PriceQualifiers.HadOldPrice) != 0)
            {
                score += 1.5;
            }

            if (h1 >= 0)
            {
                int distance = i - h1;
                score += distance switch
                {
                    >= 0 and <= 30 => 3,
                    > 30 and <= 100 => 1.5,
                    > 100 => 0,
                    >= -20 => 1,
                    _ => -1,
                };
            }

            if (buy >= 0)
            {
                int distance = buy - i;
                score += distance is >= 0 and <= 40 ? 2 : distance is < 0 and >= -15 ? 1 : 0;
            }

            if (e.LocalName is "strong" or "b" || e.ParentElement?.LocalName is "strong" or "b")
            {
                score += 0.5;
            }

            candidates.Add(new Candidate { Amount = parsed.Amount, Currency = parsed.Currency, Score = score, Index = i, Bare = (parsed.Qualifiers & PriceQualifiers.BareNumber) != 0 });
        }

        // Bare numbers ("129" of "$129<sup>99</sup>") only count when no text names its currency.
        bool anyNamed = false;
        foreach (var c in candidates)
        {
            anyNamed |= !c.Bare;
        }

        if (anyNamed)
        {
            candidates.RemoveAll(static c => c.Bare);
        }

        if (candidates.Count > 0)
        {
            int best = 0;
            for (int k = 1; k < candidates.Count; k++)
            {
                if (candidates[k].Score > candidates[best].Score)
                {
                    best = k;
                }
            }

            // The strongest rival with a different amount; too close means no answer.
            double rival = double.NegativeInfinity;
            foreach (var c in candidates)
            {
                if ((c.Amount != candidates[best].Amount || c.Currency != candidates[best].Currency) && c.Score > rival)
                {
                    rival = c.Score;
                }
            }

            double margin = candidates[best].Score - rival;
            if (margin >= 1)
            {
                double confidence = Math.Min(0.7, 0.35 + (0.05 * Math.Min(margin, 7)));
                fields.OfferPrice(candidates[best].Amount, candidates[best].Currency, ExtractionMethod.VisualHeuristic, confidence);
            }
        }

        fields.OfferAvailability(StockNearProduct(all, count, h1, buy, buyDisabled), ExtractionMethod.VisualHeuristic, 0.6);
    }

    private static Availability StockNearProduct(List<IElement> all, int count, int h1, int buy, bool buyDisabled)
    {
        int start = h1 >= 0 ? h1 : 0;
        int end = Math.Min(count, start + 150);
        for (int i = start; i < end; i++)
        {
            var e = all[i];
            if (e.ChildElementCount > 1 || e.LocalName is "script" or "style")
            {
                continue;
            }

            var text = VisibleText.Bounded(e, 120);
            if (text is { Length: > 0 } && !InExcludedArea(e))
            {
                var stock = StockText.Classify(text);
                if (stock == Availability.OutOfStock)
                {
                    return Availability.OutOfStock;
                }
            }
        }

        if (buy >= 0)
        {
            return buyDisabled ? Availability.OutOfStock : Availability.InStock;
        }

        return Availability.Unknown;
    }

    private static bool IsBuyButton(IElement e)
    {
        var text = e.LocalName == "input" ? e.GetAttribute("value") ?? "" : VisibleText.Bounded(e, 60);
        if (text is null || text.Length > 60)
        {
            return false;
        }

        foreach (var phrase in BuyPhrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return !InExcludedArea(e);
            }
        }

        return false;
    }

    private static bool HasDigit(string text)
    {
        foreach (var c in text)
        {
            if (PriceTextParser.Digit(c) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool NamesPrice(IElement e)
    {
        for (var x = e; x is not null && x.LocalName != "body"; x = x.ParentElement)
        {
            if (HasWord(x, "price") || HasWord(x, "preis") || HasWord(x, "prix") || HasWord(x, "precio") || HasWord(x, "amount"))
            {
                return true;
            }

            if (x != e && x.ChildElementCount > 4)
            {
                break;
            }
        }

        return false;
    }

    private static bool IsStruckOrExcluded(IElement e, out bool current)
    {
        current = false;
        for (var x = e; x is not null && x.LocalName != "body"; x = x.ParentElement)
        {
            var name = x.LocalName;
            if (name is "del" or "s" or "strike" or "footer" or "nav" or "header" or "aside")
            {
                return true;
            }

            var style = x.GetAttribute("style");
            if (style is not null && (style.Contains("line-through", StringComparison.OrdinalIgnoreCase) || style.Contains("display:none", StringComparison.OrdinalIgnoreCase) || style.Contains("display: none", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            if (x.HasAttribute("hidden"))
            {
                return true;
            }

            foreach (var word in ExcludedAreaWords)
            {
                if (HasWord(x, word))
                {
                    return true;
                }
            }

            // Old-price class words count on the element and its close wrappers only.
            if (x == e || x == e.ParentElement)
            {
                foreach (var word in StruckWords)
                {
                    if (HasWord(x, word))
                    {
                        return true;
                    }
                }

                foreach (var word in CurrentWords)
                {
                    current |= HasWord(x, word);
                }
            }
        }

        return false;
    }

    private static bool InExcludedArea(IElement e)
    {
        for (var x = e; x is not null && x.LocalName != "body"; x = x.ParentElement)
        {
            if (x.LocalName is "footer" or "nav" or "header" or "aside")
            {
                return true;
            }

            foreach (var word in ExcludedAreaWords)
            {
                if (HasWord(x, word))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when a word of the element's class, id or data-testid (split at spaces, '-', '_' and case changes) equals <paramref name="word"/>.</summary>
    private static bool HasWord(IElement e, string word) => WordsOf(e).Contains(word);

    [ThreadStatic]
    private static Dictionary<IElement, HashSet<string>>? t_words;

    private static readonly HashSet<string> NoWords = [];

    /// <summary>The element's class/id words, computed once per element per page.</summary>
    private static HashSet<string> WordsOf(IElement e)
    {
        var cache = t_words ??= new Dictionary<IElement, HashSet<string>>(ReferenceEqualityComparer.Instance);
        if (cache.TryGetValue(e, out var words))
        {
            return words;
        }

        words = NoWords;
        foreach (var value in (ReadOnlySpan<string?>)[e.GetAttribute("class"), e.Id, e.GetAttribute("data-testid")])
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            int start = 0;
            for (int i = 0; i <= value.Length; i++)
            {
                bool boundary = i == value.Length || value[i] is ' ' or '-' or '_' or '\t' or '\n' || (i > start && char.IsUpper(value[i]) && char.IsLower(value[i - 1]));
                if (!boundary)
                {
                    continue;
                }

                if (i > start)
                {
                    if (ReferenceEquals(words, NoWords))
                    {
                        words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    }

                    words.Add(value[start..i]);
                }

                start = i < value.Length && char.IsUpper(value[i]) ? i : i + 1;
            }
        }

        cache[e] = words;
        return words;
    }
}
