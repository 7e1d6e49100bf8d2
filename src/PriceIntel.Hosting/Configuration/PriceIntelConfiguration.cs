using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PriceIntel.Hosting;

/// <summary>
/// Reads <see cref="PriceIntelOptions"/> from .NET configuration (appsettings.json, environment variables
/// such as <c>PriceIntel__Pricing__MinMargin</c> or <c>PRICEINTEL_Pricing__MinMargin</c>, the YAML file) and
/// fails at start-up with an error that names the bad key and value.
/// </summary>
public static class PriceIntelConfiguration
{
    /// <summary>The engine's own top-level sections, in the order they are bound.</summary>
    private static readonly string[] EngineSections = ["Pricing", "Alerts", "Windows", "Anomaly", "Experiment", "Pipeline"];

    /// <summary>
    /// Top-level sections that belong to adapters: <c>Kafka</c> (PriceIntel.Kafka) and <c>Database</c> (the store
    /// packages: <c>database.sqlite.path</c>, <c>database.mongodb.uri</c>, <c>database.mongodb.database</c>).
    /// <see cref="Bind"/> leaves them to their packages and does not report them as unknown.
    /// </summary>
    public static IReadOnlyList<string> AdapterSections { get; } = ["Kafka", "Database"];

    /// <summary>
    /// Binds the options from <paramref name="configuration"/> (the section holding <c>Pricing</c>,
    /// <c>Alerts</c>, … — the root of the YAML file, or <c>PriceIntel</c> in appsettings.json) onto
    /// <paramref name="options"/> and validates them. The adapters' sections (<see cref="AdapterSections"/> and
    /// <paramref name="otherSections"/>) are left to their packages; any other top-level section is an error (a
    /// misspelt <c>pricng:</c> would otherwise fall back to the defaults unnoticed), and so is an unknown key inside
    /// one of the engine's sections. A list given in configuration (<c>Experiment:Arms</c>) replaces the list in
    /// <paramref name="options"/>, so binding the same configuration twice gives the same options.
    /// </summary>
    /// <param name="configuration">The configuration root or section that holds the engine's sections.</param>
    /// <param name="options">Options to bind onto; new defaults when null.</param>
    /// <param name="otherSections">More top-level sections the host reads itself (case-insensitive); none when null.</param>
    /// <returns>The bound and validated options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A section or key is unknown, a value does not convert, or a value is out of range; the message names the key and the value.</exception>
    public static PriceIntelOptions Bind(IConfiguration configuration, PriceIntelOptions? options = null, IEnumerable<string>? otherSections = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        CheckSections(configuration, otherSections);
        options ??= new PriceIntelOptions();
        BindSection(configuration, "Pricing", options.Pricing);
        BindSection(configuration, "Alerts", options.Alerts);
        BindSection(configuration, "Windows", options.Windows);
        BindSection(configuration, "Anomaly", options.Anomaly);
        if (configuration.GetSection("Experiment:Arms").Exists())
        {
            options.Experiment.Arms.Clear(); // the binder appends to a list; configuration replaces it
        }

        BindSection(configuration, "Experiment", options.Experiment);
        BindSection(configuration, "Pipeline", options.Pipeline);
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"PriceIntel configuration is invalid: {ex.Message}", ex);
        }

        return options;
    }

    /// <summary>
    /// Binds <paramref name="section"/> onto <paramref name="target"/>, refusing unknown keys, and turns a binding or
    /// range error (a setter's <see cref="ArgumentOutOfRangeException"/>) into one <see cref="InvalidOperationException"/>
    /// that names the section, the key and the value. Adapters bind their own sections with it.
    /// </summary>
    /// <param name="section">The section to bind.</param>
    /// <param name="target">The options object to bind onto.</param>
    /// <param name="owner">What the section configures, first word of the message: "PriceIntel", "Kafka", ….</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">A key is unknown, a value does not convert or is out of range; the message names the section, key and value.</exception>
    public static void BindStrict(IConfigurationSection section, object target, string owner)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        try
        {
            section.Bind(target, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TargetInvocationException or ArgumentException)
        {
            throw BindingError(section.Path, owner, ex);
        }
    }

    /// <summary>
    /// The error <see cref="BindStrict"/> throws, for adapters that validate after binding: an
    /// <see cref="InvalidOperationException"/> whose message names the section and, for a range error, the option
    /// and its value (<c>Kafka configuration section 'kafka' is invalid: Kafka:BatchSize = 0: …</c>).
    /// </summary>
    /// <param name="path">The section's configuration path.</param>
    /// <param name="owner">What the section configures: "PriceIntel", "Kafka", ….</param>
    /// <param name="error">What went wrong; kept as the inner exception.</param>
    /// <returns>The exception to throw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static InvalidOperationException BindingError(string path, string owner, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var inner = error;
        while (inner.InnerException is not null && inner is not ArgumentOutOfRangeException)
        {
            inner = inner.InnerException;
        }

        var detail = inner is ArgumentOutOfRangeException range
            ? $"{range.ParamName} = {range.ActualValue}: {range.Message.Split(" (Parameter")[0]}"
            : UnknownKeys(error.Message) ?? ConversionError(error.Message) ?? error.Message;
        return new InvalidOperationException($"{owner} configuration section '{path}' is invalid: {detail}", error);
    }

    /// <summary>
    /// The binder's "ErrorOnUnknownConfiguration … the following properties were not found on the instance of T: 'a', 'b'"
    /// as "unknown key(s) 'a', 'b'"; null when the message has another form.
    /// </summary>
    private static string? UnknownKeys(string message)
    {
        const string Marker = "were not found on the instance of ";
        int at = message.IndexOf(Marker, StringComparison.Ordinal);
        int colon = at < 0 ? -1 : message.IndexOf(": ", at + Marker.Length, StringComparison.Ordinal);
        return colon < 0 ? null : $"unknown key(s) {message[(colon + 2)..].Trim()} (a misspelt setting?)";
    }

    /// <summary>
    /// The binder's "Failed to convert configuration value 'abc' at 'Pricing:MinMargin' to type 'System.Double'."
    /// as "Pricing:MinMargin = 'abc': not a number" (no .NET type names); null when the message has another form.
    /// </summary>
    internal static string? ConversionError(string message)
    {
        const string Prefix = "Failed to convert configuration value '";
        const string At = "' at '";
        const string To = "' to type '";
        if (!message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        int at = message.LastIndexOf(At, StringComparison.Ordinal);
        int to = message.LastIndexOf(To, StringComparison.Ordinal);
        if (at < Prefix.Length || to < at)
        {
            return null;
        }

        string value = message[Prefix.Length..at];
        string key = message[(at + At.Length)..to];
        string type = message[(to + To.Length)..].TrimEnd('.').TrimEnd('\'');
        if (type.StartsWith("System.Nullable`1[", StringComparison.Ordinal))
        {
            type = type["System.Nullable`1[".Length..].TrimEnd(']').Split(',')[0].Trim('[');
        }

        string expected = type switch
        {
            "System.Double" or "System.Single" or "System.Decimal" => "not a number",
            "System.Int32" or "System.Int64" or "System.Int16" or "System.Byte" or "System.UInt32" or "System.UInt64" => "not a whole number",
            "System.Boolean" => "not true or false",
            "System.TimeSpan" => "not a time span such as 00:05:00",
            "System.Uri" => "not a URI",
            _ => EnumNames(type) is { } names ? $"not one of {names}" : "not a valid value",
        };
        return $"{key} = '{value}': {expected}";
    }

    private static string? EnumNames(string typeName)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetType(typeName, throwOnError: false) is { IsEnum: true } type)
            {
                return string.Join(", ", Enum.GetNames(type));
            }
        }

        return null;
    }

    private static void CheckSections(IConfiguration configuration, IEnumerable<string>? otherSections)
    {
        foreach (var child in configuration.GetChildren())
        {
            var key = child.Key;
            if (Contains(EngineSections, key) || Contains(AdapterSections, key) || (otherSections is not null && Contains(otherSections, key)))
            {
                continue;
            }

            var where = configuration is IConfigurationSection { Path.Length: > 0 } section ? $" of '{section.Path}'" : string.Empty;
            var hint = string.Equals(key, PriceIntelOptions.SectionName, StringComparison.OrdinalIgnoreCase)
                ? $" (bind configuration.GetSection(\"{PriceIntelOptions.SectionName}\") rather than its parent)"
                : string.Empty;
            var known = string.Join(", ", EngineSections.Concat(AdapterSections).Concat(otherSections ?? []));
            throw new InvalidOperationException(
                $"PriceIntel configuration has an unknown top-level section '{key}'{where}{hint}; the known sections are {known}. " +
                "A misspelt section would otherwise be ignored and its options left at their defaults.");
        }
    }

    private static bool Contains(IEnumerable<string> names, string key)
    {
        foreach (var name in names)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void BindSection(IConfiguration configuration, string sectionName, object target)
    {
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            return;
        }

        BindStrict(section, target, "PriceIntel");
    }
}
