namespace PriceIntel;

/// <summary>
/// The product catalog: what we sell, at what cost and price, within which bounds, and which
/// competitor pages watch it. Products are keyed by SKU; upserting an SKU again replaces its entry
/// but keeps its first <see cref="CatalogProduct.Created"/>. Removing a product leaves its history.
/// </summary>
public interface IProductCatalog
{
    /// <summary>Inserts or replaces products, in one batch.</summary>
    /// <param name="products">The entries; each is validated first (<see cref="CatalogProduct.Validate"/>).</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <exception cref="ArgumentException">An entry is invalid; nothing is written.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask UpsertProductsAsync(IReadOnlyList<CatalogProduct> products, CancellationToken cancellationToken);

    /// <summary>The entry for an SKU, or null.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<CatalogProduct?> GetProductAsync(string sku, CancellationToken cancellationToken);

    /// <summary>Catalog entries matching the query, by SKU ascending.</summary>
    /// <exception cref="ArgumentException">The query is invalid (limit, cursor).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<CatalogProduct>> QueryProductsAsync(ProductQuery query, CancellationToken cancellationToken);

    /// <summary>Removes an SKU from the catalog (its price history, signals and decisions stay).</summary>
    /// <returns>True when the SKU was in the catalog.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<bool> RemoveProductAsync(string sku, CancellationToken cancellationToken);
}

/// <summary>
/// Competitor price history (every observation, plus minute/hour/day buckets the store keeps up to
/// date as observations arrive) and our own price history. Appends are batched and idempotent: an
/// observation already stored (same <see cref="PriceObservation.Id"/>) is skipped and does not count
/// twice in a bucket. Times are kept to the millisecond, prices to four decimals.
/// </summary>
public interface IPriceHistoryStore
{
    /// <summary>
    /// Stores the competitor-price and list-price events of a batch (other kinds are ignored): the fast
    /// path for a pipeline's input. List prices become <see cref="OurPriceSource.ListPrice"/> points
    /// of our own price history.
    /// </summary>
    /// <param name="events">The events; only read during the call.</param>
    /// <param name="keys">The key tables the events' ids refer to.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>How many records were new (duplicates of stored ones are not counted).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<int> AppendMarketEventsAsync(ReadOnlyMemory<MarketEvent> events, MarketKeys keys, CancellationToken cancellationToken);

    /// <summary>Stores competitor price observations (scrapers, feeds, HTTP ingest), in one batch.</summary>
    /// <returns>How many were new.</returns>
    /// <exception cref="ArgumentException">An observation is invalid (empty key, price not positive, bad currency); nothing is written.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<int> AppendCompetitorPricesAsync(IReadOnlyList<PriceObservation> observations, CancellationToken cancellationToken);

    /// <summary>Stores points of our own price history, in one batch.</summary>
    /// <returns>How many were new.</returns>
    /// <exception cref="ArgumentException">A point is invalid; nothing is written.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<int> AppendOurPricesAsync(IReadOnlyList<OurPricePoint> points, CancellationToken cancellationToken);

    /// <summary>Raw competitor observations of one product, newest first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<PriceObservation>> QueryCompetitorPricesAsync(PriceHistoryQuery query, CancellationToken cancellationToken);

    /// <summary>Rolled-up competitor prices (open/high/low/close/count per bucket) of one product, newest bucket first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<PriceBucket>> QueryPriceBucketsAsync(PriceBucketQuery query, CancellationToken cancellationToken);

    /// <summary>Our own price history of one product, newest first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<OurPricePoint>> QueryOurPricesAsync(OurPriceQuery query, CancellationToken cancellationToken);
}

/// <summary>Market signals as stored (written through the store's sink), with acknowledgement.</summary>
public interface ISignalStore
{
    /// <summary>Signals matching the query, newest first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<StoredSignal>> QuerySignalsAsync(SignalQuery query, CancellationToken cancellationToken);

    /// <summary>One signal by id, or null.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StoredSignal?> GetSignalAsync(ulong id, CancellationToken cancellationToken);

    /// <summary>
    /// Acknowledges a signal. Idempotent: the first acknowledgement stays; acknowledging again returns
    /// <see cref="AcknowledgeOutcome.AlreadyAcknowledged"/> with the signal as first acknowledged.
    /// </summary>
    /// <exception cref="ArgumentException">The acknowledgement is invalid (empty or over-long <see cref="SignalAcknowledgement.By"/> or note).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<AcknowledgeResult> AcknowledgeSignalAsync(ulong id, SignalAcknowledgement acknowledgement, CancellationToken cancellationToken);
}

/// <summary>Pricing decisions as stored: the engine's (written through the store's sink) and manual ones.</summary>
public interface IDecisionStore
{
    /// <summary>Decisions matching the query, newest first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<StoredDecision>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Records a price set by hand: a <see cref="DecisionTrigger.Manual"/> decision (old price from our
    /// price history, else the catalog, else 0), a point of our price history, and the catalog's current
    /// price when the SKU is in it. Idempotent: the same change (product, time, who) recorded again
    /// returns the decision stored the first time.
    /// </summary>
    /// <exception cref="ArgumentException">The change is invalid (empty product or who, price not positive, bad currency).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StoredDecision> RecordManualDecisionAsync(ManualPriceChange change, CancellationToken cancellationToken);
}

/// <summary>Per-arm experiment results over time (one row per experiment, arm and period).</summary>
public interface IExperimentResultStore
{
    /// <summary>Inserts or replaces result rows (same experiment, arm and period start: the newer write wins), in one batch.</summary>
    /// <exception cref="ArgumentException">A row is invalid; nothing is written.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask UpsertExperimentResultsAsync(IReadOnlyList<ExperimentArmResult> results, CancellationToken cancellationToken);

    /// <summary>Result rows matching the query, newest period first.</summary>
    /// <exception cref="ArgumentException">The query is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    ValueTask<StorePage<ExperimentArmResult>> QueryExperimentResultsAsync(ExperimentResultQuery query, CancellationToken cancellationToken);
}
