using System.Globalization;
using System.Text;
using PriceIntel.Scraping.Tests.Extraction;
using Xunit.Abstractions;

namespace PriceIntel.Scraping.Tests.Corpus;

/// <summary>
/// Scores the evaluation sets (price-strings.tsv, pages/ + pages.tsv; all written for this project):
/// accuracy per category for price strings (right amount; right amount and currency, where a shared symbol
/// reported as written counts), and page price precision, recall and F1. Two sets: <c>Corpus</c> (written while
/// the code was shaped: a regression floor) and <c>HeldOut</c> (written afterwards without tuning to it, scored
/// once before the fixes it led to; see the package README for both figures). Prints the report and writes it
/// to corpus-score-SET-*.txt in the test output folder. Run:
/// <c>dotnet test tests/PriceIntel.Scraping.Tests -c Release --filter FullyQualifiedName~CorpusScore --logger "console;verbosity=detailed"</c>
/// </summary>
public sealed class CorpusScoreTests(ITestOutputHelper output)
{
    private static IEnumerable<string[]> Rows(string set, string file) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, set, file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('‖').Select(c => c.Trim()).ToArray());

    [Theory]
    [InlineData("Corpus", 140, 0.97, 0.95)]
    [InlineData("HeldOut", 280, 0.98, 0.95)] // the issue's targets; measured before the fixes: 96.9 % / 95.1 %
    public void Price_strings_score_per_category(string set, int least, double amountFloor, double bothFloor)
    {
        var byCategory = new SortedDictionary<string, (int Total, int Amount, int Both)>(StringComparer.Ordinal);
        var misses = new StringBuilder();
        foreach (var row in Rows(set, "price-strings.tsv"))
        {
            Assert.Equal(6, row.Length);
            var (category, text, hintCurrency, hintSeparator, expected, expectedCurrency) = (row[0], row[1], row[2], row[3], row[4], row[5]);
            var hints = new PriceParseHints(hintCurrency.Length == 0 ? default : CurrencyCode.Parse(hintCurrency), hintSeparator.Length == 0 ? '\0' : hintSeparator[0]);
            var parsed = PriceText.Parse(text, hints);
            bool amountRight, bothRight;
            if (expected == "NoPrice")
            {
                amountRight = bothRight = !parsed.HasPrice;
            }
            else
            {
                amountRight = parsed.HasPrice && parsed.Amount.ToDecimal() == decimal.Parse(expected, CultureInfo.InvariantCulture);
                var currency = parsed.Currency.IsEmpty ? parsed.SymbolIn(text.AsSpan().Trim()).ToString() : parsed.Currency.ToString();
                if (parsed.Currency.IsEmpty && currency.Length == 0)
                {
                    currency = parsed.SymbolIn(text).ToString();
                }

                bothRight = amountRight && currency == expectedCurrency;
            }

            var (total, amount, both) = byCategory.GetValueOrDefault(category);
            byCategory[category] = (total + 1, amount + (amountRight ? 1 : 0), both + (bothRight ? 1 : 0));
            if (!bothRight)
            {
                misses.AppendLine(CultureInfo.InvariantCulture, $"  miss [{category}] '{text}': {parsed.Status} {parsed.Amount} {parsed.Currency} (expected {expected} {expectedCurrency})");
            }
        }

        var report = new StringBuilder("price strings: category | n | amount | amount+currency\n");
        int n = 0, a = 0, b = 0;
        foreach (var (category, (total, amount, both)) in byCategory)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  {category,-22} {total,4} {(double)amount / total,7:P1} {(double)both / total,7:P1}");
            n += total;
            a += amount;
            b += both;
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"  {"all",-22} {n,4} {(double)a / n,7:P1} {(double)b / n,7:P1}");
        report.Append(misses);
        Write($"{set}-price-strings", report.ToString());
        Assert.True(n >= least, $"only {n} strings");
        Assert.True((double)a / n >= amountFloor, report.ToString());
        Assert.True((double)b / n >= bothFloor, report.ToString());
    }

    [Theory]
    [InlineData("Corpus", 15, 0.93)]
    [InlineData("HeldOut", 28, 0.93)] // the issue's target; measured before the fixes: 0.943
    public void Product_pages_score_price_f1(string set, int least, double f1Floor)
    {
        var extractor = TestExtractors.Create();
        int truePositives = 0, falsePositives = 0, falseNegatives = 0, pages = 0;
        var report = new StringBuilder("pages: file | expected | got | method | cross-check\n");
        foreach (var row in Rows(set, "pages.tsv"))
        {
            Assert.Equal(5, row.Length);
            var (file, url, expected, currency, category) = (row[0], row[1], row[2], row[3], row[4]);
            var page = extractor.Extract(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, set, "pages", file)), new Uri(url));
            pages++;
            bool predicted = page.HasPrice;
            bool right = predicted && expected != "none" && page.Price.Value.ToDecimal() == decimal.Parse(expected, CultureInfo.InvariantCulture) && page.Currency.Value.ToString() == currency;
            if (right)
            {
                truePositives++;
            }
            else
            {
                falsePositives += predicted ? 1 : 0;
                falseNegatives += expected != "none" ? 1 : 0;
            }

            report.AppendLine(CultureInfo.InvariantCulture, $"  {(right || (!predicted && expected == "none") ? "ok  " : "MISS")} [{category}] {file}: expected {expected} {currency}, got {(predicted ? $"{page.Price.Value} {page.Currency.Value}" : "none")} {page.Price.Method} {page.CrossCheck}");
        }

        double precision = truePositives + falsePositives == 0 ? 1 : (double)truePositives / (truePositives + falsePositives);
        double recall = truePositives + falseNegatives == 0 ? 1 : (double)truePositives / (truePositives + falseNegatives);
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        report.AppendLine(CultureInfo.InvariantCulture, $"  {pages} pages: precision {precision:P1}, recall {recall:P1}, F1 {f1:0.000}");
        Write($"{set}-pages", report.ToString());
        Assert.True(pages >= least);
        Assert.True(f1 >= f1Floor, report.ToString());
    }

    private void Write(string name, string report)
    {
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"corpus-score-{name}.txt"), report);
    }
}
