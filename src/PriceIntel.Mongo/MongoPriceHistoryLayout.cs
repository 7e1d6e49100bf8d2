namespace PriceIntel.Mongo;

/// <summary>Where the MongoDB store keeps competitor price observations (<see cref="MongoStoreOptions.PriceHistory"/>).</summary>
public enum MongoPriceHistoryLayout
{
    /// <summary>
    /// A time-series collection (<c>competitor_prices_ts</c>: time field <c>t</c>, meta field <c>m</c> =
    /// product, competitor, platform) that raw and minute queries read, fed through the regular
    /// <c>competitor_prices</c> collection acting as the dedupe ledger. Needs MongoDB 7.0 or newer.
    /// </summary>
    TimeSeries = 0,

    /// <summary>The regular <c>competitor_prices</c> collection only (any MongoDB version the driver supports).</summary>
    Regular = 1,
}
