using System.Security.Claims;
using PriceIntel.AspNetCore.Security;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>The event kinds a caller may ingest: every kind, unless its API key names some.</summary>
internal readonly struct IngestScope
{
    private readonly uint _allowedMask;

    private IngestScope(uint mask) => _allowedMask = mask;

    public static IngestScope From(ClaimsPrincipal user)
    {
        uint mask = 0;
        foreach (var claim in user.FindAll(ApiKeyAuthenticationHandler.IngestKindsClaim))
        {
            if (Enum.TryParse<MarketEventKind>(claim.Value, out var kind))
            {
                mask |= 1u << (int)kind;
            }
        }

        return new IngestScope(mask == 0 ? uint.MaxValue : mask);
    }

    public bool Allows(MarketEventKind kind) => (_allowedMask & (1u << (int)kind)) != 0;

    public bool AllowsAll => _allowedMask == uint.MaxValue;
}
