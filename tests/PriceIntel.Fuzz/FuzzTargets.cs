using PriceIntel.Fuzz.Targets;

namespace PriceIntel.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>All targets, in the order a run visits them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new JsonLinesTarget(),
        new PriceTextTarget(),
        new ProductPageTarget(),
        new SnapshotTarget(),
        new YamlConfigurationTarget(),
        new JsonConfigurationTarget(),
    ];

    /// <summary>One target by name.</summary>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static FuzzTarget ByName(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}");

    /// <summary>The targets a comma-separated list names, or all of them.</summary>
    public static IReadOnlyList<FuzzTarget> Select(string? names) =>
        string.IsNullOrEmpty(names) ? All : [.. names.Split(',').Select(n => ByName(n.Trim()))];
}
