using System.Net;

namespace PriceIntel.DashboardHost;

/// <summary>
/// The local demo's one default that differs from the web API host: read-only anonymous viewing is on
/// when nobody configured it, the engine runs on embedded input (simulator or replay) and every URL the
/// host listens on is a loopback address. Anything else (Kafka, a public address) needs a signed-in role
/// for every read, unless <c>PriceIntelApi:AllowAnonymousRead</c> says otherwise.
/// </summary>
public static class DashboardDefaults
{
    /// <summary>Applies the default to a builder's configuration.</summary>
    /// <param name="builder">The web application builder.</param>
    public static void Apply(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (configuration["PriceIntelApi:AllowAnonymousRead"] is not null)
        {
            return;
        }

        string input = configuration["PriceIntelApi:Engine:Input"] ?? "Simulator";
        string urls = configuration["urls"] ?? configuration["Urls"] ?? "http://localhost:5000";
        bool embedded = input.Equals("Simulator", StringComparison.OrdinalIgnoreCase) || input.Equals("Replay", StringComparison.OrdinalIgnoreCase);
        if (embedded && urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLoopback))
        {
            configuration["PriceIntelApi:AllowAnonymousRead"] = "true";
        }
    }

    /// <summary>Whether a URL's host is a loopback address (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("*", "wildcard", StringComparison.Ordinal).Replace("+", "wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
