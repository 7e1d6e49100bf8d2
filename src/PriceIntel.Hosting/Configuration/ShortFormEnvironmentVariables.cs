using System.Collections;
using Microsoft.Extensions.Configuration;

namespace PriceIntel.Hosting.Configuration;

/// <summary>
/// The short environment-variable form of PriceIntel's configuration: <c>PRICEINTEL_Section__Key=value</c> (prefix in
/// any case) becomes <c>Section:Key</c>. Only names with a section and a key (a <c>__</c> after the prefix) are
/// configuration: the project's own single variables — <c>PRICEINTEL_ADMIN_API_KEY</c>, <c>PRICEINTEL_MONGO_URI</c>,
/// <c>PRICEINTEL_DEMAND_MODEL</c> and the like — are not, and must not be reported as unknown sections.
/// </summary>
internal sealed class ShortFormEnvironmentVariables : IConfigurationSource
{
    internal const string Prefix = "PRICEINTEL_";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            {
                var name = (string)variable.Key;
                // "PriceIntel__…" is the .NET form (its own provider), not "PRICEINTEL_" followed by "_…".
                if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || name.StartsWith(Prefix + "_", StringComparison.OrdinalIgnoreCase)
                    || !name.Contains("__", StringComparison.Ordinal))
                {
                    continue;
                }

                data[name[Prefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = variable.Value as string;
            }

            Data = data;
        }
    }
}
