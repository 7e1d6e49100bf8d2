namespace PriceIntel.Engine.Simulation;

/// <summary>What the simulated market did, counted as it was generated (reader thread only).</summary>
internal struct SimulatorCounters
{
    public long Ticks;
    public long Events;
    public long CompetitorPrices;
    public long ScrapeErrors;
    public long PromotionsStarted;
    public long Views;
    public long AddToCarts;
    public long Purchases;
    public long UnitsSold;
    public long LostSales;
    public long InventoryUpdates;
    public long Restocks;
    public long CostChanges;
    public long ViralSpikes;
    public long DroppedAtEnd;
}
