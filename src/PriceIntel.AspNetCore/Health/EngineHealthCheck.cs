using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceIntel.AspNetCore.Engine;

namespace PriceIntel.AspNetCore.Health;

/// <summary>Healthy while the in-process engine's loop runs (or, in the Kafka mode, always: the kafka entry reports the processors); reports events processed and the event-time watermark.</summary>
internal sealed class EngineHealthCheck(EngineHost engine, EngineStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (engine.IsRemote)
        {
            return Task.FromResult(HealthCheckResult.Healthy("engine runs in the Kafka processors (see the kafka entry)"));
        }

        long watermark = status.Watermark;
        var data = new Dictionary<string, object>
        {
            ["eventsProcessed"] = status.EventsProcessed,
            ["late"] = status.Late,
            ["invalid"] = status.Invalid,
            ["eventTime"] = watermark == long.MinValue ? "none" : DateTimeOffset.FromUnixTimeMilliseconds(watermark).ToString("O", CultureInfo.InvariantCulture),
        };
        return Task.FromResult(engine.IsRunning
            ? HealthCheckResult.Healthy("engine running", data)
            : HealthCheckResult.Unhealthy("engine not running", data: data));
    }
}

/// <summary>Healthy when the store answers a one-row query within the check's time.</summary>
internal sealed class StoreHealthCheck(IMarketStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var statistics = await store.GetStatisticsAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("store answering", new Dictionary<string, object>
            {
                ["store"] = store.GetType().Name,
                ["products"] = statistics.Products,
                ["signals"] = statistics.Signals,
                ["unacknowledgedSignals"] = statistics.UnacknowledgedSignals,
                ["decisions"] = statistics.Decisions,
                ["demandEvents"] = statistics.DemandEvents,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("store not answering: " + ex.GetType().Name);
        }
    }
}
