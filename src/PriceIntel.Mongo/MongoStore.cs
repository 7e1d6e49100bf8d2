using MongoDB.Bson;
using MongoDB.Driver;

namespace PriceIntel.Mongo;

/// <summary>
/// The MongoDB store over <see cref="BsonDocument"/> collections. Ids are stored sign-flipped as
/// Int64 (<see cref="Sid"/>) so that the server's order equals unsigned id order; money as Int64
/// ticks (1/10,000); times as Int64 Unix milliseconds. Writes are unordered bulk writes where a
/// duplicate key means "already stored" and is skipped; any other write error reaches the caller.
/// Bucket roll-ups follow the raw inserts in a second bulk write (no multi-document transaction),
/// so a crash between the two leaves buckets short of the raw observations of that one batch.
/// Minute buckets are not stored: they are rolled up from the raw observations when queried.
/// </summary>
internal sealed partial class MongoStore : IMarketStore
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };
    private static readonly BsonDocument NewestFirst = new() { { "t", -1 }, { "_id", -1 } };

    private readonly MongoClient _client;
    private readonly MongoStoreOptions _options;
    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<BsonDocument> _timeSeries;
    private readonly IMongoCollection<BsonDocument> _meta;
    private readonly IMongoCollection<BsonDocument> _signals;
    private readonly IMongoCollection<BsonDocument> _decisions;
    private readonly IMongoCollection<BsonDocument> _prices;
    private readonly IMongoCollection<BsonDocument> _buckets;
    private readonly IMongoCollection<BsonDocument> _ourPrices;
    private readonly IMongoCollection<BsonDocument> _products;
    private readonly IMongoCollection<BsonDocument> _experiments;

    public MongoStore(MongoClient client, IMongoDatabase database, string location, MongoStoreOptions options)
    {
        _client = client;
        _database = database;
        _options = options;
        _timeSeries = database.GetCollection<BsonDocument>(TimeSeriesName);
        _meta = database.GetCollection<BsonDocument>(MetaName);
        Location = location;
        _signals = database.GetCollection<BsonDocument>("signals");
        _decisions = database.GetCollection<BsonDocument>("decisions");
        _prices = database.GetCollection<BsonDocument>("competitor_prices");
        _buckets = database.GetCollection<BsonDocument>("price_buckets");
        _ourPrices = database.GetCollection<BsonDocument>("our_prices");
        _products = database.GetCollection<BsonDocument>("products");
        _experiments = database.GetCollection<BsonDocument>("experiment_results");
    }

    public string Location { get; }

    internal static long Sid(ulong id) => unchecked((long)(id ^ 0x8000_0000_0000_0000UL));

    internal static ulong Uid(long sid) => unchecked((ulong)sid ^ 0x8000_0000_0000_0000UL);

    public async Task EnsureIndexesAsync(CancellationToken cancellationToken)
    {
        static CreateIndexModel<BsonDocument> I(BsonDocument keys) => new(keys);
        await _signals.Indexes.CreateManyAsync(
            [
                I(new() { { "t", -1 }, { "_id", -1 } }),
                I(new() { { "p", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "c", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "kind", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "sev", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "ackAt", 1 }, { "t", -1 }, { "_id", -1 } }),
            ],
            cancellationToken).ConfigureAwait(false);
        await _decisions.Indexes.CreateManyAsync(
            [
                I(new() { { "t", -1 }, { "_id", -1 } }),
                I(new() { { "p", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "arm", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "trig", 1 }, { "t", -1 }, { "_id", -1 } }),
            ],
            cancellationToken).ConfigureAwait(false);
        await _prices.Indexes.CreateManyAsync(
            [I(new() { { "p", 1 }, { "t", -1 }, { "_id", -1 } }), I(new() { { "p", 1 }, { "c", 1 }, { "t", -1 }, { "_id", -1 } })],
            cancellationToken).ConfigureAwait(false);
        await _buckets.Indexes.CreateManyAsync(
            [I(new() { { "p", 1 }, { "size", 1 }, { "t", -1 }, { "_id", -1 } }), I(new() { { "p", 1 }, { "c", 1 }, { "size", 1 }, { "t", -1 }, { "_id", -1 } })],
            cancellationToken).ConfigureAwait(false);
        await _ourPrices.Indexes.CreateOneAsync(I(new() { { "p", 1 }, { "t", -1 }, { "_id", -1 } }), cancellationToken: cancellationToken).ConfigureAwait(false);
        await _products.Indexes.CreateOneAsync(I(new() { { "cat", 1 }, { "_id", 1 } }), cancellationToken: cancellationToken).ConfigureAwait(false);
        await _experiments.Indexes.CreateManyAsync(
            [
                I(new() { { "t", -1 }, { "_id", -1 } }),
                I(new() { { "exp", 1 }, { "arm", 1 }, { "t", -1 }, { "_id", -1 } }),
                I(new() { { "arm", 1 }, { "t", -1 }, { "_id", -1 } }),
            ],
            cancellationToken).ConfigureAwait(false);
        await EnsureDemandIndexesAsync(cancellationToken).ConfigureAwait(false);
        await _prices.Indexes.CreateOneAsync(PendingIndex(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await EnsureRetentionIndexesAsync(cancellationToken).ConfigureAwait(false);
        await PreparePriceHistoryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(batch.Keys);
        var keys = batch.Keys;
        var signals = new List<BsonDocument>(batch.Signals.Length);
        foreach (ref readonly var s in batch.Signals.Span)
        {
            signals.Add(new BsonDocument
            {
                { "_id", Sid(s.Id) }, { "t", s.Timestamp }, { "kind", (int)s.Kind }, { "sev", (int)s.Severity },
                { "p", keys.Products.GetName(s.ProductId) }, { "c", s.CompetitorId >= 0 ? keys.Competitors.GetName(s.CompetitorId) : BsonNull.Value },
                { "o", s.Observed }, { "r", s.Reference }, { "th", s.Threshold }, { "m", s.Magnitude }, { "ackAt", BsonNull.Value },
            });
        }

        var decisions = new List<BsonDocument>(batch.Decisions.Length);
        var ours = new List<BsonDocument>();
        foreach (ref readonly var d in batch.Decisions.Span)
        {
            var product = keys.Products.GetName(d.ProductId);
            decisions.Add(Decision(d.Id, d.Timestamp, product, d.OldPrice.Ticks, d.NewPrice.Ticks, d.TargetPrice.Ticks, d.Currency.ToString(), d.Strategy, d.Arm, d.Trigger, d.SetBy, d.Bounded, null, null));
            if (d.NewPrice != d.OldPrice)
            {
                ours.Add(OurPrice(d.Id, product, d.Timestamp, d.NewPrice.Ticks, d.Currency.ToString(), OurPriceSource.Decision));
            }
        }

        // Copied out above: the batch's memory is not touched after the first await.
        await InsertNewAsync(_signals, signals, cancellationToken).ConfigureAwait(false);
        await InsertNewAsync(_decisions, decisions, cancellationToken).ConfigureAwait(false);
        await InsertNewAsync(_ourPrices, ours, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    public async ValueTask<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        var open = await _signals.CountDocumentsAsync(new BsonDocument("ackAt", BsonNull.Value), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new StoreStatistics(
            await _products.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            await _prices.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            await _ourPrices.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            await _signals.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            open,
            await _decisions.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
            await _experiments.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            DemandEvents = await DemandEvents.EstimatedDocumentCountAsync(cancellationToken: cancellationToken).ConfigureAwait(false),
        };
    }

    public async ValueTask<int> AppendMarketEventsAsync(ReadOnlyMemory<MarketEvent> events, MarketKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var observations = new List<(BsonDocument Doc, string Product, string Competitor, long Time, long Price, string Currency)>();
        var ours = new List<BsonDocument>();
        foreach (ref readonly var e in events.Span)
        {
            if (!e.Price.IsValidPrice || (uint)e.ProductId >= (uint)keys.Products.Count)
            {
                continue;
            }

            var product = keys.Products.GetName(e.ProductId);
            if (e.Kind == MarketEventKind.CompetitorPrice && (uint)e.CompetitorId < (uint)keys.Competitors.Count)
            {
                string? platform = (uint)e.PlatformId < (uint)keys.Platforms.Count ? keys.Platforms.GetName(e.PlatformId) : null;
                var competitor = keys.Competitors.GetName(e.CompetitorId);
                observations.Add(Observation(product, competitor, platform, e.Timestamp, e.Price.Ticks, e.Currency.ToString(), e.Availability));
            }
            else if (e.Kind == MarketEventKind.ListPrice)
            {
                ours.Add(OurPrice(StoreIds.ListPrice(product, e.Timestamp), product, e.Timestamp, e.Price.Ticks, e.Currency.ToString(), OurPriceSource.ListPrice));
            }
        }

        var added = await AppendObservationsAsync(observations, cancellationToken).ConfigureAwait(false)
            + await InsertNewAsync(_ourPrices, ours, cancellationToken).ConfigureAwait(false);
        await ApplyRetentionIfDueAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async ValueTask<int> AppendCompetitorPricesAsync(IReadOnlyList<PriceObservation> observations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observations);
        foreach (var o in observations)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(observations));
            o.Validate();
        }

        var docs = observations.Select(o => Observation(o.Product, o.Competitor, o.Platform, o.Time.ToUnixTimeMilliseconds(), Money.FromDecimal(o.Price).Ticks, o.Currency.ToUpperInvariant(), o.Availability)).ToList();
        return await AppendObservationsAsync(docs, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> AppendOurPricesAsync(IReadOnlyList<OurPricePoint> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var p in points)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(points));
            p.Validate();
        }

        var docs = points.Select(p => OurPrice(p.Id, p.Product, p.Time.ToUnixTimeMilliseconds(), Money.FromDecimal(p.Price).Ticks, p.Currency.ToUpperInvariant(), p.Source)).ToList();
        return await InsertNewAsync(_ourPrices, docs, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<StorePage<PriceObservation>> QueryCompetitorPricesAsync(PriceHistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var ts = UsesTimeSeries;
        var filter = RawFilter(query.Product, query.Competitor, long.MinValue, long.MaxValue, ts);
        return HistoryAsync<PriceObservation>(ts ? _timeSeries : _prices, filter, query, ts ? ReadTimeSeriesObservation : ReadLedgerObservation, cancellationToken, dates: ts);
    }

    public ValueTask<StorePage<PriceBucket>> QueryPriceBucketsAsync(PriceBucketQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        if (query.Size == PriceBucketSize.Minute)
        {
            return QueryMinuteBucketsAsync(query, cancellationToken);
        }

        var filter = new BsonDocument { { "p", query.Product }, { "size", (int)query.Size } };
        if (query.Competitor is not null)
        {
            filter["c"] = query.Competitor;
        }

        return HistoryAsync(_buckets, filter, query, d => new PriceBucket(
            d["p"].AsString, d["c"].AsString, (PriceBucketSize)d["size"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64),
            new Money(d["o"].AsInt64).ToDecimal(), new Money(d["h"].AsInt64).ToDecimal(), new Money(d["l"].AsInt64).ToDecimal(), new Money(d["cl"].AsInt64).ToDecimal(),
            d["n"].ToInt64(), d["cur"].AsString), cancellationToken);
    }

    public ValueTask<StorePage<OurPricePoint>> QueryOurPricesAsync(OurPriceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        return HistoryAsync(_ourPrices, new BsonDocument("p", query.Product), query, ReadOurPrice, cancellationToken);
    }

    public ValueTask<StorePage<StoredSignal>> QuerySignalsAsync(SignalQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var filter = new BsonDocument();
        if (query.Product is not null)
        {
            filter["p"] = query.Product;
        }

        if (query.Competitor is not null)
        {
            filter["c"] = query.Competitor;
        }

        if (query.Kind is { } kind)
        {
            filter["kind"] = (int)kind;
        }

        if (query.MinSeverity is { } severity)
        {
            filter["sev"] = new BsonDocument("$gte", (int)severity);
        }

        if (query.Acknowledged is { } acknowledged)
        {
            filter["ackAt"] = acknowledged ? new BsonDocument("$ne", BsonNull.Value) : BsonNull.Value;
        }

        return HistoryAsync(_signals, filter, query, ReadSignal, cancellationToken);
    }

    public async ValueTask<StoredSignal?> GetSignalAsync(ulong id, CancellationToken cancellationToken)
    {
        var doc = await _signals.Find(new BsonDocument("_id", Sid(id))).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is null ? null : ReadSignal(doc);
    }

    public async ValueTask<AcknowledgeResult> AcknowledgeSignalAsync(ulong id, SignalAcknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        acknowledgement.Validate();
        var update = new BsonDocument("$set", new BsonDocument
        {
            { "ackAt", acknowledgement.At.ToUnixTimeMilliseconds() }, { "ackBy", acknowledgement.By }, { "ackNote", (BsonValue?)acknowledgement.Note ?? BsonNull.Value },
        });
        var updated = await _signals.FindOneAndUpdateAsync(
            new BsonDocument { { "_id", Sid(id) }, { "ackAt", BsonNull.Value } },
            update,
            new FindOneAndUpdateOptions<BsonDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken).ConfigureAwait(false);
        if (updated is not null)
        {
            return new AcknowledgeResult(AcknowledgeOutcome.Acknowledged, ReadSignal(updated));
        }

        var existing = await GetSignalAsync(id, cancellationToken).ConfigureAwait(false);
        return new AcknowledgeResult(existing is null ? AcknowledgeOutcome.NotFound : AcknowledgeOutcome.AlreadyAcknowledged, existing);
    }

    public ValueTask<StorePage<StoredDecision>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var filter = new BsonDocument();
        if (query.Product is not null)
        {
            filter["p"] = query.Product;
        }

        if (query.Arm is { } arm)
        {
            filter["arm"] = arm;
        }

        if (query.Trigger is { } trigger)
        {
            filter["trig"] = (int)trigger;
        }

        return HistoryAsync(_decisions, filter, query, ReadDecision, cancellationToken);
    }

    public async ValueTask<StoredDecision> RecordManualDecisionAsync(ManualPriceChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.Validate();
        var id = change.DecisionId;
        var existing = await _decisions.Find(new BsonDocument("_id", Sid(id))).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return ReadDecision(existing);
        }

        var time = change.Time.ToUnixTimeMilliseconds();
        var previous = await _ourPrices.Find(new BsonDocument { { "p", change.Product }, { "t", new BsonDocument("$lte", time) } }).Sort(NewestFirst).Limit(1).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        long oldTicks = previous?["price"].AsInt64 ?? 0;
        if (previous is null)
        {
            var product = await _products.Find(new BsonDocument("_id", change.Product)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            oldTicks = product is not null && !product["price"].IsBsonNull ? product["price"].AsInt64 : 0;
        }

        var newTicks = Money.FromDecimal(change.NewPrice).Ticks;
        var currency = change.Currency.ToUpperInvariant();
        await InsertNewAsync(_decisions, [Decision(id, time, change.Product, oldTicks, newTicks, newTicks, currency, PricingStrategyKind.Hold, -1, DecisionTrigger.Manual, PricingRules.None, PricingRules.None, change.DecidedBy, change.Reason)], cancellationToken).ConfigureAwait(false);
        await InsertNewAsync(_ourPrices, [OurPrice(id, change.Product, time, newTicks, currency, OurPriceSource.Manual)], cancellationToken).ConfigureAwait(false);
        await _products.UpdateOneAsync(
            new BsonDocument { { "_id", change.Product }, { "priceTime", new BsonDocument("$lte", time) } },
            new BsonDocument("$set", new BsonDocument { { "price", newTicks }, { "priceTime", time } }),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var stored = await _decisions.Find(new BsonDocument("_id", Sid(id))).FirstAsync(cancellationToken).ConfigureAwait(false);
        return ReadDecision(stored);
    }

    public async ValueTask UpsertProductsAsync(IReadOnlyList<CatalogProduct> products, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(products);
        foreach (var p in products)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(products));
            p.Validate();
        }

        if (products.Count == 0)
        {
            return;
        }

        static BsonValue Ticks(decimal? v) => v.HasValue ? Money.FromDecimal(v.Value).Ticks : BsonNull.Value;
        var models = products.Select(p => new UpdateOneModel<BsonDocument>(
            new BsonDocument("_id", p.Sku),
            new BsonDocument
            {
                {
                    "$set", new BsonDocument
                    {
                        { "name", p.Name }, { "cat", (BsonValue?)p.Category ?? BsonNull.Value }, { "cur", p.Currency.ToUpperInvariant() },
                        { "cost", Ticks(p.UnitCost) }, { "price", Ticks(p.CurrentPrice) }, { "map", Ticks(p.MapPrice) }, { "min", Ticks(p.MinPrice) },
                        { "max", Ticks(p.MaxPrice) }, { "stock", p.Stock.HasValue ? p.Stock.Value : BsonNull.Value }, { "urls", new BsonArray(p.WatchUrls) },
                        { "updated", p.Updated.ToUnixTimeMilliseconds() }, { "priceTime", p.Updated.ToUnixTimeMilliseconds() },
                    }
                },
                { "$setOnInsert", new BsonDocument("created", p.Created.ToUnixTimeMilliseconds()) },
            })
        { IsUpsert = true }).ToList();
        await _products.BulkWriteAsync(models, Unordered, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<CatalogProduct?> GetProductAsync(string sku, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sku);
        var doc = await _products.Find(new BsonDocument("_id", sku)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is null ? null : ReadProduct(doc);
    }

    public async ValueTask<StorePage<CatalogProduct>> QueryProductsAsync(ProductQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var filter = new BsonDocument();
        if (query.Category is not null)
        {
            filter["cat"] = query.Category;
        }

        if (StoreCursor.TryDecodeKey(query.Cursor, out var after))
        {
            filter["_id"] = new BsonDocument("$gt", after);
        }

        var docs = await _products.Find(filter).Sort(new BsonDocument("_id", 1)).Limit(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = docs.Select(ReadProduct).ToList();
        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = StoreCursor.EncodeKey(items[^1].Sku);
        }

        return new StorePage<CatalogProduct>(items, next);
    }

    public async ValueTask<bool> RemoveProductAsync(string sku, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sku);
        var result = await _products.DeleteOneAsync(new BsonDocument("_id", sku), cancellationToken).ConfigureAwait(false);
        return result.DeletedCount > 0;
    }

    public async ValueTask UpsertExperimentResultsAsync(IReadOnlyList<ExperimentArmResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(results));
            r.Validate();
        }

        if (results.Count == 0)
        {
            return;
        }

        var models = results.Select(r => new ReplaceOneModel<BsonDocument>(
            new BsonDocument("_id", Sid(r.Id)),
            new BsonDocument
            {
                { "_id", Sid(r.Id) }, { "t", r.PeriodStart.ToUnixTimeMilliseconds() }, { "exp", r.Experiment }, { "arm", r.Arm }, { "strategy", (int)r.Strategy },
                { "period", (long)r.Period.TotalMilliseconds }, { "products", r.Products }, { "decisions", r.Decisions }, { "views", r.Views },
                { "purchases", r.Purchases }, { "units", r.Units }, { "revenue", Money.FromDecimal(r.Revenue).Ticks }, { "profit", Money.FromDecimal(r.GrossProfit).Ticks },
                { "cur", r.Currency.ToUpperInvariant() },
            })
        { IsUpsert = true }).ToList();
        await _experiments.BulkWriteAsync(models, Unordered, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<StorePage<ExperimentArmResult>> QueryExperimentResultsAsync(ExperimentResultQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var filter = new BsonDocument();
        if (query.Experiment is not null)
        {
            filter["exp"] = query.Experiment;
        }

        if (query.Arm is { } arm)
        {
            filter["arm"] = arm;
        }

        return HistoryAsync(_experiments, filter, query, d => new ExperimentArmResult(
            d["exp"].AsString, d["arm"].AsInt32, (PricingStrategyKind)d["strategy"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64),
            TimeSpan.FromMilliseconds(d["period"].AsInt64), d["products"].ToInt64(), d["decisions"].ToInt64(), d["views"].ToInt64(), d["purchases"].ToInt64(),
            d["units"].ToInt64(), new Money(d["revenue"].AsInt64).ToDecimal(), new Money(d["profit"].AsInt64).ToDecimal(), d["cur"].AsString), cancellationToken);
    }

    internal static (BsonDocument Doc, string Product, string Competitor, long Time, long Price, string Currency) Observation(string product, string competitor, string? platform, long time, long price, string currency, Availability availability) =>
        (new BsonDocument
        {
            { "_id", Sid(StoreIds.Observation(product, competitor, platform, time)) }, { "p", product }, { "c", competitor },
            { "pl", (BsonValue?)platform ?? BsonNull.Value }, { "t", time }, { "price", price }, { "cur", currency }, { "av", (int)availability },
        }, product, competitor, time, price, currency);

    private static BsonDocument OurPrice(ulong id, string product, long time, long price, string currency, OurPriceSource source) => new()
    {
        { "_id", Sid(id) }, { "p", product }, { "t", time }, { "price", price }, { "cur", currency }, { "src", (int)source },
    };

    private static BsonDocument Decision(ulong id, long time, string product, long oldTicks, long newTicks, long target, string currency, PricingStrategyKind strategy, int arm, DecisionTrigger trigger, PricingRules setBy, PricingRules bounded, string? by, string? reason) => new()
    {
        { "_id", Sid(id) }, { "t", time }, { "p", product }, { "old", oldTicks }, { "new", newTicks }, { "target", target }, { "cur", currency },
        { "strategy", (int)strategy }, { "arm", arm }, { "trig", (int)trigger }, { "setBy", (int)setBy }, { "bounded", (int)bounded },
        { "by", (BsonValue?)by ?? BsonNull.Value }, { "reason", (BsonValue?)reason ?? BsonNull.Value },
    };

    /// <summary>Inserts the observations not stored yet, then rolls the new ones into their minute, hour and day buckets.</summary>
    private async Task<int> AppendObservationsAsync(List<(BsonDocument Doc, string Product, string Competitor, long Time, long Price, string Currency)> observations, CancellationToken cancellationToken)
    {
        var ts = UsesTimeSeries;
        if (ts)
        {
            var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var o in observations)
            {
                o.Doc["pending"] = stamp;
            }
        }

        var duplicates = await InsertAsync(_prices, observations.Select(o => o.Doc).ToList(), cancellationToken).ConfigureAwait(false);
        var buckets = new Dictionary<(string, string, PriceBucketSize, long), (long OpenTime, long Open, long High, long Low, long CloseTime, long Close, long Count, string Currency)>();
        for (int i = 0; i < observations.Count; i++)
        {
            if (duplicates.Contains(i))
            {
                continue;
            }

            var o = observations[i];
            // Minute buckets are not stored: they are rolled up from the raw observations when queried.
            foreach (var size in (ReadOnlySpan<PriceBucketSize>)[PriceBucketSize.Hour, PriceBucketSize.Day])
            {
                var key = (o.Product, o.Competitor, size, PriceBucket.StartOf(o.Time, size));
                if (buckets.TryGetValue(key, out var b))
                {
                    var open = o.Time < b.OpenTime || (o.Time == b.OpenTime && o.Price < b.Open);
                    var close = o.Time > b.CloseTime || (o.Time == b.CloseTime && o.Price > b.Close);
                    buckets[key] = (open ? o.Time : b.OpenTime, open ? o.Price : b.Open, Math.Max(b.High, o.Price), Math.Min(b.Low, o.Price), close ? o.Time : b.CloseTime, close ? o.Price : b.Close, b.Count + 1, close ? o.Currency : b.Currency);
                }
                else
                {
                    buckets[key] = (o.Time, o.Price, o.Price, o.Price, o.Time, o.Price, 1, o.Currency);
                }
            }
        }

        if (buckets.Count > 0)
        {
            var models = buckets.Select(kv => new UpdateOneModel<BsonDocument>(
                new BsonDocument("_id", Sid(StoreIds.Bucket(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4))),
                new PipelineUpdateDefinition<BsonDocument>(new BsonDocument[] { BucketMerge(kv.Key, kv.Value) }))
            { IsUpsert = true }).ToList();
            await _buckets.BulkWriteAsync(models, Unordered, cancellationToken).ConfigureAwait(false);
        }

        if (ts)
        {
            await MoveAcceptedAsync(observations.Where((_, i) => !duplicates.Contains(i)).Select(o => o.Doc).ToList(), cancellationToken).ConfigureAwait(false);
        }

        return observations.Count - duplicates.Count;
    }

    /// <summary>One <c>$set</c> stage merging a partial bucket into the stored one (every expression sees the stored values).</summary>
    internal static BsonDocument BucketMerge((string Product, string Competitor, PriceBucketSize Size, long Start) key, (long OpenTime, long Open, long High, long Low, long CloseTime, long Close, long Count, string Currency) b)
    {
        var missing = new BsonDocument("$eq", new BsonArray { new BsonDocument("$type", "$ot"), "missing" });
        var earlier = new BsonDocument("$or", new BsonArray
        {
            missing,
            new BsonDocument("$lt", new BsonArray { b.OpenTime, "$ot" }),
            new BsonDocument("$and", new BsonArray { new BsonDocument("$eq", new BsonArray { b.OpenTime, "$ot" }), new BsonDocument("$lt", new BsonArray { b.Open, "$o" }) }),
        });
        var later = new BsonDocument("$or", new BsonArray
        {
            missing,
            new BsonDocument("$gt", new BsonArray { b.CloseTime, "$ct" }),
            new BsonDocument("$and", new BsonArray { new BsonDocument("$eq", new BsonArray { b.CloseTime, "$ct" }), new BsonDocument("$gt", new BsonArray { b.Close, "$cl" }) }),
        });
        return new BsonDocument("$set", new BsonDocument
        {
            { "p", key.Product }, { "c", key.Competitor }, { "size", (int)key.Size }, { "t", key.Start },
            { "o", new BsonDocument("$cond", new BsonArray { earlier, b.Open, "$o" }) },
            { "ot", new BsonDocument("$cond", new BsonArray { earlier, b.OpenTime, "$ot" }) },
            { "cl", new BsonDocument("$cond", new BsonArray { later, b.Close, "$cl" }) },
            { "cur", new BsonDocument("$cond", new BsonArray { later, b.Currency, "$cur" }) },
            { "ct", new BsonDocument("$cond", new BsonArray { later, b.CloseTime, "$ct" }) },
            { "h", new BsonDocument("$max", new BsonArray { "$h", b.High }) },
            { "l", new BsonDocument("$min", new BsonArray { "$l", b.Low }) },
            { "n", new BsonDocument("$add", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$n", 0L }), b.Count }) },
        });
    }

    private static async Task<int> InsertNewAsync(IMongoCollection<BsonDocument> collection, List<BsonDocument> docs, CancellationToken cancellationToken) =>
        docs.Count - (await InsertAsync(collection, docs, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>Unordered bulk insert; returns the indexes that were already stored (duplicate <c>_id</c>). Any other error is thrown.</summary>
    private static async Task<HashSet<int>> InsertAsync(IMongoCollection<BsonDocument> collection, List<BsonDocument> docs, CancellationToken cancellationToken)
    {
        if (docs.Count == 0)
        {
            return [];
        }

        try
        {
            await collection.BulkWriteAsync(docs.Select(d => new InsertOneModel<BsonDocument>(d)), Unordered, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (MongoBulkWriteException<BsonDocument> ex) when (ex.WriteConcernError is null && ex.WriteErrors.All(e => e.Category == ServerErrorCategory.DuplicateKey))
        {
            return ex.WriteErrors.Select(e => e.Index).ToHashSet();
        }
    }

    private static async ValueTask<StorePage<T>> HistoryAsync<T>(IMongoCollection<BsonDocument> collection, BsonDocument filter, HistoryQuery query, Func<BsonDocument, T> read, CancellationToken cancellationToken, bool dates = false)
    {
        var docs = await collection.Find(HistoryFilter(filter, query, dates)).Sort(NewestFirst).Limit(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        string? next = null;
        if (docs.Count > query.Limit)
        {
            docs.RemoveAt(docs.Count - 1);
            next = StoreCursor.Encode(Millis(docs[^1]["t"]), Uid(docs[^1]["_id"].AsInt64));
        }

        return new StorePage<T>(docs.Select(read).ToList(), next);
    }

    /// <summary>The filter of one history page: <paramref name="filter"/>, the query's time range and the keyset cursor (time, then <c>_id</c>, both descending); times as BSON dates when <paramref name="dates"/>.</summary>
    internal static BsonDocument HistoryFilter(BsonDocument filter, HistoryQuery query, bool dates)
    {
        var (from, to, after) = query.Bounds();
        var clauses = new BsonArray { filter };
        var range = new BsonDocument();
        if (from != long.MinValue)
        {
            range["$gte"] = Time(from, dates);
        }

        if (to != long.MaxValue)
        {
            range["$lt"] = Time(to, dates);
        }

        if (range.ElementCount > 0)
        {
            clauses.Add(new BsonDocument("t", range));
        }

        if (after is { } cursor)
        {
            clauses.Add(new BsonDocument("$or", new BsonArray
            {
                new BsonDocument("t", new BsonDocument("$lt", Time(cursor.Time, dates))),
                new BsonDocument { { "t", Time(cursor.Time, dates) }, { "_id", new BsonDocument("$lt", Sid(cursor.Id)) } },
            }));
        }

        return new BsonDocument("$and", clauses);
    }

    private static PriceObservation ReadLedgerObservation(BsonDocument d) => new(
        d["p"].AsString, d["c"].AsString, d["pl"].IsBsonNull ? null : d["pl"].AsString, new Money(d["price"].AsInt64).ToDecimal(),
        d["cur"].AsString, (Availability)d["av"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64));

    internal static PriceObservation ReadTimeSeriesObservation(BsonDocument d)
    {
        var m = d["m"].AsBsonDocument;
        return new PriceObservation(
            m["p"].AsString, m["c"].AsString, m["pl"].IsBsonNull ? null : m["pl"].AsString, new Money(d["price"].AsInt64).ToDecimal(),
            d["cur"].AsString, (Availability)d["av"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(Millis(d["t"])));
    }

    private static StoredSignal ReadSignal(BsonDocument d) => new(
        Uid(d["_id"].AsInt64), (SignalKind)d["kind"].AsInt32, (SignalSeverity)d["sev"].AsInt32, d["p"].AsString, d["c"].IsBsonNull ? null : d["c"].AsString,
        d["o"].AsDouble, d["r"].AsDouble, d["th"].AsDouble, d["m"].AsDouble, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64),
        d["ackAt"].IsBsonNull ? null : new SignalAcknowledgement(d["ackBy"].AsString, DateTimeOffset.FromUnixTimeMilliseconds(d["ackAt"].AsInt64), d["ackNote"].IsBsonNull ? null : d["ackNote"].AsString));

    private static StoredDecision ReadDecision(BsonDocument d) => new(
        Uid(d["_id"].AsInt64), d["p"].AsString, new Money(d["old"].AsInt64).ToDecimal(), new Money(d["new"].AsInt64).ToDecimal(), new Money(d["target"].AsInt64).ToDecimal(),
        d["cur"].AsString, (PricingStrategyKind)d["strategy"].AsInt32, d["arm"].AsInt32, (DecisionTrigger)d["trig"].AsInt32, (PricingRules)d["setBy"].AsInt32,
        (PricingRules)d["bounded"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64), d["by"].IsBsonNull ? null : d["by"].AsString, d["reason"].IsBsonNull ? null : d["reason"].AsString);

    private static OurPricePoint ReadOurPrice(BsonDocument d) => new(
        Uid(d["_id"].AsInt64), d["p"].AsString, new Money(d["price"].AsInt64).ToDecimal(), d["cur"].AsString, (OurPriceSource)d["src"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(d["t"].AsInt64));

    private static CatalogProduct ReadProduct(BsonDocument d)
    {
        decimal? Amount(string name) => d[name].IsBsonNull ? null : new Money(d[name].AsInt64).ToDecimal();
        return new CatalogProduct(
            d["_id"].AsString, d["name"].AsString, d["cat"].IsBsonNull ? null : d["cat"].AsString, d["cur"].AsString, Amount("cost"), Amount("price"), Amount("map"),
            Amount("min"), Amount("max"), d["stock"].IsBsonNull ? null : d["stock"].AsInt32, d["urls"].AsBsonArray.Select(u => u.AsString).ToArray(),
            DateTimeOffset.FromUnixTimeMilliseconds(d["created"].AsInt64), DateTimeOffset.FromUnixTimeMilliseconds(d["updated"].AsInt64));
    }
}
