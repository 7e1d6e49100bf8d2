using System.Collections.Frozen;

namespace PriceIntel.Scraping;

/// <summary>
/// Currency symbols, local abbreviations and ISO codes as shops print them, mapped to ISO 4217.
/// A symbol shared by several currencies ("$", "¥", "kr") maps to no currency by itself and to the
/// page's currency when the hint is one of the currencies the symbol can stand for.
/// </summary>
internal static class CurrencySymbols
{
    internal readonly struct Entry
    {
        public Entry(string symbol, CurrencyCode code, CurrencyCode[] family, bool ignoreCase)
        {
            Symbol = symbol;
            Code = code;
            Family = family;
            IgnoreCase = ignoreCase;
        }

        public string Symbol { get; }

        /// <summary>The currency when no hint settles it; empty for ambiguous symbols.</summary>
        public CurrencyCode Code { get; }

        /// <summary>The currencies a hint may pick for this symbol.</summary>
        public CurrencyCode[] Family { get; }

        public bool IgnoreCase { get; }
    }

    private static readonly CurrencyCode[] None = [];

    private static readonly CurrencyCode[] Dollar = Codes(
        "USD CAD AUD NZD MXN ARS CLP COP SGD HKD TWD UYU DOP BSD BBD BZD BMD BND FJD GYD JMD KYD LRD NAD SBD SRD TTD XCD CUP WST TOP");

    private static readonly CurrencyCode[] Yen = Codes("JPY CNY");
    private static readonly CurrencyCode[] Krona = Codes("SEK NOK DKK ISK");
    private static readonly CurrencyCode[] Pound = Codes("GBP EGP LBP SYP GIP FKP SHP SSP");
    private static readonly CurrencyCode[] Rupee = Codes("INR PKR LKR NPR MUR SCR");
    private static readonly CurrencyCode[] Rial = Codes("SAR IRR OMR QAR YER");
    private static readonly CurrencyCode[] Franc = Codes("CHF XOF XAF XPF");
    private static readonly CurrencyCode[] Bolivar = Codes("VES BOB");
    private static readonly CurrencyCode[] Yuan = Codes("CNY TWD HKD");
    private static readonly CurrencyCode[] Dinar = Codes("RSD MKD");

    // Symbol, default ISO code ("" when ambiguous), family for hints, case-insensitive.
    private static readonly Entry[] All =
    [
        E("$", "", Dollar), E("US$", "USD"), E("U$S", "USD"), E("USD$", "USD"), E("C$", "CAD"), E("CA$", "CAD"), E("CAN$", "CAD"),
        E("A$", "AUD"), E("AU$", "AUD"), E("NZ$", "NZD"), E("HK$", "HKD"), E("S$", "SGD"), E("SG$", "SGD"), E("R$", "BRL"),
        E("MX$", "MXN"), E("NT$", "TWD"), E("RD$", "DOP"), E("J$", "JMD"), E("TT$", "TTD"), E("BZ$", "BZD"), E("EC$", "XCD"),
        E("N$", "NAD"), E("COL$", "COP"), E("CLP$", "CLP"), E("ARS$", "ARS"), E("$U", "UYU"), E("＄", "", Dollar), E("﹩", "", Dollar),
        E("€", "EUR"), E("Euro", "EUR", ignoreCase: true), E("Euros", "EUR", ignoreCase: true), E("Eur", "EUR", ignoreCase: true),
        E("£", "GBP", Pound), E("￡", "GBP", Pound), E("E£", "EGP"), E("L£", "LBP"),
        E("¥", "", Yen), E("￥", "", Yen), E("JP¥", "JPY"), E("CN¥", "CNY"), E("円", "JPY"), E("元", "CNY", Yuan), E("人民币", "CNY"), E("RMB", "CNY"),
        E("₹", "INR"), E("Rs", "", Rupee), E("Rs.", "", Rupee), E("₨", "", Rupee), E("रु", "NPR"),
        E("₩", "KRW"), E("￦", "KRW"), E("원", "KRW"),
        E("₽", "RUB"), E("руб", "RUB", ignoreCase: true), E("руб.", "RUB", ignoreCase: true), E("р.", "RUB"), E("₴", "UAH"), E("грн", "UAH", ignoreCase: true), E("грн.", "UAH", ignoreCase: true),
        E("zł", "PLN", ignoreCase: true), E("Kč", "CZK", ignoreCase: true), E("Ft", "HUF"), E("lei", "RON", ignoreCase: true), E("лв", "BGN"), E("лв.", "BGN"),
        E("kr", "", Krona, true), E("kr.", "", Krona, true), E("Skr", "SEK"), E("Nkr", "NOK"), E("Dkr", "DKK"),
        E("CHF", "CHF"), E("Fr.", "CHF", Franc), E("SFr.", "CHF"), E("Fr", "CHF", Franc),
        E("₺", "TRY"), E("TL", "TRY"), E("₪", "ILS"), E("ש״ח", "ILS"), E("₫", "VND"), E("đ", "VND"), E("฿", "THB"), E("บาท", "THB"),
        E("₱", "PHP"), E("Rp", "IDR"), E("Rp.", "IDR"), E("RM", "MYR"), E("R", "ZAR"), E("₦", "NGN"), E("₸", "KZT"), E("₼", "AZN"),
        E("₾", "GEL"), E("₡", "CRC"), E("₲", "PYG"), E("₭", "LAK"), E("៛", "KHR"), E("₮", "MNT"), E("৳", "BDT"), E("S/", "PEN"), E("S/.", "PEN"),
        E("Bs", "", Bolivar), E("Bs.", "", Bolivar), E("Bs.S", "VES"), E("Bs.F", "VES"), E("Bs.", "", Bolivar),
        E("﷼", "", Rial), E("ريال", "", Rial), E("ر.س", "SAR"), E("ر.س.", "SAR"), E("د.إ", "AED"), E("د.ك", "KWD"), E("ر.ق", "QAR"),
        E("د.ب", "BHD"), E("ر.ع.", "OMR"), E("د.ا", "JOD"), E("ج.م", "EGP"), E("ج.م.", "EGP"), E("د.م.", "MAD"), E("د.ج", "DZD"),
        E("د.ت", "TND"), E("ل.ل", "LBP"), E("د.ع", "IQD"), E("ل.د", "LYD"), E("дин", "RSD", Dinar), E("дин.", "RSD", Dinar), E("ден", "MKD"),
    ];

    private static readonly FrozenDictionary<char, Entry[]> ByFirstChar = BuildIndex();

    // Zero-minor-unit currencies as shops print them (IDR and HUF are officially two, but prices are whole).
    private static readonly FrozenSet<ushort> WholeUnitCurrencies = CodeSet("JPY KRW VND CLP ISK PYG UGX IDR HUF XOF XAF XPF KMF GNF RWF BIF DJF VUV");
    private static readonly FrozenSet<ushort> ThreeDecimalCurrencies = CodeSet("BHD IQD JOD KWD LYD OMR TND");
    private static readonly FrozenSet<ushort> DecimalPointCurrencies = CodeSet(
        "USD GBP JPY CNY INR AUD CAD NZD SGD HKD TWD KRW THB PHP MYR MXN ILS CHF AED SAR QAR EGP PKR NGN PEN GTQ DOP BHD KWD OMR JOD LKR NPR BDT");

    private static readonly FrozenSet<ushort> DecimalCommaCurrencies = CodeSet(
        "EUR BRL PLN CZK RUB SEK NOK DKK TRY ARS COP IDR VND HUF RON BGN UAH CLP ISK RSD VES UYU PYG KZT GEL AZN BYN MKD ALL BAM MDL ZAR");

    /// <summary>The longest symbol that starts at <paramref name="index"/>, respecting word boundaries for alphabetic symbols.</summary>
    public static bool TryMatch(ReadOnlySpan<char> text, int index, out Entry entry, out int length)
    {
        entry = default;
        length = 0;
        if (!ByFirstChar.TryGetValue(char.ToLowerInvariant(text[index]), out var candidates))
        {
            return false;
        }

        var rest = text[index..];
        foreach (var candidate in candidates)
        {
            var symbol = candidate.Symbol.AsSpan();
            if (rest.Length < symbol.Length)
            {
                continue;
            }

            var head = rest[..symbol.Length];
            if (!(candidate.IgnoreCase ? head.Equals(symbol, StringComparison.OrdinalIgnoreCase) : head.SequenceEqual(symbol)))
            {
                continue;
            }

            if (char.IsLetter(symbol[0]) && index > 0 && char.IsLetter(text[index - 1]) && !IsCjk(symbol[0]))
            {
                continue;
            }

            if (char.IsLetter(symbol[^1]) && index + symbol.Length < text.Length && char.IsLetter(text[index + symbol.Length]) && !IsCjk(symbol[^1]))
            {
                continue;
            }

            entry = candidate;
            length = symbol.Length;
            return true; // candidates are sorted longest first
        }

        return false;
    }

    /// <summary>Resolves a symbol to a currency with the hint: the hint wins when it is one the symbol can stand for.</summary>
    public static CurrencyCode Resolve(in Entry entry, CurrencyCode hint, out bool fromHint)
    {
        fromHint = false;
        if (!hint.IsEmpty)
        {
            foreach (var member in entry.Family)
            {
                if (member == hint)
                {
                    fromHint = entry.Code != hint;
                    return hint;
                }
            }
        }

        return entry.Code;
    }

    /// <summary>A currency named by the symbol or ISO code that is the whole of <paramref name="text"/>.</summary>
    public static bool TryParseWhole(ReadOnlySpan<char> text, CurrencyCode hint, out CurrencyCode currency)
    {
        text = text.Trim();
        currency = default;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.Length == 3 && CurrencyCode.TryParse(text, out var iso) && iso.IsKnown)
        {
            currency = iso;
            return true;
        }

        if (TryMatch(text, 0, out var entry, out var length) && length == text.Length)
        {
            currency = Resolve(entry, hint, out _);
            return !currency.IsEmpty;
        }

        return false;
    }

    /// <summary>Minor digits shops print: 0, 2 or 3; -1 when the currency is unknown.</summary>
    public static int MinorDigits(CurrencyCode currency) =>
        currency.IsEmpty ? -1 : WholeUnitCurrencies.Contains(currency.Value) ? 0 : ThreeDecimalCurrencies.Contains(currency.Value) ? 3 : 2;

    /// <summary>The decimal separator most shops pricing in this currency use, or '\0' when it varies.</summary>
    public static char ConventionalDecimalSeparator(CurrencyCode currency) =>
        currency.IsEmpty ? '\0' : DecimalPointCurrencies.Contains(currency.Value) ? '.' : DecimalCommaCurrencies.Contains(currency.Value) ? ',' : '\0';

    private static bool IsCjk(char c) => c >= '\u2E80';

    private static Entry E(string symbol, string code, CurrencyCode[]? family = null, bool ignoreCase = false)
    {
        var iso = code.Length == 0 ? default : CurrencyCode.Parse(code);
        var members = family ?? (iso.IsEmpty ? None : [iso]);
        return new Entry(symbol, iso, members, ignoreCase);
    }

    private static CurrencyCode[] Codes(string list)
    {
        var parts = list.Split(' ');
        var codes = new CurrencyCode[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            codes[i] = CurrencyCode.Parse(parts[i]);
        }

        return codes;
    }

    private static FrozenSet<ushort> CodeSet(string list)
    {
        var set = new HashSet<ushort>();
        foreach (var code in Codes(list))
        {
            set.Add(code.Value);
        }

        return set.ToFrozenSet();
    }

    private static FrozenDictionary<char, Entry[]> BuildIndex()
    {
        var groups = new Dictionary<char, List<Entry>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in All)
        {
            if (!seen.Add(entry.Symbol))
            {
                continue;
            }

            var key = char.ToLowerInvariant(entry.Symbol[0]);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(entry);
        }

        var result = new Dictionary<char, Entry[]>();
        foreach (var (key, list) in groups)
        {
            list.Sort(static (a, b) => b.Symbol.Length.CompareTo(a.Symbol.Length));
            result[key] = [.. list];
        }

        return result.ToFrozenDictionary();
    }
}
