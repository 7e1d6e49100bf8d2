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

    private static readonly string[] StruckWords = ["old", "was", "strike", "strikethrough", "crossed", "regular", "compare", "rrp", "msrp", "uvp", "list", "listprice", "original", "before", "previous", "del", "streichpreis"];

    // Class words of amounts that are not a price at all: savings, discounts, unit prices.
    private static readonly string[] NotPriceWords = ["saving", "savings", "save", "discount", "unit", "baseprice", "grundpreis", "perunit", "installment", "instalment", "monthly", "klarna", "afterpay"];

    private static readonly string[] CurrentWords = ["sale", "current", "final", "now", "special", "offer", "actual", "our", "deal", "new", "selling", "main", "promo"];

    private static readonly string[] BuyPhrases =
    [
        "add to cart", "add to basket", "add to bag", "buy now", "in den warenkorb", "jetzt kaufen", "ajouter au panier", "acheter",
        "añadir al carrito", "comprar", "aggiungi al carrello", "in winkelwagen", "lägg i varukorg", "dodaj do koszyka", "カートに入れる", "加入购物车", "장바구니",
    ];

    private enum Marking : byte
    {
        None,
        ExcludedArea,
        Struck,
        StruckByClass,
    }

    private struct Candidate
    {
        public Money Amount;
        public CurrencyCode Currency;
        public double Score;
        public int Index;
        public bool Bare;
        public PriceRole Role;
        public bool SoftOnly;
        public bool NearBuy;
        public IElement Element;
    }

    /// <summary>
    /// The best-scoring candidate when it leads the strongest rival with a different amount by a clear margin;
    /// on a near tie, the tie-breaks: (1) two prices in one small box in one currency are an old/new pair, the
    /// lower is live; (2) only one of them shares the buy button's box; (3) only one shares the title's container.
    /// Otherwise none.
    /// </summary>
    private static (Candidate Best, double Margin)? Choose(List<Candidate> candidates, IElement? h1, IElement? buyElement)
    {
        int best = 0;
        for (int k = 1; k < candidates.Count; k++)
        {
            if (candidates[k].Score > candidates[best].Score)
            {
                best = k;
            }
        }

        int rival = -1;
        for (int k = 0; k < candidates.Count; k++)
        {
            var c = candidates[k];
            if ((c.Amount != candidates[best].Amount || c.Currency != candidates[best].Currency) && (rival < 0 || c.Score > candidates[rival].Score))
            {
                rival = k;
            }
        }

        if (rival < 0)
        {
            return (candidates[best], 7);
        }

        double margin = candidates[best].Score - candidates[rival].Score;
        if (margin >= 1)
        {
            return (candidates[best], margin);
        }

        var a = candidates[best];
        var b = candidates[rival];
        if (a.Currency == b.Currency && SmallCommonBox(a.Element, b.Element))
        {
            return (a.Amount < b.Amount ? a : b, 1.5); // old and new price side by side
        }

        // Only one shares the buy button's box (its parent or grandparent, short of the body).
        for (var box = buyElement?.ParentElement; box is not null && box.LocalName is not ("body" or "html"); box = box.ParentElement)
        {
            bool aIn = box.Contains(a.Element);
            bool bIn = box.Contains(b.Element);
            if (aIn != bIn)
            {
                return (aIn ? a : b, 1);
            }

            if (aIn)
            {
                break;
            }
        }

        if (h1 is not null)
        {
            var box = h1.ParentElement;
            bool aWith = box is not null && box.LocalName != "body" && box.Contains(a.Element);
            bool bWith = box is not null && box.LocalName != "body" && box.Contains(b.Element);
            if (aWith != bWith)
            {
                return (aWith ? a : b, 1);
            }
        }

        return null;
    }

    /// <summary>True when the two elements share a parent or grandparent that is a small box (not the body, at most six children).</summary>
    private static bool SmallCommonBox(IElement a, IElement b)
    {
        var p = a.ParentElement;
        for (int up = 0; up < 2 && p is not null && p.LocalName is not ("body" or "html"); up++, p = p.ParentElement)
        {
            if (p.ChildElementCount <= 6 && p.Contains(b) && !b.Contains(a) && !a.Contains(b))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(IElement e)
    {
        var cls = e.GetAttribute("class");
        if (string.IsNullOrWhiteSpace(cls))
        {
            return e.LocalName;
        }

        var first = cls.AsSpan().Trim();
        int space = first.IndexOf(' ');
        if (space > 0)
        {
            first = first[..space];
        }

        return first.Length > 40 ? e.LocalName : $"{e.LocalName}.{first}";
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
            if (e.LocalName is "script" or "style" or "noscript" or "template" or "head" or "title" or "meta" or "option" or "select" or "svg" || e.ChildElementCount > 6 || InHeading(e))
            {
                continue;
            }

            var raw = VisibleText.Bounded(e, 200);
            if (raw is null || raw.Length == 0 || !HasDigit(raw))
            {
                continue;
            }

            var text = VisibleText.Of(e, 120);
            if (text.Length > 80 || (buy < 0 && IsEditorialProse(e, text)))
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

            var marking = Classify(e, out bool current);
            if (marking == Marking.ExcludedArea)
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

            bool nearBuy = false;
            if (buy >= 0)
            {
                int distance = buy - i;
                nearBuy = distance is >= 0 and <= 40 or (< 0 and >= -15);
                score += distance is >= 0 and <= 40 ? 2 : distance is < 0 and >= -15 ? 1 : 0;
            }

            if (e.LocalName is "strong" or "b" || e.ParentElement?.LocalName is "strong" or "b")
            {
                score += 0.5;
            }

            // The tax preference: a net price beside gross ones (or the reverse) scores lower.
            var unwantedTax = fields.Hints.PreferExcludingTax ? PriceQualifiers.IncludesTax : PriceQualifiers.ExcludesTax;
            if ((parsed.Qualifiers & unwantedTax) != 0)
            {
                score -= 1.5;
            }

            var role = marking is Marking.Struck or Marking.StruckByClass ? PriceRole.Old
                : (parsed.Qualifiers & PriceQualifiers.MemberPrice) != 0 ? PriceRole.MemberOnly
                : (parsed.Qualifiers & PriceQualifiers.Recurring) != 0 ? PriceRole.Recurring
                : PriceRole.Current;
            candidates.Add(new Candidate
            {
                Amount = parsed.Amount,
                Currency = parsed.Currency,
                Score = score,
                Index = i,
                Bare = (parsed.Qualifiers & PriceQualifiers.BareNumber) != 0,
                Role = role,
                SoftOnly = marking == Marking.StruckByClass,
                NearBuy = nearBuy,
                Element = e,
            });
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

        foreach (var c in candidates)
        {
            fields.Visible.Add(new VisiblePrice(c.Amount, c.Currency, c.Role, c.NearBuy, c.Score));
            fields.AddCandidate(new PriceCandidate(c.Amount, c.Currency, ExtractionMethod.VisualHeuristic, Math.Min(0.7, 0.1 * c.Score), c.Role, "visible " + Describe(c.Element) + (c.NearBuy ? " (near buy button)" : "")) { NearBuyButton = c.NearBuy });
        }

        // Live prices first; a price marked old only by a class name, or a member/recurring one, counts
        // when the page shows nothing else (a shop that styles its only price "price-old").
        var live = candidates.FindAll(static c => c.Role == PriceRole.Current);
        double cap = 0.7;
        if (live.Count == 0)
        {
            live = candidates.FindAll(static c => (c.Role == PriceRole.Old && c.SoftOnly) || c.Role is PriceRole.MemberOnly or PriceRole.Recurring);
            cap = 0.4;
        }

        if (live.Count > 0 && Choose(live, h1 >= 0 ? all[h1] : null, buy >= 0 ? all[buy] : null) is { } chosen)
        {
            double confidence = Math.Min(cap, 0.35 + (0.05 * Math.Min(chosen.Margin, 7)));
            fields.OfferPrice(chosen.Best.Amount, chosen.Best.Currency, ExtractionMethod.VisualHeuristic, confidence);
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

    /// <summary>
    /// A sentence inside an <c>article</c> on a page with no buy button: a review or news text that mentions
    /// prices ("we bought it for $449"), not a price display.
    /// </summary>
    private static bool IsEditorialProse(IElement e, string text)
    {
        int words = 0;
        bool inWord = false;
        foreach (var ch in text)
        {
            bool letter = !char.IsWhiteSpace(ch);
            words += letter && !inWord ? 1 : 0;
            inWord = letter;
        }

        if (words < 6)
        {
            return false;
        }

        for (var x = e; x is not null; x = x.ParentElement)
        {
            if (x.LocalName == "article")
            {
                return true;
            }
        }

        return false;
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

    /// <summary>A product title ("Ten kettles under $50") names prices it is not.</summary>
    private static bool InHeading(IElement e)
    {
        for (var x = e; x is not null && x.LocalName != "body"; x = x.ParentElement)
        {
            if (x.LocalName is "h1" or "h2")
            {
                return true;
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

    private static Marking Classify(IElement e, out bool current)
    {
        current = false;
        var marking = Marking.None;
        for (var x = e; x is not null && x.LocalName != "body"; x = x.ParentElement)
        {
            var name = x.LocalName;
            if (name is "footer" or "nav" or "header" or "aside")
            {
                return Marking.ExcludedArea;
            }

            if (name is "del" or "s" or "strike")
            {
                marking = Marking.Struck;
            }

            var style = x.GetAttribute("style");
            if (style is not null && (style.Contains("display:none", StringComparison.OrdinalIgnoreCase) || style.Contains("display: none", StringComparison.OrdinalIgnoreCase)))
            {
                return Marking.ExcludedArea;
            }

            if (style is not null && style.Contains("line-through", StringComparison.OrdinalIgnoreCase))
            {
                marking = Marking.Struck;
            }

            if (x.HasAttribute("hidden"))
            {
                return Marking.ExcludedArea;
            }

            foreach (var word in ExcludedAreaWords)
            {
                if (HasWord(x, word))
                {
                    return Marking.ExcludedArea;
                }
            }

            // Old-price class words count on the element and its close wrappers only.
            if (x == e || x == e.ParentElement)
            {
                foreach (var word in NotPriceWords)
                {
                    if (HasWord(x, word))
                    {
                        return Marking.ExcludedArea;
                    }
                }
            }

            if ((x == e || x == e.ParentElement) && marking == Marking.None)
            {
                foreach (var word in StruckWords)
                {
                    if (HasWord(x, word))
                    {
                        marking = Marking.StruckByClass;
                        break;
                    }
                }

                if (marking == Marking.None && HasOldCompound(x))
                {
                    marking = Marking.StruckByClass;
                }

                foreach (var word in CurrentWords)
                {
                    current |= HasWord(x, word);
                }
            }
        }

        return marking;
    }

    /// <summary>Compound class words such as "oldprice", "wasPrice" (split already), "listprice", "regularprice", "compareatprice".</summary>
    private static bool HasOldCompound(IElement e)
    {
        foreach (var word in WordsOf(e))
        {
            if (word.Length > 5 && (word.EndsWith("price", StringComparison.OrdinalIgnoreCase) || word.EndsWith("preis", StringComparison.OrdinalIgnoreCase)) &&
                (word.StartsWith("old", StringComparison.OrdinalIgnoreCase) || word.StartsWith("was", StringComparison.OrdinalIgnoreCase) || word.StartsWith("list", StringComparison.OrdinalIgnoreCase) ||
                 word.StartsWith("regular", StringComparison.OrdinalIgnoreCase) || word.StartsWith("compare", StringComparison.OrdinalIgnoreCase) || word.StartsWith("strike", StringComparison.OrdinalIgnoreCase) ||
                 word.StartsWith("original", StringComparison.OrdinalIgnoreCase) || word.StartsWith("streich", StringComparison.OrdinalIgnoreCase) || word.StartsWith("alt", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
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
