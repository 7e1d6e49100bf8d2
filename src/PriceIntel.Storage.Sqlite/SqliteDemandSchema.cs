namespace PriceIntel.Storage.Sqlite;

/// <summary>
/// Schema migration 3: demand history. <c>demand_events</c> keeps only the ids of the demand,
/// inventory and cost events stored (keyed by time first, so retention deletes a range), which make
/// appends idempotent; <c>demand_buckets</c> holds the hour and day roll-ups the queries read, keyed
/// by (product, size, start) so a product's buckets are one range, newest first. The stock, unit
/// cost and currency of a bucket are the latest reported (ties by time: the larger value), with the
/// time they were reported (long.MinValue: none reported), so buckets merge the same whatever order
/// their events arrive in.
/// </summary>
internal static class SqliteDemandSchema
{
    public const string Migration =
        """
        -- v3: demand history (views, add-to-carts, purchases, units, revenue, our price, stock, cost per product and hour/day).
        CREATE TABLE demand_events (time INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (time, id)) WITHOUT ROWID;

        CREATE TABLE demand_buckets (
            product INTEGER NOT NULL, size INTEGER NOT NULL, start INTEGER NOT NULL, id INTEGER NOT NULL,
            views INTEGER NOT NULL, add_to_carts INTEGER NOT NULL, purchases INTEGER NOT NULL, units INTEGER NOT NULL,
            revenue INTEGER NOT NULL, view_price_sum INTEGER NOT NULL, priced_views INTEGER NOT NULL,
            currency INTEGER NOT NULL, currency_time INTEGER NOT NULL,
            stock INTEGER NOT NULL, stock_time INTEGER NOT NULL,
            unit_cost INTEGER NOT NULL, cost_time INTEGER NOT NULL,
            PRIMARY KEY (product, size, start)) WITHOUT ROWID;
        """;
}
