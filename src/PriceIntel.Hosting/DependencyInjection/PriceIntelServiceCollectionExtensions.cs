using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel;
using PriceIntel.Engine.Diagnostics;
using PriceIntel.Hosting;
using PriceIntel.Shared;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PriceIntel engine in a service collection.</summary>
public static class PriceIntelServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PriceIntelOptions"/> (validated when first resolved, and at host start-up),
    /// the shared <see cref="MarketKeys"/>, <see cref="PriceIntelMetrics"/> and a single-partition
    /// <see cref="MarketEngine"/>. Calling it again adds the configure action but registers nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the options after configuration binding; none when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="OptionsValidationException">Thrown when the options are first resolved (or at host start-up), not by this call: they are invalid.</exception>
    public static IServiceCollection AddPriceIntel(this IServiceCollection services, Action<PriceIntelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PriceIntelOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStartWith(o => o.Validate());
        services.TryAddSingleton<MarketKeys>();
        services.TryAddSingleton(sp => new PriceIntelMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => MarketEngine.Create(
            sp.GetRequiredService<IOptions<PriceIntelOptions>>().Value,
            sp.GetRequiredService<MarketKeys>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<MarketEngine>()));
        return services;
    }

    /// <summary>
    /// As <see cref="AddPriceIntel(IServiceCollection, Action{PriceIntelOptions})"/>, binding the options from
    /// <paramref name="configuration"/> (the section that holds <c>Pricing</c>, <c>Alerts</c>, …) with
    /// <see cref="PriceIntelConfiguration.Bind"/>, so a bad key or value names itself at start-up. Idempotent:
    /// calling it twice with the same configuration gives the same options (a list such as
    /// <c>Experiment:Arms</c> is replaced by each binding, not appended to).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section.</param>
    /// <param name="configure">Changes after binding; none when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the options are first resolved (or at host start-up), not by this call: a section, key or value in <paramref name="configuration"/> is bad; the message names it.</exception>
    public static IServiceCollection AddPriceIntel(this IServiceCollection services, IConfiguration configuration, Action<PriceIntelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PriceIntelOptions>().Configure(o => PriceIntelConfiguration.Bind(configuration, o));
        return services.AddPriceIntel(configure);
    }
}
