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
        _ = DashboardAssets.Instance; // load and compress the assets now, not on the first page request
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

        var response = context.Response;
        var headers = response.GetTypedHeaders();
        response.Headers.ETag = asset.ETag;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.Vary = "Accept-Encoding";
        bool versioned = path == DashboardAssets.PlotlyPath && context.Request.Query["v"] == DashboardAssets.Instance.PlotlyVersion;
        headers.CacheControl = versioned
            ? new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } }
            : new CacheControlHeaderValue { NoCache = true }; // revalidated with the ETag (a 304 without the body)
        if (path == "index.html")
        {
            // Everything the page loads comes from this host.
            response.Headers.ContentSecurityPolicy = DashboardAssets.Instance.IndexContentSecurityPolicy;
        }

        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var (bytes, encoding) = Accepts(context.Request, "br") && asset.Brotli is { } br ? (br, "br")
            : Accepts(context.Request, "gzip") && asset.Gzip is { } gzip ? (gzip, "gzip")
            : (asset.Bytes, null);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        return TypedResults.Bytes(bytes, asset.ContentType);
    }

    private static bool Accepts(HttpRequest request, string encoding)
    {
        foreach (var value in request.GetTypedHeaders().AcceptEncoding)
        {
            if (value.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) && (value.Quality ?? 1) > 0)
            {
                return true;
            }
        }

        return false;
    }
}
