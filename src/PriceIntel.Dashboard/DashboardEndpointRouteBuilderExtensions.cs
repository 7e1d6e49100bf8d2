using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using PriceIntel.Dashboard;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the PriceIntel dashboard from an ASP.NET Core app that also maps the PriceIntel API.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard page and its assets (HTML, scripts, styles, plotly.js — all embedded, nothing from
    /// a CDN) under <paramref name="prefix"/>. The page itself holds no data and answers without credentials;
    /// everything it shows comes from the PriceIntel API (<c>MapPriceIntelApi</c>) with the caller's API key,
    /// or anonymously where the API allows anonymous reading.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="prefix">Where the dashboard lives; <c>/dashboard</c> unless given. Must start with '/'.</param>
    /// <returns>The endpoints' group, for further conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with '/'.</exception>
    public static RouteGroupBuilder MapPriceIntelDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/dashboard")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (string.IsNullOrEmpty(prefix) || prefix[0] != '/')
        {
            throw new ArgumentException($"The dashboard prefix must start with '/'; got '{prefix}'.", nameof(prefix));
        }

        prefix = prefix.TrimEnd('/');
        var group = endpoints.MapGroup(prefix.Length == 0 ? "/" : prefix).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        group.MapGet("/{**path}", (HttpContext context, string path) => Serve(context, path));
        return group;
    }

    private static IResult Serve(HttpContext context, string path)
    {
        if (!DashboardAssets.Instance.TryGet(path, out var asset))
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.GetTypedHeaders();
        context.Response.Headers.ETag = asset.ETag;
        headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (path == "index.html")
        {
            // Everything the page loads comes from this host.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
        }

        return context.Request.Headers.IfNoneMatch == asset.ETag
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(asset.Bytes, asset.ContentType);
    }
}
