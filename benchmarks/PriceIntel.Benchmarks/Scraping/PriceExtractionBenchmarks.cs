using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PriceIntel.Scraping;

namespace PriceIntel.Benchmarks.Scraping;

/// <summary>
/// Strings/s of the price-string parser and pages/s of product-page extraction over the test
/// fixtures, each against a naive single-regex baseline (which is faster and wrong on most of the
/// real-world shapes the parser handles). Run:
/// <c>dotnet run -c Release --project benchmarks/PriceIntel.Benchmarks -- --filter '*PriceExtraction*' --job short</c>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public partial class PriceExtractionBenchmarks
{
    private const int StringCount = 64;

    private static readonly string[] Strings =
    [
        "$19.99", "$1,299.99", "US$ 49.00", "19,99 €", "1.299,99 €", "1 299,99 €", "€ 1.299,-", "£9.99", "£1,249.00", "CHF 1'299.50",
        "Fr. 49.–", "¥1,280", "1,280円（税込）", "₩12,900", "₹1,29,999", "Rs. 1,499", "1 234,56 руб.", "1 234,56 zł", "1 234 Kč", "12 990 Ft",
        "1 299 kr", "₺1.299,99", "₪1,234.56", "1.290.000₫", "Rp 1.290.000", "฿1,290", "R$ 1.234,56", "MX$ 1,299.00", "١٢٣٫٤٥ ر.س", "KWD 3.350",
        "from $10", "ab 9,99 €", "€19,99 incl. VAT", "19,99 € inkl. MwSt. zzgl. Versand", "Was $20 Now $15", "RRP £49.99 Our price £39.99", "statt 49,99 € jetzt 39,99 €",
        "2 for $5", "Free", "Sold out", "Free shipping over $50", "$24.99 + $4.99 shipping", "€12,99 (€1,30 / 100 g)", "$10 - $20", "$999 or $41.62/mo",
        "20% off", "Only 3 left", "iPhone 15 Pro 128GB $999", "Price: 19.99", "Preis: 1.299,00 EUR", "Prix : 1 299,00 €", "Our price: $1,299.99",
        "$19.99 $24.99", "£10.00 inc VAT (£8.33 ex VAT)", "3.350", "0,99 €", "EUR19.99", "$5 each", "Starting at $49", "à partir de 19,99 €",
        "$25.00 Sold out", "Save 20%", "1 299:-", "S/ 149.90",
    ];

    private static readonly PriceParseHints UsdHints = new(CurrencyCode.Usd);

    private string[] _pages = [];
    private ProductPageExtractor _extractor = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (Strings.Length != StringCount)
        {
            throw new InvalidOperationException($"StringCount is {StringCount} but there are {Strings.Length} strings.");
        }

        var dir = FindFixtures();
        _pages = [.. Directory.GetFiles(dir, "*.html").Order(StringComparer.Ordinal).Select(File.ReadAllText)];
        if (_pages.Length != PageCount)
        {
            throw new InvalidOperationException($"Expected {PageCount} fixture pages in {dir}, found {_pages.Length}.");
        }

        _extractor = new ProductPageExtractor();
    }

    private const int PageCount = 19;

    [Benchmark(Baseline = true, OperationsPerInvoke = StringCount)]
    [BenchmarkCategory("strings")]
    public long NaiveRegex_strings()
    {
        long sum = 0;
        foreach (var s in Strings)
        {
            var m = NaivePrice().Match(s);
            if (m.Success && decimal.TryParse(m.Groups[1].ValueSpan, NumberStyles.Number, CultureInfo.InvariantCulture, out var d))
            {
                sum += (long)(d * 100);
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = StringCount)]
    [BenchmarkCategory("strings")]
    public long PriceText_strings()
    {
        long sum = 0;
        foreach (var s in Strings)
        {
            sum += PriceText.Parse(s, UsdHints).Amount.Ticks;
        }

        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PageCount)]
    [BenchmarkCategory("pages")]
    public long NaiveRegex_pages()
    {
        long sum = 0;
        foreach (var html in _pages)
        {
            var m = NaivePrice().Match(html);
            if (m.Success && decimal.TryParse(m.Groups[1].ValueSpan, NumberStyles.Number, CultureInfo.InvariantCulture, out var d))
            {
                sum += (long)(d * 100);
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = PageCount)]
    [BenchmarkCategory("pages")]
    public long Extractor_pages()
    {
        long sum = 0;
        foreach (var html in _pages)
        {
            sum += _extractor.Extract(html).Price.Value.Ticks;
        }

        return sum;
    }

    [GeneratedRegex(@"[$€£¥₹]\s?(\d+(?:[.,]\d+)*)")]
    private static partial Regex NaivePrice();

    private static string FindFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "PriceIntel.Scraping.Tests", "Fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/PriceIntel.Scraping.Tests/Fixtures was not found above " + AppContext.BaseDirectory);
    }
}
