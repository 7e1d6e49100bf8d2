using MongoDB.Driver;

namespace PriceIntel.Mongo;

/// <summary>
/// Opens the MongoDB store: one collection per record kind, each with the indexes its queries use;
/// deterministic ids as <c>_id</c> (so replays and retries never duplicate), unordered bulk writes,
/// retryable writes. Competitor prices live in a time-series collection (MongoDB 7.0+) fed through a
/// regular collection keyed by observation id, which decides what is new (a time-series collection
/// cannot enforce a unique <c>_id</c>), or in the regular collection only
/// (<see cref="MongoStoreOptions.PriceHistory"/>).
/// </summary>
public static class MongoMarketStore
{
    /// <summary>Connects, creates missing indexes and returns the store.</summary>
    /// <param name="options">Connection string and database.</param>
    /// <param name="cancellationToken">Stops the index creation.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="MarketStoreException">The server cannot be reached or refused the index creation, the time-series layout was asked of a server older than 7.0, or a collection named <c>competitor_prices_ts</c> is not a time-series collection; the message names the server (and the setting to change).</exception>
    public static async Task<IMarketStore> OpenAsync(MongoStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = MongoUrl.Create(options.ConnectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.RetryWrites = url.RetryWrites ?? true;
        settings.RetryReads = true;
        var client = new MongoClient(settings);
        var store = new MongoStore(client, client.GetDatabase(options.Database), string.Join(",", url.Servers), options);
        try
        {
            await store.EnsureIndexesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MarketStoreException)
        {
            client.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            client.Dispose();
            throw new MarketStoreException(store.Location, $"cannot use MongoDB at {store.Location} (database {options.Database}): {ex.Message}", ex);
        }

        return store;
    }
}
