using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PriceIntel.AspNetCore;
using PriceIntel.AspNetCore.Contracts;
using PriceIntel.AspNetCore.Diagnostics;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.AspNetCore.Feed;
using PriceIntel.AspNetCore.Health;
using PriceIntel.AspNetCore.Security;
using PriceIntel.Shared;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PriceIntel HTTP API in an ASP.NET Core app.</summary>
public static class PriceIntelApiServiceCollectionExtensions
{
    /// <summary>The authentication scheme that picks API key or JWT bearer per request.</summary>
    public const string AuthenticationScheme = "PriceIntel";

    /// <summary>
    /// Registers what <c>app.MapPriceIntelApi()</c> serves: the engine hosted in-process (one engine
    /// thread fed by HTTP ingest and, by configuration, the simulator or a replay), the live feed,
    /// API-key and JWT bearer authentication with the roles of <see cref="PriceIntelRoles"/>, per-caller
    /// rate limiting, request size limits, problem details, health checks and the OpenAPI document.
    /// The app must also register the engine (<c>services.AddPriceIntel(...)</c>) and an
    /// <see cref="PriceIntel.IMarketStore"/>. Calling it twice registers nothing twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>PriceIntelApi</c> section to bind <see cref="PriceIntelApiOptions"/> from; none when null.</param>
    /// <param name="configure">Changes after binding; none when null.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddPriceIntelApi(this IServiceCollection services, IConfiguration? configuration = null, Action<PriceIntelApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PriceIntelApiOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStartWith(o => o.Validate());

        if (services.Any(d => d.ServiceType == typeof(EngineHost)))
        {
            return services;
        }

        services.AddMetrics();
        services.TryAddSingleton<ApiMetrics>();
        services.TryAddSingleton<EngineStatus>();
        services.TryAddSingleton<ApiKeyRegistry>();
        services.TryAddSingleton<PriceIntel.AspNetCore.Endpoints.ReadCache>();
        services.TryAddSingleton<LiveFeed>();
        services.TryAddSingleton<EngineHost>();
        services.TryAddSingleton<IMarketEventIngress>(sp => sp.GetRequiredService<EngineHost>());
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        services.TryAddSingleton<PriceIntel.AspNetCore.Overview.MarketOverview>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceIntel.AspNetCore.Overview.MarketOverview>());

        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Detail ??= RequestErrorText.ForStatus(c.HttpContext, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode);
            c.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<PriceIntelApiOptions>>((kestrel, api) =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(api.Value.MaxIngestBodyBytes, api.Value.MaxRequestBodyBytes);
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.AddServerHeader = false;
        });

        AddSecurity(services);
        AddRateLimiting(services);
        services.AddHealthChecks()
            .AddCheck<EngineHealthCheck>("engine")
            .AddCheck<StoreHealthCheck>("store");
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<SecuritySchemeTransformer>());
        return services;
    }

    private static void AddSecurity(IServiceCollection services)
    {
        services.AddAuthentication(AuthenticationScheme)
            .AddPolicyScheme(AuthenticationScheme, "API key or JWT bearer", o => o.ForwardDefaultSelector = context =>
            {
                var request = context.Request;
                bool bearer = request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    || (request.Query.ContainsKey("access_token") && request.Path.StartsWithSegments("/api/feed", StringComparison.Ordinal));
                return bearer && !request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<PriceIntelApiOptions>>((jwt, api) =>
        {
            var settings = api.Value.Jwt;
            jwt.MapInboundClaims = false;
            jwt.RequireHttpsMetadata = settings.Authority is not null && !settings.Authority.StartsWith("http://localhost", StringComparison.Ordinal);
            jwt.Authority = settings.Authority;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuer = settings.Issuer,
                ValidateAudience = true,
                ValidAudience = settings.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = "sub",
                RoleClaimType = "role",
                ValidateIssuerSigningKey = true,
                ValidAlgorithms = settings.SigningKey is null ? null : [SecurityAlgorithms.HmacSha256],
                IssuerSigningKey = settings.SigningKey is null ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.SigningKey)),
            };
            if (!settings.Enabled)
            {
                // No key source: every bearer token fails validation.
                jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                jwt.TokenValidationParameters.ValidIssuer = "none";
                jwt.TokenValidationParameters.ValidAudience = "none";
            }

            jwt.Events = new JwtBearerEvents
            {
                // Browsers' EventSource cannot send headers: the live feed also takes the token as ?access_token=.
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments("/api/feed", StringComparison.Ordinal) && context.Request.Query.TryGetValue("access_token", out var token))
                    {
                        context.Token = token.ToString();
                    }

                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(AuthenticationScheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Read, p => p.AddAuthenticationSchemes(AuthenticationScheme).RequireRole(PriceIntelRoles.Readers))
            .AddPolicy(Policies.Acknowledge, p => p.AddAuthenticationSchemes(AuthenticationScheme).RequireRole(PriceIntelRoles.Acknowledgers))
            .AddPolicy(Policies.Price, p => p.AddAuthenticationSchemes(AuthenticationScheme).RequireRole(PriceIntelRoles.Pricers))
            .AddPolicy(Policies.Ingest, p => p.AddAuthenticationSchemes(AuthenticationScheme).RequireRole(PriceIntelRoles.Ingesters))
            .AddPolicy(Policies.Admin, p => p.AddAuthenticationSchemes(AuthenticationScheme).RequireRole(PriceIntelRoles.Admins));
    }

    private static void AddRateLimiting(IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<PriceIntelApiOptions>>((limiter, api) =>
        {
            var settings = api.Value.RateLimit;
            bool fast = settings.PermitsPerSecond >= 10;
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.Burst,
                TokensPerPeriod = fast ? settings.PermitsPerSecond / 10 : settings.PermitsPerSecond,
                ReplenishmentPeriod = fast ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                {
                    return RateLimitPartition.GetNoLimiter("health");
                }

                string partition = context.User.Identity?.IsAuthenticated == true && context.User.Identity.Name is { } name && name != ApiKeyAuthenticationHandler.AnonymousName
                    ? "user:" + (context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.User.FindFirstValue("sub") ?? name)
                    : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket);
            });
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = "1";
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This caller is limited to {settings.PermitsPerSecond} requests per second (bursts of {settings.Burst}); retry after the Retry-After delay.",
                    },
                }).ConfigureAwait(false);
            };
        });
    }
}
