namespace PriceIntel.Scraping;

/// <summary>
/// Helpers for matching a competitor's product page to one of ours: exact GTIN and MPN comparison
/// and a title-similarity score for suggesting matches a person confirms.
/// </summary>
public static class ProductMatching
{
    /// <summary>
    /// A GTIN (UPC-A, EAN-8, EAN-13, ITF-14, ISBN-13) as 14 digits with leading zeros, or null when the
    /// text is not 8, 12, 13 or 14 digits (spaces and dashes ignored) with a valid check digit.
    /// </summary>
    public static string? NormalizeGtin(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32)
        {
            return null;
        }

        Span<char> digits = stackalloc char[14];
        int n = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                if (n == 14)
                {
                    return null;
                }

                digits[n++] = c;
            }
            else if (c is not (' ' or '-'))
            {
                return null;
            }
        }

        if (n is not (8 or 12 or 13 or 14))
        {
            return null;
        }

        Span<char> padded = stackalloc char[14];
        padded[..(14 - n)].Fill('0');
        digits[..n].CopyTo(padded[(14 - n)..]);
        int sum = 0;
        for (int i = 0; i < 13; i++)
        {
            int d = padded[i] - '0';
            sum += i % 2 == 0 ? d * 3 : d;
        }

        int check = (10 - (sum % 10)) % 10;
        return check == padded[13] - '0' ? new string(padded) : null;
    }

    /// <summary>True when both are valid GTINs naming the same item (e.g. a UPC-A and its EAN-13 form).</summary>
    public static bool GtinMatches(string? a, string? b)
    {
        var x = NormalizeGtin(a);
        return x is not null && x == NormalizeGtin(b);
    }

    /// <summary>
    /// True when the manufacturer part numbers are equal ignoring case, spaces, dashes, dots and slashes,
    /// and the brands (when both are given) are equal ignoring case.
    /// </summary>
    public static bool MpnMatches(string? mpnA, string? mpnB, string? brandA = null, string? brandB = null)
    {
        if (string.IsNullOrWhiteSpace(mpnA) || string.IsNullOrWhiteSpace(mpnB))
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(brandA) && !string.IsNullOrWhiteSpace(brandB) && !Squash(brandA).Equals(Squash(brandB), StringComparison.Ordinal))
        {
            return false;
        }

        var a = Squash(mpnA);
        return a.Length >= 3 && a.Equals(Squash(mpnB), StringComparison.Ordinal);
    }

    /// <summary>
    /// How alike two product titles are, 0 to 1: the Dice coefficient of their word sets blended with
    /// that of their character trigrams, halved when the numbers in them (sizes, capacities, model
    /// numbers) differ — "128GB" and "256GB" are different products. A suggestion, not a match.
    /// </summary>
    public static double TitleSimilarity(string? a, string? b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return 0;
        }

        var wordsA = Words(a);
        var wordsB = Words(b);
        if (wordsA.Count == 0 || wordsB.Count == 0)
        {
            return 0;
        }

        double words = Dice(wordsA, wordsB);
        double grams = Dice(Trigrams(wordsA), Trigrams(wordsB));
        double score = (0.5 * words) + (0.5 * grams);
        var numbersA = Numbers(wordsA);
        var numbersB = Numbers(wordsB);
        if (numbersA.Count > 0 && numbersB.Count > 0 && !numbersA.SetEquals(numbersB))
        {
            score *= 0.5;
        }

        return Math.Round(score, 6);
    }

    private static string Squash(string text)
    {
        Span<char> buffer = stackalloc char[Math.Min(text.Length, 128)];
        int n = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) && n < buffer.Length)
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }

    private static HashSet<string> Words(string text)
    {
        var tokens = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool part = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (part && start < 0)
            {
                start = i;
            }
            else if (!part && start >= 0)
            {
                tokens.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        // "128 GB" and "128GB" are the same size: join a number with the unit that follows it.
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (i + 1 < tokens.Count && IsNumber(token) && Units.Contains(tokens[i + 1]))
            {
                token += tokens[++i];
            }

            if (!StopWords.Contains(token))
            {
                set.Add(token);
            }
        }

        return set;
    }

    private static bool IsNumber(string token)
    {
        foreach (var c in token)
        {
            if (!char.IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly HashSet<string> Units = new(StringComparer.Ordinal)
    {
        "gb", "tb", "mb", "kb", "ml", "l", "cl", "kg", "g", "mg", "mm", "cm", "m", "in", "inch", "zoll", "w", "kw", "v", "mah", "hz", "ghz", "mp", "oz", "lb", "lbs", "pcs", "pack", "x",
    };

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal) { "the", "a", "an", "and", "with", "for", "of", "in", "und", "mit", "für", "de", "la", "le", "et", "avec", "y", "con", "new", "neu" };

    private static HashSet<string> Trigrams(HashSet<string> words)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var padded = $" {word} ";
            for (int i = 0; i + 3 <= padded.Length; i++)
            {
                set.Add(padded.Substring(i, 3));
            }
        }

        return set;
    }

    private static HashSet<string> Numbers(HashSet<string> words)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            foreach (var c in word)
            {
                if (char.IsDigit(c))
                {
                    set.Add(word);
                    break;
                }
            }
        }

        return set;
    }

    private static double Dice(HashSet<string> a, HashSet<string> b)
    {
        int common = 0;
        foreach (var x in a)
        {
            if (b.Contains(x))
            {
                common++;
            }
        }

        return 2.0 * common / (a.Count + b.Count);
    }
}
