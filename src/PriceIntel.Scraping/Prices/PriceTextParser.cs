using System.Runtime.CompilerServices;

namespace PriceIntel.Scraping;

/// <summary>
/// The price-string parser behind <see cref="PriceText"/>: tokenises into numbers, currency symbols
/// and keywords on the stack, reads each number under the separators its currency and locale allow,
/// drops numbers the words around them disqualify (old prices, savings, shipping, thresholds,
/// instalments, percentages, per-unit prices when a shelf price is present) and returns the one
/// price left, or no price when more than one different price is left. Allocates nothing.
/// </summary>
internal static class PriceTextParser
{
    internal const int MaxTokens = 64;
    internal const int MaxInputLength = 512;
    private const int MaxCandidates = 16;
    private const int MaxIntegerDigits = 13;

    private enum Kind : byte
    {
        Number,
        Currency,
        Word,
        Percent,
        Slash,
        Dash,
        Plus,
        Open,
        Close,
        Other,
    }

    private struct Token
    {
        public Kind Kind;
        public PriceWord Word;
        public bool Attached;
        public bool CurrencyFromHint;
        public bool NeverThreeDecimals;
        public CurrencyCode Currency;
        public int Start;
        public int End;

        /// <summary>1 + the <see cref="CurrencySymbols.Entry.Id"/> of a symbol token; 0 for ISO codes and other tokens.</summary>
        public int SymbolEntry;
    }

    private struct Candidate
    {
        public int Token;
        public int GroupStart;
        public int GroupEnd;
        public long Ticks;
        public CurrencyCode Currency;
        public bool HasSymbol;
        public bool CurrencyFromHint;
        public bool Ambiguous;
        public bool Excluded;
        public bool Old;
        public bool Current;
        public int Quantity;
        public PriceQualifiers Qualifiers;

        /// <summary>1 + the token index of the currency symbol; 0 when none.</summary>
        public int SymbolToken;

        /// <summary>Digits after the decimal mark as written ("19.99" → 2; "1,299" → 0).</summary>
        public int FractionDigits;

        /// <summary>A word next to the number that is not a keyword but reads like a currency (non-Latin script, or upper case).</summary>
        public bool CurrencyLikeWord;
    }

    private enum NumberRead : byte
    {
        Ok,
        Ambiguous,
        Invalid,
    }

    [SkipLocalsInit]
    public static ParsedPrice Parse(ReadOnlySpan<char> text, in PriceParseHints hints)
    {
        int offset = text.Length - text.TrimStart().Length;
        text = text.Trim();
        if (text.IsEmpty || text.Length > MaxInputLength)
        {
            return ParsedPrice.None(PriceTextStatus.NoPrice);
        }

        Span<Token> tokens = stackalloc Token[MaxTokens];
        int count = Tokenize(text, hints, tokens);
        if (count < 0)
        {
            return ParsedPrice.None(PriceTextStatus.NoPrice);
        }

        tokens = tokens[..count];
        Span<Candidate> candidates = stackalloc Candidate[MaxCandidates];
        int found = 0;
        bool anyOtherWord = false;
        bool soldOut = false;
        bool free = false;
        for (int i = 0; i < tokens.Length; i++)
        {
            ref readonly var t = ref tokens[i];
            if (t.Kind == Kind.Word)
            {
                switch (t.Word)
                {
                    case PriceWord.Other or PriceWord.Unit or PriceWord.For or PriceWord.To or PriceWord.Per or PriceWord.Out or PriceWord.Stock or PriceWord.Sold:
                        anyOtherWord = true;
                        break;
                    case PriceWord.SoldOutWord:
                        soldOut = true;
                        break;
                    case PriceWord.Free:
                        if (!NeighbourIsShipping(tokens, i))
                        {
                            free = true;
                        }

                        break;
                }

                if (t.Word == PriceWord.Sold && i + 1 < tokens.Length && tokens[i + 1].Word == PriceWord.Out)
                {
                    soldOut = true;
                }

                if (t.Word == PriceWord.Out && ((i + 1 < tokens.Length && tokens[i + 1].Word == PriceWord.Stock) || (i + 2 < tokens.Length && tokens[i + 2].Word == PriceWord.Stock)))
                {
                    soldOut = true;
                }
            }
            else if (t.Kind == Kind.Number && found < MaxCandidates)
            {
                if (TryBuildCandidate(text, tokens, i, hints, out candidates[found]))
                {
                    found++;
                }
            }
        }

        candidates = candidates[..found];
        ApplyTaxWords(tokens, candidates);
        ShareRangeCurrency(text, tokens, candidates, hints);
        return Select(tokens, candidates, hints, anyOtherWord, soldOut, free, offset);
    }

    /// <summary>"from 26 to 50 €", "26–50 €": the low end takes the currency written once after the high end.</summary>
    private static void ShareRangeCurrency(ReadOnlySpan<char> text, ReadOnlySpan<Token> tokens, Span<Candidate> candidates, in PriceParseHints hints)
    {
        for (int i = 0; i + 1 < candidates.Length; i++)
        {
            ref var low = ref candidates[i];
            ref readonly var high = ref candidates[i + 1];
            if (low.Ambiguous && !low.HasSymbol && high.HasSymbol && !high.Currency.IsEmpty)
            {
                // "desde 1.200 hasta 1.800 €": the low end reads under the currency written after the high end.
                ref readonly var number = ref tokens[low.Token];
                if (ReadNumber(text[number.Start..number.End], hints.DecimalSeparator, CurrencySymbols.MinorDigits(high.Currency), false, out long ticks, out int digits) == NumberRead.Ok)
                {
                    low.Ticks = ticks;
                    low.FractionDigits = digits;
                    low.Ambiguous = false;
                }
            }

            if (low.HasSymbol || !high.HasSymbol || low.Excluded || high.Excluded || low.Ambiguous || low.FractionDigits != high.FractionDigits || low.Ticks >= high.Ticks)
            {
                continue;
            }

            // Exactly one dash or "to" between the two, and the symbol after the high end.
            int between = 0;
            bool other = false;
            for (int t = low.GroupEnd + 1; t < high.GroupStart; t++)
            {
                if (tokens[t].Kind == Kind.Dash || (tokens[t].Kind == Kind.Word && tokens[t].Word == PriceWord.To))
                {
                    between++;
                }
                else
                {
                    other = true;
                }
            }

            if (between == 1 && !other && high.SymbolToken - 1 > high.Token)
            {
                low.HasSymbol = true;
                low.Currency = high.Currency;
                low.CurrencyFromHint = high.CurrencyFromHint;
                low.SymbolToken = high.SymbolToken;
            }
        }
    }

    private static ParsedPrice Select(ReadOnlySpan<Token> tokens, Span<Candidate> candidates, in PriceParseHints hints, bool anyOtherWord, bool soldOut, bool free, int offset)
    {
        bool hadOld = false;
        bool anySymbol = false;
        int bare = 0;
        foreach (ref readonly var c in candidates)
        {
            hadOld |= c.Old;
            if (c.Excluded)
            {
                continue;
            }

            if (c.HasSymbol)
            {
                anySymbol = true;
            }
            else
            {
                bare++;
            }
        }

        // Bare numbers count only when no number carries a currency, and then only a lone number
        // in text that says nothing else ("19,99", "Price: 19.99"), not "Only 3 left".
        // A lone bare number survives other words when it is written like a price (two decimals,
        // "49.99 Aktionspreis") or stands next to a word that reads like an unknown currency ("1200 ALL", "500 сомони").
        foreach (ref var c in candidates)
        {
            if (!c.Excluded && !c.HasSymbol && (anySymbol || bare > 1 || (anyOtherWord && c.FractionDigits != 2 && !c.CurrencyLikeWord)))
            {
                c.Excluded = true;
            }
        }

        // Prefer shelf prices over per-unit ones, one-off over recurring, everyone's over members',
        // tax-inclusive over tax-exclusive (or the reverse when asked), and "now" prices.
        DropIfOthersRemain(candidates, PriceQualifiers.PerUnit);
        DropIfOthersRemain(candidates, PriceQualifiers.Recurring);
        DropIfOthersRemain(candidates, PriceQualifiers.MemberPrice);
        DropIfOthersRemain(candidates, hints.PreferExcludingTax ? PriceQualifiers.IncludesTax : PriceQualifiers.ExcludesTax);
        bool anyCurrent = false;
        foreach (ref readonly var c in candidates)
        {
            anyCurrent |= !c.Excluded && c.Current;
        }

        int first = -1;
        int second = -1;
        int remaining = 0;
        int distinct = 1;
        bool differ = false;
        for (int i = 0; i < candidates.Length; i++)
        {
            ref var c = ref candidates[i];
            if (c.Excluded || (anyCurrent && !c.Current))
            {
                continue;
            }

            remaining++;
            if (first < 0)
            {
                first = i;
            }
            else if (candidates[first].Ticks != c.Ticks || candidates[first].Currency != c.Currency)
            {
                if (remaining == 2 && IsRange(tokens, candidates[first], c))
                {
                    candidates[first].Qualifiers |= PriceQualifiers.Range;
                    continue;
                }

                if (second < 0)
                {
                    second = i;
                    distinct = 2;
                }
                else if (candidates[second].Ticks != c.Ticks || candidates[second].Currency != c.Currency)
                {
                    distinct = 3;
                }

                differ = true;
            }
        }

        // Two different prices and no word to tell them apart: in one currency the lower is the live
        // price and the higher the struck one ("$24.99 $19.99"); in two currencies the first is the shop's own.
        if (differ && distinct == 2 && !candidates[first].Ambiguous && !candidates[second].Ambiguous && OnlyPriceWordsBetween(tokens, candidates[first], candidates[second]))
        {
            ref var a = ref candidates[first];
            ref var b = ref candidates[second];
            if (a.Currency == b.Currency)
            {
                if (b.Ticks < a.Ticks)
                {
                    first = second;
                }

                candidates[first].Qualifiers |= PriceQualifiers.OldPriceInferred | PriceQualifiers.HadOldPrice;
            }
            else if (!a.Currency.IsEmpty && !b.Currency.IsEmpty)
            {
                a.Qualifiers |= PriceQualifiers.FirstOfSeveral;
            }
            else
            {
                return ParsedPrice.None(PriceTextStatus.Ambiguous);
            }

            differ = false;
        }

        if (first < 0)
        {
            if (soldOut)
            {
                return ParsedPrice.None(PriceTextStatus.SoldOut);
            }

            return ParsedPrice.None(free && candidates.IsEmpty ? PriceTextStatus.Free : PriceTextStatus.NoPrice);
        }

        ref var chosen = ref candidates[first];
        if (differ || chosen.Ambiguous)
        {
            return ParsedPrice.None(PriceTextStatus.Ambiguous);
        }

        var qualifiers = chosen.Qualifiers;
        if (hadOld)
        {
            qualifiers |= PriceQualifiers.HadOldPrice;
        }

        if (soldOut)
        {
            qualifiers |= PriceQualifiers.SoldOut;
        }

        var currency = chosen.Currency;
        if (!chosen.HasSymbol)
        {
            qualifiers |= PriceQualifiers.BareNumber;
        }

        if (currency.IsEmpty && !chosen.HasSymbol && !hints.Currency.IsEmpty)
        {
            currency = hints.Currency;
            qualifiers |= PriceQualifiers.CurrencyFromHint;
        }
        else if (chosen.CurrencyFromHint)
        {
            qualifiers |= PriceQualifiers.CurrencyFromHint;
        }

        if (chosen.Ticks == 0)
        {
            return ParsedPrice.None(PriceTextStatus.Free);
        }

        var amount = new Money(chosen.Ticks);
        if (!amount.IsValidPrice)
        {
            return ParsedPrice.None(PriceTextStatus.NoPrice);
        }

        var symbol = default(Range);
        ReadOnlyMemory<CurrencyCode> family = default;
        if (chosen.SymbolToken > 0)
        {
            ref readonly var s = ref tokens[chosen.SymbolToken - 1];
            symbol = new Range(offset + s.Start, offset + s.End);
            if (s.SymbolEntry > 0)
            {
                family = CurrencySymbols.FamilyOf(s.SymbolEntry - 1);
            }
        }

        return new ParsedPrice(PriceTextStatus.Price, amount, currency, qualifiers, chosen.Quantity) { Symbol = symbol, CandidateCurrencies = family };
    }

    /// <summary>Two prices side by side in a price box, not two amounts in a sentence ("from $19 and up to $49").</summary>
    private static bool OnlyPriceWordsBetween(ReadOnlySpan<Token> tokens, in Candidate a, in Candidate b)
    {
        for (int i = a.GroupEnd + 1; i < b.GroupStart; i++)
        {
            if (tokens[i].Kind == Kind.Word && tokens[i].Word is not (PriceWord.For or PriceWord.Current or PriceWord.Label or PriceWord.Old))
            {
                return false;
            }
        }

        return true;
    }

    private static void DropIfOthersRemain(Span<Candidate> candidates, PriceQualifiers qualifier)
    {
        bool othersRemain = false;
        foreach (ref readonly var c in candidates)
        {
            othersRemain |= !c.Excluded && (c.Qualifiers & qualifier) == 0;
        }

        if (!othersRemain)
        {
            return;
        }

        foreach (ref var c in candidates)
        {
            if ((c.Qualifiers & qualifier) != 0)
            {
                c.Excluded = true;
            }
        }
    }

    private static bool IsRange(ReadOnlySpan<Token> tokens, in Candidate low, in Candidate high)
    {
        if (high.Ticks <= low.Ticks)
        {
            return false;
        }

        int between = 0;
        for (int i = low.GroupEnd + 1; i < high.GroupStart; i++)
        {
            if (tokens[i].Kind == Kind.Dash || (tokens[i].Kind == Kind.Word && tokens[i].Word == PriceWord.To))
            {
                between++;
            }
            else
            {
                return false;
            }
        }

        return between == 1;
    }

    private static bool NeighbourIsShipping(ReadOnlySpan<Token> tokens, int i) =>
        (i + 1 < tokens.Length && tokens[i + 1].Word == PriceWord.Shipping) ||
        (i > 0 && tokens[i - 1].Word == PriceWord.Shipping) ||
        (i + 2 < tokens.Length && tokens[i + 2].Word == PriceWord.Shipping);

    private static bool TryBuildCandidate(ReadOnlySpan<char> text, ReadOnlySpan<Token> tokens, int index, in PriceParseHints hints, out Candidate candidate)
    {
        candidate = default;
        ref readonly var number = ref tokens[index];
        if (number.Attached || (index + 1 < tokens.Length && tokens[index + 1].Kind == Kind.Percent))
        {
            return false;
        }

        // The currency: the symbol just before, unless it is the suffix of an earlier number; else the one just after.
        int groupStart = index;
        int groupEnd = index;
        int symbol = -1;
        if (index > 0 && tokens[index - 1].Kind == Kind.Currency && !(index > 1 && tokens[index - 2].Kind == Kind.Number && index + 1 < tokens.Length && tokens[index + 1].Kind == Kind.Currency))
        {
            symbol = index - 1;
            groupStart = index - 1;

            // A currency word just before a shared symbol settles it ("港幣 $1,280", "USD $25").
            if (tokens[symbol].Currency.IsEmpty && index > 1 && tokens[index - 2].Kind == Kind.Currency && !tokens[index - 2].Currency.IsEmpty)
            {
                symbol = index - 2;
                groupStart = index - 2;
            }
        }

        if (index + 1 < tokens.Length && tokens[index + 1].Kind == Kind.Currency)
        {
            if (symbol < 0 || (tokens[symbol].Currency.IsEmpty && !tokens[index + 1].Currency.IsEmpty))
            {
                symbol = index + 1;
            }

            groupEnd = index + 1;
        }

        candidate.Token = index;
        candidate.GroupStart = groupStart;
        candidate.GroupEnd = groupEnd;
        candidate.Quantity = 1;
        if (symbol >= 0)
        {
            candidate.HasSymbol = true;
            candidate.Currency = tokens[symbol].Currency;
            candidate.CurrencyFromHint = tokens[symbol].CurrencyFromHint;
            candidate.SymbolToken = symbol + 1;
        }
        else
        {
            candidate.CurrencyLikeWord = (index > 0 && IsCurrencyLikeWord(text, tokens[index - 1])) || (index + 1 < tokens.Length && IsCurrencyLikeWord(text, tokens[index + 1]));
        }

        var readCurrency = symbol >= 0 ? candidate.Currency : hints.Currency;
        int minor = CurrencySymbols.MinorDigits(readCurrency);
        bool neverThree = symbol >= 0 && candidate.Currency.IsEmpty && tokens[symbol].NeverThreeDecimals;
        var read = ReadNumber(text[number.Start..number.End], hints.DecimalSeparator, minor, neverThree, out candidate.Ticks, out candidate.FractionDigits);
        if (read == NumberRead.Invalid)
        {
            return false;
        }

        candidate.Ambiguous = read == NumberRead.Ambiguous;
        ClassifyContext(text, tokens, ref candidate);
        return true;
    }

    /// <summary>An unknown word that reads like a currency: not a keyword, short, and upper case or in a non-Latin script.</summary>
    private static bool IsCurrencyLikeWord(ReadOnlySpan<char> text, in Token t)
    {
        if (t.Kind != Kind.Word || t.Word != PriceWord.Other || t.End - t.Start is < 2 or > 8)
        {
            return false;
        }

        var word = text[t.Start..t.End];
        bool upper = true;
        foreach (var ch in word)
        {
            if (ch >= '\u0370')
            {
                return true; // Greek, Cyrillic, Armenian, Hebrew, Arabic, Persian, Indic, CJK…
            }

            upper &= char.IsUpper(ch);
        }

        return upper;
    }

    private static void ClassifyContext(ReadOnlySpan<char> text, ReadOnlySpan<Token> tokens, ref Candidate c)
    {
        // A minus sign right against the price: a discount ("-$5.00"); a dash with a space after it is a bullet ("– 49,99 €").
        if (c.GroupStart > 0 && tokens[c.GroupStart - 1].Kind == Kind.Dash && tokens[c.GroupStart - 1].End == tokens[c.GroupStart].Start &&
            (c.GroupStart == 1 || tokens[c.GroupStart - 2].Kind is not (Kind.Number or Kind.Currency)))
        {
            c.Excluded = true;
        }

        // Words before, back to the previous number.
        bool shippingOrFreeEarlier = false;
        for (int i = c.GroupStart - 1; i >= 0; i--)
        {
            if (tokens[i].Word is PriceWord.Shipping or PriceWord.Free)
            {
                shippingOrFreeEarlier = true;
            }
        }

        for (int i = c.GroupStart - 1, seen = 0; i >= 0 && seen < 4; i--, seen++)
        {
            ref readonly var t = ref tokens[i];
            if (t.Kind == Kind.Number && !t.Attached)
            {
                // "2 for $5": the number before "for" is how many units the price buys.
                break;
            }

            if (t.Kind != Kind.Word)
            {
                continue;
            }

            switch (t.Word)
            {
                case PriceWord.Old:
                    c.Old = true;
                    c.Excluded = true;
                    break;
                case PriceWord.Current:
                    c.Current = true;
                    break;
                case PriceWord.Savings:
                    c.Excluded = true;
                    break;
                case PriceWord.Shipping when seen < 3 && !(i > 0 && tokens[i - 1].Word == PriceWord.Free) && !(i + 1 < tokens.Length && tokens[i + 1].Word == PriceWord.Free):
                    c.Excluded = true;
                    break;
                case PriceWord.Installment:
                    c.Excluded = true;
                    break;
                case PriceWord.Member when seen < 3 && !NumberShortlyBefore(tokens, i):
                    c.Qualifiers |= PriceQualifiers.MemberPrice; // "Member price $8.99", not the "$10.99" after "$8.99 with Clubcard"
                    break;
                case PriceWord.Threshold when shippingOrFreeEarlier || seen < 2:
                    c.Excluded = true;
                    break;
                case PriceWord.From when shippingOrFreeEarlier:
                    c.Excluded = true;
                    break;
                case PriceWord.From:
                    c.Qualifiers |= PriceQualifiers.From;
                    break;
                case PriceWord.For when i == c.GroupStart - 1 && i > 0 && tokens[i - 1].Kind == Kind.Number:
                    if (TryReadSmallInteger(text[tokens[i - 1].Start..tokens[i - 1].End], out int quantity) && quantity > 1)
                    {
                        c.Quantity = quantity;
                        c.Qualifiers |= PriceQualifiers.MultiBuy;
                    }

                    break;
            }

            if (t.Word is PriceWord.Old or PriceWord.Current)
            {
                break; // the nearest of "was" and "now" decides
            }
        }

        // Words after: per-unit, instalments, "off", shipping.
        for (int i = c.GroupEnd + 1, seen = 0; i < tokens.Length && seen < 4; i++, seen++)
        {
            ref readonly var t = ref tokens[i];
            if (t.Kind == Kind.Number && !t.Attached && !(i > 0 && tokens[i - 1].Kind == Kind.Slash) && !(i + 1 < tokens.Length && tokens[i + 1].Word == PriceWord.Unit))
            {
                break;
            }

            if (t.Kind == Kind.Slash && i + 1 < tokens.Length)
            {
                ref readonly var next = ref tokens[i + 1];
                if (next.Word == PriceWord.Unit || (next.Kind == Kind.Number && i + 2 < tokens.Length && tokens[i + 2].Word == PriceWord.Unit) || (next.Kind == Kind.Number && next.Attached))
                {
                    c.Qualifiers |= PriceQualifiers.PerUnit;
                }
                else if (next.Word == PriceWord.Installment)
                {
                    c.Qualifiers |= PriceQualifiers.Recurring; // "$29/month": a price, but a recurring one
                }
            }

            if (t.Kind != Kind.Word)
            {
                continue;
            }

            switch (t.Word)
            {
                case PriceWord.Per when i + 1 < tokens.Length && (tokens[i + 1].Word == PriceWord.Unit || (tokens[i + 1].Kind == Kind.Number && i + 2 < tokens.Length && tokens[i + 2].Word == PriceWord.Unit)):
                    c.Qualifiers |= PriceQualifiers.PerUnit;
                    break;
                case PriceWord.Installment when seen < 2:
                    c.Qualifiers |= PriceQualifiers.Recurring; // "$29 a month", "12,99 € monatlich"
                    break;
                case PriceWord.Installment:
                    c.Excluded = true;
                    break;
                case PriceWord.Member when seen < 3:
                    c.Qualifiers |= PriceQualifiers.MemberPrice;
                    break;
                case PriceWord.Off when seen == 0:
                    c.Excluded = true;
                    break;
                case PriceWord.Shipping when seen == 0:
                    c.Excluded = true;
                    break;
            }
        }
    }

    private static bool NumberShortlyBefore(ReadOnlySpan<Token> tokens, int i)
    {
        for (int k = i - 1; k >= 0 && k >= i - 3; k--)
        {
            if (tokens[k].Kind == Kind.Number && !tokens[k].Attached)
            {
                return true;
            }
        }

        return false;
    }

    private static void ApplyTaxWords(ReadOnlySpan<Token> tokens, Span<Candidate> candidates)
    {
        if (candidates.IsEmpty)
        {
            return;
        }

        for (int i = 0; i < tokens.Length; i++)
        {
            var word = tokens[i].Word;
            PriceQualifiers tax;
            int anchor = i;
            if (word == PriceWord.TaxIncludedWord)
            {
                tax = PriceQualifiers.IncludesTax;
            }
            else if (word == PriceWord.TaxExcludedWord)
            {
                tax = PriceQualifiers.ExcludesTax;
            }
            else if (word == PriceWord.Tax)
            {
                tax = PriceQualifiers.None;
                for (int j = i - 1; j >= 0 && j >= i - 2; j--)
                {
                    if (tokens[j].Word == PriceWord.Including)
                    {
                        tax = PriceQualifiers.IncludesTax;
                        anchor = j;
                        break;
                    }

                    if (tokens[j].Word == PriceWord.Excluding || tokens[j].Kind == Kind.Plus)
                    {
                        tax = PriceQualifiers.ExcludesTax;
                        anchor = j;
                        break;
                    }
                }

                if (tax == PriceQualifiers.None)
                {
                    continue;
                }
            }
            else
            {
                continue;
            }

            // The nearest price; on a tie the one before the words.
            int best = -1;
            int bestDistance = int.MaxValue;
            for (int k = 0; k < candidates.Length; k++)
            {
                int distance = anchor > candidates[k].GroupEnd ? anchor - candidates[k].GroupEnd : candidates[k].GroupStart - anchor + 1;
                if (distance < bestDistance)
                {
                    best = k;
                    bestDistance = distance;
                }
            }

            candidates[best].Qualifiers |= tax;
        }
    }

    private static int Tokenize(ReadOnlySpan<char> text, in PriceParseHints hints, Span<Token> tokens)
    {
        int n = 0;
        int i = 0;
        bool space = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c) || c is '\u200B' or '\u200E' or '\u200F' or '\u00AD' or '\u2060')
            {
                space = true;
                i++;
                continue;
            }

            if (n == tokens.Length)
            {
                return -1;
            }

            ref var t = ref tokens[n];
            t = default;
            t.Start = i;
            if (Digit(c) >= 0 || (c is '.' or ',' && i + 1 < text.Length && Digit(text[i + 1]) >= 0 && (i == 0 || Digit(text[i - 1]) < 0)))
            {
                i = ScanNumber(text, i);
                t.Kind = Kind.Number;
                t.End = i;
                if (!space && n > 0 && tokens[n - 1].Kind == Kind.Word && text[t.Start - 1] < '\u2E80')
                {
                    t.Attached = true; // "iPhone15", "A4"
                }

                if (i < text.Length && char.IsLetter(text[i]) && !CurrencySymbols.TryMatch(text, i, out _, out _) && !StartsKnownWord(text, i))
                {
                    t.Attached = true; // "128GB", "3rd", "2x"
                }

                n++;
                space = false;
                continue;
            }

            if (CurrencySymbols.TryMatch(text, i, out var entry, out int length))
            {
                t.Kind = Kind.Currency;
                t.Currency = CurrencySymbols.Resolve(entry, hints.Currency, out t.CurrencyFromHint);
                t.NeverThreeDecimals = NeverThreeDecimals(entry);
                t.SymbolEntry = entry.Id + 1;
                i += length;
                t.End = i;
                n++;
                space = false;
                continue;
            }

            if (char.IsLetter(c))
            {
                int start = i;
                bool cjk = c >= '\u2E80';
                while (i < text.Length && char.IsLetter(text[i]) && (text[i] >= '\u2E80') == cjk)
                {
                    i++;
                }

                // Keep "p&p" and "m²" whole enough to classify.
                var word = text[start..i];
                t.End = i;
                if (!cjk && word.Length <= 4 && i < text.Length && text[i] is '$' or '＄' && IsUpperAscii(word))
                {
                    // "XX$" prefixes the symbol table does not list: an ISO code ("CAD$") or a country code ("AR$", "UY$") before a dollar sign.
                    t.Kind = Kind.Currency;
                    t.Currency = PrefixedDollar(word, hints.Currency, out t.CurrencyFromHint);
                    t.SymbolEntry = t.Currency.IsEmpty ? CurrencySymbols.DollarEntryId + 1 : 0;
                    i++;
                    t.End = i;
                }
                else if (word.Length == 3 && (IsUpperAscii(word) || (IsLowerAscii(word) && NextToNumber(text, start, i) && !IsCommonWord(word))) && CurrencyCode.TryParse(word, out var iso) && iso.IsKnown)
                {
                    t.Kind = Kind.Currency;
                    t.Currency = iso;
                    t.NeverThreeDecimals = CurrencySymbols.MinorDigits(iso) != 3;
                }
                else
                {
                    t.Kind = Kind.Word;
                    t.Word = cjk ? ClassifyCjk(word) : PriceWords.Classify(word);
                }

                n++;
                space = false;
                continue;
            }

            t.Kind = c switch
            {
                '%' or '٪' or '％' => Kind.Percent,
                '/' or '／' => Kind.Slash,
                '-' or '–' or '—' or '−' or '~' or '〜' or '～' => Kind.Dash,
                '+' or '＋' => Kind.Plus,
                '(' or '[' or '（' => Kind.Open,
                ')' or ']' or '）' => Kind.Close,
                _ => Kind.Other,
            };
            i++;
            t.End = i;
            n++;
            space = false;
        }

        return n;
    }

    private static bool StartsKnownWord(ReadOnlySpan<char> text, int i)
    {
        int end = i;
        while (end < text.Length && char.IsLetter(text[end]))
        {
            end++;
        }

        // "2for$5" is rare, but "19.99each" or a CJK word right after a number is common.
        var word = text[i..end];
        if (text[i] >= '\u2E80')
        {
            return true;
        }

        // A single Latin letter glued to digits is a model code ("600a", "600D"), never a keyword.
        return word.Length > 1 && PriceWords.Classify(word) is not (PriceWord.Other or PriceWord.Unit);
    }

    private static bool NeverThreeDecimals(in CurrencySymbols.Entry entry)
    {
        if (entry.Family.Length == 0)
        {
            return false;
        }

        foreach (var code in entry.Family)
        {
            if (CurrencySymbols.MinorDigits(code) == 3)
            {
                return false;
            }
        }

        return true;
    }

    // Old-price and suggested-retail words: Japanese, Simplified and Traditional Chinese, Korean.
    private static readonly string[] OldCjk =
    [
        "定価", "通常価格", "参考価格", "希望小売", "メーカー希望", "旧価格", "元値",
        "原价", "原價", "定价", "定價", "市场价", "市場價", "市价", "市價", "参考价", "參考價", "建议零售", "建議零售", "建议售价", "建議售價", "吊牌价", "吊牌價", "专柜价", "專櫃價",
        "정가", "소비자가", "권장", "판매가격전",
    ];

    private static readonly string[] CurrentCjk = ["特價", "特价", "現價", "现价", "优惠价", "優惠價", "折扣价", "折扣價", "活动价", "活動價", "セール価格", "販売価格", "할인가", "판매가"];

    private static readonly string[] MemberCjk = ["会员价", "會員價", "会員価格", "회원가"];

    private static PriceWord ClassifyCjk(ReadOnlySpan<char> word)
    {
        if (word.Contains("送料無料", StringComparison.Ordinal) || word.Contains("包邮", StringComparison.Ordinal) || word.Contains("免运费", StringComparison.Ordinal))
        {
            return PriceWord.Other; // "free shipping": says nothing about the price
        }

        if (word.Contains("送料", StringComparison.Ordinal) || word.Contains("运费", StringComparison.Ordinal) || word.Contains("배송", StringComparison.Ordinal))
        {
            return PriceWord.Shipping;
        }

        if (word.Contains("税込", StringComparison.Ordinal) || word.Contains("含税", StringComparison.Ordinal))
        {
            return PriceWord.TaxIncludedWord;
        }

        if (word.Contains("税抜", StringComparison.Ordinal) || word.Contains("税別", StringComparison.Ordinal) || word.Contains("不含税", StringComparison.Ordinal))
        {
            return PriceWord.TaxExcludedWord;
        }

        foreach (var old in OldCjk)
        {
            if (word.Contains(old, StringComparison.Ordinal))
            {
                return PriceWord.Old;
            }
        }

        foreach (var member in MemberCjk)
        {
            if (word.Contains(member, StringComparison.Ordinal))
            {
                return PriceWord.Member;
            }
        }

        foreach (var current in CurrentCjk)
        {
            if (word.Contains(current, StringComparison.Ordinal))
            {
                return PriceWord.Current;
            }
        }

        if (word.Contains("売り切れ", StringComparison.Ordinal) || word.Contains("在庫切れ", StringComparison.Ordinal) || word.Contains("缺货", StringComparison.Ordinal) ||
            word.Contains("售罄", StringComparison.Ordinal) || word.Contains("품절", StringComparison.Ordinal))
        {
            return PriceWord.SoldOutWord;
        }

        if (word.Contains("以上", StringComparison.Ordinal) || word.Contains("满", StringComparison.Ordinal) || word.Contains("이상", StringComparison.Ordinal))
        {
            return PriceWord.Threshold;
        }

        if (word.Contains("無料", StringComparison.Ordinal) || word.Contains("免费", StringComparison.Ordinal))
        {
            return PriceWord.Free;
        }

        if (word.Contains("価格", StringComparison.Ordinal) || word.Contains("价格", StringComparison.Ordinal) || word.Contains("売価", StringComparison.Ordinal) ||
            word.Contains("特価", StringComparison.Ordinal) || word.Contains("售價", StringComparison.Ordinal) || word.Contains("售价", StringComparison.Ordinal) || word.Contains("가격", StringComparison.Ordinal))
        {
            return PriceWord.Label;
        }

        return PriceWord.Other;
    }

    private static CurrencyCode PrefixedDollar(ReadOnlySpan<char> prefix, CurrencyCode hint, out bool fromHint)
    {
        fromHint = false;
        if (prefix.Length == 3 && CurrencyCode.TryParse(prefix, out var iso) && iso.IsKnown)
        {
            return iso;
        }

        var region = LocaleTable.RegionCurrencyOf(prefix);
        if (!region.IsEmpty)
        {
            return region;
        }

        foreach (var member in CurrencySymbols.FamilyOf(CurrencySymbols.DollarEntryId))
        {
            if (member == hint)
            {
                fromHint = true;
                return hint;
            }
        }

        return default;
    }

    /// <summary>True when a digit stands right before or after the word (spaces allowed), as "12 eur" or "eur 12".</summary>
    private static bool NextToNumber(ReadOnlySpan<char> text, int start, int end)
    {
        int before = start - 1;
        while (before >= 0 && text[before] is ' ' or '\u00A0')
        {
            before--;
        }

        int after = end;
        while (after < text.Length && text[after] is ' ' or '\u00A0')
        {
            after++;
        }

        return (before >= 0 && Digit(text[before]) >= 0) || (after < text.Length && Digit(text[after]) >= 0);
    }

    /// <summary>Lower-case words that are also ISO codes but far more often plain words.</summary>
    private static bool IsCommonWord(ReadOnlySpan<char> word) =>
        word is "all" or "top" or "cup" or "mad" or "try" or "bob" or "gel" or "mop" or "pen" or "sos" or "bam" or "lak" or "ang" or "mur" or "tot" or "cad" or "bbd" or "for" or "per" or "und" or "ton" or "kes" or "lei";

    private static bool IsLowerAscii(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUpperAscii(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (c is < 'A' or > 'Z')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of a decimal digit in ASCII, Arabic-Indic, Persian, Devanagari or full-width form; -1 otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Digit(char c)
    {
        if ((uint)(c - '0') <= 9)
        {
            return c - '0';
        }

        if (c < '\u0660')
        {
            return -1;
        }

        return DigitSlow(c);
    }

    private static int DigitSlow(char c) => c switch
    {
        >= '\u0660' and <= '\u0669' => c - '\u0660',
        >= '\u06F0' and <= '\u06F9' => c - '\u06F0',
        >= '\u0966' and <= '\u096F' => c - '\u0966',
        >= '\uFF10' and <= '\uFF19' => c - '\uFF10',
        _ => -1,
    };

    private static bool IsSeparator(char c) => c is '.' or ',' or '\'' or '’' or 'ʼ' or '٫' or '٬' or '，' or '．' || IsSpaceSeparator(c);

    private static bool IsSpaceSeparator(char c) => c is ' ' or '\u00A0' or '\u202F' or '\u2009' or '\u2007' or '\u2008';

    /// <summary>'.', ',' for the point and comma families (Arabic and full-width forms folded), ' ' for spaces, '\'' for apostrophes.</summary>
    private static char NormalizeSeparator(char c) => c switch
    {
        '.' or '٫' or '．' => '.',
        ',' or '，' => ',',
        '٬' => '\'', // the Arabic thousands separator is never a decimal mark
        '\'' or '’' or 'ʼ' => '\'',
        _ => ' ',
    };

    private static int ScanNumber(ReadOnlySpan<char> text, int i)
    {
        int j = i;
        if (text[j] is '.' or ',')
        {
            j++;
        }

        while (j < text.Length)
        {
            while (j < text.Length && Digit(text[j]) >= 0)
            {
                j++;
            }

            if (j >= text.Length)
            {
                break;
            }

            char s = text[j];
            if (IsSeparator(s) && j + 1 < text.Length && Digit(text[j + 1]) >= 0)
            {
                var kind = NormalizeSeparator(s);
                if (kind is ' ' or '\'')
                {
                    int digits = 0;
                    while (j + 1 + digits < text.Length && Digit(text[j + 1 + digits]) >= 0)
                    {
                        digits++;
                    }

                    if (digits != 3)
                    {
                        break;
                    }
                }

                j++;
                continue;
            }

            // "119. 95": a space slipped in after the decimal mark; two digits and nothing numeric after them.
            if (s is '.' or ',' && j + 3 < text.Length && text[j + 1] == ' ' && Digit(text[j + 2]) >= 0 && Digit(text[j + 3]) >= 0 &&
                (j + 4 == text.Length || (Digit(text[j + 4]) < 0 && !IsSeparator(text[j + 4])) || text[j + 4] == ' '))
            {
                j += 4;
                break;
            }

            // "15,-", "15.–", "15:-": whole units.
            if (s is ',' or '.' or ':' && j + 1 < text.Length && text[j + 1] is '-' or '–' or '—')
            {
                j += 2;
                if (j < text.Length && text[j] == '-')
                {
                    j++;
                }
            }

            break;
        }

        return j;
    }

    private static bool TryReadSmallInteger(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 3)
        {
            return false;
        }

        foreach (var c in s)
        {
            int d = Digit(c);
            if (d < 0)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    /// <summary>Reads a number token: digit runs and the separators between them.</summary>
    [SkipLocalsInit]
    internal static NumberReadResult ReadNumberForTests(ReadOnlySpan<char> s, char decimalHint, int minorDigits, out long ticks) =>
        (NumberReadResult)ReadNumber(s, decimalHint, minorDigits, false, out ticks, out _);

    [SkipLocalsInit]
    private static NumberRead ReadNumber(ReadOnlySpan<char> s, char decimalHint, int minorDigits, bool neverThreeDecimals, out long ticks, out int fractionDigits)
    {
        ticks = 0;
        fractionDigits = 0;
        const int MaxRuns = 8;
        Span<int> runStart = stackalloc int[MaxRuns];
        Span<int> runLength = stackalloc int[MaxRuns];
        Span<char> seps = stackalloc char[MaxRuns];
        int runs = 0;
        int k = 0;
        bool leading = false;
        if (s[0] is '.' or ',')
        {
            leading = true;
            runStart[0] = 0;
            runLength[0] = 0;
            seps[0] = '.';
            runs = 1;
            k = 1;
        }

        while (k < s.Length)
        {
            if (Digit(s[k]) >= 0)
            {
                if (runs == MaxRuns)
                {
                    return NumberRead.Invalid;
                }

                runStart[runs] = k;
                while (k < s.Length && Digit(s[k]) >= 0)
                {
                    k++;
                }

                runLength[runs] = k - runStart[runs];
                runs++;
            }
            else if (k + 1 < s.Length && Digit(s[k + 1]) >= 0 && IsSeparator(s[k]))
            {
                seps[runs - 1] = NormalizeSeparator(s[k]);
                k++;
            }
            else if (s[k] is '.' or ',' && k + 2 < s.Length && s[k + 1] == ' ' && Digit(s[k + 2]) >= 0)
            {
                seps[runs - 1] = NormalizeSeparator(s[k]); // "119. 95"
                k += 2;
            }
            else
            {
                break; // whole-units suffix such as ",-"
            }
        }

        int fractionRun = -1;
        if (leading)
        {
            if (runs != 2)
            {
                return NumberRead.Invalid;
            }

            fractionRun = 1;
        }
        else if (runs > 1)
        {
            char last = seps[runs - 2];
            int lastCount = 0;
            for (int r = 0; r < runs - 1; r++)
            {
                if (seps[r] == last)
                {
                    lastCount++;
                }
            }

            bool lastIsDecimalCandidate = last is '.' or ',';
            if (!lastIsDecimalCandidate || lastCount > 1)
            {
                if (!ValidGrouping(runLength[..runs], seps[..(runs - 1)]))
                {
                    return NumberRead.Invalid;
                }
            }
            else if (runs > 2)
            {
                if (!ValidGrouping(runLength[..(runs - 1)], seps[..(runs - 2)]))
                {
                    return NumberRead.Invalid;
                }

                fractionRun = runs - 1;
            }
            else
            {
                int f = runLength[1];
                bool isDecimal;
                if (f >= 4)
                {
                    isDecimal = true; // groups are three digits: four or more after a single mark are decimals ("0.12345")
                }
                else if (f <= 2 || runLength[0] > 3 || (runLength[0] == 1 && s[runStart[0]] == '0'))
                {
                    isDecimal = true;
                }
                else if (minorDigits == 0)
                {
                    isDecimal = false;
                }
                else if (minorDigits == 3)
                {
                    isDecimal = true;
                }
                else if (decimalHint != '\0')
                {
                    isDecimal = decimalHint == last;
                }
                else if (minorDigits == 2 || neverThreeDecimals)
                {
                    isDecimal = false;
                }
                else
                {
                    return NumberRead.Ambiguous;
                }

                fractionRun = isDecimal ? 1 : -1;
            }
        }

        int integerRuns = fractionRun < 0 ? runs : fractionRun;
        long units = 0;
        int digits = 0;
        for (int r = 0; r < integerRuns; r++)
        {
            for (int p = runStart[r]; p < runStart[r] + runLength[r]; p++)
            {
                units = (units * 10) + Digit(s[p]);
                if (++digits > MaxIntegerDigits)
                {
                    return NumberRead.Invalid;
                }
            }
        }

        long fraction = 0;
        if (fractionRun >= 0)
        {
            int length = runLength[fractionRun];
            fractionDigits = length;
            int kept = Math.Min(length, 4);
            int first = runStart[fractionRun];
            for (int p = first; p < first + kept; p++)
            {
                fraction = (fraction * 10) + Digit(s[p]);
            }

            for (int p = kept; p < 4; p++)
            {
                fraction *= 10;
            }

            // More than four decimals: round half to even at the fourth (Money's resolution).
            if (length > 4)
            {
                int next = Digit(s[first + 4]);
                bool restNonZero = false;
                for (int p = first + 5; p < first + length; p++)
                {
                    restNonZero |= Digit(s[p]) != 0;
                }

                if (next > 5 || (next == 5 && (restNonZero || (fraction & 1) == 1)))
                {
                    fraction++;
                }
            }
        }

        ticks = (units * Money.Scale) + fraction;
        return NumberRead.Ok;
    }

    /// <summary>Western groups (1–3 digits, then threes) or Indian ones (1–2, then twos, then a three), one separator kind.</summary>
    private static bool ValidGrouping(ReadOnlySpan<int> runLength, ReadOnlySpan<char> seps)
    {
        if (runLength.Length == 1)
        {
            return true;
        }

        for (int r = 1; r < seps.Length; r++)
        {
            if (seps[r] != seps[0])
            {
                return false;
            }
        }

        if (runLength[0] is < 1 or > 3)
        {
            return false;
        }

        bool western = true;
        for (int r = 1; r < runLength.Length; r++)
        {
            western &= runLength[r] == 3;
        }

        if (western)
        {
            return true;
        }

        if (seps[0] != ',' || runLength[0] > 2 || runLength[^1] != 3)
        {
            return false;
        }

        for (int r = 1; r < runLength.Length - 1; r++)
        {
            if (runLength[r] != 2)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>How a number token was read (exposed for tests).</summary>
internal enum NumberReadResult : byte
{
    Ok,
    Ambiguous,
    Invalid,
}
