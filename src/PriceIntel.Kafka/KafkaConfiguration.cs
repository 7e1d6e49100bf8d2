using System.Reflection;
using Microsoft.Extensions.Configuration;
using PriceIntel.Hosting;

namespace PriceIntel.Kafka;

/// <summary>
/// Reads <see cref="KafkaOptions"/> from .NET configuration: the <c>kafka:</c> block of the YAML file
/// (snake_case keys become PascalCase), the <c>Kafka</c> section of appsettings.json, environment variables
/// such as <c>Kafka__BootstrapServers</c>. librdkafka properties go under <c>Kafka:Client</c>
/// (<c>Kafka__Client__security.protocol=SASL_SSL</c>).
/// </summary>
public static class KafkaConfiguration
{
    /// <summary>Binds <paramref name="section"/> (the Kafka section itself) onto <paramref name="options"/> and validates them.</summary>
    /// <exception cref="InvalidOperationException">A key is unknown, a value does not convert or is out of range; the message names the key.</exception>
    public static KafkaOptions Bind(IConfiguration section, KafkaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        options ??= new KafkaOptions();
        var named = section as IConfigurationSection;
        string path = named?.Path ?? KafkaOptions.SectionName;
        try
        {
            if (named is not null)
            {
                PriceIntelConfiguration.BindStrict(named, options, "Kafka");
            }
            else
            {
                section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            }

            options.Validate();
        }
        catch (Exception ex) when (ex is TargetInvocationException or ArgumentException || (ex is InvalidOperationException && named is null))
        {
            throw PriceIntelConfiguration.BindingError(path, "Kafka", ex);
        }

        return options;
    }
}
