using System.Text;
using PriceIntel.Engine.Codec;

namespace PriceIntel.Engine.Tests.Serialization;

public sealed class Utf8KeyCacheTests
{
    [Fact]
    public void Gives_the_key_tables_ids_through_growth_and_hash_collisions()
    {
        var table = new KeyTable("product");
        var cache = new Utf8KeyCache(table);
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 5000; i++)
            {
                var key = Encoding.UTF8.GetBytes(i % 3 == 0 ? $"SKU-{i}" : $"a-much-longer-product-key-number-{i}-ü");
                Assert.True(cache.TryGetOrIntern(key, out int id, out var error), error);
                Assert.Equal(Encoding.UTF8.GetString(key), table.GetName(id));
            }
        }

        Assert.Equal(5000, table.Count);
    }

    [Fact]
    public void Refuses_what_the_table_refuses_and_does_not_cache_it()
    {
        var table = new KeyTable("competitor");
        var cache = new Utf8KeyCache(table);
        Assert.False(cache.TryGetOrIntern("   "u8, out _, out var error));
        Assert.Equal("competitor key is empty", error);
        Assert.False(cache.TryGetOrIntern("   "u8, out _, out _));
        Assert.Equal(0, table.Count);
    }
}
