using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// Demand history (schema migration 3, <see cref="SqliteDemandSchema"/>): each append is one item of
/// the write queue, so it shares the group's transaction with whatever else is queued. The ids of new
/// events are inserted first; only the events that were new are rolled into their hour and day
/// buckets, each touched bucket upserted once per append.
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

        var added = await WriteAsync((events, ids, keys), static (w, state) => AppendDemand(w, state.events.Span, state.ids.Span, state.keys), cancellationToken, events.Length).ConfigureAwait(false);
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
                deleted += delete.ExecuteNonQuery();
                using var floor = w.AdHoc("INSERT INTO counters (name, value) VALUES ($name, $v) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)");
                floor.Parameters.AddWithValue("$name", DemandFloorCounter);
                floor.Parameters.AddWithValue("$v", cutoff);
                floor.ExecuteNonQuery();
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

    /// <summary>Inside the group's transaction: inserts the ids of new events, rolls the new ones into buckets, upserts the buckets.</summary>
    private static int AppendDemand(WriteContext w, ReadOnlySpan<MarketEvent> events, ReadOnlySpan<ulong> ids, MarketKeys keys)
    {
        long floor = long.MinValue;
        using (var floorCmd = w.AdHoc($"SELECT value FROM counters WHERE name = '{DemandFloorCounter}'"))
        {
            if (floorCmd.ExecuteScalar() is long f)
            {
                floor = f;
            }
        }

        var buckets = new Dictionary<(long Product, DemandBucketSize Size, long Start), DemandAggregate>();
        int added = 0;
        using (var insert = new RawStatement(w.Connection, "INSERT OR IGNORE INTO demand_events (time, id) VALUES (?1, ?2)"))
        {
            for (int i = 0; i < events.Length; i++)
            {
                ref readonly var e = ref events[i];
                if (!DemandEventIdAssigner.IsDemandHistoryEvent(in e) || (uint)e.ProductId >= (uint)keys.Products.Count || e.Timestamp < floor)
                {
                    continue;
                }

                insert.Bind(1, e.Timestamp);
                insert.Bind(2, Sid(ids[i]));
                if (insert.Execute() == 0)
                {
                    continue;
                }

                added++;
                var product = unchecked((long)keys.Products.GetStableHash(e.ProductId));
                var name = keys.Products.GetName(e.ProductId);
                w.EnsureKey(ProductKind, product, name);
                Roll(buckets, product, name, DemandBucketSize.Hour, in e);
                Roll(buckets, product, name, DemandBucketSize.Day, in e);
            }
        }

        if (buckets.Count > 0)
        {
            UpsertDemandBuckets(w, buckets);
        }

        return added;
    }

    private static void Roll(Dictionary<(long, DemandBucketSize, long), DemandAggregate> buckets, long product, string name, DemandBucketSize size, in MarketEvent e)
    {
        var key = (product, size, DemandBucket.StartOf(e.Timestamp, size));
        if (!buckets.TryGetValue(key, out var b))
        {
            b = new DemandAggregate(name);
            buckets[key] = b;
        }

        b.Add(in e);
    }

    private static void UpsertDemandBuckets(WriteContext w, Dictionary<(long Product, DemandBucketSize Size, long Start), DemandAggregate> buckets)
    {
        // Latest-wins fields: a report replaces the stored one when it is later, or as late and larger; "none" is time long.MinValue.
        using var upsert = new RawStatement(
            w.Connection,
            """
            INSERT INTO demand_buckets (product, size, start, id, views, add_to_carts, purchases, units, revenue, view_price_sum, priced_views,
              currency, currency_time, stock, stock_time, unit_cost, cost_time)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
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
            """);
        foreach (var ((product, size, start), b) in buckets)
        {
            upsert.Bind(1, product);
            upsert.Bind(2, (int)size);
            upsert.Bind(3, start);
            upsert.Bind(4, Sid(StoreIds.DemandBucket(b.ProductName, size, start)));
            upsert.Bind(5, b.Views);
            upsert.Bind(6, b.AddToCarts);
            upsert.Bind(7, b.Purchases);
            upsert.Bind(8, b.Units);
            upsert.Bind(9, b.Revenue);
            upsert.Bind(10, b.ViewPriceSum);
            upsert.Bind(11, b.PricedViews);
            upsert.Bind(12, b.Currency);
            upsert.Bind(13, b.CurrencyTime);
            upsert.Bind(14, b.Stock);
            upsert.Bind(15, b.StockTime);
            upsert.Bind(16, b.UnitCost);
            upsert.Bind(17, b.CostTime);
            upsert.Execute();
        }
    }

    /// <summary>The new events of one append that fall in one bucket. Latest-wins fields break time ties by the larger value, as the upsert does.</summary>
    private sealed class DemandAggregate(string productName)
    {
        public string ProductName { get; } = productName;

        public long Views { get; private set; }

        public long AddToCarts { get; private set; }

        public long Purchases { get; private set; }

        public long Units { get; private set; }

        public long Revenue { get; private set; }

        public long ViewPriceSum { get; private set; }

        public long PricedViews { get; private set; }

        public int Currency { get; private set; }

        public long CurrencyTime { get; private set; } = long.MinValue;

        public long Stock { get; private set; }

        public long StockTime { get; private set; } = long.MinValue;

        public long UnitCost { get; private set; }

        public long CostTime { get; private set; } = long.MinValue;

        public void Add(in MarketEvent e)
        {
            switch (e.Kind)
            {
                case MarketEventKind.Demand:
                    bool priced = e.Price.IsValidPrice;
                    switch (e.Action)
                    {
                        case DemandAction.View:
                            Views++;
                            if (priced)
                            {
                                ViewPriceSum += e.Price.Ticks;
                                PricedViews++;
                            }

                            break;
                        case DemandAction.AddToCart:
                            AddToCarts++;
                            break;
                        case DemandAction.Purchase:
                            Purchases++;
                            var quantity = Math.Max(0, e.Quantity);
                            Units += quantity;
                            if (priced)
                            {
                                Revenue += quantity * e.Price.Ticks;
                            }

                            break;
                    }

                    if (priced && (e.Timestamp > CurrencyTime || (e.Timestamp == CurrencyTime && e.Currency.Value > Currency)))
                    {
                        Currency = e.Currency.Value;
                        CurrencyTime = e.Timestamp;
                    }

                    break;
                case MarketEventKind.Inventory:
                    if (e.Timestamp > StockTime || (e.Timestamp == StockTime && e.Quantity > Stock))
                    {
                        Stock = e.Quantity;
                        StockTime = e.Timestamp;
                    }

                    break;
                case MarketEventKind.Cost:
                    if (e.Price.Ticks >= 0 && (e.Timestamp > CostTime || (e.Timestamp == CostTime && e.Price.Ticks > UnitCost)))
                    {
                        UnitCost = e.Price.Ticks;
                        CostTime = e.Timestamp;
                    }

                    break;
            }
        }
    }
}
