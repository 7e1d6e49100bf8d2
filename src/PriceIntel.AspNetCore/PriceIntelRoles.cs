namespace PriceIntel.AspNetCore;

/// <summary>
/// The roles of the PriceIntel API, from least to most trusted: a viewer reads; an analyst also
/// acknowledges signals; a pricing manager also manages products, sets prices and records manual
/// decisions; an admin may do everything, including ingest. An ingest role may only send events.
/// </summary>
public static class PriceIntelRoles
{
    /// <summary>Reads products, decisions, signals, experiments and the live feed.</summary>
    public const string Viewer = "viewer";

    /// <summary>A viewer who may also acknowledge signals.</summary>
    public const string Analyst = "analyst";

    /// <summary>An analyst who may also create and update products, set prices and record manual decisions.</summary>
    public const string PricingManager = "pricing-manager";

    /// <summary>Everything, including ingest and metrics.</summary>
    public const string Admin = "admin";

    /// <summary>Sends events to the ingest endpoints and nothing else (storefronts, scrapers).</summary>
    public const string Ingest = "ingest";

    /// <summary>Every role name.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Analyst, PricingManager, Admin, Ingest];

    /// <summary>True when <paramref name="role"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string? role) => role is Viewer or Analyst or PricingManager or Admin or Ingest;

    internal static readonly string[] Readers = [Viewer, Analyst, PricingManager, Admin];
    internal static readonly string[] Acknowledgers = [Analyst, PricingManager, Admin];
    internal static readonly string[] Pricers = [PricingManager, Admin];
    internal static readonly string[] Ingesters = [Ingest, Admin];
    internal static readonly string[] Admins = [Admin];
}
