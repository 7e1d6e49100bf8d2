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
        public Entry(string symbol, CurrencyCode code, CurrencyCode[] family, bool ignoreCase, int id = -1)
        {
            Symbol = symbol;
            Code = code;
            Family = family;
            IgnoreCase = ignoreCase;
            Id = id;
        }

        /// <summary>Index in <see cref="FamilyOf"/>, so a token can name its entry without holding a reference.</summary>
        public int Id { get; }

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
    private static readonly CurrencyCode[] Dinar = Codes("RSD KWD BHD JOD IQD LYD TND DZD");
    private static readonly CurrencyCode[] Dirham = Codes("AED MAD");
    private static readonly CurrencyCode[] Peso = Codes("MXN ARS CLP COP UYU DOP CUP PHP");
    private static readonly CurrencyCode[] Lira = Codes("TRY LBP SYP");
    private static readonly CurrencyCode[] Manat = Codes("AZN TMT");
    private static readonly CurrencyCode[] Som = Codes("KGS UZS");
    private static readonly CurrencyCode[] Birr = Codes("ETB BYN");
    private static readonly CurrencyCode[] Leu = Codes("RON MDL");
    private static readonly CurrencyCode[] Shilling = Codes("KES UGX TZS SOS");
    private static readonly CurrencyCode[] EgyptianPound = Codes("EGP SDG SSP");

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
        E("د.ت", "TND"), E("ل.ل", "LBP"), E("د.ع", "IQD"), E("ل.د", "LYD"), E("дин", "RSD"), E("дин.", "RSD"), E("ден", "MKD"),

        // Cyrillic: Russia, Belarus, Central Asia, the Balkans.
        E("рубль", "RUB", ignoreCase: true), E("рублей", "RUB", ignoreCase: true), E("рубля", "RUB", ignoreCase: true), E("р", "RUB"),
        E("бел. руб.", "BYN", ignoreCase: true), E("бел.руб.", "BYN", ignoreCase: true), E("Br", "", Birr), E("BYN", "BYN"),
        E("гривень", "UAH", ignoreCase: true), E("гривня", "UAH", ignoreCase: true), E("гривен", "UAH", ignoreCase: true),
        E("тг", "KZT", ignoreCase: true), E("тңг", "KZT", ignoreCase: true), E("тенге", "KZT", ignoreCase: true), E("теңге", "KZT", ignoreCase: true),
        E("сом", "KGS", ignoreCase: true), E("сўм", "UZS", ignoreCase: true), E("сум", "UZS", ignoreCase: true), E("so'm", "UZS", ignoreCase: true), E("soʻm", "UZS", ignoreCase: true), E("so‘m", "UZS", ignoreCase: true),
        E("сомонӣ", "TJS", ignoreCase: true), E("сомони", "TJS", ignoreCase: true), E("смн", "TJS", ignoreCase: true), E("манат", "", Manat, true), E("ман.", "AZN", ignoreCase: true),
        E("֏", "AMD"), E("դր.", "AMD"), E("драм", "AMD", ignoreCase: true), E("ლ", "GEL"), E("лари", "GEL", ignoreCase: true),
        E("лев", "BGN", ignoreCase: true), E("лева", "BGN", ignoreCase: true), E("динар", "RSD", ignoreCase: true), E("динара", "RSD", ignoreCase: true), E("денари", "MKD", ignoreCase: true), E("ден.", "MKD"),
        E("КМ", "BAM"), E("KM", "BAM"), E("Lek", "ALL", ignoreCase: true), E("Lekë", "ALL", ignoreCase: true), E("leke", "ALL", ignoreCase: true),
        E("din.", "RSD", ignoreCase: true), E("дин", "RSD"),

        // Arabic and Persian script.
        E("ريال", "", Rial), E("ریال", "IRR"), E("تومان", "", None), E("تومن", "", None), E("ر.ق.", "QAR"), E("ر.ي", "YER"), E("ر.ي.", "YER"), E("ل.س", "SYP"), E("ج.س", "SDG"),
        E("درهم", "", Dirham), E("د.م", "MAD"), E("دينار", "", Dinar), E("دج", "DZD"), E("جنيه", "", EgyptianPound), E("ليرة", "", Lira), E("؋", "AFN"), E("افغانی", "AFN"),
        E("روپے", "PKR"), E("روپیہ", "PKR"), E("ر.ع", "OMR"), E("රු", "LKR"), E("kn", "HRK"), E("روپیه", "", Rupee), E("د.إ.", "AED"), E("د.ك.", "KWD"), E("د.ب.", "BHD"), E("د.أ", "JOD"), E("د.ا.", "JOD"), E("د.ع.", "IQD"), E("د.ت.", "TND"),

        // Latin-script names and abbreviations, Gulf and African shorthand.
        E("AED", "AED"), E("Dhs", "", Dirham, true), E("Dh", "", Dirham, true), E("DH", "", Dirham), E("Dhs.", "", Dirham, true), E("KD", "KWD"), E("BD", "BHD"), E("QR", "QAR"), E("SR", "SAR"), E("JD", "JOD"), E("RO", "OMR"),
        E("KSh", "KES", ignoreCase: true), E("KShs", "KES", ignoreCase: true), E("USh", "UGX", ignoreCase: true), E("TSh", "TZS", ignoreCase: true), E("GH₵", "GHS"), E("₵", "GHS"), E("GH¢", "GHS"),
        E("Birr", "ETB", ignoreCase: true), E("NIS", "ILS"), E("MOP$", "MOP"), E("B/.", "PAB"), E("C$", "CAD"), E("Gs", "PYG"), E("Gs.", "PYG"),
        E("yen", "JPY", ignoreCase: true), E("yuan", "CNY", ignoreCase: true), E("renminbi", "CNY", ignoreCase: true), E("baht", "THB", ignoreCase: true),
        E("rupee", "", Rupee, true), E("rupees", "", Rupee, true), E("rupiah", "IDR", ignoreCase: true), E("ringgit", "MYR", ignoreCase: true), E("dong", "VND", ignoreCase: true),
        E("dinar", "", Dinar, true), E("dinars", "", Dinar, true), E("dinara", "RSD", ignoreCase: true), E("dinari", "MKD", ignoreCase: true), E("denar", "MKD", ignoreCase: true), E("denari", "MKD", ignoreCase: true),
        E("dirham", "", Dirham, true), E("dirhams", "", Dirham, true), E("riyal", "", Rial, true), E("riyals", "", Rial, true), E("rial", "", Rial, true), E("rials", "", Rial, true),
        E("dollar", "", Dollar, true), E("dollars", "", Dollar, true), E("dólares", "", Dollar, true), E("dolares", "", Dollar, true), E("peso", "", Peso, true), E("pesos", "", Peso, true), E("pesos mexicanos", "MXN", ignoreCase: true), E("peso mexicano", "MXN", ignoreCase: true), E("pesos chilenos", "CLP", ignoreCase: true), E("pesos argentinos", "ARS", ignoreCase: true), E("pesos colombianos", "COP", ignoreCase: true),
        E("reais", "BRL", ignoreCase: true), E("złotych", "PLN", ignoreCase: true), E("zloty", "PLN", ignoreCase: true), E("zlotys", "PLN", ignoreCase: true),
        E("forint", "HUF", ignoreCase: true), E("korun", "CZK", ignoreCase: true), E("koruna", "CZK", ignoreCase: true), E("lira", "", Lira, true), E("lire", "", Lira, true), E("shekel", "ILS", ignoreCase: true), E("shekels", "ILS", ignoreCase: true), E("sheqel", "ILS", ignoreCase: true),
        E("rand", "ZAR", ignoreCase: true), E("naira", "NGN", ignoreCase: true), E("cedi", "GHS", ignoreCase: true), E("cedis", "GHS", ignoreCase: true), E("hryvnia", "UAH", ignoreCase: true), E("hryvnias", "UAH", ignoreCase: true),
        E("tenge", "KZT", ignoreCase: true), E("som", "", Som, true), E("manat", "", Manat, true), E("lari", "GEL", ignoreCase: true), E("dram", "AMD", ignoreCase: true),
        E("lev", "BGN", ignoreCase: true), E("leva", "BGN", ignoreCase: true), E("leu", "", Leu, true), E("rubles", "RUB", ignoreCase: true), E("roubles", "RUB", ignoreCase: true), E("ruble", "RUB", ignoreCase: true),
        E("kronor", "SEK", ignoreCase: true), E("kroner", "", Codes("NOK DKK"), true), E("krónur", "ISK", ignoreCase: true), E("francs", "", Franc, true), E("franc", "", Franc, true), E("franken", "CHF", ignoreCase: true),
        E("euro's", "EUR", ignoreCase: true), E("евро", "EUR", ignoreCase: true), E("долл.", "USD", ignoreCase: true), E("долларов", "USD", ignoreCase: true),
        E("soles", "PEN", ignoreCase: true), E("bolívares", "VES", ignoreCase: true), E("quetzales", "GTQ", ignoreCase: true), E("colones", "CRC", ignoreCase: true),

        // Chinese, Japanese and Korean characters.
        E("日元", "JPY"), E("日圓", "JPY"), E("日圆", "JPY"), E("圓", "", Yuan), E("圆", "CNY"), E("块", "CNY"), E("塊", "", Yuan), E("港元", "HKD"), E("港幣", "HKD"), E("港币", "HKD"),
        E("新台幣", "TWD"), E("新台币", "TWD"), E("台幣", "TWD"), E("台币", "TWD"), E("澳門元", "MOP"), E("澳门元", "MOP"), E("澳門幣", "MOP"), E("澳门币", "MOP"),
        E("美元", "USD"), E("美金", "USD"), E("欧元", "EUR"), E("歐元", "EUR"), E("英镑", "GBP"), E("英鎊", "GBP"), E("韩元", "KRW"), E("韓元", "KRW"), E("人民幣", "CNY"),
        E("엔", "JPY"), E("달러", "USD"), E("유로", "EUR"), E("ドル", "USD"), E("ユーロ", "EUR"), E("元", "CNY", Yuan),
    ];

    private static readonly List<Entry> Indexed = [];
    private static readonly FrozenDictionary<char, Entry[]> ByFirstChar = BuildIndex();

    /// <summary>The currencies a symbol may stand for, by entry id; empty for an unknown id.</summary>
    public static CurrencyCode[] FamilyOf(int id) => (uint)id < (uint)Indexed.Count ? Indexed[id].Family : None;

    /// <summary>The dollar family, for "XX$" prefixes the table does not list.</summary>
    public static int DollarEntryId { get; } = FindId("$");

    private static int FindId(string symbol)
    {
        foreach (var e in Indexed)
        {
            if (e.Symbol == symbol)
            {
                return e.Id;
            }
        }

        return -1;
    }

    // Zero-minor-unit currencies as shops print them (IDR and HUF are officially two, but prices are whole).
    private static readonly FrozenSet<ushort> WholeUnitCurrencies = CodeSet("JPY KRW VND CLP ISK PYG UGX IDR HUF XOF XAF XPF KMF GNF RWF BIF DJF VUV IQD");
    private static readonly FrozenSet<ushort> ThreeDecimalCurrencies = CodeSet("BHD JOD KWD LYD OMR TND");
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

            var indexed = new Entry(entry.Symbol, entry.Code, entry.Family, entry.IgnoreCase, Indexed.Count);
            Indexed.Add(indexed);

            var key = char.ToLowerInvariant(entry.Symbol[0]);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(indexed);
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
