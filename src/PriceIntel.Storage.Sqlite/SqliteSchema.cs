using Microsoft.Data.Sqlite;

namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// The schema, versioned with <c>PRAGMA user_version</c>: migration <c>n</c> takes a store from
/// version <c>n</c> to <c>n + 1</c> in one transaction. Add a migration at the end; never edit one
/// that has shipped. Ids are stored sign-flipped (<see cref="SqliteStore.Sid"/>) so that
/// signed SQLite order equals unsigned id order. Keys (SKU, competitor, platform) are stored once
/// in <c>keys</c> and referenced by their stable 64-bit hash. Money is in ticks (1/10,000), times
/// in Unix milliseconds.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE keys (kind INTEGER NOT NULL, hash INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, hash)) WITHOUT ROWID;

        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

        CREATE TABLE products (
            sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, currency TEXT NOT NULL,
            unit_cost INTEGER, current_price INTEGER, map_price INTEGER, min_price INTEGER, max_price INTEGER,
            stock INTEGER, watch_urls TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
            price_time INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX products_category ON products (category, sku);

        CREATE TABLE competitor_prices (
            product INTEGER NOT NULL, time INTEGER NOT NULL, competitor INTEGER NOT NULL, platform INTEGER NOT NULL,
            id INTEGER NOT NULL, price INTEGER NOT NULL, currency INTEGER NOT NULL, availability INTEGER NOT NULL,
            PRIMARY KEY (product, time, competitor, platform)) WITHOUT ROWID;

        CREATE TABLE price_buckets (
            product INTEGER NOT NULL, size INTEGER NOT NULL, start INTEGER NOT NULL, competitor INTEGER NOT NULL,
            id INTEGER NOT NULL, open_time INTEGER NOT NULL, open_price INTEGER NOT NULL, high INTEGER NOT NULL,
            low INTEGER NOT NULL, close_time INTEGER NOT NULL, close_price INTEGER NOT NULL, count INTEGER NOT NULL,
            currency INTEGER NOT NULL,
            PRIMARY KEY (product, size, start, competitor)) WITHOUT ROWID;

        CREATE TABLE our_prices (
            product INTEGER NOT NULL, time INTEGER NOT NULL, id INTEGER NOT NULL, price INTEGER NOT NULL,
            currency INTEGER NOT NULL, source INTEGER NOT NULL,
            PRIMARY KEY (product, time, id)) WITHOUT ROWID;
        CREATE UNIQUE INDEX our_prices_id ON our_prices (id);

        CREATE TABLE signals (
            id INTEGER PRIMARY KEY, time INTEGER NOT NULL, kind INTEGER NOT NULL, severity INTEGER NOT NULL,
            product INTEGER NOT NULL, competitor INTEGER, observed REAL NOT NULL, reference REAL NOT NULL,
            threshold REAL NOT NULL, magnitude REAL NOT NULL, ack_by TEXT, ack_at INTEGER, ack_note TEXT);
        CREATE INDEX signals_time ON signals (time, id);
        CREATE INDEX signals_product ON signals (product, time, id);
        CREATE INDEX signals_competitor ON signals (competitor, time, id) WHERE competitor IS NOT NULL;
        CREATE INDEX signals_kind ON signals (kind, time, id);
        CREATE INDEX signals_severity ON signals (severity, time, id);
        CREATE INDEX signals_open ON signals (time, id) WHERE ack_at IS NULL;

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY, time INTEGER NOT NULL, product INTEGER NOT NULL, old_price INTEGER NOT NULL,
            new_price INTEGER NOT NULL, target_price INTEGER NOT NULL, currency INTEGER NOT NULL, strategy INTEGER NOT NULL,
            arm INTEGER NOT NULL, trigger INTEGER NOT NULL, set_by INTEGER NOT NULL, bounded INTEGER NOT NULL,
            decided_by TEXT, reason TEXT);
        CREATE INDEX decisions_time ON decisions (time, id);
        CREATE INDEX decisions_product ON decisions (product, time, id);
        CREATE INDEX decisions_arm ON decisions (arm, time, id);
        CREATE INDEX decisions_trigger ON decisions (trigger, time, id);

        CREATE TABLE experiment_results (
            id INTEGER PRIMARY KEY, period_start INTEGER NOT NULL, experiment TEXT NOT NULL, arm INTEGER NOT NULL,
            strategy INTEGER NOT NULL, period_ms INTEGER NOT NULL, products INTEGER NOT NULL, decisions INTEGER NOT NULL,
            views INTEGER NOT NULL, purchases INTEGER NOT NULL, units INTEGER NOT NULL, revenue INTEGER NOT NULL,
            gross_profit INTEGER NOT NULL, currency TEXT NOT NULL);
        CREATE INDEX experiment_results_time ON experiment_results (period_start, id);
        CREATE INDEX experiment_results_experiment ON experiment_results (experiment, arm, period_start, id);
        CREATE INDEX experiment_results_arm ON experiment_results (arm, period_start, id);
        """,
        """
        -- v2: minute buckets are rolled up from raw observations when queried (they held about one
        -- observation each and doubled the rows written per observation).
        DELETE FROM price_buckets WHERE size = 1;
        """,
        SqliteDemandSchema.Migration,
        """
        -- v4 (sbench4, write throughput): signals and decisions are kept in time order. Their ids are
        -- 64-bit hashes, so a table keyed by id took every new row at a random place (each insert
        -- rewrote a random page of full rows); keyed by (time, id) rows are appended, and only the
        -- narrow unique index on id takes random inserts (about a quarter less work per decision,
        -- measured). The (time, id) indexes become the tables themselves. signals_severity served no
        -- query (signal queries filter "severity >= ?", a range, and the planner reads them from the
        -- time order or another filter's index), yet every signal paid an insert into it: dropped.
        CREATE TABLE signals_v4 (
            id INTEGER NOT NULL, time INTEGER NOT NULL, kind INTEGER NOT NULL, severity INTEGER NOT NULL,
            product INTEGER NOT NULL, competitor INTEGER, observed REAL NOT NULL, reference REAL NOT NULL,
            threshold REAL NOT NULL, magnitude REAL NOT NULL, ack_by TEXT, ack_at INTEGER, ack_note TEXT,
            PRIMARY KEY (time, id)) WITHOUT ROWID;
        INSERT INTO signals_v4 (id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude, ack_by, ack_at, ack_note)
            SELECT id, time, kind, severity, product, competitor, observed, reference, threshold, magnitude, ack_by, ack_at, ack_note FROM signals;
        DROP TABLE signals;
        ALTER TABLE signals_v4 RENAME TO signals;
        CREATE UNIQUE INDEX signals_id ON signals (id);
        CREATE INDEX signals_product ON signals (product, time, id);
        CREATE INDEX signals_competitor ON signals (competitor, time, id) WHERE competitor IS NOT NULL;
        CREATE INDEX signals_kind ON signals (kind, time, id);
        CREATE INDEX signals_open ON signals (time, id) WHERE ack_at IS NULL;

        CREATE TABLE decisions_v4 (
            id INTEGER NOT NULL, time INTEGER NOT NULL, product INTEGER NOT NULL, old_price INTEGER NOT NULL,
            new_price INTEGER NOT NULL, target_price INTEGER NOT NULL, currency INTEGER NOT NULL, strategy INTEGER NOT NULL,
            arm INTEGER NOT NULL, trigger INTEGER NOT NULL, set_by INTEGER NOT NULL, bounded INTEGER NOT NULL,
            decided_by TEXT, reason TEXT,
            PRIMARY KEY (time, id)) WITHOUT ROWID;
        INSERT INTO decisions_v4 (id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason)
            SELECT id, time, product, old_price, new_price, target_price, currency, strategy, arm, trigger, set_by, bounded, decided_by, reason FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_v4 RENAME TO decisions;
        CREATE UNIQUE INDEX decisions_id ON decisions (id);
        CREATE INDEX decisions_product ON decisions (product, time, id);
        CREATE INDEX decisions_arm ON decisions (arm, time, id);
        CREATE INDEX decisions_trigger ON decisions (trigger, time, id);
        """,
    ];

    /// <summary>The version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the store to <see cref="CurrentVersion"/>.</summary>
    /// <exception cref="MarketStoreException">The store was written by a newer build.</exception>
    public static void Migrate(SqliteConnection connection, string path)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > CurrentVersion)
        {
            throw new MarketStoreException(path, $"store '{path}' has schema version {version}, newer than this build reads ({CurrentVersion}); use a newer PriceIntel");
        }

        for (int v = version; v < CurrentVersion; v++)
        {
            using var tx = connection.BeginTransaction();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = Migrations[v] + $"\nPRAGMA user_version = {v + 1};";
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
