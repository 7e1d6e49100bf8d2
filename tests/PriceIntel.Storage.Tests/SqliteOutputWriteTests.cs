using FsCheck;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;
using PriceIntel.Storage.Sqlite;
using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// The output write path's shortcuts against their slow twins: a product's current price set once per
/// transaction (the newest decision of the group) against applying every decision in order, and the
/// schema v4 migration (signals and decisions kept in time order) against the rows written before it.
/// </summary>
public sealed class SqliteOutputWriteTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Current_prices_decisions_and_price_points_equal_applying_each_decision_in_order_whatever_the_batches()
    {
        // Decisions for 3 catalog products at a few times (many ties), some repeated ids (replays), some
        // keeping the price; written in random batches, with or without a flush (= a transaction
        // boundary) between batches. The twin applies them one by one as the documented rule says: a
        // new decision that changes the price sets the current price when it is not older than the price's time.
        var one =
            from id in Gen.Choose(1, 60)
            from product in Gen.Choose(0, 2)
            from minute in Gen.Choose(-2, 6)
            from cents in Gen.Choose(17_000, 17_010)
            from keep in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (Id: (ulong)id, Product: product, Minute: minute, Ticks: cents * 10L, Keep: keep);
        var cases =
            from decisions in one.ListOf().Select(l => l.ToArray())
            from batch in Gen.Choose(1, 40)
            from flushEach in Gen.Elements(false, true)
            select (decisions, batch, flushEach);
        int run = 0;
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var path = _temp.File($"prop-{run++}.db");
            var keys = new MarketKeys();
            var decisions = c.decisions
                .Select(d => Decision(keys, d.Id, $"SKU-{d.Product}", Ms(d.Minute), oldTicks: 170_050, newTicks: d.Keep ? 170_050 : d.Ticks))
                .ToArray();

            // The twin: the catalog's price and time (T0 = minute 0), then every decision in order.
            var current = Enumerable.Range(0, 3).ToDictionary(p => $"SKU-{p}", _ => (Ticks: Money.FromDecimal(199.99m).Ticks, Time: Ms(0)));
            var seen = new HashSet<ulong>();
            int pricePoints = 0;
            foreach (var d in decisions)
            {
                if (!seen.Add(d.Id) || d.NewPrice == d.OldPrice)
                {
                    continue;
                }

                pricePoints++;
                var sku = keys.Products.GetName(d.ProductId);
                if (d.Timestamp >= current[sku].Time)
                {
                    current[sku] = (d.NewPrice.Ticks, d.Timestamp);
                }
            }

            var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = path });
            try
            {
                store.UpsertProductsAsync([.. Enumerable.Range(0, 3).Select(p => Product($"SKU-{p}"))], CancellationToken.None).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < decisions.Length; i += c.batch)
                {
                    store.WriteAsync(Batch(keys, [], decisions[i..Math.Min(decisions.Length, i + c.batch)]), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    if (c.flushEach)
                    {
                        store.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    }
                }

                store.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                var stats = store.GetStatisticsAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (stats.Decisions != seen.Count || stats.OurPrices != pricePoints)
                {
                    return false.Label($"stored {stats.Decisions} decisions and {stats.OurPrices} price points, expected {seen.Count} and {pricePoints}");
                }

                for (int p = 0; p < 3; p++)
                {
                    var sku = $"SKU-{p}";
                    var stored = store.GetProductAsync(sku, CancellationToken.None).AsTask().GetAwaiter().GetResult()!.CurrentPrice;
                    var expected = new Money(current[sku].Ticks).ToDecimal();
                    if (stored != expected)
                    {
                        return false.Label($"{sku}: current price {stored}, expected {expected}");
                    }
                }
            }
            finally
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return true.ToProperty();
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public async Task A_version_3_store_keeps_its_signals_decisions_and_acknowledgements_when_migrated()
    {
        // A store at schema version 3 (signals and decisions keyed by id), filled the way that build wrote
        // rows, opened by this build (version 4: keyed by time and id, ids unique).
        var path = _temp.File("v3.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = string.Join('\n', SqliteSchema.Migrations[..3]) + "\nPRAGMA user_version = 3;";
            cmd.ExecuteNonQuery();
            long a = SqliteStore.KeyHash("SKU-A"), b = SqliteStore.KeyHash("SKU-B"), comp = SqliteStore.KeyHash("comp-1");
            int usd = CurrencyCode.Usd.Value;
            cmd.CommandText =
                $$"""
                INSERT INTO keys (kind, hash, name) VALUES ({{SqliteStore.ProductKind}}, {{a}}, 'SKU-A'), ({{SqliteStore.ProductKind}}, {{b}}, 'SKU-B'), ({{SqliteStore.CompetitorKind}}, {{comp}}, 'comp-1');
                INSERT INTO signals (id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude, ack_by, ack_at, ack_note) VALUES
                  ({{SqliteStore.Sid(3)}}, 1000, 1, 2, {{a}}, {{comp}}, 10.5, 12, 0.1, 0.125, NULL, NULL, NULL),
                  ({{SqliteStore.Sid(2)}}, 1000, 2, 3, {{b}}, NULL, 9, 10, 0.05, 0.1, 'ana', 1500, 'seen'),
                  ({{SqliteStore.Sid(1)}}, 900, 1, 1, {{a}}, {{comp}}, 8, 9, 0.05, 0.11, NULL, NULL, NULL);
                INSERT INTO decisions (id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason) VALUES
                  ({{SqliteStore.Sid(3)}}, 2000, {{a}}, 1999000, 1899000, 1898000, {{usd}}, 1, 0, 1, 2, 0, NULL, NULL),
                  ({{SqliteStore.Sid(2)}}, 2000, {{b}}, 1999000, 2099000, 2099000, {{usd}}, 0, -1, 6, 0, 0, 'ana', 'launch');
                INSERT INTO counters (name, value) VALUES ('signals', 3), ('acknowledged', 1), ('decisions', 2);
                """;
            cmd.ExecuteNonQuery();
        }

        await using (var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = path }))
        {
            var signals = (await store.QuerySignalsAsync(new SignalQuery { Limit = 10 }, CancellationToken.None)).Items;
            Assert.Equal([3UL, 2UL, 1UL], signals.Select(s => s.Id));
            Assert.Equal(["SKU-A", "SKU-B", "SKU-A"], signals.Select(s => s.Product));
            Assert.Equal(("ana", "seen"), (signals[1].Acknowledgement!.By, signals[1].Acknowledgement!.Note));
            Assert.Null(signals[0].Acknowledgement);
            Assert.Equal(("comp-1", 10.5), (signals[0].Competitor, signals[0].Observed));
            Assert.Equal([3UL, 1UL], (await store.QuerySignalsAsync(new SignalQuery { Acknowledged = false, Limit = 10 }, CancellationToken.None)).Items.Select(s => s.Id));
            Assert.Equal([3UL, 1UL], (await store.QuerySignalsAsync(new SignalQuery { Product = "SKU-A", Limit = 10 }, CancellationToken.None)).Items.Select(s => s.Id));
            var decisions = (await store.QueryDecisionsAsync(new DecisionQuery { Limit = 10 }, CancellationToken.None)).Items;
            Assert.Equal([3UL, 2UL], decisions.Select(d => d.Id));
            Assert.Equal(("ana", "launch", DecisionTrigger.Manual), (decisions[1].DecidedBy, decisions[1].Reason, decisions[1].Trigger));
            Assert.Equal(189.9m, decisions[0].NewPrice);

            // Ids stay unique after the migration: replays store nothing, acknowledging goes by id.
            var keys = new MarketKeys();
            await store.WriteAsync(Batch(keys, [Signal(keys, 1, SignalKind.CompetitorPriceDrop, "SKU-A", "comp-1", 5000)], [Decision(keys, 3, "SKU-A", 6000)]), CancellationToken.None);
            await store.FlushAsync(CancellationToken.None);
            var stats = await store.GetStatisticsAsync(CancellationToken.None);
            Assert.Equal((3L, 2L), (stats.Signals, stats.Decisions));
            Assert.Equal(AcknowledgeOutcome.Acknowledged, (await store.AcknowledgeSignalAsync(3, new SignalAcknowledgement("bo", DateTimeOffset.FromUnixTimeMilliseconds(7000), null), CancellationToken.None)).Outcome);
            Assert.Equal([1UL], (await store.QuerySignalsAsync(new SignalQuery { Acknowledged = false, Product = "SKU-A", Limit = 10 }, CancellationToken.None)).Items.Select(s => s.Id));
        }

        Assert.Equal("ok", SqliteMarketStore.CheckIntegrity(path));
    }
}
