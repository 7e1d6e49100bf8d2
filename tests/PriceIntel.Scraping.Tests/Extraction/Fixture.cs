namespace PriceIntel.Scraping.Tests.Extraction;

internal static class Fixture
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Read(string name) => File.ReadAllText(Path.Combine(Directory, name));
}
