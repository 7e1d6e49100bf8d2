using Microsoft.Data.Sqlite;
using PriceIntel.Shared;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// Demand history (schema migration 3, <see cref="SqliteDemandSchema"/>): each append is one item of
/// the write queue, so it shares the group's transaction with whatever else is queued. The ids of new
/// events are inserted first, 16 per statement; only the events that were new are rolled into their
/// hour and day buckets, which the whole group shares: each touched bucket is upserted once per group.
/// </summary>
internal sealed partial class SqliteStore
{
    private const string DemandFloorCounter = "demand_floor";

    /// <summary>The time stored for "no stock / cost / currency reported in this bucket": below every real time, so any report replaces it.</summary>
    private const long None = long.MinValue;
    private long _lastDemandRetentionTicks = Environment.TickCount64;

    /// <inheritdoc />
    public async ValueTask<int> AppendDemandEventsAsync(ReadOnlyMemory<MarketEvent> events, ReadOnlyMemory<ulong> ids, MarketKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (ids.Length < events.Length)
        {
            throw new ArgumentException($"ids holds {ids.Length} entries for {events.Length} events.", nameof(ids));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (events.IsEmpty)
        {
            return 0;
        }

        var added = await WriteAsync((events, ids, keys), static (w, state) => w.AppendDemand(state.events.Span, state.ids.Span, state.keys), cancellationToken, DemandHistoryRows(events.Span)).ConfigureAwait(false);
        await ApplyDemandRetentionIfDueAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <inheritdoc />
    public ValueTask<StorePage<DemandBucket>> QueryDemandAsync(DemandQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder(
            "SELECT product, size, start, views, add_to_carts, purchases, units, revenue, view_price_sum, priced_views, CASE WHEN currency_time = $none THEN NULL ELSE currency END, "
            + "CASE WHEN stock_time = $none THEN NULL ELSE stock END, CASE WHEN cost_time = $none THEN NULL ELSE unit_cost END, id FROM demand_buckets WHERE product = $product AND size = $size");
        sql.Parameter("$none", None);
        sql.Parameter("$product", KeyHash(query.Product));
        sql.Parameter("$size", (int)query.Size);
        return ValueTask.FromResult(RunHistory(
            sql,
            query,
            "start",
            r => new DemandBucket(
                Name(ProductKind, r.GetInt64(0)),
                (DemandBucketSize)r.GetInt32(1),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                r.GetInt64(3),
                r.GetInt64(4),
                r.GetInt64(5),
                r.GetInt64(6),
                new Money(r.GetInt64(7)).ToDecimal(),
                new Money(r.GetInt64(8)).ToDecimal(),
                r.GetInt64(9),
                r.IsDBNull(10) ? null : CurrencyCode.FromValue((ushort)r.GetInt32(10)).ToString(),
                r.IsDBNull(11) ? null : r.GetInt64(11),
                r.IsDBNull(12) ? null : new Money(r.GetInt64(12)).ToDecimal()),
            b => (b.Start.ToUnixTimeMilliseconds(), b.Id),
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> GetDemandProductsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = OpenReader();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT DISTINCT product FROM demand_buckets WHERE size = $size";
            cmd.Parameters.AddWithValue("$size", (int)DemandBucketSize.Day);
            var products = new List<string>();
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    products.Add(Name(ProductKind, reader.GetInt64(0)));
                }
            }

            products.Sort(StringComparer.Ordinal);
            return ValueTask.FromResult<IReadOnlyList<string>>(products);
        }
        catch (SqliteException ex)
        {
            throw new MarketStoreException(_path, $"query on store '{_path}' failed: {ex.Message}", ex);
        }
    }

    /// <summary>Deletes demand history older than the configured retention now; events older than the demand-event retention are refused from then on.</summary>
    internal ValueTask<int> ApplyDemandRetentionAsync(CancellationToken cancellationToken)
    {
        var products = _names[ProductKind].Keys.ToArray();
        return WriteAsync((products, _options.Retention), static (w, state) =>
        {
            var (products, r) = state;

            // Buckets rolled up by appends earlier in this group are stored before the old ones are deleted.
            w.FlushDemandBuckets();
            using var newestCmd = w.AdHoc("SELECT max(time) FROM demand_events");
            if (newestCmd.ExecuteScalar() is not long newest)
            {
                return 0;
            }

            int deleted = 0;
            if (r.DemandEvents is { } keep)
            {
                var cutoff = newest - (long)keep.TotalMilliseconds;
                using var delete = w.AdHoc("DELETE FROM demand_events WHERE time < $cutoff");
                delete.Parameters.AddWithValue("$cutoff", cutoff);
                var gone = delete.ExecuteNonQuery();
                w.Deltas[CounterDemandEvents] -= gone;
                deleted += gone;
                using var floor = w.AdHoc("INSERT INTO counters (name, value) VALUES ($name, $v) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)");
                floor.Parameters.AddWithValue("$name", DemandFloorCounter);
                floor.Parameters.AddWithValue("$v", cutoff);
                floor.ExecuteNonQuery();
                w.ForgetDemandFloor();
            }

            deleted += Buckets(w, products, DemandBucketSize.Hour, r.DemandHourBuckets, newest);
            deleted += Buckets(w, products, DemandBucketSize.Day, r.DayBuckets, newest);
            return deleted;
        }, cancellationToken);

        static int Buckets(WriteContext w, long[] products, DemandBucketSize size, TimeSpan? keep, long newest)
        {
            if (keep is not { } k)
            {
                return 0;
            }

            using var cmd = w.AdHoc("DELETE FROM demand_buckets WHERE product = $p AND size = $s AND start < $cutoff");
            cmd.Parameters.Add("$p", SqliteType.Integer);
            cmd.Parameters.AddWithValue("$s", (int)size);
            cmd.Parameters.AddWithValue("$cutoff", newest - (long)k.TotalMilliseconds);
            int deleted = 0;
            foreach (var p in products)
            {
                cmd.Parameters[0].Value = p;
                deleted += cmd.ExecuteNonQuery();
            }

            return deleted;
        }
    }

    private async ValueTask ApplyDemandRetentionIfDueAsync(CancellationToken cancellationToken)
    {
        var r = _options.Retention;
        if (r.DemandEvents is null && r.DemandHourBuckets is null && r.DayBuckets is null)
        {
            return;
        }

        if (Environment.TickCount64 - Interlocked.Read(ref _lastDemandRetentionTicks) < 60_000)
        {
            return;
        }

        Interlocked.Exchange(ref _lastDemandRetentionTicks, Environment.TickCount64);
        await ApplyDemandRetentionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The demand part of the writer's state: an append's new ids are inserted at once (so the caller's
    /// count is known), while the buckets of every append in the group are rolled up in memory and each
    /// touched bucket upserted once per group, as the price buckets are.
    /// </summary>
    private sealed partial class WriteContext
    {
        /// <summary>Ids one INSERT statement writes (as <see cref="BucketsPerStatement"/>).</summary>
        private const int DemandIdsPerStatement = 16;

        private const int DemandBucketColumns = 17;

        private readonly Dictionary<DemandBucketKey, (string ProductName, DemandTally Tally)> _demandBuckets = [];

        /// <summary>The positions, in the append being stored, of its events that go into demand history.</summary>
        private readonly List<int> _demandRows = [];
        private RawStatement? _insertDemandId;
        private RawStatement? _insertDemandIds;
        private RawStatement? _upsertDemandBucket;
        private RawStatement? _upsertDemandBuckets;

        /// <summary>The stored demand floor, read once per transaction (null: not read yet).</summary>
        private long? _demandFloor;

        /// <summary>
        /// Inside the group's transaction: inserts the ids of the events not stored yet
        /// (<see cref="DemandIdsPerStatement"/> rows per plain INSERT while that many remain: all new, or
        /// backed out when one is stored or repeated and then inserted one at a time, skipping the stored
        /// ones) and rolls the new ones into the group's hour and day buckets.
        /// </summary>
        /// <returns>How many events were new.</returns>
        public int AppendDemand(ReadOnlySpan<MarketEvent> events, ReadOnlySpan<ulong> ids, MarketKeys keys)
        {
            PrepareDemand();
            long floor = DemandFloor();
            _demandRows.Clear();
            for (int i = 0; i < events.Length; i++)
            {
                ref readonly var e = ref events[i];
                if (DemandEventIdAssigner.IsDemandHistoryEvent(in e) && (uint)e.ProductId < (uint)keys.Products.Count && e.Timestamp >= floor)
                {
                    _demandRows.Add(i);
                }
            }

            var rows = new DemandRows(this, events, ids, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_demandRows), keys);
            var added = InsertNew(rows, _insertDemandIds!, _insertDemandId!, 2, DemandIdsPerStatement);
            Deltas[CounterDemandEvents] += added;
            return added;
        }

        /// <summary>The demand floor may have changed (retention raised it in this transaction).</summary>
        public void ForgetDemandFloor() => _demandFloor = null;

        /// <summary>Upserts each demand bucket the group touched once (<see cref="BucketsPerStatement"/> rows per statement while that many remain).</summary>
        public void FlushDemandBuckets()
        {
            if (_demandBuckets.Count == 0)
            {
                return;
            }

            PrepareDemand();
            int full = _demandBuckets.Count - (_demandBuckets.Count % BucketsPerStatement);
            int row = 0;
            foreach (var (key, (productName, b)) in _demandBuckets)
            {
                var (statement, offset) = row < full
                    ? (_upsertDemandBuckets!, (row % BucketsPerStatement) * DemandBucketColumns)
                    : (_upsertDemandBucket!, 0);
                statement.Bind(offset + 1, key.Product);
                statement.Bind(offset + 2, (int)key.Size);
                statement.Bind(offset + 3, key.Start);
                statement.Bind(offset + 4, Sid(StoreIds.DemandBucket(productName, key.Size, key.Start)));
                statement.Bind(offset + 5, b.Views);
                statement.Bind(offset + 6, b.AddToCarts);
                statement.Bind(offset + 7, b.Purchases);
                statement.Bind(offset + 8, b.Units);
                statement.Bind(offset + 9, b.Revenue);
                statement.Bind(offset + 10, b.ViewPriceSum);
                statement.Bind(offset + 11, b.PricedViews);
                statement.Bind(offset + 12, b.Currency);
                statement.Bind(offset + 13, b.CurrencyTime);
                statement.Bind(offset + 14, b.Stock);
                statement.Bind(offset + 15, b.StockTime);
                statement.Bind(offset + 16, b.UnitCost);
                statement.Bind(offset + 17, b.CostTime);
                row++;
                if (row > full || row % BucketsPerStatement == 0)
                {
                    statement.Execute();
                }
            }

            _demandBuckets.Clear();
        }

        /// <summary>Forgets the demand state of a transaction (at its start).</summary>
        private void ResetDemand()
        {
            _demandBuckets.Clear();
            _demandFloor = null;
        }

        /// <summary>Prepares the demand statements on first use (a read-only store may predate the demand tables).</summary>
        private void PrepareDemand()
        {
            if (_insertDemandId is not null)
            {
                return;
            }

            _upsertDemandBucket = Raw(UpsertDemandBucketsSql(1));
            _upsertDemandBuckets = Raw(UpsertDemandBucketsSql(BucketsPerStatement));
            _insertDemandIds = Raw(ValuesSql("INSERT INTO demand_events (time, id) VALUES ", 2, DemandIdsPerStatement));
            _insertDemandId = Raw("INSERT OR IGNORE INTO demand_events (time, id) VALUES (?1, ?2)");
        }

        private long DemandFloor()
        {
            if (_demandFloor is { } known)
            {
                return known;
            }

            using var floorCmd = AdHoc($"SELECT value FROM counters WHERE name = '{DemandFloorCounter}'");
            long floor = floorCmd.ExecuteScalar() is long f ? f : long.MinValue;
            _demandFloor = floor;
            return floor;
        }

        /// <summary>A new demand event: its product's name is stored and it is rolled into its hour and day buckets.</summary>
        public void DemandStored(in MarketEvent e, MarketKeys keys)
        {
            var product = unchecked((long)keys.Products.GetStableHash(e.ProductId));
            var name = keys.Products.GetName(e.ProductId);
            EnsureKey(ProductKind, product, name);
            RollDemand(new DemandBucketKey(product, DemandBucketSize.Hour, DemandBucket.StartOf(e.Timestamp, DemandBucketSize.Hour)), name, in e);
            RollDemand(new DemandBucketKey(product, DemandBucketSize.Day, DemandBucket.StartOf(e.Timestamp, DemandBucketSize.Day)), name, in e);
        }

        private void RollDemand(DemandBucketKey key, string name, in MarketEvent e)
        {
            if (!_demandBuckets.TryGetValue(key, out var bucket))
            {
                bucket = (name, new DemandTally());
                _demandBuckets[key] = bucket;
            }

            bucket.Tally.Add(in e);
        }

        /// <summary>The demand bucket upsert of <paramref name="rows"/> rows (distinct keys): adds each row's counts to its stored bucket, if any.</summary>
        /// <remarks>Latest-wins fields: a report replaces the stored one when it is later, or as late and larger; "none" is time long.MinValue.</remarks>
        private static string UpsertDemandBucketsSql(int rows)
        {
            return ValuesSql(
                "INSERT INTO demand_buckets (product, size, start, id, views, add_to_carts, purchases, units, revenue, view_price_sum, priced_views, currency, currency_time, stock, stock_time, unit_cost, cost_time) VALUES ",
                DemandBucketColumns,
                rows) +
                """

                ON CONFLICT (product, size, start) DO UPDATE SET
                  views = views + excluded.views,
                  add_to_carts = add_to_carts + excluded.add_to_carts,
                  purchases = purchases + excluded.purchases,
                  units = units + excluded.units,
                  revenue = revenue + excluded.revenue,
                  view_price_sum = view_price_sum + excluded.view_price_sum,
                  priced_views = priced_views + excluded.priced_views,
                  currency = CASE WHEN excluded.currency_time > currency_time OR (excluded.currency_time = currency_time AND excluded.currency > currency) THEN excluded.currency ELSE currency END,
                  currency_time = max(currency_time, excluded.currency_time),
                  stock = CASE WHEN excluded.stock_time > stock_time OR (excluded.stock_time = stock_time AND excluded.stock > stock) THEN excluded.stock ELSE stock END,
                  stock_time = max(stock_time, excluded.stock_time),
                  unit_cost = CASE WHEN excluded.cost_time > cost_time OR (excluded.cost_time = cost_time AND excluded.unit_cost > unit_cost) THEN excluded.unit_cost ELSE unit_cost END,
                  cost_time = max(cost_time, excluded.cost_time)
                """;
        }
    }

    private readonly record struct DemandBucketKey(long Product, DemandBucketSize Size, long Start);

    /// <summary>The demand events of one append that may be new: their ids are the rows inserted into <c>demand_events</c>.</summary>
    private readonly ref struct DemandRows(WriteContext context, ReadOnlySpan<MarketEvent> events, ReadOnlySpan<ulong> ids, ReadOnlySpan<int> positions, MarketKeys keys) : INewRows
    {
        private readonly ReadOnlySpan<MarketEvent> _events = events;
        private readonly ReadOnlySpan<ulong> _ids = ids;
        private readonly ReadOnlySpan<int> _positions = positions;

        public int Count => _positions.Length;

        public void Bind(RawStatement insert, int offset, int row)
        {
            int i = _positions[row];
            insert.Bind(offset + 1, _events[i].Timestamp);
            insert.Bind(offset + 2, Sid(_ids[i]));
        }

        public void Stored(int row) => context.DemandStored(in _events[_positions[row]], keys);
    }
}
