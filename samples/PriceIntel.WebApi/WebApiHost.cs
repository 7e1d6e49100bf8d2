using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PriceIntel.AspNetCore;
using PriceIntel.Storage.Sqlite;
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
    public static Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var configuration = builder.Configuration;

        builder.Services.AddPriceIntel(configuration.GetSection(PriceIntelOptions.SectionName));
        builder.Services.AddPriceIntelApi(configuration.GetSection(PriceIntelApiOptions.SectionName));

        // The embedded SQLite store (database:sqlite:path; default <Store:Directory>/priceintel.db); the host disposes it.
        builder.Services.AddPriceIntelSqlite(configuration, sqlite =>
        {
            if (string.IsNullOrEmpty(configuration[SqliteStoreOptions.ConfigurationSection + ":path"]))
            {
                sqlite.Path = Path.GetFullPath(Path.Combine(configuration["Store:Directory"] ?? Path.Combine("data", "webapi"), "priceintel.db"));
            }
        });

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

        return Task.FromResult(app);
    }
}
