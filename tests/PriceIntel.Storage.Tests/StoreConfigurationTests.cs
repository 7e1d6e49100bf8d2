using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PriceIntel.Mongo;
using PriceIntel.Storage.Sqlite;

namespace PriceIntel.Storage.Tests;

public sealed class StoreConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Sqlite_options_bind_from_the_database_section_in_either_spelling()
    {
        var options = SqliteStoreOptions.Bind(Config(
            ("database:sqlite:path", "x/store.db"), ("database:sqlite:max_size_mb", "64"), ("database:sqlite:writeRetries", "9"),
            ("database:sqlite:retention:competitorPricesDays", "30")));
        Assert.Equal("x/store.db", options.Path);
        Assert.Equal(64L * 1024 * 1024, options.MaxSizeBytes);
        Assert.Equal(9, options.WriteRetries);
        Assert.Equal(TimeSpan.FromDays(30), options.Retention.CompetitorPrices);
        Assert.Null(options.Retention.DayBuckets);
    }

    [Theory]
    [InlineData("database:sqlite:maxSizeMb", "-1")]
    [InlineData("database:sqlite:cacheSizeKb", "lots")]
    [InlineData("database:sqlite:pathh", "x.db")]
    [InlineData("database:sqlite:retention:competitorPricesDays", "0")]
    public void Bad_sqlite_values_and_unknown_keys_are_named(string key, string value)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => SqliteStoreOptions.Bind(Config((key, value))));
        Assert.Contains(key.Split(':')[2], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mongo_options_bind_and_MONGODB_URI_overrides_the_uri()
    {
        var options = MongoStoreOptions.Bind(Config(("database:mongodb:uri", "mongodb://a:27017"), ("database:mongodb:database", "pi"), ("MONGODB_URI", "mongodb://b:27017")));
        Assert.Equal("mongodb://b:27017", options.ConnectionString);
        Assert.Equal("pi", options.Database);
        var error = Assert.ThrowsAny<ArgumentException>(() => MongoStoreOptions.Bind(Config(("database:mongodb:uri", "http://nope"))));
        Assert.Contains("database:mongodb:uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_the_sqlite_store_twice_adds_nothing_twice_and_every_interface_is_the_same_store()
    {
        using var temp = new TempDirectory();
        var services = new ServiceCollection();
        var config = Config(("database:sqlite:path", temp.File("di.db")));
        services.AddPriceIntelSqlite(config).AddPriceIntelSqlite(config);
        Assert.Single(services, d => d.ServiceType == typeof(IMarketStore));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IMarketStore>();
        Assert.Same(store, provider.GetRequiredService<ISignalStore>());
        Assert.Same(store, provider.GetRequiredService<IPriceHistoryStore>());
        Assert.True(File.Exists(temp.File("di.db")));
    }
}
