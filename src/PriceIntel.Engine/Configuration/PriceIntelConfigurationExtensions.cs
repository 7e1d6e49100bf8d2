using PriceIntel.Engine.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds PriceIntel's YAML configuration file format to a configuration builder.</summary>
public static class PriceIntelConfigurationExtensions
{
    /// <summary>
    /// Adds a YAML file shaped like PriceIntel's <c>config/config.yaml</c> (sections <c>kafka</c>,
    /// <c>database</c>, <c>pricing</c>, <c>alerts</c>, …). snake_case keys bind to the PascalCase options
    /// (<c>min_margin</c> → <c>MinMargin</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">File path, relative to the builder's base path.</param>
    /// <param name="optional">Whether a missing file is fine.</param>
    /// <param name="reloadOnChange">Whether to reload when the file changes.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FormatException">The file is not valid YAML (thrown when the configuration is built).</exception>
    public static IConfigurationBuilder AddPriceIntelYamlFile(this IConfigurationBuilder builder, string path, bool optional = false, bool reloadOnChange = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.Add<YamlConfigurationSource>(s =>
        {
            s.Path = path;
            s.Optional = optional;
            s.ReloadOnChange = reloadOnChange;
            s.ResolveFileProvider();
        });
    }
}
