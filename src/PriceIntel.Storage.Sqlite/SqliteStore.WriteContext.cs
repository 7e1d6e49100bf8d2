using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>
    /// The writer's prepared statements and the state of one write transaction: keys first seen in it,
    /// counter changes and price buckets being rolled up. Used only under the write gate.
    /// </summary>
    private sealed class WriteContext : IDisposable
    {
        private readonly SqliteStore _store;
        private readonly List<RawStatement> _raw = [];
        private readonly List<(int Kind, long Hash, string Name)> _newKeys = [];
        private readonly HashSet<(int Kind, long Hash)> _newKeySet = [];
        private readonly Dictionary<BucketKey, BucketAggregate> _buckets = [];
        private readonly List<PendingObservation> _observations = [];
        private int[] _addedBySlot = new int[16];
        private RawStatement _insertKey = null!;
        private RawStatement _insertObservation = null!;
        private RawStatement _upsertBucket = null!;
        private RawStatement _insertOurPrice = null!;
        private RawStatement _insertSignal = null!;
        private RawStatement _insertDecision = null!;
        private RawStatement _updateCurrentPrice = null!;
        private RawStatement _addCounter = null!;

        public WriteContext(SqliteStore store)
        {
            _store = store;
        }

        public long[] Deltas { get; } = new long[CounterNames.Length];

        public SqliteConnection Connection => _store._writer;

        public SqliteTransaction? Transaction { get; private set; }

        /// <summary>The position in its group of the item being executed.</summary>
        public int Slot { get; private set; }

        public void Prepare()
        {
            // Every statement the writer runs per row is bound by position through SQLitePCL.
            _insertKey = Raw("INSERT OR IGNORE INTO keys (kind, hash, name) VALUES (?1, ?2, ?3)");
            _insertObservation = Raw(
                "INSERT OR IGNORE INTO competitor_prices (product, time, competitor, platform, id, price, currency, availability) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
            _upsertBucket = Raw(
                """
                INSERT INTO price_buckets (product, size, start, competitor, id, open_time, open_price, high, low, close_time, close_price, count, currency)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                ON CONFLICT (product, size, start, competitor) DO UPDATE SET
                  open_price = CASE WHEN excluded.open_time < open_time OR (excluded.open_time = open_time AND excluded.open_price < open_price) THEN excluded.open_price ELSE open_price END,
                  open_time = min(open_time, excluded.open_time),
                  close_price = CASE WHEN excluded.close_time > close_time OR (excluded.close_time = close_time AND excluded.close_price > close_price) THEN excluded.close_price ELSE close_price END,
                  currency = CASE WHEN excluded.close_time > close_time OR (excluded.close_time = close_time AND excluded.close_price > close_price) THEN excluded.currency ELSE currency END,
                  close_time = max(close_time, excluded.close_time),
                  high = max(high, excluded.high),
                  low = min(low, excluded.low),
                  count = count + excluded.count
                """);
            _insertOurPrice = Raw(
                "INSERT OR IGNORE INTO our_prices (product, time, id, price, currency, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            _insertSignal = Raw(
                "INSERT OR IGNORE INTO signals (id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
            _insertDecision = Raw(
                "INSERT OR IGNORE INTO decisions (id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
            _updateCurrentPrice = Raw(
                "UPDATE products SET current_price = ?1, price_time = ?2 WHERE sku = ?3 AND price_time <= ?2");
            _addCounter = Raw(
                "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = CASE WHEN ?1 = 'newest_observation' THEN max(value, excluded.value) ELSE value + excluded.value END");
        }

        /// <summary>A command for this transaction that is not kept prepared (rare statements).</summary>
        public SqliteCommand AdHoc(string sql)
        {
            var cmd = Connection.CreateCommand();
            cmd.Transaction = Transaction;
            cmd.CommandText = sql;
            return cmd;
        }

        /// <summary>
        /// Runs the items of a group in one transaction: each item's work, then one upsert per price
        /// bucket touched by the whole group, then the counters; commits and publishes new keys and counters.
        /// Throws (after rolling back) when any part fails; the items' results are then meaningless.
        /// </summary>
        public void Run(List<WriteItem> items)
        {
            _newKeys.Clear();
            _newKeySet.Clear();
            _buckets.Clear();
            _observations.Clear();
            Array.Clear(Deltas);
            if (_addedBySlot.Length < items.Count)
            {
                _addedBySlot = new int[Math.Max(items.Count, _addedBySlot.Length * 2)];
            }

            Array.Clear(_addedBySlot, 0, items.Count);
            using var tx = Connection.BeginTransaction();
            Transaction = tx;
            try
            {
                for (int i = 0; i < items.Count; i++)
                {
                    Slot = i;
                    items[i].Execute(this);
                }

                FlushObservations();
                for (int i = 0; i < items.Count; i++)
                {
                    items[i].Settle(this, i);
                }

                FlushBuckets();
                for (int i = 0; i < Deltas.Length; i++)
                {
                    if (Deltas[i] != 0)
                    {
                        _addCounter.Bind(1, CounterNames[i]);
                        _addCounter.Bind(2, Deltas[i]);
                        _addCounter.Execute();
                    }
                }

                tx.Commit();
                foreach (var (kind, hash, name) in _newKeys)
                {
                    _store._names[kind][hash] = name;
                }

                _store.PublishCounters(Deltas);
            }
            finally
            {
                Transaction = null;
            }
        }

        /// <summary>Makes sure a key's name is stored (once per key; inserts are rolled back with the transaction).</summary>
        public void EnsureKey(int kind, long hash, string name)
        {
            if (_store._names[kind].ContainsKey(hash))
            {
                return;
            }

            if (!_newKeySet.Add((kind, hash)))
            {
                return;
            }

            _insertKey.Bind(1, kind);
            _insertKey.Bind(2, hash);
            _insertKey.Bind(3, name);
            _insertKey.Execute();
            _newKeys.Add((kind, hash, name));
        }

        /// <summary>How many observations queued by the item in <paramref name="slot"/> were new (after <see cref="Run"/> inserted them).</summary>
        public int AddedBy(int slot) => _addedBySlot[slot];

        /// <summary>
        /// Queues one observation of the current item: the group's observations are inserted together,
        /// in key order (product, time, competitor, platform), so each B-tree page is visited once per
        /// group rather than once per observation. When new, it is counted and rolled into its minute,
        /// hour and day buckets.
        /// </summary>
        public void QueueObservation(long product, string productName, long competitor, string competitorName, long platform, string? platformName, long time, long priceTicks, ushort currency, Availability availability)
        {
            EnsureKey(ProductKind, product, productName);
            EnsureKey(CompetitorKind, competitor, competitorName);
            if (platformName is not null)
            {
                EnsureKey(PlatformKind, platform, platformName);
            }

            _observations.Add(new PendingObservation(product, time, competitor, platform, priceTicks, currency, availability, Slot, productName, competitorName, platformName, _observations.Count));
        }

        private void FlushObservations()
        {
            var pending = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_observations);
            pending.Sort(static (a, b) =>
            {
                int c = a.Product.CompareTo(b.Product);
                if (c == 0)
                {
                    c = a.Time.CompareTo(b.Time);
                }

                if (c == 0)
                {
                    c = a.Competitor.CompareTo(b.Competitor);
                }

                if (c == 0)
                {
                    c = a.Platform.CompareTo(b.Platform);
                }

                // Same key: the first queued wins, as it would inserting one by one.
                return c != 0 ? c : a.Order.CompareTo(b.Order);
            });

            var insert = _insertObservation;
            foreach (ref readonly var o in pending)
            {
                insert.Bind(1, o.Product);
                insert.Bind(2, o.Time);
                insert.Bind(3, o.Competitor);
                insert.Bind(4, o.Platform);
                insert.Bind(5, Sid(StoreIds.Observation(o.ProductName, o.CompetitorName, o.PlatformName, o.Time)));
                insert.Bind(6, o.Price);
                insert.Bind(7, o.Currency);
                insert.Bind(8, (int)o.Availability);
                if (insert.Execute() == 0)
                {
                    continue;
                }

                _addedBySlot[o.Slot]++;
                Deltas[CounterCompetitorPrices]++;
                Deltas[CounterNewestObservation] = Math.Max(Deltas[CounterNewestObservation], o.Time);
                Roll(new BucketKey(o.Product, o.Competitor, PriceBucketSize.Hour, PriceBucket.StartOf(o.Time, PriceBucketSize.Hour)), o.ProductName, o.CompetitorName, o.Time, o.Price, o.Currency);
                Roll(new BucketKey(o.Product, o.Competitor, PriceBucketSize.Day, PriceBucket.StartOf(o.Time, PriceBucketSize.Day)), o.ProductName, o.CompetitorName, o.Time, o.Price, o.Currency);
            }

            _observations.Clear();
        }

        public bool InsertOurPrice(long product, string productName, long time, ulong id, long priceTicks, ushort currency, OurPriceSource source)
        {
            EnsureKey(ProductKind, product, productName);
            var insert = _insertOurPrice;
            insert.Bind(1, product);
            insert.Bind(2, time);
            insert.Bind(3, Sid(id));
            insert.Bind(4, priceTicks);
            insert.Bind(5, currency);
            insert.Bind(6, (int)source);
            if (insert.Execute() == 0)
            {
                return false;
            }

            Deltas[CounterOurPrices]++;
            return true;
        }

        public bool InsertSignal(in MarketSignal s, long product, string productName, long? competitor, string? competitorName)
        {
            EnsureKey(ProductKind, product, productName);
            if (competitor is { } c)
            {
                EnsureKey(CompetitorKind, c, competitorName!);
            }

            var insert = _insertSignal;
            insert.Bind(1, Sid(s.Id));
            insert.Bind(2, s.Timestamp);
            insert.Bind(3, (int)s.Kind);
            insert.Bind(4, (int)s.Severity);
            insert.Bind(5, product);
            insert.Bind(6, competitor);
            insert.Bind(7, s.Observed);
            insert.Bind(8, s.Reference);
            insert.Bind(9, s.Threshold);
            insert.Bind(10, s.Magnitude);
            if (insert.Execute() == 0)
            {
                return false;
            }

            Deltas[CounterSignals]++;
            return true;
        }

        public bool InsertDecision(ulong id, long time, long product, string productName, long oldTicks, long newTicks, long targetTicks, ushort currency, PricingStrategyKind strategy, int arm, DecisionTrigger trigger, PricingRules setBy, PricingRules bounded, string? decidedBy, string? reason)
        {
            EnsureKey(ProductKind, product, productName);
            var insert = _insertDecision;
            insert.Bind(1, Sid(id));
            insert.Bind(2, time);
            insert.Bind(3, product);
            insert.Bind(4, oldTicks);
            insert.Bind(5, newTicks);
            insert.Bind(6, targetTicks);
            insert.Bind(7, currency);
            insert.Bind(8, (int)strategy);
            insert.Bind(9, arm);
            insert.Bind(10, (int)trigger);
            insert.Bind(11, (int)setBy);
            insert.Bind(12, (int)bounded);
            insert.Bind(13, decidedBy);
            insert.Bind(14, reason);
            if (insert.Execute() == 0)
            {
                return false;
            }

            Deltas[CounterDecisions]++;
            if (newTicks != oldTicks || trigger == DecisionTrigger.Manual)
            {
                InsertOurPrice(product, productName, time, id, newTicks, currency, trigger == DecisionTrigger.Manual ? OurPriceSource.Manual : OurPriceSource.Decision);
                var update = _updateCurrentPrice;
                update.Bind(1, newTicks);
                update.Bind(2, time);
                update.Bind(3, productName);
                update.Execute();
            }

            return true;
        }

        public void Dispose()
        {
            foreach (var statement in _raw)
            {
                statement.Dispose();
            }

            _raw.Clear();
        }

        private RawStatement Raw(string sql)
        {
            var statement = new RawStatement(Connection, sql);
            _raw.Add(statement);
            return statement;
        }

        private void Roll(BucketKey key, string productName, string competitorName, long time, long price, ushort currency)
        {
            if (_buckets.TryGetValue(key, out var b))
            {
                if (time < b.OpenTime || (time == b.OpenTime && price < b.OpenPrice))
                {
                    b.OpenTime = time;
                    b.OpenPrice = price;
                }

                if (time > b.CloseTime || (time == b.CloseTime && price > b.ClosePrice))
                {
                    b.CloseTime = time;
                    b.ClosePrice = price;
                    b.Currency = currency;
                }

                b.High = Math.Max(b.High, price);
                b.Low = Math.Min(b.Low, price);
                b.Count++;
                _buckets[key] = b;
            }
            else
            {
                _buckets[key] = new BucketAggregate(productName, competitorName, time, price, price, price, time, price, 1, currency);
            }
        }

        private void FlushBuckets()
        {
            var upsert = _upsertBucket;
            foreach (var (key, b) in _buckets)
            {
                upsert.Bind(1, key.Product);
                upsert.Bind(2, (int)key.Size);
                upsert.Bind(3, key.Start);
                upsert.Bind(4, key.Competitor);
                upsert.Bind(5, Sid(StoreIds.Bucket(b.ProductName, b.CompetitorName, key.Size, key.Start)));
                upsert.Bind(6, b.OpenTime);
                upsert.Bind(7, b.OpenPrice);
                upsert.Bind(8, b.High);
                upsert.Bind(9, b.Low);
                upsert.Bind(10, b.CloseTime);
                upsert.Bind(11, b.ClosePrice);
                upsert.Bind(12, b.Count);
                upsert.Bind(13, b.Currency);
                upsert.Execute();
            }

            _buckets.Clear();
        }
    }

    private readonly record struct PendingObservation(long Product, long Time, long Competitor, long Platform, long Price, ushort Currency, Availability Availability, int Slot, string ProductName, string CompetitorName, string? PlatformName, int Order);

    private readonly record struct BucketKey(long Product, long Competitor, PriceBucketSize Size, long Start);

    private record struct BucketAggregate(string ProductName, string CompetitorName, long OpenTime, long OpenPrice, long High, long Low, long CloseTime, long ClosePrice, long Count, ushort Currency);
}
