// Shared source: compiled into the SQLite store (SqliteStore.Demand) and the MongoDB store (MongoStore.Demand) through a
// Compile Include in their project files, so both roll demand events into hour and day buckets the same way.
namespace PriceIntel.Shared;

// <summary>
// What the new demand, inventory and cost events of one write contribute to one demand bucket: counts
// and sums add up; the currency, stock and unit cost are the latest reported, ties in time broken by
// the larger value (as both stores' merges into the stored bucket do), so a bucket comes out the same
// whatever order its events arrive in. A time of long.MinValue means "none reported".
// </summary>
internal sealed class DemandTally
{
    public long Views { get; private set; }

    public long AddToCarts { get; private set; }

    public long Purchases { get; private set; }

    public long Units { get; private set; }

    public long Revenue { get; private set; }

    public long ViewPriceSum { get; private set; }

    public long PricedViews { get; private set; }

    public long Currency { get; private set; }

    public long CurrencyTime { get; private set; } = long.MinValue;

    public long Stock { get; private set; }

    public long StockTime { get; private set; } = long.MinValue;

    public long UnitCost { get; private set; }

    public long CostTime { get; private set; } = long.MinValue;

    // Adds one event; kinds other than demand, inventory and cost change nothing.
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
