using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceIntel;
using PriceIntel.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQLite store as <see cref="IMarketStore"/> (and each focused store interface) from
    /// the <c>database:sqlite</c> section of <paramref name="configuration"/>, then <paramref name="configure"/>.
    /// The store opens when first resolved. Idempotent: a second call adds nothing.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">Configuration holding <c>database:sqlite</c>.</param>
    /// <param name="configure">Further settings, or null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="ArgumentException">A configuration value is invalid (thrown here, naming the key).</exception>
    public static IServiceCollection AddPriceIntelSqlite(this IServiceCollection services, IConfiguration configuration, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = SqliteStoreOptions.Bind(configuration);
        configure?.Invoke(options);
        return services.AddPriceIntelSqlite(options);
    }

    /// <summary>Registers the SQLite store with the given options (see the other overload).</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The options.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddPriceIntelSqlite(this IServiceCollection services, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IMarketStore>(sp => SqliteMarketStore.Open(sp.GetRequiredService<SqliteStoreOptions>()));
        services.TryAddSingleton<IProductCatalog>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IPriceHistoryStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IDemandHistoryStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<ISignalStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IDecisionStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IExperimentResultStore>(sp => sp.GetRequiredService<IMarketStore>());
        return services;
    }
}
