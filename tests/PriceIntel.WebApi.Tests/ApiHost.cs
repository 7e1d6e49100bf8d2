using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PriceIntel.WebApi.Tests;

/// <summary>
/// The real web API host (samples/PriceIntel.WebApi) on Kestrel at 127.0.0.1 on a free port, with a
/// store in a temporary directory, the engine fed by HTTP ingest only (no simulator, so tests see
/// exactly what they send), one API key per role, and a JWT signing key.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string ViewerKey = "test-viewer-key-0123456789";
    public const string AnalystKey = "test-analyst-key-0123456789";
    public const string ManagerKey = "test-manager-key-0123456789";
    public const string IngestKey = "test-ingest-key-0123456789";
    public const string StorefrontKey = "test-storefront-key-0123456789";
    public const string JwtIssuer = "https://issuer.test";
    public const string JwtAudience = "priceintel-api";
    public const string JwtSigningKey = "test-signing-key-that-is-long-enough-0123456789";

    private readonly WebApplication _app;
    private readonly string _directory;

    private ApiHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The directory of this host's SQLite store (Store:Directory).</summary>
    public string StoreDirectory => _directory;

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiHost> StartAsync(IDictionary<string, string?>? overrides = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "priceintel-webapi-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Store:Directory"] = directory,
            ["PriceIntelApi:AdminApiKey"] = AdminKey,
            ["PriceIntelApi:Engine:Input"] = "None",
            ["PriceIntelApi:RateLimit:PermitsPerSecond"] = "100000",
            ["PriceIntelApi:RateLimit:Burst"] = "100000",
            ["PriceIntelApi:Feed:SummaryIntervalSeconds"] = "0.2",
            ["PriceIntel:Windows:AllowedLatenessSeconds"] = "86400",
            ["PriceIntelApi:Jwt:Issuer"] = JwtIssuer,
            ["PriceIntelApi:Jwt:Audience"] = JwtAudience,
            ["PriceIntelApi:Jwt:SigningKey"] = JwtSigningKey,
            ["PriceIntelApi:ApiKeys:0:Name"] = "viewer-1",
            ["PriceIntelApi:ApiKeys:0:Key"] = ViewerKey,
            ["PriceIntelApi:ApiKeys:0:Role"] = "viewer",
            ["PriceIntelApi:ApiKeys:1:Name"] = "analyst-1",
            ["PriceIntelApi:ApiKeys:1:Key"] = AnalystKey,
            ["PriceIntelApi:ApiKeys:1:Role"] = "analyst",
            ["PriceIntelApi:ApiKeys:2:Name"] = "manager-1",
            ["PriceIntelApi:ApiKeys:2:KeyHash"] = Security.ApiKeyRegistryHash(ManagerKey),
            ["PriceIntelApi:ApiKeys:2:Role"] = "pricing-manager",
            ["PriceIntelApi:ApiKeys:3:Name"] = "scraper-1",
            ["PriceIntelApi:ApiKeys:3:Key"] = IngestKey,
            ["PriceIntelApi:ApiKeys:3:Role"] = "ingest",
            ["PriceIntelApi:ApiKeys:4:Name"] = "storefront-1",
            ["PriceIntelApi:ApiKeys:4:Key"] = StorefrontKey,
            ["PriceIntelApi:ApiKeys:4:Role"] = "ingest",
            ["PriceIntelApi:ApiKeys:4:IngestKinds:0"] = "Demand",
        };
        foreach (var pair in overrides ?? new Dictionary<string, string?>())
        {
            settings[pair.Key] = pair.Value;
        }

        var app = await WebApiHost.BuildAsync([], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        return new ApiHost(app, directory, address);
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public HttpClient BearerClient(string token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static string Token(string subject, string role, DateTime? expires = null, string? audience = null, string? signingKey = null, DateTime? notBefore = null)
    {
        var handler = new JsonWebTokenHandler();
        var now = DateTime.UtcNow;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtIssuer,
            Audience = audience ?? JwtAudience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", role)]),
            NotBefore = notBefore ?? now.AddMinutes(-5),
            IssuedAt = notBefore ?? now.AddMinutes(-5),
            Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? JwtSigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow stop; the temp directory is cleaned up by the OS.
        }
    }
}

internal static class Security
{
    public static string ApiKeyRegistryHash(string key) => AspNetCore.Security.ApiKeyRegistry.Hash(key);
}

/// <summary>One host shared by the tests of a class.</summary>
public sealed class ApiHostFixture : IAsyncLifetime
{
    public ApiHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
