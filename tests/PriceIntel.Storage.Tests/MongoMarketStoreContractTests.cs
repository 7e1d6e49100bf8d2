using MongoDB.Driver;
using PriceIntel.Mongo;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// The store contract against a real MongoDB server named by PRICEINTEL_MONGO_URI (a fresh database per
/// test, dropped afterwards). Without the variable every test is reported as skipped, with the reason.
/// </summary>
public class MongoMarketStoreContractTests : MarketStoreContractTests
{
    internal const string Variable = "PRICEINTEL_MONGO_URI";
    private readonly string _database = "priceintel_test_" + Guid.NewGuid().ToString("N")[..12];

    internal static string? Uri => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } uri ? uri : null;

    internal static string Reason => $"MongoDB tests need a server: set {Variable} (e.g. mongodb://localhost:27017) to run them; no MongoDB server can be installed on this machine.";

    /// <summary>The price-history layout under test (the default, a time-series collection, needs MongoDB 7.0+).</summary>
    protected virtual MongoPriceHistoryLayout Layout => MongoPriceHistoryLayout.TimeSeries;

    protected override string? SkipReason => Reason;

    protected override async Task<IMarketStore?> CreateStoreAsync() =>
        Uri is { } uri ? await MongoMarketStore.OpenAsync(new MongoStoreOptions { ConnectionString = uri, Database = _database, PriceHistory = Layout }) : null;

    protected override async Task<IMarketStore> ReopenAsync(IMarketStore store)
    {
        await store.DisposeAsync();
        return await MongoMarketStore.OpenAsync(new MongoStoreOptions { ConnectionString = Uri!, Database = _database, PriceHistory = Layout });
    }

    protected override void Cleanup()
    {
        if (Uri is { } uri)
        {
            using var client = new MongoClient(uri);
            client.DropDatabase(_database);
        }
    }
}

/// <summary>The same contract with competitor prices in the regular collection (the setting for servers older than 7.0).</summary>
public sealed class MongoRegularLayoutContractTests : MongoMarketStoreContractTests
{
    protected override MongoPriceHistoryLayout Layout => MongoPriceHistoryLayout.Regular;
}
