using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Kafka;
using PriceIntel.Kafka;
using PriceIntel.Shared;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Switches the PriceIntel HTTP API to the Kafka mode: the engine runs in <see cref="KafkaMarketProcessor"/> processes.</summary>
public static class PriceIntelApiKafkaServiceCollectionExtensions
{
    /// <summary>
    /// The scaled-out deployment: this app runs no engine. The ingest endpoints (and manual prices) produce
    /// events to the Kafka input topics, partitioned by product in the engine's wire format
    /// (<see cref="KafkaEventPublisher"/>); <see cref="KafkaMarketProcessor"/> processes (the console demo's
    /// <c>--kafka HOST:PORT</c>, or a worker with <c>services.AddPriceIntelKafka(...)</c>) run the engines; this app
    /// consumes their output topics (consumer group <c>{GroupId}-api</c>) into the store and the live feed, and
    /// answers reads from the store. <c>/health</c> adds a <c>kafka</c> entry: the processors' input lag, the
    /// API's output lag, and <c>caughtUp</c>. Live boards (<c>/api/products/{sku}/board</c>) and experiment
    /// tallies live in the processors and answer 503 here. Combine with <c>AddPriceIntelApi</c>; either order.
    /// Calling it twice registers nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="kafkaSection">The <c>Kafka</c> section (the keys <c>services.AddPriceIntelKafka</c> reads: <c>BootstrapServers</c>, <c>GroupId</c>, <c>Topics:*</c>, <c>Client:*</c>, …).</param>
    /// <param name="configure">Changes after binding; none when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="kafkaSection"/> is null.</exception>
    /// <remarks>A bad <c>Kafka</c> value stops the app at start with an <see cref="OptionsValidationException"/> naming the key.</remarks>
    public static IServiceCollection AddPriceIntelApiKafka(this IServiceCollection services, IConfiguration kafkaSection, Action<KafkaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(kafkaSection);
        if (services.Any(d => d.ServiceType == typeof(KafkaOutputConsumer)))
        {
            return services;
        }

        var options = services.AddOptions<KafkaOptions>().Configure(o => KafkaConfiguration.Bind(kafkaSection, o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStartWith(o => o.Validate());

        services.PostConfigure<PriceIntelApiOptions>(o => o.Engine.Input = EngineInput.Kafka);
        services.TryAddSingleton<KafkaEventIngress>();
        services.Replace(ServiceDescriptor.Singleton<IMarketEventIngress>(sp => sp.GetRequiredService<KafkaEventIngress>()));
        services.TryAddSingleton<KafkaOutputConsumer>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaOutputConsumer>());
        services.TryAddSingleton<KafkaFeedConsumer>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaFeedConsumer>());
        services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka");
        return services;
    }
}
