namespace PriceIntel.Scraping.Tests.Extraction;

internal static class Fixture
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Read(string name) => File.ReadAllText(Path.Combine(Directory, name));
}

/// <summary>Extractors for functional tests: time budgets wide enough that a cold JIT on a loaded machine never cuts a page short.</summary>
internal static class TestExtractors
{
    public static ProductPageExtractorOptions Options() => new() { MaxExtractionTime = TimeSpan.FromMinutes(2), ParseTimeout = TimeSpan.FromMinutes(1) };

    public static ProductPageExtractor Create() => new(Options());
}
