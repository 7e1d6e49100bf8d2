using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Storage.Tests;

/// <summary>The store contract against the SQLite store.</summary>
public sealed class SqliteMarketStoreContractTests : MarketStoreContractTests
{
    private readonly TempDirectory _temp = new();

    private string DbPath => _temp.File("store.db");

    protected override Task<IMarketStore> CreateStoreAsync() => Task.FromResult(SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath }));

    protected override async Task<IMarketStore> ReopenAsync(IMarketStore store)
    {
        await store.DisposeAsync();
        return SqliteMarketStore.Open(new SqliteStoreOptions { Path = DbPath });
    }

    protected override void Cleanup() => _temp.Dispose();
}
