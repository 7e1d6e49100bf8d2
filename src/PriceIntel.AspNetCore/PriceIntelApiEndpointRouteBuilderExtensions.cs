using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PriceIntel.AspNetCore;
using PriceIntel.AspNetCore.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the PriceIntel HTTP API's middleware and endpoints to an ASP.NET Core app.</summary>
public static class PriceIntelApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Adds, in order: problem details for exceptions and empty error responses, authentication,
    /// the per-caller rate limiter, authorization, and request body limits per endpoint. Call it
    /// before <see cref="MapPriceIntelApi"/>, after anything that must run first (e.g. HTTPS redirection).
    /// </summary>
    /// <param name="app">The app.</param>
    /// <returns>The app.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is null.</exception>
    public static IApplicationBuilder UsePriceIntelApi(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        var options = app.ApplicationServices.GetRequiredService<IOptions<PriceIntelApiOptions>>().Value;
        app.Use((context, next) =>
        {
            bool ingest = context.GetEndpoint()?.Metadata.GetMetadata<IngestBodyLimit>() is not null;
            long limit = ingest ? options.MaxIngestBodyBytes : options.MaxRequestBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                throw new BadHttpRequestException($"The request body of {context.Request.ContentLength} bytes exceeds the limit of {limit} bytes for this endpoint.", StatusCodes.Status413PayloadTooLarge);
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Maps the API under <c>/api</c> (products, decisions, signals, experiments, ingest, the live feed,
    /// API keys), <c>/health</c> (anonymous), the OpenAPI document at <c>/openapi/v1.json</c> (anonymous)
    /// and nothing else (a host adds its own API reference page, see <see cref="PriceIntelApiOptions.ServeApiReference"/>).
    /// Every <c>/api</c> endpoint requires a role (see <see cref="PriceIntelRoles"/>).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <returns>The <c>/api</c> group, for further conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    public static RouteGroupBuilder MapPriceIntelApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<ReadCache>());
        IngestEndpoints.Map(api);
        FeedEndpoints.Map(api);
        ExperimentEndpoints.Map(api);
        ProductEndpoints.Map(api);
        OverviewEndpoints.Map(api);
        SignalEndpoints.Map(api);
        DecisionEndpoints.Map(api);
        ApiKeyEndpoints.Map(api);

        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync })
            .AllowAnonymous()
            .WithMetadata(new Microsoft.AspNetCore.RateLimiting.DisableRateLimitingAttribute());
        endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return api;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
