using MongoDB.Bson;
using MongoDB.Driver;
using PriceIntel.Shared;

namespace PriceIntel.Mongo;

/// <summary>
/// Demand history: <c>demand_events</c> holds one small document per stored demand, inventory or cost
/// event (its deterministic id as <c>_id</c>, time and product), inserted with an unordered bulk write
/// where a duplicate key means "already stored"; the new ones are then rolled into
/// <c>demand_buckets</c> (hour and day, <c>_id</c> from <see cref="StoreIds.DemandBucket"/>) by one
/// unordered bulk of upserts whose pipeline adds the counts and keeps the latest stock, cost and
/// currency. As for price buckets, a crash between the two writes leaves that one batch's buckets short.
/// Events older than the demand floor that retention raises are refused (MongoStore.Retention.cs).
/// </summary>
internal sealed partial class MongoStore
{
    private IMongoCollection<BsonDocument>? _demandEvents;
    private IMongoCollection<BsonDocument>? _demandBuckets;

    private IMongoCollection<BsonDocument> DemandEvents => _demandEvents ??= _signals.Database.GetCollection<BsonDocument>("demand_events");

    private IMongoCollection<BsonDocument> DemandBuckets => _demandBuckets ??= _signals.Database.GetCollection<BsonDocument>("demand_buckets");

    public async ValueTask<int> AppendDemandEventsAsync(ReadOnlyMemory<MarketEvent> events, ReadOnlyMemory<ulong> ids, MarketKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (ids.Length < events.Length)
        {
            throw new ArgumentException($"ids holds {ids.Length} entries for {events.Length} events.", nameof(ids));
        }

        var docs = new List<BsonDocument>();
        var accepted = new List<MarketEvent>();
        var floor = await DemandFloorAsync(cancellationToken).ConfigureAwait(false);
        var span = events.Span;
        var idSpan = ids.Span;
        for (int i = 0; i < span.Length; i++)
        {
            ref readonly var e = ref span[i];
            if (!DemandEventIdAssigner.IsDemandHistoryEvent(in e) || (uint)e.ProductId >= (uint)keys.Products.Count || e.Timestamp < floor)
            {
                continue;
            }

            docs.Add(new BsonDocument { { "_id", Sid(idSpan[i]) }, { "t", e.Timestamp }, { "p", keys.Products.GetName(e.ProductId) } });
            accepted.Add(e);
        }

        // Copied out above: the caller's memory is not touched after the first await.
        var duplicates = await InsertAsync(DemandEvents, docs, cancellationToken).ConfigureAwait(false);
        var buckets = new Dictionary<(string Product, DemandBucketSize Size, long Start), DemandTally>();
        for (int i = 0; i < accepted.Count; i++)
        {
            if (duplicates.Contains(i))
            {
                continue;
            }

            var e = accepted[i];
            var product = docs[i]["p"].AsString;
            foreach (var size in (ReadOnlySpan<DemandBucketSize>)[DemandBucketSize.Hour, DemandBucketSize.Day])
            {
                var key = (product, size, DemandBucket.StartOf(e.Timestamp, size));
                if (!buckets.TryGetValue(key, out var tally))
                {
                    tally = new DemandTally();
                    buckets[key] = tally;
                }

                tally.Add(in e);
            }
        }

        if (buckets.Count > 0)
        {
            var models = buckets.Select(kv => new UpdateOneModel<BsonDocument>(
                new BsonDocument("_id", Sid(StoreIds.DemandBucket(kv.Key.Product, kv.Key.Size, kv.Key.Start))),
                new PipelineUpdateDefinition<BsonDocument>(new BsonDocument[] { DemandMerge(kv.Key, kv.Value) }))
            { IsUpsert = true }).ToList();
            await DemandBuckets.BulkWriteAsync(models, Unordered, cancellationToken).ConfigureAwait(false);
        }

        await ApplyRetentionIfDueAsync(cancellationToken).ConfigureAwait(false);
        return accepted.Count - duplicates.Count;
    }

    public ValueTask<StorePage<DemandBucket>> QueryDemandAsync(DemandQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var filter = new BsonDocument { { "p", query.Product }, { "size", (int)query.Size } };
        return HistoryAsync(DemandBuckets, filter, query, d => new DemandBucket(
            d["p"].AsString,
            (DemandBucketSize)d["size"].AsInt32,
            DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64),
            d["views"].ToInt64(),
            d["carts"].ToInt64(),
            d["purchases"].ToInt64(),
            d["units"].ToInt64(),
            new Money(d["revenue"].ToInt64()).ToDecimal(),
            new Money(d["vps"].ToInt64()).ToDecimal(),
            d["pv"].ToInt64(),
            d.TryGetValue("cur", out var cur) && !cur.IsBsonNull ? CurrencyCode.FromValue((ushort)cur.ToInt32()).ToString() : null,
            d.TryGetValue("stock", out var stock) && !stock.IsBsonNull ? stock.ToInt64() : null,
            d.TryGetValue("cost", out var cost) && !cost.IsBsonNull ? new Money(cost.ToInt64()).ToDecimal() : null), cancellationToken);
    }

    public async ValueTask<IReadOnlyList<string>> GetDemandProductsAsync(CancellationToken cancellationToken)
    {
        using var cursor = await DemandBuckets.DistinctAsync<string>("p", new BsonDocument("size", (int)DemandBucketSize.Day), cancellationToken: cancellationToken).ConfigureAwait(false);
        var products = await cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
        products.Sort(StringComparer.Ordinal);
        return products;
    }

    private async Task EnsureDemandIndexesAsync(CancellationToken cancellationToken)
    {
        await DemandBuckets.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "p", 1 }, { "size", 1 }, { "t", -1 }, { "_id", -1 } }),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await DemandEvents.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("t", 1)),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One <c>$set</c> stage merging a partial bucket into the stored one (every expression sees the stored values; a missing field compares lowest).</summary>
    private static BsonDocument DemandMerge((string Product, DemandBucketSize Size, long Start) key, DemandTally b)
    {
        static BsonDocument Sum(string field, long value) =>
            new("$add", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$" + field, 0L }), value });

        var set = new BsonDocument
        {
            { "p", key.Product }, { "size", (int)key.Size }, { "t", key.Start },
            { "views", Sum("views", b.Views) }, { "carts", Sum("carts", b.AddToCarts) }, { "purchases", Sum("purchases", b.Purchases) },
            { "units", Sum("units", b.Units) }, { "revenue", Sum("revenue", b.Revenue) }, { "vps", Sum("vps", b.ViewPriceSum) }, { "pv", Sum("pv", b.PricedViews) },
        };
        Latest(set, "cur", "curT", b.CurrencyTime, b.Currency);
        Latest(set, "stock", "stockT", b.StockTime, b.Stock);
        Latest(set, "cost", "costT", b.CostTime, b.UnitCost);
        return new BsonDocument("$set", set);

        static void Latest(BsonDocument set, string field, string timeField, long time, long value)
        {
            if (time == long.MinValue)
            {
                return;
            }

            var newer = new BsonDocument("$or", new BsonArray
            {
                new BsonDocument("$gt", new BsonArray { time, "$" + timeField }),
                new BsonDocument("$and", new BsonArray
                {
                    new BsonDocument("$eq", new BsonArray { time, "$" + timeField }),
                    new BsonDocument("$gt", new BsonArray { value, "$" + field }),
                }),
            });
            set[field] = new BsonDocument("$cond", new BsonArray { newer, value, "$" + field });
            set[timeField] = new BsonDocument("$cond", new BsonArray { newer, time, "$" + timeField });
        }
    }
}
