namespace PriceIntel.AspNetCore.Contracts;

/// <summary>A batch of ingest items.</summary>
internal sealed record IngestBatch<T>(IReadOnlyList<T> Items);

/// <summary>A competitor's price for one of our products.</summary>
/// <param name="Product">Our product key (SKU).</param>
/// <param name="Competitor">Competitor key.</param>
/// <param name="Platform">Where it was seen (web, app, marketplace); optional.</param>
/// <param name="Price">The price, above zero.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Availability">Stock status shown with it; default unknown.</param>
/// <param name="Time">When it was observed; default now.</param>
internal sealed record CompetitorPriceItem(string? Product, string? Competitor, string? Platform, decimal? Price, string? Currency, Availability? Availability, DateTimeOffset? Time);

/// <summary>A shopper action on one of our products.</summary>
/// <param name="Product">Product key (SKU).</param>
/// <param name="Action">view, add_to_cart or purchase.</param>
/// <param name="Quantity">Units purchased (purchases; default 1).</param>
/// <param name="Price">Paid unit price (required for purchases).</param>
/// <param name="Currency">ISO 4217 code of the price.</param>
/// <param name="Time">When it happened; default now.</param>
internal sealed record BehaviourItem(string? Product, DemandAction? Action, int? Quantity, decimal? Price, string? Currency, DateTimeOffset? Time);

/// <summary>Our units on hand for a product.</summary>
internal sealed record InventoryItem(string? Product, int? UnitsOnHand, DateTimeOffset? Time);

/// <summary>Our unit cost for a product.</summary>
internal sealed record CostItem(string? Product, decimal? UnitCost, string? Currency, DateTimeOffset? Time);

/// <summary>One rejected item of a batch.</summary>
/// <param name="Index">0-based position in <c>items</c>, or the 1-based line number for JSON Lines.</param>
/// <param name="Field">The field at fault, when one is.</param>
/// <param name="Error">What was wrong.</param>
internal sealed record IngestError(long Index, string? Field, string Error);

/// <summary>What happened to a batch: the good items were queued for the engine (or processed, with <c>wait=true</c>); each bad one is listed.</summary>
/// <param name="Accepted">Items queued for the engine.</param>
/// <param name="Rejected">Items refused.</param>
/// <param name="Processed">True when the engine had processed the accepted items before the answer (<c>wait=true</c>).</param>
/// <param name="Errors">The refused items (the first 1,000).</param>
internal sealed record IngestResult(long Accepted, long Rejected, bool Processed, IReadOnlyList<IngestError> Errors);
