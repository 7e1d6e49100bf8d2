using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The batch is copied into the store's write queue and stored with whatever else is queued; the
    /// call returns once it is queued (waiting while the queue is full). <see cref="FlushAsync"/> returns
    /// once everything written before it is committed. When a queued batch cannot be stored, this and
    /// every later <see cref="WriteAsync(OutputBatch, CancellationToken)"/> and <see cref="FlushAsync"/>
    /// throw its <see cref="MarketStoreException"/>.
    /// </remarks>
    public async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfSinkFailed();
        if (batch.IsEmpty)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(batch.Keys);
        await EnqueueAsync(new OutputWrite(this, batch.Signals.ToArray(), batch.Decisions.ToArray(), batch.Keys), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> AppendMarketEventsAsync(ReadOnlyMemory<MarketEvent> events, MarketKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        if (events.IsEmpty)
        {
            return 0;
        }

        var stored = await WriteCountingAsync((events, keys), static (w, state) =>
        {
            var (events, keys) = state;
            int added = 0;
            foreach (ref readonly var e in events.Span)
            {
                if (!e.Price.IsValidPrice || (uint)e.ProductId >= (uint)keys.Products.Count)
                {
                    continue;
                }

                if (e.Kind == MarketEventKind.CompetitorPrice && (uint)e.CompetitorId < (uint)keys.Competitors.Count)
                {
                    var hasPlatform = (uint)e.PlatformId < (uint)keys.Platforms.Count;
                    w.QueueObservation(
                        unchecked((long)keys.Products.GetStableHash(e.ProductId)), keys.Products.GetName(e.ProductId),
                        unchecked((long)keys.Competitors.GetStableHash(e.CompetitorId)), keys.Competitors.GetName(e.CompetitorId),
                        hasPlatform ? unchecked((long)keys.Platforms.GetStableHash(e.PlatformId)) : 0, hasPlatform ? keys.Platforms.GetName(e.PlatformId) : null,
                        e.Timestamp, e.Price.Ticks, e.Currency.Value, e.Availability);
                }
                else if (e.Kind == MarketEventKind.ListPrice)
                {
                    var name = keys.Products.GetName(e.ProductId);
                    if (w.InsertOurPrice(unchecked((long)keys.Products.GetStableHash(e.ProductId)), name, e.Timestamp, StoreIds.ListPrice(name, e.Timestamp), e.Price.Ticks, e.Currency.Value, OurPriceSource.ListPrice))
                    {
                        added++;
                    }
                }
            }

            return added;
        }, PriceHistoryRows(events.Span), cancellationToken).ConfigureAwait(false);
        await ApplyRetentionIfDueAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <inheritdoc />
    public ValueTask<int> AppendCompetitorPricesAsync(IReadOnlyList<PriceObservation> observations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observations);
        foreach (var o in observations)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(observations));
            o.Validate();
        }

        return WriteCountingAsync(observations, static (w, list) =>
        {
            foreach (var o in list)
            {
                w.QueueObservation(
                    KeyHash(o.Product), o.Product, KeyHash(o.Competitor), o.Competitor,
                    o.Platform is null ? 0 : KeyHash(o.Platform), o.Platform,
                    o.Time.ToUnixTimeMilliseconds(), Money.FromDecimal(o.Price).Ticks, CurrencyCode.Parse(o.Currency).Value, o.Availability);
            }

            return 0;
        }, observations.Count, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> AppendOurPricesAsync(IReadOnlyList<OurPricePoint> points, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var p in points)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(points));
            p.Validate();
        }

        return WriteAsync(points, static (w, list) =>
        {
            int added = 0;
            foreach (var p in list)
            {
                if (w.InsertOurPrice(KeyHash(p.Product), p.Product, p.Time.ToUnixTimeMilliseconds(), p.Id, Money.FromDecimal(p.Price).Ticks, CurrencyCode.Parse(p.Currency).Value, p.Source))
                {
                    added++;
                }
            }

            return added;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask UpsertProductsAsync(IReadOnlyList<CatalogProduct> products, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(products);
        foreach (var p in products)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(products));
            p.Validate();
        }

        await WriteAsync(products, static (w, list) =>
        {
            using var exists = w.AdHoc("SELECT 1 FROM products WHERE sku = $sku");
            exists.Parameters.Add("$sku", SqliteType.Text);
            using var upsert = w.AdHoc(
                """
                INSERT INTO products (sku, name, category, currency, unit_cost, current_price, map_price, min_price, max_price, stock, watch_urls, created, updated, price_time)
                VALUES ($sku, $name, $cat, $cur, $cost, $price, $map, $min, $max, $stock, $urls, $created, $updated, $updated)
                ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, currency = excluded.currency,
                  unit_cost = excluded.unit_cost, current_price = excluded.current_price, map_price = excluded.map_price,
                  min_price = excluded.min_price, max_price = excluded.max_price, stock = excluded.stock,
                  watch_urls = excluded.watch_urls, updated = excluded.updated, price_time = excluded.updated
                """);
            foreach (var p in list)
            {
                exists.Parameters[0].Value = p.Sku;
                if (exists.ExecuteScalar() is null)
                {
                    w.Deltas[CounterProducts]++;
                }

                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$sku", p.Sku);
                upsert.Parameters.AddWithValue("$name", p.Name);
                upsert.Parameters.AddWithValue("$cat", (object?)p.Category ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$cur", p.Currency.ToUpperInvariant());
                upsert.Parameters.AddWithValue("$cost", Ticks(p.UnitCost));
                upsert.Parameters.AddWithValue("$price", Ticks(p.CurrentPrice));
                upsert.Parameters.AddWithValue("$map", Ticks(p.MapPrice));
                upsert.Parameters.AddWithValue("$min", Ticks(p.MinPrice));
                upsert.Parameters.AddWithValue("$max", Ticks(p.MaxPrice));
                upsert.Parameters.AddWithValue("$stock", p.Stock.HasValue ? p.Stock.Value : DBNull.Value);
                upsert.Parameters.AddWithValue("$urls", string.Join('\n', p.WatchUrls));
                upsert.Parameters.AddWithValue("$created", p.Created.ToUnixTimeMilliseconds());
                upsert.Parameters.AddWithValue("$updated", p.Updated.ToUnixTimeMilliseconds());
                upsert.ExecuteNonQuery();
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);

        static object Ticks(decimal? value) => value.HasValue ? Money.FromDecimal(value.Value).Ticks : DBNull.Value;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveProductAsync(string sku, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sku);
        return WriteAsync(sku, static (w, sku) =>
        {
            using var cmd = w.AdHoc("DELETE FROM products WHERE sku = $sku");
            cmd.Parameters.AddWithValue("$sku", sku);
            var removed = cmd.ExecuteNonQuery() > 0;
            if (removed)
            {
                w.Deltas[CounterProducts]--;
            }

            return removed;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<AcknowledgeResult> AcknowledgeSignalAsync(ulong id, SignalAcknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        acknowledgement.Validate();
        var outcome = await WriteAsync((id, acknowledgement), static (w, state) =>
        {
            using var cmd = w.AdHoc("UPDATE signals SET ack_by = $by, ack_at = $at, ack_note = $note WHERE id = $id AND ack_at IS NULL");
            cmd.Parameters.AddWithValue("$by", state.acknowledgement.By);
            cmd.Parameters.AddWithValue("$at", state.acknowledgement.At.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$note", (object?)state.acknowledgement.Note ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", Sid(state.id));
            if (cmd.ExecuteNonQuery() == 1)
            {
                w.Deltas[CounterAcknowledged]++;
                return AcknowledgeOutcome.Acknowledged;
            }

            using var exists = w.AdHoc("SELECT 1 FROM signals WHERE id = $id");
            exists.Parameters.AddWithValue("$id", Sid(state.id));
            return exists.ExecuteScalar() is null ? AcknowledgeOutcome.NotFound : AcknowledgeOutcome.AlreadyAcknowledged;
        }, cancellationToken).ConfigureAwait(false);
        var signal = outcome == AcknowledgeOutcome.NotFound ? null : await GetSignalAsync(id, cancellationToken).ConfigureAwait(false);
        return new AcknowledgeResult(outcome, signal);
    }

    /// <inheritdoc />
    public async ValueTask<StoredDecision> RecordManualDecisionAsync(ManualPriceChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.Validate();
        var id = change.DecisionId;
        await WriteAsync(change, static (w, c) =>
        {
            var product = KeyHash(c.Product);
            var time = c.Time.ToUnixTimeMilliseconds();
            using var previous = w.AdHoc(
                """
                SELECT coalesce(
                  (SELECT price FROM our_prices WHERE product = $p AND time <= $t ORDER BY time DESC, id DESC LIMIT 1),
                  (SELECT current_price FROM products WHERE sku = $sku), 0)
                """);
            previous.Parameters.AddWithValue("$p", product);
            previous.Parameters.AddWithValue("$t", time);
            previous.Parameters.AddWithValue("$sku", c.Product);
            var oldTicks = Convert.ToInt64(previous.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            var newTicks = Money.FromDecimal(c.NewPrice).Ticks;
            w.InsertDecision(
                c.DecisionId, time, product, c.Product, oldTicks, newTicks, newTicks, CurrencyCode.Parse(c.Currency).Value,
                PricingStrategyKind.Hold, -1, DecisionTrigger.Manual, PricingRules.None, PricingRules.None, c.DecidedBy, c.Reason);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return await GetDecisionAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new MarketStoreException(_path, $"store '{_path}' lost manual decision {id} right after writing it");
    }

    /// <inheritdoc />
    public async ValueTask UpsertExperimentResultsAsync(IReadOnlyList<ExperimentArmResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(results));
            r.Validate();
        }

        await WriteAsync(results, static (w, list) =>
        {
            using var exists = w.AdHoc("SELECT 1 FROM experiment_results WHERE id = $id");
            exists.Parameters.Add("$id", SqliteType.Integer);
            using var upsert = w.AdHoc(
                """
                INSERT OR REPLACE INTO experiment_results (id, period_start, experiment, arm, strategy, period_ms, products, decisions, views, purchases, units, revenue, gross_profit, currency)
                VALUES ($id, $start, $exp, $arm, $strategy, $period, $products, $decisions, $views, $purchases, $units, $revenue, $profit, $cur)
                """);
            foreach (var r in list)
            {
                var id = Sid(r.Id);
                exists.Parameters[0].Value = id;
                if (exists.ExecuteScalar() is null)
                {
                    w.Deltas[CounterExperimentResults]++;
                }

                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$id", id);
                upsert.Parameters.AddWithValue("$start", r.PeriodStart.ToUnixTimeMilliseconds());
                upsert.Parameters.AddWithValue("$exp", r.Experiment);
                upsert.Parameters.AddWithValue("$arm", r.Arm);
                upsert.Parameters.AddWithValue("$strategy", (int)r.Strategy);
                upsert.Parameters.AddWithValue("$period", (long)r.Period.TotalMilliseconds);
                upsert.Parameters.AddWithValue("$products", r.Products);
                upsert.Parameters.AddWithValue("$decisions", r.Decisions);
                upsert.Parameters.AddWithValue("$views", r.Views);
                upsert.Parameters.AddWithValue("$purchases", r.Purchases);
                upsert.Parameters.AddWithValue("$units", r.Units);
                upsert.Parameters.AddWithValue("$revenue", Money.FromDecimal(r.Revenue).Ticks);
                upsert.Parameters.AddWithValue("$profit", Money.FromDecimal(r.GrossProfit).Ticks);
                upsert.Parameters.AddWithValue("$cur", r.Currency.ToUpperInvariant());
                upsert.ExecuteNonQuery();
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes history older than the configured retention, measured back from the newest stored
    /// observation; at most once a minute, in its own transaction. Nothing runs when no retention is set.
    /// </summary>
    private async ValueTask ApplyRetentionIfDueAsync(CancellationToken cancellationToken)
    {
        var r = _options.Retention;
        if (r.CompetitorPrices is null && r.HourBuckets is null && r.DayBuckets is null && r.Outputs is null)
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
    internal ValueTask<int> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var newest = Interlocked.Read(ref _counters[CounterNewestObservation]);
        var products = _names[ProductKind].Keys.ToArray();
        return WriteAsync((newest, products, _options.Retention), static (w, state) =>
        {
            var (newest, products, r) = state;
            int deleted = 0;
            if (r.CompetitorPrices is { } raw)
            {
                using var cmd = w.AdHoc("DELETE FROM competitor_prices WHERE product = $p AND time < $cutoff");
                cmd.Parameters.Add("$p", SqliteType.Integer);
                cmd.Parameters.AddWithValue("$cutoff", newest - (long)raw.TotalMilliseconds);
                foreach (var p in products)
                {
                    cmd.Parameters[0].Value = p;
                    var n = cmd.ExecuteNonQuery();
                    w.Deltas[CounterCompetitorPrices] -= n;
                    deleted += n;
                }
            }

            // Minute buckets are rolled up from raw observations when queried: they go with them.
            deleted += Buckets(w, products, PriceBucketSize.Hour, r.HourBuckets, newest);
            deleted += Buckets(w, products, PriceBucketSize.Day, r.DayBuckets, newest);
            if (r.Outputs is { } outputs)
            {
                var cutoff = newest - (long)outputs.TotalMilliseconds;
                using (var ack = w.AdHoc("SELECT count(*) FROM signals WHERE time < $cutoff AND ack_at IS NOT NULL"))
                {
                    ack.Parameters.AddWithValue("$cutoff", cutoff);
                    w.Deltas[CounterAcknowledged] -= Convert.ToInt64(ack.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                }

                using var signals = w.AdHoc("DELETE FROM signals WHERE time < $cutoff");
                signals.Parameters.AddWithValue("$cutoff", cutoff);
                var n = signals.ExecuteNonQuery();
                w.Deltas[CounterSignals] -= n;
                deleted += n;
                using var decisions = w.AdHoc("DELETE FROM decisions WHERE time < $cutoff");
                decisions.Parameters.AddWithValue("$cutoff", cutoff);
                n = decisions.ExecuteNonQuery();
                w.Deltas[CounterDecisions] -= n;
                deleted += n;
            }

            return deleted;
        }, cancellationToken);

        static int Buckets(WriteContext w, long[] products, PriceBucketSize size, TimeSpan? keep, long newest)
        {
            if (keep is not { } k)
            {
                return 0;
            }

            using var cmd = w.AdHoc("DELETE FROM price_buckets WHERE product = $p AND size = $s AND start < $cutoff");
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
}
