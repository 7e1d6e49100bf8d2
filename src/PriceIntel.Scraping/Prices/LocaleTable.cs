using System.Collections.Frozen;

namespace PriceIntel.Scraping;

/// <summary>Decimal separator by language and currency by region, for <see cref="PriceParseHints.ForLocale"/>.</summary>
internal static class LocaleTable
{
    private static readonly FrozenSet<string> CommaLanguages = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "ru", "uk", "sv", "nb", "no", "nn", "da", "fi", "tr", "ro", "bg",
        "hu", "hr", "sr", "sl", "el", "id", "vi", "lt", "lv", "et", "is", "ca", "az", "kk", "be", "ka", "mk", "sq", "bs", "eu", "gl");

    // Regions whose locales use a decimal point even though the language mostly uses a comma.
    private static readonly FrozenSet<string> DotLocales = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "de-CH", "de-LI", "it-CH", "fr-CH", "es-MX", "es-US", "es-PR", "es-DO", "es-GT", "es-HN", "es-NI", "es-PA", "es-SV", "es-PE");

    private static readonly FrozenSet<string> CommaLocales = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "en-ZA", "en-DK", "en-SE", "en-FI", "en-NL", "en-DE", "en-AT", "en-BE", "en-SI");

    private static readonly FrozenDictionary<string, string> RegionCurrency = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["US"] = "USD",
        ["GB"] = "GBP",
        ["UK"] = "GBP",
        ["DE"] = "EUR",
        ["FR"] = "EUR",
        ["ES"] = "EUR",
        ["IT"] = "EUR",
        ["NL"] = "EUR",
        ["AT"] = "EUR",
        ["BE"] = "EUR",
        ["IE"] = "EUR",
        ["PT"] = "EUR",
        ["FI"] = "EUR",
        ["GR"] = "EUR",
        ["SK"] = "EUR",
        ["SI"] = "EUR",
        ["EE"] = "EUR",
        ["LV"] = "EUR",
        ["LT"] = "EUR",
        ["LU"] = "EUR",
        ["MT"] = "EUR",
        ["CY"] = "EUR",
        ["HR"] = "EUR",
        ["CH"] = "CHF",
        ["LI"] = "CHF",
        ["JP"] = "JPY",
        ["CN"] = "CNY",
        ["IN"] = "INR",
        ["BR"] = "BRL",
        ["MX"] = "MXN",
        ["CA"] = "CAD",
        ["AU"] = "AUD",
        ["NZ"] = "NZD",
        ["PL"] = "PLN",
        ["CZ"] = "CZK",
        ["RU"] = "RUB",
        ["SE"] = "SEK",
        ["NO"] = "NOK",
        ["DK"] = "DKK",
        ["TR"] = "TRY",
        ["KR"] = "KRW",
        ["HU"] = "HUF",
        ["RO"] = "RON",
        ["BG"] = "BGN",
        ["UA"] = "UAH",
        ["IL"] = "ILS",
        ["AE"] = "AED",
        ["SA"] = "SAR",
        ["TH"] = "THB",
        ["VN"] = "VND",
        ["ID"] = "IDR",
        ["MY"] = "MYR",
        ["SG"] = "SGD",
        ["HK"] = "HKD",
        ["TW"] = "TWD",
        ["PH"] = "PHP",
        ["ZA"] = "ZAR",
        ["AR"] = "ARS",
        ["CL"] = "CLP",
        ["CO"] = "COP",
        ["PE"] = "PEN",
        ["EG"] = "EGP",
        ["IS"] = "ISK",
        ["KW"] = "KWD",
        ["BH"] = "BHD",
        ["OM"] = "OMR",
        ["QA"] = "QAR",
        ["JO"] = "JOD",
        ["PK"] = "PKR",
        ["NG"] = "NGN",
        ["KZ"] = "KZT",
        ["RS"] = "RSD",
        ["BY"] = "BYN",
        ["KG"] = "KGS",
        ["UZ"] = "UZS",
        ["TJ"] = "TJS",
        ["TM"] = "TMT",
        ["AZ"] = "AZN",
        ["GE"] = "GEL",
        ["AM"] = "AMD",
        ["MD"] = "MDL",
        ["MK"] = "MKD",
        ["AL"] = "ALL",
        ["BA"] = "BAM",
        ["ME"] = "EUR",
        ["XK"] = "EUR",
        ["IR"] = "IRR",
        ["AF"] = "AFN",
        ["IQ"] = "IQD",
        ["SY"] = "SYP",
        ["LB"] = "LBP",
        ["YE"] = "YER",
        ["LY"] = "LYD",
        ["TN"] = "TND",
        ["DZ"] = "DZD",
        ["MA"] = "MAD",
        ["SD"] = "SDG",
        ["LK"] = "LKR",
        ["NP"] = "NPR",
        ["BD"] = "BDT",
        ["MN"] = "MNT",
        ["KH"] = "KHR",
        ["LA"] = "LAK",
        ["MO"] = "MOP",
        ["BN"] = "BND",
        ["FJ"] = "FJD",
        ["JM"] = "JMD",
        ["TT"] = "TTD",
        ["BZ"] = "BZD",
        ["BS"] = "BSD",
        ["BB"] = "BBD",
        ["BM"] = "BMD",
        ["KY"] = "KYD",
        ["GY"] = "GYD",
        ["SR"] = "SRD",
        ["NA"] = "NAD",
        ["LR"] = "LRD",
        ["UY"] = "UYU",
        ["PY"] = "PYG",
        ["BO"] = "BOB",
        ["VE"] = "VES",
        ["DO"] = "DOP",
        ["GT"] = "GTQ",
        ["CR"] = "CRC",
        ["PA"] = "PAB",
        ["HN"] = "HNL",
        ["NI"] = "NIO",
        ["SV"] = "USD",
        ["EC"] = "USD",
        ["PR"] = "USD",
        ["CU"] = "CUP",
        ["KE"] = "KES",
        ["UG"] = "UGX",
        ["TZ"] = "TZS",
        ["GH"] = "GHS",
        ["ET"] = "ETB",
        ["MU"] = "MUR",
        ["SC"] = "SCR",
        ["RW"] = "RWF",
        ["SN"] = "XOF",
        ["CI"] = "XOF",
        ["CM"] = "XAF",
        ["WS"] = "WST",
        ["TO"] = "TOP",
        ["SB"] = "SBD",
        ["PG"] = "PGK",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // Languages spoken as a national language in one currency area only.
    private static readonly FrozenDictionary<string, string> LanguageCurrency = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ja"] = "JPY",
        ["ko"] = "KRW",
        ["th"] = "THB",
        ["vi"] = "VND",
        ["pl"] = "PLN",
        ["cs"] = "CZK",
        ["hu"] = "HUF",
        ["tr"] = "TRY",
        ["he"] = "ILS",
        ["uk"] = "UAH",
        ["bg"] = "BGN",
        ["id"] = "IDR",
        ["sv"] = "SEK",
        ["da"] = "DKK",
        ["nb"] = "NOK",
        ["nn"] = "NOK",
        ["no"] = "NOK",
        ["is"] = "ISK",
        ["fi"] = "EUR",
        ["et"] = "EUR",
        ["lv"] = "EUR",
        ["lt"] = "EUR",
        ["sk"] = "EUR",
        ["sl"] = "EUR",
        ["hr"] = "EUR",
        ["mt"] = "EUR",
        ["el"] = "EUR",
        ["ka"] = "GEL",
        ["hy"] = "AMD",
        ["az"] = "AZN",
        ["ru"] = "RUB",
        ["kk"] = "KZT",
        ["ky"] = "KGS",
        ["uz"] = "UZS",
        ["tg"] = "TJS",
        ["tk"] = "TMT",
        ["be"] = "BYN",
        ["mk"] = "MKD",
        ["sq"] = "ALL",
        ["sr"] = "RSD",
        ["bs"] = "BAM",
        ["fa"] = "IRR",
        ["ps"] = "AFN",
        ["ur"] = "PKR",
        ["si"] = "LKR",
        ["ne"] = "NPR",
        ["bn"] = "BDT",
        ["mn"] = "MNT",
        ["km"] = "KHR",
        ["lo"] = "LAK",
        ["ro"] = "RON",
        ["ms"] = "MYR",
        ["am"] = "ETB",
        ["sw"] = "KES",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> LanguageLookup = LanguageCurrency.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CommaLanguageLookup = CommaLanguages.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> RegionLookup = RegionCurrency.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The currency of a two-letter region (ISO 3166, also a country TLD such as "se" or "uk"), or empty.</summary>
    public static CurrencyCode RegionCurrencyOf(ReadOnlySpan<char> region) =>
        region.Length == 2 && RegionLookup.TryGetValue(region, out var code) ? CurrencyCode.Parse(code) : default;

    /// <summary>The currency of a language spoken in one currency area only ("sv", "ja"), or empty.</summary>
    public static CurrencyCode LanguageCurrencyOf(ReadOnlySpan<char> language) =>
        LanguageLookup.TryGetValue(language, out var code) ? CurrencyCode.Parse(code) : default;

    public static PriceParseHints Lookup(ReadOnlySpan<char> tag)
    {
        tag = tag.Trim();
        if (tag.IsEmpty || tag.Length > 35)
        {
            return default;
        }

        var normalized = tag.ToString().Replace('_', '-').AsSpan();
        int dash = normalized.IndexOf('-');
        var language = dash < 0 ? normalized : normalized[..dash];
        ReadOnlySpan<char> region = default;
        if (dash >= 0)
        {
            // The region is the first two-letter subtag after the language (skips scripts like "Latn").
            foreach (var range in normalized[(dash + 1)..].Split('-'))
            {
                var part = normalized[(dash + 1)..][range];
                if (part.Length == 2)
                {
                    region = part;
                    break;
                }
            }
        }

        string? localeKey = region.IsEmpty ? null : string.Concat(language, "-", region);
        char separator = '\0';
        if (localeKey is not null && DotLocales.Contains(localeKey))
        {
            separator = '.';
        }
        else if (localeKey is not null && CommaLocales.Contains(localeKey))
        {
            separator = ',';
        }
        else if (language.Length is 2 or 3)
        {
            separator = CommaLanguageLookup.Contains(language) ? ',' : KnownDotLanguage(language) ? '.' : '\0';
        }

        CurrencyCode currency = default;
        if (!region.IsEmpty && RegionLookup.TryGetValue(region, out var code))
        {
            currency = CurrencyCode.Parse(code);
        }
        else if (region.IsEmpty && LanguageLookup.TryGetValue(language, out var languageCode))
        {
            currency = CurrencyCode.Parse(languageCode);
        }

        return new PriceParseHints(currency, separator);
    }

    private static bool KnownDotLanguage(ReadOnlySpan<char> language) =>
        language.Equals("en", StringComparison.OrdinalIgnoreCase) || language.Equals("ja", StringComparison.OrdinalIgnoreCase) ||
        language.Equals("zh", StringComparison.OrdinalIgnoreCase) || language.Equals("ko", StringComparison.OrdinalIgnoreCase) ||
        language.Equals("th", StringComparison.OrdinalIgnoreCase) || language.Equals("he", StringComparison.OrdinalIgnoreCase) ||
        language.Equals("hi", StringComparison.OrdinalIgnoreCase) || language.Equals("ar", StringComparison.OrdinalIgnoreCase) ||
        language.Equals("ms", StringComparison.OrdinalIgnoreCase) || language.Equals("fil", StringComparison.OrdinalIgnoreCase) ||
        language.Equals("ga", StringComparison.OrdinalIgnoreCase) || language.Equals("mt", StringComparison.OrdinalIgnoreCase);
}
