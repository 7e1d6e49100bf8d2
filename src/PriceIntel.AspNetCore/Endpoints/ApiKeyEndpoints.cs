using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Security;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>API key management (admin only): issue a key (shown once, kept as a hash), list names and roles, revoke.</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        keys.MapGet("/", (ApiKeyRegistry registry) => TypedResults.Ok(registry.List().Select(ApiKeyDto.From).ToList()))
            .WithName("ListApiKeys")
            .WithSummary("List API keys (names, roles and ingest kinds; never the keys)");
        keys.MapPost("/", Create)
            .WithName("CreateApiKey")
            .WithSummary("Issue an API key; the key is in this answer only, the server keeps its SHA-256 hash")
            .Produces<IssuedApiKeyDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        keys.MapDelete("/{name}", (string name, ApiKeyRegistry registry) =>
                name == "admin" ? Problems.Field("name", "the admin key comes from configuration and cannot be revoked here")
                : registry.Remove(name) > 0 ? Results.NoContent() : Problems.NotFound("API key"))
            .WithName("RevokeApiKey")
            .WithSummary("Revoke every key of a name")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult Create(CreateApiKeyRequest request, ApiKeyRegistry registry)
    {
        if (!Check.Key(request.Name, "name", out var field, out var error))
        {
            return Problems.Field(field!, error!);
        }

        if (!PriceIntelRoles.IsKnown(request.Role))
        {
            return Problems.Field("role", $"role '{Check.Shorten(request.Role ?? "")}' is not one of {string.Join(", ", PriceIntelRoles.All)}");
        }

        if (request.Name == "admin" || registry.List().Any(k => k.Name == request.Name))
        {
            return Problems.Status(StatusCodes.Status409Conflict, "Conflict", "A key of this name exists; revoke it first.");
        }

        var kinds = new HashSet<MarketEventKind>(request.IngestKinds ?? []);
        if (kinds.Contains(MarketEventKind.None))
        {
            return Problems.Field("ingestKinds", "'none' is not an event kind");
        }

        string key = "pik_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var identity = new ApiKeyIdentity(request.Name, request.Role!, kinds);
        registry.TryAdd(key, identity);
        return TypedResults.Created($"/api/api-keys/{Uri.EscapeDataString(request.Name)}", new IssuedApiKeyDto(request.Name, request.Role!, [.. kinds], key));
    }
}

/// <summary>A request for a new API key.</summary>
/// <param name="Name">Who will use it (recorded as "who" on what it does).</param>
/// <param name="Role">viewer, analyst, pricing-manager, admin or ingest.</param>
/// <param name="IngestKinds">For ingest keys, the event kinds it may send; empty or absent: all.</param>
internal sealed record CreateApiKeyRequest(string? Name, string? Role, IReadOnlyList<MarketEventKind>? IngestKinds);

/// <summary>An API key as listed: never the key itself.</summary>
internal sealed record ApiKeyDto(string Name, string Role, IReadOnlyList<MarketEventKind> IngestKinds)
{
    public static ApiKeyDto From(ApiKeyIdentity identity) => new(identity.Name, identity.Role, [.. identity.IngestKinds]);
}

/// <summary>A newly issued key: the only time the key is shown.</summary>
internal sealed record IssuedApiKeyDto(string Name, string Role, IReadOnlyList<MarketEventKind> IngestKinds, string Key);
