using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PriceIntel.AspNetCore.Security;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against <see cref="ApiKeyRegistry"/>. Without the header
/// it yields to the next scheme (JWT bearer), or — when <see cref="PriceIntelApiOptions.AllowAnonymousRead"/>
/// is on and nothing else is presented — signs the caller in as an anonymous viewer.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry registry,
    IOptions<PriceIntelApiOptions> apiOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string IngestKindsClaim = "priceintel:ingest_kinds";
    public const string AnonymousName = "anonymous";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            if (apiOptions.Value.AllowAnonymousRead && !Request.Headers.ContainsKey("Authorization") && !Request.Query.ContainsKey("access_token"))
            {
                var anonymous = new ClaimsIdentity(
                    [new Claim(ClaimTypes.Name, AnonymousName), new Claim(ClaimTypes.Role, PriceIntelRoles.Viewer)],
                    SchemeName);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(anonymous), SchemeName)));
            }

            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]) || values[0]!.Length > 512)
        {
            return Task.FromResult(AuthenticateResult.Fail("X-Api-Key must hold one key."));
        }

        if (!registry.TryGet(values[0]!, out var identity) || identity is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, identity.Name),
            new(ClaimTypes.NameIdentifier, "key:" + identity.Name),
            new(ClaimTypes.Role, identity.Role),
        };
        foreach (var kind in identity.IngestKinds)
        {
            claims.Add(new Claim(IngestKindsClaim, kind.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
