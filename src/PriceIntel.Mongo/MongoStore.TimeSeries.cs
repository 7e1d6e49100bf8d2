using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;

namespace PriceIntel.Mongo;

/// <summary>
/// Competitor price history as a time-series collection (<see cref="MongoPriceHistoryLayout.TimeSeries"/>).
/// A time-series collection has no unique index, so the regular <c>competitor_prices</c> collection stays the
/// dedupe ledger: an observation is inserted there first (deterministic <c>_id</c>, duplicate key = stored,
/// <c>pending</c> = the insert's wall-clock time), only the ones it accepted are inserted into
/// <c>competitor_prices_ts</c> with the same <c>_id</c>, and then <c>pending</c> is removed. A ledger document
/// still pending may or may not be in the time-series collection: the repair deletes it there by <c>_id</c>
/// (MongoDB 7.0+), inserts it again and clears the flag, so each observation ends up there exactly once.
/// The repair runs on open for documents pending longer than <see cref="RepairGrace"/> (a writer in
/// another process may still be moving younger ones), and for this process's own failed moves before its
/// next append.
/// </summary>
internal sealed partial class MongoStore
{
    /// <summary>The time-series collection's name.</summary>
    internal const string TimeSeriesName = "competitor_prices_ts";

    /// <summary>The collection of the store's own small documents (layout in use, demand floor).</summary>
    internal const string MetaName = "store_meta";

    /// <summary>The meta document recording the price-history layout the ledger is complete for.</summary>
    internal const string LayoutDocument = "priceHistory";

    /// <summary>How long a ledger document may stay pending before the repair on open takes it over from its writer.</summary>
    internal static readonly TimeSpan RepairGrace = TimeSpan.FromMinutes(5);

    private const int RepairBatch = 1_000;

    /// <summary>Ledger ids this process accepted but failed to copy into the time-series collection.</summary>
    private readonly ConcurrentDictionary<long, byte> _unmoved = new();

    private bool UsesTimeSeries => _options.PriceHistory == MongoPriceHistoryLayout.TimeSeries;

    /// <summary>The options the time-series collection is created with: time field <c>t</c>, meta field <c>m</c>, the configured granularity.</summary>
    internal static TimeSeriesOptions TimeSeriesCollectionOptions(TimeSeriesGranularity granularity) => new("t", "m", granularity);

    /// <summary>The indexes of the time-series collection: product (and competitor) then time, newest first.</summary>
    internal static IReadOnlyList<BsonDocument> TimeSeriesIndexKeys() =>
        [new() { { "m.p", 1 }, { "t", -1 } }, new() { { "m.p", 1 }, { "m.c", 1 }, { "t", -1 } }];

    /// <summary>The ledger's index of pending documents (partial: only documents that have the flag).</summary>
    internal static CreateIndexModel<BsonDocument> PendingIndex() => new(
        new BsonDocument("pending", 1),
        new CreateIndexOptions<BsonDocument> { Name = "pending_partial", PartialFilterExpression = new BsonDocument("pending", new BsonDocument("$exists", true)) });

    /// <summary>The time-series document of a ledger document: same <c>_id</c>, <c>t</c> as a BSON date, <c>m</c> = {p, c, pl}.</summary>
    internal static BsonDocument TimeSeriesDocument(BsonDocument ledger) => new()
    {
        { "_id", ledger["_id"] },
        { "t", new BsonDateTime(ledger["t"].AsInt64) },
        { "m", new BsonDocument { { "p", ledger["p"] }, { "c", ledger["c"] }, { "pl", ledger["pl"] } } },
        { "price", ledger["price"] },
        { "cur", ledger["cur"] },
        { "av", ledger["av"] },
    };

    /// <summary>
    /// Refuses a server older than 7.0 for the time-series layout (deleting from a time-series collection by
    /// <c>_id</c>, which the repair needs, arrived in 7.0), naming the setting that keeps the regular collection.
    /// </summary>
    /// <param name="buildInfo">The server's <c>buildInfo</c> reply.</param>
    /// <param name="location">The servers, for the message.</param>
    /// <exception cref="MarketStoreException">The server is older than 7.0 or did not say its version.</exception>
    internal static void RequireTimeSeriesServer(BsonDocument buildInfo, string location)
    {
        var version = buildInfo.TryGetValue("version", out var v) && v.IsString ? v.AsString : "unknown";
        int major = -1;
        if (buildInfo.TryGetValue("versionArray", out var array) && array.IsBsonArray && array.AsBsonArray.Count > 0 && array[0].IsNumeric)
        {
            major = array[0].ToInt32();
        }
        else if (version.Split('.')[0] is var first && int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            major = parsed;
        }

        if (major < 7)
        {
            throw new MarketStoreException(
                location,
                $"database.mongodb.priceHistory = timeSeries needs MongoDB 7.0 or newer; the server at {location} is {version}. Set database:mongodb:priceHistory to regular to keep competitor prices in a regular collection.");
        }
    }

    /// <summary>Whether the collection described by <paramref name="info"/> (a <c>listCollections</c> entry, null when absent) is a usable time-series collection.</summary>
    /// <returns>True when it exists; false when it must be created.</returns>
    /// <exception cref="MarketStoreException">A collection of that name exists but is not a time-series collection.</exception>
    internal static bool CheckTimeSeriesCollection(BsonDocument? info, string location)
    {
        if (info is null)
        {
            return false;
        }

        var type = info.TryGetValue("type", out var t) && t.IsString ? t.AsString : "collection";
        return type == "timeseries"
            ? true
            : throw new MarketStoreException(
                location,
                $"collection {TimeSeriesName} at {location} exists but is a {type}, not a time-series collection; rename or drop it, or set database:mongodb:priceHistory to regular.");
    }

    /// <summary>
    /// On open: checks the server, creates the time-series collection and its indexes when missing, and when
    /// the ledger was last written without it (new collection, or a <see cref="MongoPriceHistoryLayout.Regular"/>
    /// store before) marks every ledger document pending so the repair copies it; then repairs. For the regular
    /// layout, records that the ledger alone is complete.
    /// </summary>
    private async Task PreparePriceHistoryAsync(CancellationToken cancellationToken)
    {
        var layout = await _meta.Find(new BsonDocument("_id", LayoutDocument)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var recorded = layout is not null && layout.TryGetValue("layout", out var l) && l.IsString ? l.AsString : null;
        if (layout is null || !layout.Contains("minuteFromRaw"))
        {
            // Minute buckets stored by earlier versions: queries now roll them up from raw observations.
            await _buckets.DeleteManyAsync(new BsonDocument("size", (int)PriceBucketSize.Minute), cancellationToken).ConfigureAwait(false);
            await _meta.UpdateOneAsync(new BsonDocument("_id", LayoutDocument), new BsonDocument("$set", new BsonDocument("minuteFromRaw", true)), new UpdateOptions { IsUpsert = true }, cancellationToken).ConfigureAwait(false);
        }

        if (!UsesTimeSeries)
        {
            if (recorded != "regular")
            {
                await SetLayoutAsync("regular", cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var buildInfo = await _database.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
        RequireTimeSeriesServer(buildInfo, Location);
        var exists = await TimeSeriesExistsAsync(cancellationToken).ConfigureAwait(false);
        if (!exists || recorded != "timeSeries")
        {
            // Marked before the collection is created and the layout recorded: a crash in between repeats this.
            await _prices.UpdateManyAsync(
                new BsonDocument("pending", new BsonDocument("$exists", false)),
                new BsonDocument("$set", new BsonDocument("pending", 0L)),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!exists)
            {
                try
                {
                    await _database.CreateCollectionAsync(TimeSeriesName, new CreateCollectionOptions { TimeSeriesOptions = TimeSeriesCollectionOptions(_options.Granularity) }, cancellationToken).ConfigureAwait(false);
                }
                catch (MongoCommandException ex) when (ex.Code == 48)
                {
                    // NamespaceExists: another process created it meanwhile; it must still be a time-series collection.
                    _ = await TimeSeriesExistsAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await SetLayoutAsync("timeSeries", cancellationToken).ConfigureAwait(false);
        }

        await _timeSeries.Indexes.CreateManyAsync(TimeSeriesIndexKeys().Select(k => new CreateIndexModel<BsonDocument>(k)), cancellationToken).ConfigureAwait(false);
        await RepairPendingAsync(DateTimeOffset.UtcNow.Add(-RepairGrace).ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> TimeSeriesExistsAsync(CancellationToken cancellationToken)
    {
        using var cursor = await _database.ListCollectionsAsync(new ListCollectionsOptions { Filter = new BsonDocument("name", TimeSeriesName) }, cancellationToken).ConfigureAwait(false);
        var info = await cursor.FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return CheckTimeSeriesCollection(info, Location);
    }

    private Task<UpdateResult> SetLayoutAsync(string layout, CancellationToken cancellationToken) =>
        _meta.UpdateOneAsync(
            new BsonDocument("_id", LayoutDocument),
            new BsonDocument("$set", new BsonDocument("layout", layout)),
            new UpdateOptions { IsUpsert = true },
            cancellationToken);

    /// <summary>Copies every ledger document pending since before <paramref name="stampedBefore"/> (Unix ms) into the time-series collection, once.</summary>
    /// <returns>How many were copied.</returns>
    internal async Task<long> RepairPendingAsync(long stampedBefore, CancellationToken cancellationToken)
    {
        long moved = 0;
        var filter = new BsonDocument("pending", new BsonDocument { { "$exists", true }, { "$lt", stampedBefore } });
        while (true)
        {
            var docs = await _prices.Find(filter).Limit(RepairBatch).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (docs.Count == 0)
            {
                return moved;
            }

            await MoveAsync(docs, deleteFirst: true, cancellationToken).ConfigureAwait(false);
            moved += docs.Count;
        }
    }

    /// <summary>
    /// After the ledger accepted <paramref name="accepted"/>: first retries this process's earlier failed moves,
    /// then copies these. On failure their ids are remembered (and repaired before the next append) and the
    /// error says they are stored but not yet readable.
    /// </summary>
    private async Task MoveAcceptedAsync(List<BsonDocument> accepted, CancellationToken cancellationToken)
    {
        if (!_unmoved.IsEmpty)
        {
            var ids = new BsonArray(_unmoved.Keys.Take(RepairBatch).Select(id => (BsonValue)id));
            try
            {
                var docs = await _prices.Find(new BsonDocument { { "_id", new BsonDocument("$in", ids) }, { "pending", new BsonDocument("$exists", true) } }).ToListAsync(cancellationToken).ConfigureAwait(false);
                await MoveAsync(docs, deleteFirst: true, cancellationToken).ConfigureAwait(false);
                foreach (var id in ids)
                {
                    _unmoved.TryRemove(id.AsInt64, out _);
                }
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
            {
                Remember(accepted);
                if (ex is OperationCanceledException)
                {
                    throw;
                }

                throw Unmoved(accepted.Count, ex);
            }
        }

        if (accepted.Count == 0)
        {
            return;
        }

        try
        {
            await MoveAsync(accepted, deleteFirst: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            Remember(accepted);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw Unmoved(accepted.Count, ex);
        }
    }

    private void Remember(List<BsonDocument> accepted)
    {
        foreach (var d in accepted)
        {
            _unmoved.TryAdd(d["_id"].AsInt64, 0);
        }
    }

    private MarketStoreException Unmoved(int count, Exception ex) => new(
        Location,
        $"MongoDB at {Location}: {count} competitor prices are stored in competitor_prices but not yet in {TimeSeriesName} (retried before the next append and on open): {ex.Message}",
        ex);

    /// <summary>Inserts the ledger documents into the time-series collection (after deleting them there by <c>_id</c> when they may be present) and clears their flag.</summary>
    private async Task MoveAsync(List<BsonDocument> ledger, bool deleteFirst, CancellationToken cancellationToken)
    {
        if (ledger.Count == 0)
        {
            return;
        }

        var ids = new BsonDocument("_id", new BsonDocument("$in", new BsonArray(ledger.Select(d => d["_id"]))));
        if (deleteFirst)
        {
            await _timeSeries.DeleteManyAsync(ids, cancellationToken).ConfigureAwait(false);
        }

        await _timeSeries.InsertManyAsync(ledger.Select(TimeSeriesDocument), new InsertManyOptions { IsOrdered = false }, cancellationToken).ConfigureAwait(false);
        await _prices.UpdateManyAsync(ids, new BsonDocument("$unset", new BsonDocument("pending", string.Empty)), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one page of minute buckets, rolled up from the raw observations (time-series or ledger) newest first; reading stops once the page is full.</summary>
    private async ValueTask<StorePage<PriceBucket>> QueryMinuteBucketsAsync(PriceBucketQuery query, CancellationToken cancellationToken)
    {
        var page = new MinuteBucketPage(query.Product, query);
        var filter = RawFilter(query.Product, query.Competitor, page.FromTime, page.ToTime, UsesTimeSeries);
        var collection = UsesTimeSeries ? _timeSeries : _prices;
        var find = collection.Find(filter, new FindOptions { BatchSize = 1_000 }).Sort(new BsonDocument("t", -1));
        using var cursor = await find.ToCursorAsync(cancellationToken).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var d in cursor.Current)
            {
                var competitor = UsesTimeSeries ? d["m"]["c"].AsString : d["c"].AsString;
                if (!page.Add(competitor, Millis(d["t"]), d["price"].AsInt64, d["cur"].AsString))
                {
                    return page.Finish();
                }
            }
        }

        return page.Finish();
    }

    /// <summary>The filter of raw observations of a product (and competitor) with time in [<paramref name="from"/>, <paramref name="to"/>); bounds at the extremes are left out.</summary>
    internal static BsonDocument RawFilter(string product, string? competitor, long from, long to, bool timeSeries)
    {
        var filter = new BsonDocument(timeSeries ? "m.p" : "p", product);
        if (competitor is not null)
        {
            filter[timeSeries ? "m.c" : "c"] = competitor;
        }

        var range = new BsonDocument();
        if (from != long.MinValue)
        {
            range["$gte"] = Time(from, timeSeries);
        }

        if (to != long.MaxValue)
        {
            range["$lt"] = Time(to, timeSeries);
        }

        if (range.ElementCount > 0)
        {
            filter["t"] = range;
        }

        return filter;
    }

    /// <summary>A time as stored: a BSON date in the time-series collection, Int64 Unix milliseconds elsewhere.</summary>
    internal static BsonValue Time(long unixMilliseconds, bool date) => date ? new BsonDateTime(unixMilliseconds) : (BsonValue)unixMilliseconds;

    /// <summary>A stored time back as Unix milliseconds (either form).</summary>
    internal static long Millis(BsonValue value) => value.IsBsonDateTime ? value.AsBsonDateTime.MillisecondsSinceEpoch : value.AsInt64;
}
