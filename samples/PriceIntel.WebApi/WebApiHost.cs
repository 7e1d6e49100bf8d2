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

    /// <summary>
    /// Builds, starts and runs the host until it is stopped (Ctrl+C, SIGTERM). A start-up failure a user can fix — the
    /// store in use by another process, a file, directory or port that cannot be used, a bad configuration value —
    /// is one <c>error:</c> line on <paramref name="error"/> (exit code 1, or 2 for configuration), not a stack trace.
    /// </summary>
    /// <param name="args">Command-line arguments (e.g. --urls).</param>
    /// <param name="error">Where the error line goes (stderr).</param>
    /// <param name="configure">Changes to the builder (tests, the dashboard's defaults).</param>
    /// <param name="map">Endpoints to add after the API's (the dashboard's page).</param>
    /// <param name="cancellationToken">Stops the host.</param>
    /// <returns>0 after a clean stop, 1 or 2 when it could not start.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter error, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication? app = null;
        try
        {
            try
            {
                app = await BuildAsync(args, configure).ConfigureAwait(false);
                map?.Invoke(app);

                // Options and the store first, outside the host's start, whose own log of a failure is a stack trace.
                _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PriceIntelOptions>>().Value;
                _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PriceIntelApiOptions>>().Value;
                _ = app.Services.GetService<IMarketStore>();
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StartFailure(ex) is { } failure)
            {
                await error.WriteLineAsync($"error: {failure.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
                return failure.ExitCode;
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What a start-up exception means to the user, or null for a bug (which keeps its stack trace).</summary>
    private static (string Message, int ExitCode)? StartFailure(Exception exception)
    {
        // The hosting layer may wrap the real cause (an AggregateException of hosted services, a DI activation error).
        for (var e = exception; e is not null; e = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e.InnerException)
        {
            switch (e)
            {
                case MarketStoreException or IOException or UnauthorizedAccessException:
                    return (e.Message, 1);
                case Microsoft.Extensions.Options.OptionsValidationException:
                    return (e.Message, 2);
                case InvalidOperationException or ArgumentException when e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase):
                    return (e.Message.Split(" (Parameter '")[0], 2);
            }
        }

        return null;
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
