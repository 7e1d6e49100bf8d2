using System.Text;
using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string SignalColumns = "id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude, ack_by, ack_at, ack_note";
    private const string DecisionColumns = "id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason";

    /// <inheritdoc />
    public ValueTask<StorePage<StoredSignal>> QuerySignalsAsync(SignalQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder($"SELECT {SignalColumns} FROM signals WHERE 1 = 1");
        if (query.Product is not null)
        {
            sql.Where("product = $product", "$product", KeyHash(query.Product));
        }

        if (query.Competitor is not null)
        {
            sql.Where("competitor = $competitor", "$competitor", KeyHash(query.Competitor));
        }

        if (query.Kind is { } kind)
        {
            sql.Where("kind = $kind", "$kind", (int)kind);
        }

        if (query.MinSeverity is { } severity)
        {
            sql.Where("severity >= $severity", "$severity", (int)severity);
        }

        if (query.Acknowledged is { } acknowledged)
        {
            sql.Where(acknowledged ? "ack_at IS NOT NULL" : "ack_at IS NULL");
        }

        return ValueTask.FromResult(RunHistory(sql, query, "time", ReadSignal, s => (s.Time.ToUnixTimeMilliseconds(), s.Id), cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<StoredSignal?> GetSignalAsync(ulong id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {SignalColumns} FROM signals WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", Sid(id));
        using var reader = cmd.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? ReadSignal(reader) : null);
    }

    /// <inheritdoc />
    public ValueTask<StorePage<StoredDecision>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder($"SELECT {DecisionColumns} FROM decisions WHERE 1 = 1");
        if (query.Product is not null)
        {
            sql.Where("product = $product", "$product", KeyHash(query.Product));
        }

        if (query.Arm is { } arm)
        {
            sql.Where("arm = $arm", "$arm", arm);
        }

        if (query.Trigger is { } trigger)
        {
            sql.Where("trigger = $trigger", "$trigger", (int)trigger);
        }

        return ValueTask.FromResult(RunHistory(sql, query, "time", ReadDecision, d => (d.Time.ToUnixTimeMilliseconds(), d.Id), cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<StorePage<PriceObservation>> QueryCompetitorPricesAsync(PriceHistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder("SELECT product, time, competitor, platform, price, currency, availability, id FROM competitor_prices WHERE product = $product");
        sql.Parameter("$product", KeyHash(query.Product));
        if (query.Competitor is not null)
        {
            sql.Where("competitor = $competitor", "$competitor", KeyHash(query.Competitor));
        }

        return ValueTask.FromResult(RunHistory(
            sql,
            query,
            "time",
            r => new PriceObservation(
                Name(ProductKind, r.GetInt64(0)),
                Name(CompetitorKind, r.GetInt64(2)),
                r.GetInt64(3) == 0 ? null : Name(PlatformKind, r.GetInt64(3)),
                new Money(r.GetInt64(4)).ToDecimal(),
                CurrencyCode.FromValue((ushort)r.GetInt32(5)).ToString(),
                (Availability)r.GetInt32(6),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))),
            o => (o.Time.ToUnixTimeMilliseconds(), o.Id),
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<StorePage<PriceBucket>> QueryPriceBucketsAsync(PriceBucketQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        if (query.Size == PriceBucketSize.Minute)
        {
            return ValueTask.FromResult(QueryMinuteBuckets(query, cancellationToken));
        }

        var sql = new QueryBuilder("SELECT product, competitor, size, start, open_price, high, low, close_price, count, currency, id FROM price_buckets WHERE product = $product AND size = $size");
        sql.Parameter("$product", KeyHash(query.Product));
        sql.Parameter("$size", (int)query.Size);
        if (query.Competitor is not null)
        {
            sql.Where("competitor = $competitor", "$competitor", KeyHash(query.Competitor));
        }

        return ValueTask.FromResult(RunHistory(
            sql,
            query,
            "start",
            r => new PriceBucket(
                Name(ProductKind, r.GetInt64(0)),
                Name(CompetitorKind, r.GetInt64(1)),
                (PriceBucketSize)r.GetInt32(2),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
                new Money(r.GetInt64(4)).ToDecimal(),
                new Money(r.GetInt64(5)).ToDecimal(),
                new Money(r.GetInt64(6)).ToDecimal(),
                new Money(r.GetInt64(7)).ToDecimal(),
                r.GetInt64(8),
                CurrencyCode.FromValue((ushort)r.GetInt32(9)).ToString()),
            b => (b.Start.ToUnixTimeMilliseconds(), b.Id),
            cancellationToken));
    }

    /// <summary>
    /// Minute buckets are not stored (they would hold about one observation each, doubling the rows
    /// written per observation): they are rolled up here from the raw observations, read newest first
    /// along the primary key (product, time), stopping once the page is full.
    /// </summary>
    private StorePage<PriceBucket> QueryMinuteBuckets(PriceBucketQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        const long Width = 60_000;
        var (from, to, after) = query.Bounds();
        var sql = new QueryBuilder("SELECT competitor, time, price, currency FROM competitor_prices WHERE product = $product");
        sql.Parameter("$product", KeyHash(query.Product));
        if (query.Competitor is not null)
        {
            sql.Where("competitor = $competitor", "$competitor", KeyHash(query.Competitor));
        }

        // A bucket starting at or after `from` holds times from the first minute boundary at or after it.
        if (from != long.MinValue)
        {
            sql.Where("time >= $from", "$from", FirstBoundaryAtOrAfter(from));
        }

        var end = to == long.MaxValue ? long.MaxValue : FirstBoundaryAtOrAfter(to);
        if (after is { } cursor)
        {
            end = Math.Min(end, cursor.Time + Width);
        }

        if (end != long.MaxValue)
        {
            sql.Where("time < $to", "$to", end);
        }

        sql.Append(" ORDER BY time DESC");
        var items = new List<PriceBucket>(Math.Min(query.Limit + 1, 1024));
        var minute = new List<(long Competitor, MinuteAggregate Aggregate)>();
        long current = long.MinValue;
        try
        {
            using var connection = OpenReader();
            using var cmd = sql.Build(connection);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var time = reader.GetInt64(1);
                var start = PriceBucket.StartOf(time, PriceBucketSize.Minute);
                if (start != current)
                {
                    Emit();
                    if (items.Count > query.Limit)
                    {
                        break;
                    }

                    current = start;
                }

                Add(reader.GetInt64(0), time, reader.GetInt64(2), (ushort)reader.GetInt32(3));
            }

            Emit();
        }
        catch (SqliteException ex)
        {
            throw new MarketStoreException(_path, $"query on store '{_path}' failed: {ex.Message}", ex);
        }

        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveRange(query.Limit, items.Count - query.Limit);
            next = StoreCursor.Encode(items[^1].Start.ToUnixTimeMilliseconds(), items[^1].Id);
        }

        return new StorePage<PriceBucket>(items, next);

        void Add(long competitor, long time, long price, ushort currency)
        {
            for (int i = 0; i < minute.Count; i++)
            {
                if (minute[i].Competitor == competitor)
                {
                    minute[i] = (competitor, minute[i].Aggregate.With(time, price, currency));
                    return;
                }
            }

            minute.Add((competitor, new MinuteAggregate(time, price, price, price, time, price, 1, currency)));
        }

        void Emit()
        {
            if (minute.Count == 0)
            {
                return;
            }

            var product = Name(ProductKind, KeyHash(query.Product));
            var buckets = new List<PriceBucket>(minute.Count);
            foreach (var (competitor, a) in minute)
            {
                var bucket = new PriceBucket(
                    product, Name(CompetitorKind, competitor), PriceBucketSize.Minute, DateTimeOffset.FromUnixTimeMilliseconds(current),
                    new Money(a.OpenPrice).ToDecimal(), new Money(a.High).ToDecimal(), new Money(a.Low).ToDecimal(), new Money(a.ClosePrice).ToDecimal(),
                    a.Count, CurrencyCode.FromValue(a.Currency).ToString());
                if (after is not { } c || current < c.Time || bucket.Id < c.Id)
                {
                    buckets.Add(bucket);
                }
            }

            buckets.Sort(static (x, y) => y.Id.CompareTo(x.Id));
            items.AddRange(buckets);
            minute.Clear();
        }

        static long FirstBoundaryAtOrAfter(long t) => PriceBucket.StartOf(t - 1, PriceBucketSize.Minute) + Width;
    }

    /// <summary>One minute of one competitor, rolled up as <see cref="WriteContext"/> rolls stored buckets.</summary>
    private readonly record struct MinuteAggregate(long OpenTime, long OpenPrice, long High, long Low, long CloseTime, long ClosePrice, long Count, ushort Currency)
    {
        public MinuteAggregate With(long time, long price, ushort currency)
        {
            var (openTime, openPrice) = time < OpenTime || (time == OpenTime && price < OpenPrice) ? (time, price) : (OpenTime, OpenPrice);
            var (closeTime, closePrice, closeCurrency) = time > CloseTime || (time == CloseTime && price > ClosePrice) ? (time, price, currency) : (CloseTime, ClosePrice, Currency);
            return new MinuteAggregate(openTime, openPrice, Math.Max(High, price), Math.Min(Low, price), closeTime, closePrice, Count + 1, closeCurrency);
        }
    }

    /// <inheritdoc />
    public ValueTask<StorePage<OurPricePoint>> QueryOurPricesAsync(OurPriceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder("SELECT id, product, price, currency, source, time FROM our_prices WHERE product = $product");
        sql.Parameter("$product", KeyHash(query.Product));
        return ValueTask.FromResult(RunHistory(
            sql,
            query,
            "time",
            r => new OurPricePoint(
                Uid(r.GetInt64(0)),
                Name(ProductKind, r.GetInt64(1)),
                new Money(r.GetInt64(2)).ToDecimal(),
                CurrencyCode.FromValue((ushort)r.GetInt32(3)).ToString(),
                (OurPriceSource)r.GetInt32(4),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5))),
            p => (p.Time.ToUnixTimeMilliseconds(), p.Id),
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<StorePage<ExperimentArmResult>> QueryExperimentResultsAsync(ExperimentResultQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new QueryBuilder("SELECT experiment, arm, strategy, period_start, period_ms, products, decisions, views, purchases, units, revenue, gross_profit, currency, id FROM experiment_results WHERE 1 = 1");
        if (query.Experiment is not null)
        {
            sql.Where("experiment = $experiment", "$experiment", query.Experiment);
        }

        if (query.Arm is { } arm)
        {
            sql.Where("arm = $arm", "$arm", arm);
        }

        return ValueTask.FromResult(RunHistory(
            sql,
            query,
            "period_start",
            r => new ExperimentArmResult(
                r.GetString(0),
                r.GetInt32(1),
                (PricingStrategyKind)r.GetInt32(2),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
                TimeSpan.FromMilliseconds(r.GetInt64(4)),
                r.GetInt64(5),
                r.GetInt64(6),
                r.GetInt64(7),
                r.GetInt64(8),
                r.GetInt64(9),
                new Money(r.GetInt64(10)).ToDecimal(),
                new Money(r.GetInt64(11)).ToDecimal(),
                r.GetString(12)),
            x => (x.PeriodStart.ToUnixTimeMilliseconds(), x.Id),
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<CatalogProduct?> GetProductAsync(string sku, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sku);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sku, name, category, currency, unit_cost, current_price, map_price, min_price, max_price, stock, watch_urls, created, updated FROM products WHERE sku = $sku";
        cmd.Parameters.AddWithValue("$sku", sku);
        using var reader = cmd.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? ReadProduct(reader) : null);
    }

    /// <inheritdoc />
    public ValueTask<StorePage<CatalogProduct>> QueryProductsAsync(ProductQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var cmd = connection.CreateCommand();
        var sql = new StringBuilder("SELECT sku, name, category, currency, unit_cost, current_price, map_price, min_price, max_price, stock, watch_urls, created, updated FROM products WHERE 1 = 1");
        if (query.Category is not null)
        {
            sql.Append(" AND category = $category");
            cmd.Parameters.AddWithValue("$category", query.Category);
        }

        if (StoreCursor.TryDecodeKey(query.Cursor, out var after))
        {
            sql.Append(" AND sku > $after");
            cmd.Parameters.AddWithValue("$after", after);
        }

        sql.Append(" ORDER BY sku LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", query.Limit + 1);
        cmd.CommandText = sql.ToString();
        var items = new List<CatalogProduct>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            items.Add(ReadProduct(reader));
        }

        string? next = null;
        if (items.Count > query.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = StoreCursor.EncodeKey(items[^1].Sku);
        }

        return ValueTask.FromResult(new StorePage<CatalogProduct>(items, next));
    }

    private ValueTask<StoredDecision?> GetDecisionAsync(ulong id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {DecisionColumns} FROM decisions WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", Sid(id));
        using var reader = cmd.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? ReadDecision(reader) : null);
    }

    /// <summary>
    /// Runs a newest-first keyset query: the filters in <paramref name="sql"/>, the time range and
    /// cursor of <paramref name="query"/> on <paramref name="timeColumn"/> and <c>id</c>, one row more
    /// than the limit to know whether a next page exists.
    /// </summary>
    private StorePage<T> RunHistory<T>(QueryBuilder sql, HistoryQuery query, string timeColumn, Func<SqliteDataReader, T> read, Func<T, (long Time, ulong Id)> position, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (from, to, after) = query.Bounds();
        if (from != long.MinValue)
        {
            sql.Where($"{timeColumn} >= $from", "$from", from);
        }

        if (to != long.MaxValue)
        {
            sql.Where($"{timeColumn} < $to", "$to", to);
        }

        if (after is { } cursor)
        {
            sql.Where($"{timeColumn} <= $ct AND ({timeColumn} < $ct OR id < $cid)", "$ct", cursor.Time);
            sql.Parameter("$cid", Sid(cursor.Id));
        }

        sql.Append($" ORDER BY {timeColumn} DESC, id DESC LIMIT $limit");
        sql.Parameter("$limit", query.Limit + 1);
        try
        {
            using var connection = OpenReader();
            using var cmd = sql.Build(connection);
            var items = new List<T>(Math.Min(query.Limit + 1, 1024));
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    items.Add(read(reader));
                }
            }

            string? next = null;
            if (items.Count > query.Limit)
            {
                items.RemoveAt(items.Count - 1);
                var (time, id) = position(items[^1]);
                next = StoreCursor.Encode(time, id);
            }

            return new StorePage<T>(items, next);
        }
        catch (SqliteException ex)
        {
            throw new MarketStoreException(_path, $"query on store '{_path}' failed: {ex.Message}", ex);
        }
    }

    private StoredSignal ReadSignal(SqliteDataReader r) => new(
        Uid(r.GetInt64(0)),
        (SignalKind)r.GetInt32(2),
        (SignalSeverity)r.GetInt32(3),
        Name(ProductKind, r.GetInt64(4)),
        r.IsDBNull(5) ? null : Name(CompetitorKind, r.GetInt64(5)),
        r.GetDouble(6),
        r.GetDouble(7),
        r.GetDouble(8),
        r.GetDouble(9),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
        r.IsDBNull(11) ? null : new SignalAcknowledgement(r.GetString(10), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)), r.IsDBNull(12) ? null : r.GetString(12)));

    private StoredDecision ReadDecision(SqliteDataReader r) => new(
        Uid(r.GetInt64(0)),
        Name(ProductKind, r.GetInt64(2)),
        new Money(r.GetInt64(3)).ToDecimal(),
        new Money(r.GetInt64(4)).ToDecimal(),
        new Money(r.GetInt64(5)).ToDecimal(),
        CurrencyCode.FromValue((ushort)r.GetInt32(6)).ToString(),
        (PricingStrategyKind)r.GetInt32(7),
        r.GetInt32(8),
        (DecisionTrigger)r.GetInt32(9),
        (PricingRules)r.GetInt32(10),
        (PricingRules)r.GetInt32(11),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
        r.IsDBNull(12) ? null : r.GetString(12),
        r.IsDBNull(13) ? null : r.GetString(13));

    private static CatalogProduct ReadProduct(SqliteDataReader r)
    {
        decimal? Amount(int i) => r.IsDBNull(i) ? null : new Money(r.GetInt64(i)).ToDecimal();
        var urls = r.GetString(10);
        return new CatalogProduct(
            r.GetString(0),
            r.GetString(1),
            r.IsDBNull(2) ? null : r.GetString(2),
            r.GetString(3),
            Amount(4),
            Amount(5),
            Amount(6),
            Amount(7),
            Amount(8),
            r.IsDBNull(9) ? null : r.GetInt32(9),
            urls.Length == 0 ? [] : urls.Split('\n'),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12)));
    }

    /// <summary>SQL text and its parameters, built up filter by filter.</summary>
    private sealed class QueryBuilder(string select)
    {
        private readonly StringBuilder _sql = new(select);
        private readonly List<(string Name, object Value)> _parameters = [];

        public void Where(string condition) => _sql.Append(" AND ").Append(condition);

        public void Where(string condition, string name, object value)
        {
            Where(condition);
            Parameter(name, value);
        }

        public void Parameter(string name, object value) => _parameters.Add((name, value));

        public void Append(string text) => _sql.Append(text);

        public SqliteCommand Build(SqliteConnection connection)
        {
            var cmd = connection.CreateCommand();
            cmd.CommandText = _sql.ToString();
            foreach (var (name, value) in _parameters)
            {
                cmd.Parameters.AddWithValue(name, value);
            }

            return cmd;
        }
    }
}
