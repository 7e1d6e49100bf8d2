using System.Text.Json;

namespace PriceIntel.Scraping;

/// <summary>
/// CSS selectors for one site layout (or one shop platform), shipped as data: used when a page has
/// no structured data, before the visual heuristic. Load more with <see cref="LoadJson"/>.
/// </summary>
public sealed class SelectorProfile
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Lazy<IReadOnlyList<SelectorProfile>> BuiltInProfiles = new(LoadBuiltIn);

    /// <summary>Profile name, for the extraction record and logs.</summary>
    public string Name { get; init; } = "";

    /// <summary>Host names the profile applies to, matched as suffixes ("amazon.de" matches "www.amazon.de"); "*" applies to every page.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Selectors for the current price, first match wins.</summary>
    public IReadOnlyList<string> Price { get; init; } = [];

    /// <summary>Attribute to read the price from instead of the text (e.g. "content", "data-price"), or null.</summary>
    public string? PriceAttribute { get; init; }

    /// <summary>Selectors for an element holding the currency code or symbol.</summary>
    public IReadOnlyList<string> Currency { get; init; } = [];

    /// <summary>Selectors for the product name.</summary>
    public IReadOnlyList<string> Title { get; init; } = [];

    /// <summary>Selectors for the stock message.</summary>
    public IReadOnlyList<string> Availability { get; init; } = [];

    /// <summary>Phrases in the stock message that mean out of stock (case-insensitive).</summary>
    public IReadOnlyList<string> OutOfStockText { get; init; } = [];

    /// <summary>Selectors for the shop SKU.</summary>
    public IReadOnlyList<string> Sku { get; init; } = [];

    /// <summary>Selectors for the GTIN.</summary>
    public IReadOnlyList<string> Gtin { get; init; } = [];

    /// <summary>Selectors for the brand.</summary>
    public IReadOnlyList<string> Brand { get; init; } = [];

    /// <summary>The profiles shipped with the package: common large retailers and shop platforms (Shopify, WooCommerce, Magento).</summary>
    public static IReadOnlyList<SelectorProfile> BuiltIn => BuiltInProfiles.Value;

    /// <summary>True when the profile applies to pages on <paramref name="host"/> (null host: only "*" profiles).</summary>
    public bool AppliesTo(string? host)
    {
        foreach (var pattern in Hosts)
        {
            if (pattern == "*")
            {
                return true;
            }

            if (host is not null && (host.Equals(pattern, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + pattern, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads profiles from a JSON array of objects with the property names of this class (camelCase accepted).</summary>
    /// <exception cref="ArgumentException">The JSON is not an array of profiles, or a profile has no name, hosts or price selector.</exception>
    public static IReadOnlyList<SelectorProfile> LoadJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        SelectorProfile[]? profiles;
        try
        {
            profiles = JsonSerializer.Deserialize<SelectorProfile[]>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Selector profiles are not valid JSON: {e.Message}", nameof(json), e);
        }

        if (profiles is null)
        {
            throw new ArgumentException("Selector profiles JSON must be an array.", nameof(json));
        }

        for (int i = 0; i < profiles.Length; i++)
        {
            var p = profiles[i];
            if (p is null || string.IsNullOrWhiteSpace(p.Name) || p.Hosts.Count == 0 || p.Price.Count == 0)
            {
                throw new ArgumentException($"Selector profile {i} ('{p?.Name}') needs a name, at least one host and at least one price selector.", nameof(json));
            }
        }

        return profiles;
    }

    private static IReadOnlyList<SelectorProfile> LoadBuiltIn()
    {
        using var stream = typeof(SelectorProfile).Assembly.GetManifestResourceStream("PriceIntel.Scraping.selector-profiles.json")
            ?? throw new InvalidOperationException("The built-in selector profiles resource is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return LoadJson(reader.ReadToEnd());
    }
}
