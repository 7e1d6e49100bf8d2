using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace PriceIntel.Engine.Configuration;

/// <summary>A YAML file as a configuration source; keys are normalised so snake_case binds to PascalCase options.</summary>
internal sealed class YamlConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new YamlConfigurationProvider(this);
    }
}

/// <summary>
/// Flattens a YAML document into configuration keys (<c>pricing:min_margin</c> → <c>pricing:MinMargin</c>,
/// sequences become <c>:0</c>, <c>:1</c>, …). Underscores are dropped and the next letter upper-cased,
/// so the seed's snake_case file binds to the options classes; PascalCase keys pass through unchanged.
/// </summary>
internal sealed class YamlConfigurationProvider(YamlConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(stream);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new FormatException($"YAML configuration is malformed at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        if (yaml.Documents.Count > 0)
        {
            Flatten(yaml.Documents[0].RootNode, prefix: null, data);
        }

        Data = data;
    }

    internal static string NormaliseKey(string key)
    {
        if (!key.Contains('_', StringComparison.Ordinal) && !key.Contains('-', StringComparison.Ordinal))
        {
            return key;
        }

        Span<char> buffer = stackalloc char[key.Length];
        int length = 0;
        bool upper = true;
        foreach (var c in key)
        {
            if (c is '_' or '-')
            {
                upper = true;
                continue;
            }

            buffer[length++] = upper ? char.ToUpperInvariant(c) : c;
            upper = false;
        }

        return new string(buffer[..length]);
    }

    private static void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> data)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (keyNode, value) in mapping.Children)
                {
                    var key = NormaliseKey(((YamlScalarNode)keyNode).Value ?? string.Empty);
                    Flatten(value, prefix is null ? key : ConfigurationPath.Combine(prefix, key), data);
                }

                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], ConfigurationPath.Combine(prefix ?? string.Empty, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                }

                break;
            case YamlScalarNode scalar when prefix is not null:
                var isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "~" or "null";
                data[prefix] = isNull ? null : scalar.Value;
                break;
        }
    }
}
