using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>
    /// The writer's prepared statements and the state of one write transaction: keys first seen in it,
    /// counter changes and price buckets being rolled up. Used only under the write gate.
    /// </summary>
    private sealed partial class WriteContext : IDisposable
    {
        /// <summary>
        /// Buckets one upsert statement writes: a statement of several rows pays SQLite's per-statement
        /// cost (step, reset, the bindings' calls) once for all of them (~20 % less per row, measured).
        /// </summary>
        private const int BucketsPerStatement = 16;

        private const int BucketColumns = 13;

        /// <summary>Signals or decisions one INSERT statement writes (as <see cref="BucketsPerStatement"/>).</summary>
        private const int OutputsPerStatement = 16;

        /// <summary>Observations one INSERT statement writes (as <see cref="BucketsPerStatement"/>).</summary>
        private const int ObservationsPerStatement = 16;

        private const int ObservationColumns = 8;
        private const string InsertObservationsHead = " INTO competitor_prices (product, time, competitor, platform, id, price, currency, availability) VALUES ";
        private const int OurPriceColumns = 6;
        private const string InsertOurPricesHead = "INSERT OR IGNORE INTO our_prices (product, time, id, price, currency, source) VALUES ";
        private const int SignalColumns = 10;
        private const int DecisionColumns = 14;
        private const string InsertSignalsHead = "INSERT OR IGNORE INTO signals (id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude) VALUES ";
        private const string InsertDecisionsHead = " INTO decisions (id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason) VALUES ";

        private readonly SqliteStore _store;
        private readonly List<RawStatement> _raw = [];
        private readonly List<(int Kind, long Hash, string Name)> _newKeys = [];
        private readonly HashSet<(int Kind, long Hash)> _newKeySet = [];
        private readonly Dictionary<BucketKey, BucketAggregate> _buckets = [];
        private readonly List<PendingObservation> _observations = [];

        /// <summary>
        /// The product's current price set by the group's decisions (the newest one; at equal times the
        /// later), stored once per product by <see cref="FlushCurrentPrices"/> rather than once per decision.
        /// </summary>
        private readonly Dictionary<string, (long Time, long Ticks)> _currentPrices = new(StringComparer.Ordinal);
        private int[] _addedBySlot = new int[16];
        private RawStatement _insertKey = null!;
        private RawStatement _insertObservation = null!;
        private RawStatement _insertObservations = null!;
        private RawStatement _upsertBucket = null!;
        private RawStatement _upsertBuckets = null!;
        private RawStatement _insertOurPrice = null!;
        private RawStatement _insertOurPrices = null!;
        private RawStatement _insertSignal = null!;
        private RawStatement _insertSignals = null!;
        private RawStatement _insertDecision = null!;
        private RawStatement _insertDecisions = null!;
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
            _insertObservation = Raw(ValuesSql("INSERT OR IGNORE" + InsertObservationsHead, ObservationColumns, 1));
            _insertObservations = Raw(ValuesSql("INSERT" + InsertObservationsHead, ObservationColumns, ObservationsPerStatement));
            _upsertBucket = Raw(UpsertBucketsSql(1));
            _upsertBuckets = Raw(UpsertBucketsSql(BucketsPerStatement));
            _insertOurPrice = Raw(ValuesSql(InsertOurPricesHead, OurPriceColumns, 1));
            _insertOurPrices = Raw(ValuesSql(InsertOurPricesHead, OurPriceColumns, OutputsPerStatement));
            _insertSignal = Raw(ValuesSql(InsertSignalsHead, SignalColumns, 1));
            _insertSignals = Raw(ValuesSql(InsertSignalsHead, SignalColumns, OutputsPerStatement));
            _insertDecision = Raw(ValuesSql("INSERT OR IGNORE" + InsertDecisionsHead, DecisionColumns, 1));
            _insertDecisions = Raw(ValuesSql("INSERT" + InsertDecisionsHead, DecisionColumns, OutputsPerStatement));
            _updateCurrentPrice = Raw(
                "UPDATE products SET current_price = ?1, price_time = ?2 WHERE sku = ?3 AND price_time <= ?2");
            _addCounter = Raw(
                "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = CASE WHEN ?1 = 'newest_observation' THEN max(value, excluded.value) ELSE value + excluded.value END");
        }

        /// <summary>A command for this transaction that is not kept prepared (rare statements).</summary>
        public SqliteCommand AdHoc(string sql)
        {
            // Rare statements may read or change the catalog: they see every decision queued before them.
            FlushCurrentPrices();
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
            _currentPrices.Clear();
            ResetDemand();
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

                FlushCurrentPrices();
                FlushBuckets();
                FlushDemandBuckets();
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
                _store._checkpointer?.Due();
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

            InsertNew(new ObservationRows(this, pending), _insertObservations, _insertObservation, ObservationColumns, ObservationsPerStatement);
            _observations.Clear();
        }

        /// <summary>A new observation: counted for its item and rolled into its hour and day buckets.</summary>
        public void ObservationStored(in PendingObservation o)
        {
            _addedBySlot[o.Slot]++;
            Deltas[CounterCompetitorPrices]++;
            Deltas[CounterNewestObservation] = Math.Max(Deltas[CounterNewestObservation], o.Time);
            Roll(new BucketKey(o.Product, o.Competitor, PriceBucketSize.Hour, PriceBucket.StartOf(o.Time, PriceBucketSize.Hour)), o.ProductName, o.CompetitorName, o.Time, o.Price, o.Currency);
            Roll(new BucketKey(o.Product, o.Competitor, PriceBucketSize.Day, PriceBucket.StartOf(o.Time, PriceBucketSize.Day)), o.ProductName, o.CompetitorName, o.Time, o.Price, o.Currency);
        }

        public static void BindObservation(RawStatement insert, int offset, in PendingObservation o)
        {
            insert.Bind(offset + 1, o.Product);
            insert.Bind(offset + 2, o.Time);
            insert.Bind(offset + 3, o.Competitor);
            insert.Bind(offset + 4, o.Platform);
            insert.Bind(offset + 5, Sid(StoreIds.Observation(o.ProductName, o.CompetitorName, o.PlatformName, o.Time)));
            insert.Bind(offset + 6, o.Price);
            insert.Bind(offset + 7, o.Currency);
            insert.Bind(offset + 8, (int)o.Availability);
        }

        public bool InsertOurPrice(long product, string productName, long time, ulong id, long priceTicks, ushort currency, OurPriceSource source)
        {
            EnsureKey(ProductKind, product, productName);
            BindOurPrice(_insertOurPrice, 0, product, time, id, priceTicks, currency, source);
            if (_insertOurPrice.Execute() == 0)
            {
                return false;
            }

            Deltas[CounterOurPrices]++;
            return true;
        }

        /// <summary>
        /// Stores an output batch's signals (new ones counted), <see cref="OutputsPerStatement"/> rows per
        /// INSERT statement while that many remain.
        /// </summary>
        public void InsertSignals(ReadOnlySpan<MarketSignal> signals, MarketKeys keys)
        {
            int i = 0;
            for (; i + OutputsPerStatement <= signals.Length; i += OutputsPerStatement)
            {
                for (int r = 0; r < OutputsPerStatement; r++)
                {
                    BindSignal(_insertSignals, r * SignalColumns, in signals[i + r], keys);
                }

                Deltas[CounterSignals] += _insertSignals.Execute();
            }

            for (; i < signals.Length; i++)
            {
                BindSignal(_insertSignal, 0, in signals[i], keys);
                Deltas[CounterSignals] += _insertSignal.Execute();
            }
        }

        /// <summary>
        /// Stores an output batch's decisions: <see cref="OutputsPerStatement"/> rows per plain INSERT
        /// while that many remain. Such a statement stores all its rows or, when one is already stored
        /// (a replay) or repeated, none (SQLite backs the statement out and the transaction goes on):
        /// then its rows are stored one by one, skipping the stored ones. A new decision that changes
        /// the price also becomes a point of our price history and the product's current price.
        /// </summary>
        public void InsertDecisions(ReadOnlySpan<PricingDecision> decisions, MarketKeys keys)
        {
            int i = 0;
            for (; i + OutputsPerStatement <= decisions.Length; i += OutputsPerStatement)
            {
                for (int r = 0; r < OutputsPerStatement; r++)
                {
                    ref readonly var d = ref decisions[i + r];
                    var product = unchecked((long)keys.Products.GetStableHash(d.ProductId));
                    EnsureKey(ProductKind, product, keys.Products.GetName(d.ProductId));
                    BindDecision(_insertDecisions, r * DecisionColumns, d.Id, d.Timestamp, product, d.OldPrice.Ticks, d.NewPrice.Ticks, d.TargetPrice.Ticks, d.Currency.Value, d.Strategy, d.Arm, d.Trigger, d.SetBy, d.Bounded, null, null);
                }

                if (_insertDecisions.TryExecute())
                {
                    Deltas[CounterDecisions] += OutputsPerStatement;
                    var chunk = decisions.Slice(i, OutputsPerStatement);
                    if (ChangesEveryPrice(chunk))
                    {
                        // The common case: all 16 become points of our price history in one statement.
                        for (int r = 0; r < OutputsPerStatement; r++)
                        {
                            ref readonly var d = ref chunk[r];
                            BindOurPrice(_insertOurPrices, r * OurPriceColumns, unchecked((long)keys.Products.GetStableHash(d.ProductId)), d.Timestamp, d.Id, d.NewPrice.Ticks, d.Currency.Value, OurPriceSource.Decision);
                        }

                        Deltas[CounterOurPrices] += _insertOurPrices.Execute();
                        foreach (ref readonly var d in chunk)
                        {
                            UpdateCurrentPrice(keys.Products.GetName(d.ProductId), d.Timestamp, d.NewPrice.Ticks);
                        }

                        continue;
                    }

                    foreach (ref readonly var d in chunk)
                    {
                        DecisionStored(d.Id, d.Timestamp, unchecked((long)keys.Products.GetStableHash(d.ProductId)), keys.Products.GetName(d.ProductId), d.OldPrice.Ticks, d.NewPrice.Ticks, d.Currency.Value, d.Trigger);
                    }

                    continue;
                }

                for (int r = 0; r < OutputsPerStatement; r++)
                {
                    InsertDecision(in decisions[i + r], keys);
                }
            }

            for (; i < decisions.Length; i++)
            {
                InsertDecision(in decisions[i], keys);
            }
        }

        public bool InsertDecision(ulong id, long time, long product, string productName, long oldTicks, long newTicks, long targetTicks, ushort currency, PricingStrategyKind strategy, int arm, DecisionTrigger trigger, PricingRules setBy, PricingRules bounded, string? decidedBy, string? reason)
        {
            EnsureKey(ProductKind, product, productName);
            BindDecision(_insertDecision, 0, id, time, product, oldTicks, newTicks, targetTicks, currency, strategy, arm, trigger, setBy, bounded, decidedBy, reason);
            if (_insertDecision.Execute() == 0)
            {
                return false;
            }

            Deltas[CounterDecisions]++;
            DecisionStored(id, time, product, productName, oldTicks, newTicks, currency, trigger);
            return true;
        }

        private void InsertDecision(in PricingDecision d, MarketKeys keys) =>
            InsertDecision(
                d.Id, d.Timestamp, unchecked((long)keys.Products.GetStableHash(d.ProductId)), keys.Products.GetName(d.ProductId),
                d.OldPrice.Ticks, d.NewPrice.Ticks, d.TargetPrice.Ticks, d.Currency.Value, d.Strategy, d.Arm, d.Trigger, d.SetBy, d.Bounded, null, null);

        /// <summary>After a new decision: a price change becomes a point of our price history and the product's current price.</summary>
        private void DecisionStored(ulong id, long time, long product, string productName, long oldTicks, long newTicks, ushort currency, DecisionTrigger trigger)
        {
            if (newTicks != oldTicks || trigger == DecisionTrigger.Manual)
            {
                InsertOurPrice(product, productName, time, id, newTicks, currency, trigger == DecisionTrigger.Manual ? OurPriceSource.Manual : OurPriceSource.Decision);
                UpdateCurrentPrice(productName, time, newTicks);
            }
        }

        /// <summary>Whether every decision of <paramref name="decisions"/> changes the price (and none is manual: engine decisions never are).</summary>
        private static bool ChangesEveryPrice(ReadOnlySpan<PricingDecision> decisions)
        {
            foreach (ref readonly var d in decisions)
            {
                if (d.NewPrice.Ticks == d.OldPrice.Ticks || d.Trigger == DecisionTrigger.Manual)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Queues the product's current price change. Applying the group's changes one by one
        /// (<c>UPDATE … WHERE price_time &lt;= time</c>) leaves the last of the newest ones, so only that one is kept.
        /// </summary>
        private void UpdateCurrentPrice(string productName, long time, long newTicks)
        {
            ref var pending = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_currentPrices, productName, out bool queued);
            if (!queued || time >= pending.Time)
            {
                pending = (time, newTicks);
            }
        }

        /// <summary>Stores the queued current prices: one update per product (a product not in the catalog is left alone).</summary>
        private void FlushCurrentPrices()
        {
            if (_currentPrices.Count == 0)
            {
                return;
            }

            var update = _updateCurrentPrice;
            foreach (var (productName, (time, ticks)) in _currentPrices)
            {
                update.Bind(1, ticks);
                update.Bind(2, time);
                update.Bind(3, productName);
                update.Execute();
            }

            _currentPrices.Clear();
        }

        private static void BindOurPrice(RawStatement insert, int offset, long product, long time, ulong id, long priceTicks, ushort currency, OurPriceSource source)
        {
            insert.Bind(offset + 1, product);
            insert.Bind(offset + 2, time);
            insert.Bind(offset + 3, Sid(id));
            insert.Bind(offset + 4, priceTicks);
            insert.Bind(offset + 5, currency);
            insert.Bind(offset + 6, (int)source);
        }

        private void BindSignal(RawStatement insert, int offset, in MarketSignal s, MarketKeys keys)
        {
            var product = unchecked((long)keys.Products.GetStableHash(s.ProductId));
            EnsureKey(ProductKind, product, keys.Products.GetName(s.ProductId));
            long? competitor = null;
            if (s.CompetitorId >= 0)
            {
                competitor = unchecked((long)keys.Competitors.GetStableHash(s.CompetitorId));
                EnsureKey(CompetitorKind, competitor.Value, keys.Competitors.GetName(s.CompetitorId));
            }

            insert.Bind(offset + 1, Sid(s.Id));
            insert.Bind(offset + 2, s.Timestamp);
            insert.Bind(offset + 3, (int)s.Kind);
            insert.Bind(offset + 4, (int)s.Severity);
            insert.Bind(offset + 5, product);
            insert.Bind(offset + 6, competitor);
            insert.Bind(offset + 7, s.Observed);
            insert.Bind(offset + 8, s.Reference);
            insert.Bind(offset + 9, s.Threshold);
            insert.Bind(offset + 10, s.Magnitude);
        }

        private static void BindDecision(RawStatement insert, int offset, ulong id, long time, long product, long oldTicks, long newTicks, long targetTicks, ushort currency, PricingStrategyKind strategy, int arm, DecisionTrigger trigger, PricingRules setBy, PricingRules bounded, string? decidedBy, string? reason)
        {
            insert.Bind(offset + 1, Sid(id));
            insert.Bind(offset + 2, time);
            insert.Bind(offset + 3, product);
            insert.Bind(offset + 4, oldTicks);
            insert.Bind(offset + 5, newTicks);
            insert.Bind(offset + 6, targetTicks);
            insert.Bind(offset + 7, currency);
            insert.Bind(offset + 8, (int)strategy);
            insert.Bind(offset + 9, arm);
            insert.Bind(offset + 10, (int)trigger);
            insert.Bind(offset + 11, (int)setBy);
            insert.Bind(offset + 12, (int)bounded);
            insert.Bind(offset + 13, decidedBy);
            insert.Bind(offset + 14, reason);
        }

        /// <summary>
        /// Inserts <paramref name="rows"/> where a stored (or repeated) row must be skipped and each new
        /// one known: <paramref name="perStatement"/> rows per plain multi-row INSERT
        /// (<paramref name="many"/>) while that many remain. Such a statement stores all its rows or, when
        /// one is already stored or repeats another, none (SQLite backs out the statement and the
        /// transaction goes on); then, and for the remainder, rows go one at a time through
        /// <paramref name="one"/> (INSERT OR IGNORE: the first wins). Each new row is reported to
        /// <see cref="INewRows.Stored"/> once.
        /// </summary>
        /// <returns>How many rows were new.</returns>
        private static int InsertNew<TRows>(TRows rows, RawStatement many, RawStatement one, int columns, int perStatement)
            where TRows : INewRows, allows ref struct
        {
            int stored = 0;
            int i = 0;
            for (; i + perStatement <= rows.Count; i += perStatement)
            {
                for (int r = 0; r < perStatement; r++)
                {
                    rows.Bind(many, r * columns, i + r);
                }

                if (many.TryExecute())
                {
                    for (int r = 0; r < perStatement; r++)
                    {
                        rows.Stored(i + r);
                    }

                    stored += perStatement;
                    continue;
                }

                for (int r = 0; r < perStatement; r++)
                {
                    stored += InsertOne(ref rows, one, i + r);
                }
            }

            for (; i < rows.Count; i++)
            {
                stored += InsertOne(ref rows, one, i);
            }

            return stored;

            static int InsertOne(ref TRows rows, RawStatement one, int row)
            {
                rows.Bind(one, 0, row);
                if (one.Execute() == 0)
                {
                    return 0;
                }

                rows.Stored(row);
                return 1;
            }
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
            int full = _buckets.Count - (_buckets.Count % BucketsPerStatement);
            int row = 0;
            foreach (var (key, b) in _buckets)
            {
                var (statement, offset) = row < full
                    ? (_upsertBuckets, (row % BucketsPerStatement) * BucketColumns)
                    : (_upsertBucket, 0);
                statement.Bind(offset + 1, key.Product);
                statement.Bind(offset + 2, (int)key.Size);
                statement.Bind(offset + 3, key.Start);
                statement.Bind(offset + 4, key.Competitor);
                statement.Bind(offset + 5, Sid(StoreIds.Bucket(b.ProductName, b.CompetitorName, key.Size, key.Start)));
                statement.Bind(offset + 6, b.OpenTime);
                statement.Bind(offset + 7, b.OpenPrice);
                statement.Bind(offset + 8, b.High);
                statement.Bind(offset + 9, b.Low);
                statement.Bind(offset + 10, b.CloseTime);
                statement.Bind(offset + 11, b.ClosePrice);
                statement.Bind(offset + 12, b.Count);
                statement.Bind(offset + 13, b.Currency);
                row++;
                if (row > full || row % BucketsPerStatement == 0)
                {
                    statement.Execute();
                }
            }

            _buckets.Clear();
        }

        /// <summary>The bucket upsert of <paramref name="rows"/> rows (distinct keys): rolls each row into its stored bucket, if any.</summary>
        private static string UpsertBucketsSql(int rows)
        {
            return ValuesSql(
                "INSERT INTO price_buckets (product, size, start, competitor, id, open_time, open_price, high, low, close_time, close_price, count, currency) VALUES ",
                BucketColumns,
                rows) +
                """

                ON CONFLICT (product, size, start, competitor) DO UPDATE SET
                  open_price = CASE WHEN excluded.open_time < open_time OR (excluded.open_time = open_time AND excluded.open_price < open_price) THEN excluded.open_price ELSE open_price END,
                  open_time = min(open_time, excluded.open_time),
                  close_price = CASE WHEN excluded.close_time > close_time OR (excluded.close_time = close_time AND excluded.close_price > close_price) THEN excluded.close_price ELSE close_price END,
                  currency = CASE WHEN excluded.close_time > close_time OR (excluded.close_time = close_time AND excluded.close_price > close_price) THEN excluded.currency ELSE currency END,
                  close_time = max(close_time, excluded.close_time),
                  high = max(high, excluded.high),
                  low = min(low, excluded.low),
                  count = count + excluded.count
                """;
        }

        /// <summary><paramref name="head"/> followed by <paramref name="rows"/> rows of <paramref name="columns"/> numbered parameters each (row r, column c is <c>?(r * columns + c)</c>).</summary>
        private static string ValuesSql(string head, int columns, int rows)
        {
            var sql = new System.Text.StringBuilder(head);
            for (int r = 0; r < rows; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (int c = 1; c <= columns; c++)
                {
                    sql.Append(c == 1 ? "?" : ", ?").Append((r * columns) + c);
                }

                sql.Append(')');
            }

            return sql.ToString();
        }
    }

    /// <summary>Rows <see cref="WriteContext.InsertNew{TRows}"/> inserts: how to bind one and what a new one means.</summary>
    private interface INewRows
    {
        /// <summary>How many rows there are.</summary>
        int Count { get; }

        /// <summary>Binds row <paramref name="row"/> to <paramref name="insert"/>'s parameters after the first <paramref name="offset"/>.</summary>
        void Bind(RawStatement insert, int offset, int row);

        /// <summary>Row <paramref name="row"/> was new and is stored.</summary>
        void Stored(int row);
    }

    /// <summary>A group's observations, in key order.</summary>
    private readonly ref struct ObservationRows(WriteContext context, Span<PendingObservation> pending) : INewRows
    {
        private readonly Span<PendingObservation> _pending = pending;

        public int Count => _pending.Length;

        public void Bind(RawStatement insert, int offset, int row) => WriteContext.BindObservation(insert, offset, in _pending[row]);

        public void Stored(int row) => context.ObservationStored(in _pending[row]);
    }

    private readonly record struct PendingObservation(long Product, long Time, long Competitor, long Platform, long Price, ushort Currency, Availability Availability, int Slot, string ProductName, string CompetitorName, string? PlatformName, int Order);

    private readonly record struct BucketKey(long Product, long Competitor, PriceBucketSize Size, long Start);

    private record struct BucketAggregate(string ProductName, string CompetitorName, long OpenTime, long OpenPrice, long High, long Low, long CloseTime, long ClosePrice, long Count, ushort Currency);
}
