using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PriceIntel.AspNetCore;
using Scalar.AspNetCore;

namespace PriceIntel.WebApi;

/// <summary>
/// The web API host: the engine in-process (simulator, replay or ingest only), the embedded store,
/// the PriceIntel API, OpenTelemetry metrics (Prometheus at /metrics, admin only) and traces (OTLP
/// when OTEL_EXPORTER_OTLP_ENDPOINT is set), and the Scalar API reference at /scalar.
/// </summary>
public static class WebApiHost
{
    /// <summary>Builds the app from command-line arguments (e.g. --urls) and configuration; <paramref name="configure"/> may change the builder (tests).</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var configuration = builder.Configuration;

        builder.Services.AddPriceIntel(configuration.GetSection(PriceIntelOptions.SectionName));
        builder.Services.AddPriceIntelApi(configuration.GetSection(PriceIntelApiOptions.SectionName));

        string storeDirectory = Path.GetFullPath(configuration["Store:Directory"] ?? Path.Combine("data", "webapi"));
        var store = await EmbeddedMarketStore.OpenAsync(storeDirectory).ConfigureAwait(false);
        builder.Services.AddSingleton<IMarketStore>(store);

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter("PriceIntel", "PriceIntel.Api", "PriceIntel.Kafka")
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(tracing =>
            {
                tracing.AddSource("PriceIntel.Api").AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal));
                if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });

        var app = builder.Build();
        app.UsePriceIntelApi();
        app.MapPriceIntelApi();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(policy => policy.RequireRole(PriceIntelRoles.Admin));
        if (configuration.GetValue(PriceIntelApiOptions.SectionName + ":ServeApiReference", true))
        {
            app.MapScalarApiReference("/scalar", o => o.WithTitle("PriceIntel API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        }

        return app;
    }
}
