using Microsoft.Extensions.Hosting;
using PriceIntel.Kafka;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs the registered <see cref="KafkaMarketProcessor"/> for the life of the host.</summary>
internal sealed class KafkaProcessorService(KafkaMarketProcessor processor) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => processor.RunAsync(stoppingToken);
}
