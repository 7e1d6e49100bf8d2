namespace PriceIntel.AspNetCore.Contracts;

/// <summary>A page of results and the cursor of the next page (null on the last).</summary>
internal sealed record PageDto<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>A catalog product, with the engine's live board when the engine has seen it.</summary>
internal sealed record ProductDto(
    string Sku,
    string Name,
    string? Category,
    string Currency,
    decimal? UnitCost,
    decimal? CurrentPrice,
    decimal? MapPrice,
    decimal? MinPrice,
    decimal? MaxPrice,
    int? Stock,
    IReadOnlyList<string> WatchUrls,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    BoardDto? Board = null)
{
    public static ProductDto From(CatalogProduct p, BoardDto? board = null) =>
        new(p.Sku, p.Name, p.Category, p.Currency, p.UnitCost, p.CurrentPrice, p.MapPrice, p.MinPrice, p.MaxPrice, p.Stock, p.WatchUrls, p.Created, p.Updated, board);
}

/// <summary>A new catalog product. Only these fields are accepted; timestamps and ids are the server's.</summary>
internal sealed record CreateProductRequest(
    string? Sku,
    string? Name,
    string? Category,
    string? Currency,
    decimal? UnitCost,
    decimal? CurrentPrice,
    decimal? MapPrice,
    decimal? MinPrice,
    decimal? MaxPrice,
    int? Stock,
    IReadOnlyList<string>? WatchUrls);

/// <summary>
/// The editable fields of a catalog product (all replaced). The SKU is the URL's; the current price
/// changes only through <c>PUT /api/products/{sku}/price</c>, so every price change is a recorded decision.
/// </summary>
internal sealed record UpdateProductRequest(
    string? Name,
    string? Category,
    string? Currency,
    decimal? UnitCost,
    decimal? MapPrice,
    decimal? MinPrice,
    decimal? MaxPrice,
    int? Stock,
    IReadOnlyList<string>? WatchUrls);

/// <summary>A price set by hand.</summary>
/// <param name="Price">The new price, above zero.</param>
/// <param name="Currency">ISO 4217 code; default the product's.</param>
/// <param name="Reason">Why (required: it is what the decision log shows).</param>
internal sealed record SetPriceRequest(decimal? Price, string? Currency, string? Reason);

/// <summary>A manual decision: a price set by hand for a product.</summary>
internal sealed record CreateDecisionRequest(string? Product, decimal? Price, string? Currency, string? Reason);

/// <summary>An acknowledgement's optional note.</summary>
internal sealed record AcknowledgeRequest(string? Note);

/// <summary>A rolled-up competitor price bucket.</summary>
internal sealed record PriceBucketDto(string Competitor, DateTimeOffset Start, decimal Open, decimal High, decimal Low, decimal Close, long Count, string Currency);

/// <summary>A point of our own price history.</summary>
internal sealed record OurPriceDto(DateTimeOffset Time, decimal Price, string Currency, OurPriceSource Source);

/// <summary>Price history of a product for charts: competitor buckets and our own prices in the range.</summary>
internal sealed record PriceHistoryDto(string Product, PriceBucketSize Size, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<PriceBucketDto> Buckets, IReadOnlyList<OurPriceDto> OurPrices, string? NextCursor);

/// <summary>Shopper demand of a product over one bucket: counts, revenue, conversion and our mean price as shown with the views.</summary>
internal sealed record DemandBucketDto(
    DateTimeOffset Start,
    long Views,
    long AddToCarts,
    long Purchases,
    long Units,
    decimal Revenue,
    double? Conversion,
    decimal? AveragePrice,
    string? Currency,
    long? Stock,
    decimal? UnitCost)
{
    public static DemandBucketDto From(DemandBucket b) =>
        new(b.Start, b.Views, b.AddToCarts, b.Purchases, b.Units, b.Revenue, b.Conversion, b.AverageViewPrice, b.Currency, b.Stock, b.UnitCost);
}

/// <summary>Demand history of a product for charts: hour or day buckets in the range, newest first.</summary>
internal sealed record DemandHistoryDto(string Product, DemandBucketSize Bucket, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<DemandBucketDto> Buckets, string? NextCursor);
