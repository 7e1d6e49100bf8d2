using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Tests.EngineCore;

public sealed class PairTableProperties
{
    [Property(MaxTest = 200)]
    public Property Dense_ids_match_a_dictionary_in_first_seen_order()
    {
        var pairs = Gen.Choose(0, 300).Two().ListOf();
        return Prop.ForAll(pairs.ToArbitrary(), list =>
        {
            var table = new PairTable(initialCapacity: 4); // small, so rehashing is exercised
            var twin = new Dictionary<(int, int), int>();
            foreach (var (p, c) in list)
            {
                int id = table.GetOrAdd(p, c);
                if (!twin.TryGetValue((p, c), out var expected))
                {
                    expected = twin.Count;
                    twin[(p, c)] = expected;
                }

                if (id != expected || table.ProductOf(id) != p || table.CompetitorOf(id) != c)
                {
                    return false;
                }
            }

            foreach (var ((p, c), id) in twin)
            {
                if (!table.TryGet(p, c, out var found) || found != id)
                {
                    return false;
                }
            }

            return table.Count == twin.Count && !table.TryGet(-5, 7, out _);
        });
    }
}
