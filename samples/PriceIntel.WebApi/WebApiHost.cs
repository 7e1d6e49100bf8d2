using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PriceIntel.AspNetCore;
using PriceIntel.Storage.Sqlite;
using Scalar.AspNetCore;

namespace PriceIntel.WebApi;

/// <summary>
/// The web API host: the engine in-process (simulator, replay or ingest only) or, when a <c>Kafka</c> section names
/// brokers, in KafkaMarketProcessor processes; the embedded SQLite store or MongoDB (<c>database:mongodb:uri</c>);
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

        if (UsesMongo(configuration))
        {
            // The shared store of a scaled-out deployment (database:mongodb:uri / MONGODB_URI, database:mongodb:database).
            builder.Services.AddPriceIntelMongo(configuration);
        }
        else
        {
            // The embedded SQLite store (database:sqlite:path; default <Store:Directory>/priceintel.db); the host disposes it.
            builder.Services.AddPriceIntelSqlite(configuration, sqlite =>
            {
                if (string.IsNullOrEmpty(configuration[SqliteStoreOptions.ConfigurationSection + ":path"]))
                {
                    sqlite.Path = Path.GetFullPath(Path.Combine(configuration["Store:Directory"] ?? Path.Combine("data", "webapi"), "priceintel.db"));
                }
            });
        }

        if (UsesKafka(configuration))
        {
            // The engine runs in KafkaMarketProcessor processes: ingest goes to the input topics, outputs come back from the output topics.
            builder.Services.AddPriceIntelApiKafka(configuration.GetSection(KafkaSection));
        }

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
        // The Scalar page is static documentation that anyone could load; it is served only in Development,
        // or where PriceIntelApi:ServeApiReference says so (the OpenAPI document itself is always anonymous).
        if (configuration.GetValue<bool?>(PriceIntelApiOptions.SectionName + ":ServeApiReference") ?? app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference("/scalar", o => o.WithTitle("PriceIntel API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        }

        return Task.FromResult(app);
    }

    /// <summary>The configuration section of the Kafka mode (the keys PriceIntel.Kafka reads).</summary>
    public const string KafkaSection = "Kafka";

    /// <summary>Kafka mode: the <c>Kafka</c> section names the brokers (<c>Kafka:BootstrapServers</c>, or <c>bootstrap_servers</c> in YAML's snake case).</summary>
    public static bool UsesKafka(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[KafkaSection + ":BootstrapServers"]) || !string.IsNullOrWhiteSpace(configuration[KafkaSection + ":bootstrap_servers"]);

    /// <summary>MongoDB store: <c>database:mongodb:uri</c> or <c>MONGODB_URI</c> is set; SQLite otherwise.</summary>
    public static bool UsesMongo(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["database:mongodb:uri"]) || !string.IsNullOrWhiteSpace(configuration["MONGODB_URI"]);
}
