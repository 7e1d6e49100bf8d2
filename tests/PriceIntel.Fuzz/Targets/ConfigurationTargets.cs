using Microsoft.Extensions.Configuration;
using PriceIntel.Hosting;

namespace PriceIntel.Fuzz.Targets;

/// <summary>
/// PriceIntel's configuration files, YAML and JSON, read and bound to the options: bad files give
/// <see cref="FormatException"/> (malformed text) or <see cref="InvalidOperationException"/> (a key
/// or value the options refuse, naming it) — never a crash of the process.
/// </summary>
internal abstract class ConfigurationTarget : FuzzTarget
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"priceintel-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public override int MaxInputBytes => 64 * 1024;

    public override TimeSpan TimeBudget => TimeSpan.FromSeconds(1);

    protected abstract string Extension { get; }

    protected abstract IConfigurationBuilder Add(IConfigurationBuilder builder, string path);

    public override void Run(byte[] input)
    {
        var path = _path + Extension;
        File.WriteAllBytes(path, input);
        try
        {
            var configuration = Add(new ConfigurationBuilder(), path).Build();
            _ = PriceIntelConfiguration.Bind(configuration);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public override bool IsAllowed(Exception exception) => exception is FormatException or InvalidOperationException;

    protected static string ConfigFile() => Path.Combine(RepositoryPaths.FuzzRoot, "..", "..", "config", "config.yaml");
}

/// <summary>The YAML form (<c>config/config.yaml</c>, through <c>AddPriceIntelYamlFile</c>).</summary>
internal sealed class YamlConfigurationTarget : ConfigurationTarget
{
    public override string Name => "yaml-config";

    protected override string Extension => ".yaml";

    public override IReadOnlyList<byte[]> Dictionary { get; } = JsonLinesTarget.Tokens(
        "&a ", "*a", "<<: *a", "<<: [*a, *b]", "- ", ": ", "\n  ", "{", "}", "[", "]", "|\n", ">\n", "!!str ", "!!map", "? ", "---\n", "...\n", "%YAML 1.2\n", "'", "\"", "#", "~", "null", "1e9999");

    public override IEnumerable<byte[]> BuiltInSeeds() =>
        File.Exists(ConfigFile()) ? [File.ReadAllBytes(ConfigFile())] : [];

    protected override IConfigurationBuilder Add(IConfigurationBuilder builder, string path) => builder.AddPriceIntelYamlFile(path);
}

/// <summary>The JSON form (<c>appsettings.json</c> with a <c>PriceIntel</c>-shaped root).</summary>
internal sealed class JsonConfigurationTarget : ConfigurationTarget
{
    public override string Name => "json-config";

    protected override string Extension => ".json";

    public override IReadOnlyList<byte[]> Dictionary { get; } = JsonLinesTarget.Tokens(
        "{", "}", "[", "]", "\"pricing\":", "\"alerts\":", "\"windows\":", "\"anomaly\":", "\"experiment\":", "\"arms\":[", "\"min_margin\":", "-1", "1e400", "null", "\"\"");

    public override IEnumerable<byte[]> BuiltInSeeds() =>
    [
        "{\"pricing\":{\"min_margin\":0.1,\"max_margin\":0.6},\"alerts\":{\"price_drop_threshold\":0.05},\"experiment\":{\"arms\":[{\"name\":\"a\",\"strategy\":\"BeatLowest\"}]}}"u8.ToArray(),
    ];

    protected override IConfigurationBuilder Add(IConfigurationBuilder builder, string path) => builder.AddJsonFile(path);

    /// <summary>Microsoft.Extensions.Configuration.Json reports malformed JSON as <see cref="InvalidDataException"/> (its documented behaviour).</summary>
    public override bool IsAllowed(Exception exception) => base.IsAllowed(exception) || exception is InvalidDataException { InnerException: FormatException or System.Text.Json.JsonException };
}
