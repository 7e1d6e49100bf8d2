using System.Runtime.InteropServices;

namespace PriceIntel;

/// <summary>What a <see cref="MarketEvent"/> reports.</summary>
public enum MarketEventKind : byte
{
    /// <summary>Not an event; the value of <c>default(MarketEvent)</c>.</summary>
    None = 0,

    /// <summary>A competitor's price for a product, seen on a platform (page, API or feed).</summary>
    CompetitorPrice = 1,

    /// <summary>Shopper behaviour on our product: a view, an add-to-cart or a purchase.</summary>
    Demand = 2,

    /// <summary>Our units on hand for a product.</summary>
    Inventory = 3,

    /// <summary>Our unit cost for a product.</summary>
    Cost = 4,

    /// <summary>Our own current shelf price, set outside PriceIntel (e.g. by a merchandiser or at start-up).</summary>
    ListPrice = 5,
}

/// <summary>The shopper action of a <see cref="MarketEventKind.Demand"/> event.</summary>
public enum DemandAction : byte
{
    /// <summary>Not a demand event.</summary>
    None = 0,

    /// <summary>A product page view.</summary>
    View = 1,

    /// <summary>An add-to-cart.</summary>
    AddToCart = 2,

    /// <summary>A purchase of <see cref="MarketEvent.Quantity"/> units at <see cref="MarketEvent.Price"/> each.</summary>
    Purchase = 3,
}

/// <summary>Stock status a competitor shows for a product.</summary>
public enum Availability : byte
{
    /// <summary>Not stated.</summary>
    Unknown = 0,

    /// <summary>In stock.</summary>
    InStock = 1,

    /// <summary>Out of stock: the price is not one a shopper can buy at.</summary>
    OutOfStock = 2,

    /// <summary>Limited stock.</summary>
    LimitedStock = 3,

    /// <summary>Pre-order or back-order.</summary>
    PreOrder = 4,
}

/// <summary>
/// One market event: a small readonly struct with interned keys, so batches of them travel in spans
/// without allocation. Keys (product, competitor, platform) are dense ids from <see cref="MarketKeys"/>;
/// <see cref="Timestamp"/> is event time in Unix milliseconds. Create events with the factory methods,
/// which document which fields each kind uses.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly struct MarketEvent
{
    private MarketEvent(MarketEventKind kind, int productId, long timestamp)
    {
        Kind = kind;
        ProductId = productId;
        Timestamp = timestamp;
        CompetitorId = -1;
        PlatformId = -1;
    }

    /// <summary>Event time, Unix milliseconds (UTC).</summary>
    public long Timestamp { get; private init; }

    /// <summary>Competitor price, paid unit price of a purchase, unit cost, or our list price.</summary>
    public Money Price { get; private init; }

    /// <summary>Product id in <see cref="MarketKeys.Products"/>.</summary>
    public int ProductId { get; private init; }

    /// <summary>Competitor id in <see cref="MarketKeys.Competitors"/>, or -1.</summary>
    public int CompetitorId { get; private init; }

    /// <summary>Source platform id in <see cref="MarketKeys.Platforms"/>, or -1.</summary>
    public int PlatformId { get; private init; }

    /// <summary>Units purchased (demand), or units on hand (inventory).</summary>
    public int Quantity { get; private init; }

    /// <summary>Currency of <see cref="Price"/>.</summary>
    public CurrencyCode Currency { get; private init; }

    /// <summary>What this event reports.</summary>
    public MarketEventKind Kind { get; private init; }

    /// <summary>Shopper action, for demand events.</summary>
    public DemandAction Action { get; private init; }

    /// <summary>Competitor stock status, for competitor price events.</summary>
    public Availability Availability { get; private init; }

    /// <summary>A competitor's price for a product.</summary>
    public static MarketEvent CompetitorPrice(int productId, int competitorId, int platformId, Money price, CurrencyCode currency, Availability availability, long timestamp) =>
        new(MarketEventKind.CompetitorPrice, productId, timestamp)
        {
            CompetitorId = competitorId,
            PlatformId = platformId,
            Price = price,
            Currency = currency,
            Availability = availability,
        };

    /// <summary>A shopper action. <paramref name="quantity"/> and <paramref name="paidUnitPrice"/> matter for purchases.</summary>
    public static MarketEvent Demand(int productId, DemandAction action, int quantity, Money paidUnitPrice, CurrencyCode currency, long timestamp) =>
        new(MarketEventKind.Demand, productId, timestamp)
        {
            Action = action,
            Quantity = quantity,
            Price = paidUnitPrice,
            Currency = currency,
        };

    /// <summary>Our units on hand.</summary>
    public static MarketEvent Inventory(int productId, int unitsOnHand, long timestamp) =>
        new(MarketEventKind.Inventory, productId, timestamp) { Quantity = unitsOnHand };

    /// <summary>Our unit cost.</summary>
    public static MarketEvent Cost(int productId, Money unitCost, CurrencyCode currency, long timestamp) =>
        new(MarketEventKind.Cost, productId, timestamp) { Price = unitCost, Currency = currency };

    /// <summary>Our current shelf price, set outside PriceIntel.</summary>
    public static MarketEvent ListPrice(int productId, Money price, CurrencyCode currency, long timestamp) =>
        new(MarketEventKind.ListPrice, productId, timestamp) { Price = price, Currency = currency };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Kind} p{ProductId} c{CompetitorId} {Price} {Currency} q{Quantity} {Action} {Availability} @{Timestamp}";
}
