using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Overview;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>The market at a glance (the dashboard's key metrics) and who the caller is.</summary>
internal static class OverviewEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/overview", (MarketOverview overview) => TypedResults.Ok(overview.Current))
            .WithTags("Overview")
            .WithName("GetOverview")
            .WithSummary("Key metrics: products monitored, price changes and revenue/margin today, average gap to the lowest competitor, open signals by severity, market demand over time, our position across the catalog")
            .RequireAuthorization(Policies.Read)
            .Produces<OverviewDto>();

        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new CallerDto(
                user.Identity?.Name ?? "",
                user.FindFirst(ClaimTypes.Role)?.Value ?? "",
                [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)])))
            .WithTags("Overview")
            .WithName("GetCaller")
            .WithSummary("The caller's name and roles, as the API sees them")
            .RequireAuthorization(Policies.Read)
            .Produces<CallerDto>();
    }
}

/// <summary>Who is calling.</summary>
/// <param name="Name">The API key's or token's name.</param>
/// <param name="Role">The first role.</param>
/// <param name="Roles">Every role.</param>
internal sealed record CallerDto(string Name, string Role, IReadOnlyList<string> Roles);
