using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PriceIntel.AspNetCore.Security;

/// <summary>Declares the API's two credentials (X-Api-Key header, JWT bearer) in the OpenAPI document.</summary>
internal sealed class SecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "PriceIntel API";
        document.Info.Description = "Products with their live competitor board, pricing decisions with their full reasons, market signals, experiments, batched ingest and a live feed. Send an API key in X-Api-Key or a JWT bearer token; roles: viewer, analyst, pricing-manager, admin, ingest.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key (the admin key comes from PRICEINTEL_ADMIN_API_KEY).",
        };
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT whose 'role' claim names the caller's role.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
