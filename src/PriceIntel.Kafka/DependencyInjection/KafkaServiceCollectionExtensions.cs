using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceIntel;
using PriceIntel.Kafka;
using PriceIntel.Shared;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Kafka adapter: options, the processor and the hosted service that runs it.</summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KafkaOptions"/> (validated at start-up), a <see cref="KafkaMarketProcessor"/>
    /// built from them and <see cref="PriceIntelOptions"/>, and a hosted service that runs it for the life of
    /// the host (a clean stop flushes, commits, writes state and leaves the group). Also calls
    /// <c>AddPriceIntel()</c>. Idempotent.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the options after configuration binding; none when null.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddPriceIntelKafka(this IServiceCollection services, Action<KafkaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPriceIntel();
        var builder = services.AddOptions<KafkaOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStartWith(o => o.Validate());
        services.TryAddSingleton(sp => KafkaMarketProcessor.Create(
            sp.GetRequiredService<IOptions<PriceIntelOptions>>().Value,
            sp.GetRequiredService<IOptions<KafkaOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger<KafkaMarketProcessor>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaProcessorService>());
        return services;
    }

    /// <summary>
    /// As <see cref="AddPriceIntelKafka(IServiceCollection, Action{KafkaOptions})"/>, binding the options from
    /// <paramref name="section"/> (the Kafka section) with <see cref="KafkaConfiguration.Bind"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The Kafka configuration section.</param>
    /// <param name="configure">Changes after binding; none when null.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddPriceIntelKafka(this IServiceCollection services, IConfiguration section, Action<KafkaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<KafkaOptions>().Configure(o => KafkaConfiguration.Bind(section, o));
        return services.AddPriceIntelKafka(configure);
    }
}
