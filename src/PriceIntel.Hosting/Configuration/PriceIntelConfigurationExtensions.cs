using PriceIntel.Hosting.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds PriceIntel's YAML configuration file format and environment variable forms to a configuration builder.</summary>
public static class PriceIntelConfigurationExtensions
{
    /// <summary>
    /// Adds a YAML file shaped like PriceIntel's <c>config/config.yaml</c> (sections <c>kafka</c>,
    /// <c>database</c>, <c>pricing</c>, <c>alerts</c>, …). snake_case keys bind to the PascalCase options
    /// (<c>min_margin</c> → <c>MinMargin</c>). Anchors, aliases and merge keys (<c>&lt;&lt;: *defaults</c>) are
    /// resolved. Bounds: nesting at most 64 levels (counted through aliases), at most 100,000 values once aliases
    /// and merges are expanded and at most 1,000,000 steps to read and expand the document, so no file can exhaust
    /// the stack, the memory or the time of the process; an alias that refers to a node containing it is an error.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">File path, relative to the builder's base path (use an absolute path for a file beside the working directory).</param>
    /// <param name="optional">Whether a missing file is fine.</param>
    /// <param name="reloadOnChange">Whether to reload when the file changes.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FormatException">
    /// Thrown when the configuration is built (<see cref="IConfigurationBuilder.Build"/>), not by this call: the file
    /// is not valid YAML, its top level is not a mapping, a key is repeated or not a plain value, an alias is
    /// unknown or cyclic, or a bound above is exceeded. The message names the file and the line.
    /// </exception>
    /// <exception cref="FileNotFoundException">Thrown when the configuration is built: the file is missing and <paramref name="optional"/> is false.</exception>
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

    /// <summary>
    /// Adds the environment variables that override PriceIntel's configuration, in both forms: the .NET form for
    /// the <c>PriceIntel</c> section, <c>PriceIntel__Pricing__MinMargin=0.08</c> (any case), and the short form
    /// <c>PRICEINTEL_Pricing__MinMargin=0.08</c>, which wins when both set the same key. The prefix is removed, so
    /// the keys line up with the YAML file's root (<c>Pricing:MinMargin</c>, <c>Kafka:GroupId</c>); bind the built
    /// configuration with <c>PriceIntelConfiguration.Bind</c>, which reports a misspelt section such as
    /// <c>PRICEINTEL_Pricng__MinMargin</c>. A <c>PRICEINTEL_</c> variable without a <c>__</c> (such as
    /// <c>PRICEINTEL_ADMIN_API_KEY</c>) is not configuration and is left out.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IConfigurationBuilder AddPriceIntelEnvironmentVariables(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEnvironmentVariables("PriceIntel__").Add(new PriceIntel.Hosting.Configuration.ShortFormEnvironmentVariables());
    }
}
