using MongoDB.Bson;
using MongoDB.Driver;

namespace PriceIntel.Mongo;

/// <summary>
/// Retention (<see cref="MongoStoreOptions.Retention"/>), as the SQLite store applies it: at most once a minute
/// from the appends, periods measured back from the newest stored observation (raw prices, hour and day price
/// buckets, signals and decisions) or the newest stored demand event (demand events, hour demand buckets, day
/// demand buckets by <see cref="StoreRetention.DayBuckets"/>). Minute buckets are rolled up from raw
/// observations, so they follow <see cref="StoreRetention.CompetitorPrices"/>. Before old demand event ids
/// are deleted, the demand floor (<c>store_meta</c> <c>demandFloor</c>) is raised to the cutoff; appends refuse
/// events older than the floor, so a replay of old events is never counted twice.
/// </summary>
internal sealed partial class MongoStore
{
    /// <summary>The meta document holding the demand floor (Unix ms; events before it are refused).</summary>
    internal const string DemandFloorDocument = "demandFloor";

    private long _lastRetentionTicks = Environment.TickCount64;

    private bool RetainsPrices => _options.Retention is { } r && (r.CompetitorPrices is not null || r.HourBuckets is not null || r.DayBuckets is not null || r.Outputs is not null);

    private bool RetainsDemand => _options.Retention is { } r && (r.DemandEvents is not null || r.DemandHourBuckets is not null || r.DayBuckets is not null);

    /// <summary>The delete filter of everything in a collection older than <paramref name="cutoff"/>, optionally of one bucket size.</summary>
    internal static BsonDocument OlderThan(long cutoff, int? size = null, bool dates = false)
    {
        var filter = new BsonDocument();
        if (size is { } s)
        {
            filter["size"] = s;
        }

        filter["t"] = new BsonDocument("$lt", Time(cutoff, dates));
        return filter;
    }

    /// <summary>The update that raises the demand floor to <paramref name="cutoff"/> (never lowers it).</summary>
    internal static BsonDocument RaiseFloor(long cutoff) => new("$max", new BsonDocument("value", cutoff));

    /// <summary>Indexes the retention deletes use (only when retention is configured: they cost every write).</summary>
    private async Task EnsureRetentionIndexesAsync(CancellationToken cancellationToken)
    {
        if (RetainsPrices)
        {
            await _prices.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("t", -1)), cancellationToken: cancellationToken).ConfigureAwait(false);
            await _buckets.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument { { "size", 1 }, { "t", 1 } }), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (RetainsDemand)
        {
            await DemandBuckets.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument { { "size", 1 }, { "t", 1 } }), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ApplyRetentionIfDueAsync(CancellationToken cancellationToken)
    {
        if (!RetainsPrices && !RetainsDemand)
        {
            return;
        }

        if (Environment.TickCount64 - Interlocked.Read(ref _lastRetentionTicks) < 60_000)
        {
            return;
        }

        Interlocked.Exchange(ref _lastRetentionTicks, Environment.TickCount64);
        await ApplyRetentionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes history older than the configured retention now.</summary>
    /// <returns>How many documents were deleted (time-series copies of raw prices not counted twice).</returns>
    internal async Task<long> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var r = _options.Retention;
        long deleted = 0;
        if (RetainsPrices && await NewestAsync(_prices, cancellationToken).ConfigureAwait(false) is { } newest)
        {
            if (r.CompetitorPrices is { } raw)
            {
                var cutoff = newest - (long)raw.TotalMilliseconds;
                deleted += (await _prices.DeleteManyAsync(OlderThan(cutoff), cancellationToken).ConfigureAwait(false)).DeletedCount;
                if (UsesTimeSeries)
                {
                    await _timeSeries.DeleteManyAsync(OlderThan(cutoff, dates: true), cancellationToken).ConfigureAwait(false);
                }
            }

            deleted += await DeleteAsync(_buckets, newest, r.HourBuckets, (int)PriceBucketSize.Hour, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteAsync(_buckets, newest, r.DayBuckets, (int)PriceBucketSize.Day, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteAsync(_signals, newest, r.Outputs, null, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteAsync(_decisions, newest, r.Outputs, null, cancellationToken).ConfigureAwait(false);
        }

        if (RetainsDemand && await NewestAsync(DemandEvents, cancellationToken).ConfigureAwait(false) is { } newestDemand)
        {
            if (r.DemandEvents is { } keep)
            {
                // The floor first: an id deleted below is never accepted again.
                var cutoff = newestDemand - (long)keep.TotalMilliseconds;
                await _meta.UpdateOneAsync(new BsonDocument("_id", DemandFloorDocument), RaiseFloor(cutoff), new UpdateOptions { IsUpsert = true }, cancellationToken).ConfigureAwait(false);
                deleted += (await DemandEvents.DeleteManyAsync(OlderThan(cutoff), cancellationToken).ConfigureAwait(false)).DeletedCount;
            }

            deleted += await DeleteAsync(DemandBuckets, newestDemand, r.DemandHourBuckets, (int)DemandBucketSize.Hour, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteAsync(DemandBuckets, newestDemand, r.DayBuckets, (int)DemandBucketSize.Day, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>The demand floor: events before it are refused (<see cref="long.MinValue"/> when retention never ran).</summary>
    private async Task<long> DemandFloorAsync(CancellationToken cancellationToken)
    {
        var doc = await _meta.Find(new BsonDocument("_id", DemandFloorDocument)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is not null && doc.TryGetValue("value", out var v) && v.IsNumeric ? v.ToInt64() : long.MinValue;
    }

    private static async Task<long?> NewestAsync(IMongoCollection<BsonDocument> collection, CancellationToken cancellationToken)
    {
        var doc = await collection.Find(new BsonDocument()).Sort(new BsonDocument("t", -1)).Limit(1).Project(new BsonDocument("t", 1)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is null ? null : doc["t"].ToInt64();
    }

    private static async Task<long> DeleteAsync(IMongoCollection<BsonDocument> collection, long newest, TimeSpan? keep, int? size, CancellationToken cancellationToken)
    {
        if (keep is not { } k)
        {
            return 0;
        }

        var result = await collection.DeleteManyAsync(OlderThan(newest - (long)k.TotalMilliseconds, size), cancellationToken).ConfigureAwait(false);
        return result.DeletedCount;
    }
}
