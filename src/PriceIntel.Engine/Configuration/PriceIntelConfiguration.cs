using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PriceIntel;

/// <summary>
/// Reads <see cref="PriceIntelOptions"/> from .NET configuration (appsettings.json, environment variables
/// such as <c>PriceIntel__Pricing__MinMargin</c>, the YAML file) and fails at start-up with an error that
/// names the bad key and value.
/// </summary>
public static class PriceIntelConfiguration
{
    /// <summary>
    /// Binds the options from <paramref name="configuration"/> (the section holding <c>Pricing</c>,
    /// <c>Alerts</c>, … — the root of the YAML file, or <c>PriceIntel</c> in appsettings.json) onto
    /// <paramref name="options"/> and validates them. Other sections (e.g. <c>kafka</c>, <c>database</c>)
    /// are left to their adapters; an unknown key inside one of the engine's sections is an error, so a
    /// typo does not silently fall back to a default.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key is unknown, a value does not convert, or a value is out of range; the message names the key and the value.</exception>
    public static PriceIntelOptions Bind(IConfiguration configuration, PriceIntelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new PriceIntelOptions();
        BindSection(configuration, "Pricing", options.Pricing);
        BindSection(configuration, "Alerts", options.Alerts);
        BindSection(configuration, "Windows", options.Windows);
        BindSection(configuration, "Anomaly", options.Anomaly);
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

    private static void BindSection(IConfiguration configuration, string sectionName, object target)
    {
        var section = configuration.GetSection(sectionName);
        if (!section.Exists())
        {
            return;
        }

        BindStrict(section, target, "PriceIntel");
    }

    /// <summary>
    /// Binds <paramref name="section"/> onto <paramref name="target"/>, refusing unknown keys, and turns a binding or
    /// range error into one <see cref="InvalidOperationException"/> that names the section, the key and the value
    /// (<paramref name="owner"/> starts the message: "PriceIntel", "Kafka", …). Adapters bind their own sections with it.
    /// </summary>
    internal static void BindStrict(IConfigurationSection section, object target, string owner)
    {
        try
        {
            section.Bind(target, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TargetInvocationException or ArgumentException)
        {
            throw Invalid(section.Path, owner, ex);
        }
    }

    /// <summary>The error <see cref="BindStrict"/> throws, for callers that validate after binding.</summary>
    internal static InvalidOperationException Invalid(string path, string owner, Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null && inner is not ArgumentOutOfRangeException)
        {
            inner = inner.InnerException;
        }

        var detail = inner is ArgumentOutOfRangeException range
            ? $"{range.ParamName} = {range.ActualValue}: {range.Message.Split(" (Parameter")[0]}"
            : ex.Message;
        return new InvalidOperationException($"{owner} configuration section '{path}' is invalid: {detail}", ex);
    }
}
