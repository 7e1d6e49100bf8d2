namespace PriceIntel.AspNetCore;

/// <summary>Authorization policy names of the API.</summary>
internal static class Policies
{
    public const string Read = "priceintel.read";
    public const string Acknowledge = "priceintel.acknowledge";
    public const string Price = "priceintel.price";
    public const string Ingest = "priceintel.ingest";
    public const string Admin = "priceintel.admin";
}
