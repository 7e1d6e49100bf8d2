using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceIntel;
using PriceIntel.Mongo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MongoDB store.</summary>
public static class MongoServiceCollectionExtensions
{
    /// <summary>
    /// Registers the MongoDB store as <see cref="IMarketStore"/> (and each focused store interface), from
    /// <c>database:mongodb</c> (<c>uri</c>, <c>database</c>) and <c>MONGODB_URI</c> in <paramref name="configuration"/>,
    /// then <paramref name="configure"/>. The store connects when first resolved. Idempotent.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">Configuration holding <c>database:mongodb</c>.</param>
    /// <param name="configure">Further settings, or null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="ArgumentException">A configuration value is invalid (thrown here, naming the key).</exception>
    public static IServiceCollection AddPriceIntelMongo(this IServiceCollection services, IConfiguration configuration, Action<MongoStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = MongoStoreOptions.Bind(configuration);
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IMarketStore>(sp => MongoMarketStore.OpenAsync(sp.GetRequiredService<MongoStoreOptions>()).GetAwaiter().GetResult());
        services.TryAddSingleton<IProductCatalog>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IPriceHistoryStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IDemandHistoryStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<ISignalStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IDecisionStore>(sp => sp.GetRequiredService<IMarketStore>());
        services.TryAddSingleton<IExperimentResultStore>(sp => sp.GetRequiredService<IMarketStore>());
        return services;
    }
}
