using static PriceIntel.Storage.Tests.TestData;

namespace PriceIntel.Storage.Tests;

/// <summary>
/// What every <see cref="IMarketStore"/> must do. Derive once per store (SQLite always; MongoDB when
/// PRICEINTEL_MONGO_URI names a server) and the same assertions run against each.
/// </summary>
public abstract partial class MarketStoreContractTests : IAsyncLifetime
{
    private IMarketStore? _store;

    protected MarketKeys Keys { get; } = new();

    /// <summary>The store under test; skips the test (with <see cref="SkipReason"/>) when none could be made.</summary>
    protected IMarketStore Store
    {
        get
        {
            Skip.If(_store is null, SkipReason);
            return _store!;
        }
    }

    /// <summary>Why there is no store to test (e.g. no server configured); null when there is one.</summary>
    protected virtual string? SkipReason => null;

    /// <summary>A new, empty store, or null when the store cannot run here (then every test is skipped with <see cref="SkipReason"/>).</summary>
    protected abstract Task<IMarketStore?> CreateStoreAsync();

    /// <summary>Disposes <paramref name="store"/> and opens the same store again.</summary>
    protected abstract Task<IMarketStore> ReopenAsync(IMarketStore store);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Cleanup();
    }

    protected virtual void Cleanup()
    {
    }

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>Five signals and four decisions over two products, written in two batches in no particular time order.</summary>
    private async Task SeedOutputsAsync()
    {
        await Store.WriteAsync(Batch(
            Keys,
            [
                Signal(Keys, 1, SignalKind.CompetitorPriceDrop, "SKU-1", "acme", Ms(20)),
                Signal(Keys, 2, SignalKind.DemandSurge, "SKU-2", null, Ms(5), SignalSeverity.Info),
                Signal(Keys, 3, SignalKind.PriceAnomaly, "SKU-1", "zeta", Ms(30), SignalSeverity.Critical),
            ],
            [Decision(Keys, 101, "SKU-1", Ms(20)), Decision(Keys, 102, "SKU-2", Ms(25), arm: 1, trigger: DecisionTrigger.DemandSurge)]), Ct);
        await Store.WriteAsync(Batch(
            Keys,
            [
                Signal(Keys, 4, SignalKind.CompetitorPriceDrop, "SKU-1", "zeta", Ms(30)),
                Signal(Keys, 5, SignalKind.LowInventory, "SKU-2", null, Ms(0), SignalSeverity.Critical),
            ],
            [Decision(Keys, 103, "SKU-1", Ms(40), 189_900, 179_900, trigger: DecisionTrigger.CompetitorPriceDrop), Decision(Keys, 104, "SKU-1", Ms(2), 199_900, 199_900)]), Ct);

        // The sink may queue (SQLite does): what it was given is stored once FlushAsync returns.
        await Store.FlushAsync(Ct);
    }

    private async Task<ulong[]> SignalIds(SignalQuery query) => (await Store.QuerySignalsAsync(query, Ct)).Items.Select(s => s.Id).ToArray();

    private async Task<ulong[]> DecisionIds(DecisionQuery query) => (await Store.QueryDecisionsAsync(query, Ct)).Items.Select(d => d.Id).ToArray();

    [SkippableFact]
    public async Task Outputs_come_back_newest_first_with_ties_by_id_descending()
    {
        await SeedOutputsAsync();
        Assert.Equal(new ulong[] { 4UL, 3, 1, 2, 5 }, await SignalIds(new SignalQuery()));
        Assert.Equal(new ulong[] { 103UL, 102, 101, 104 }, await DecisionIds(new DecisionQuery()));
    }

    [SkippableFact]
    public async Task Stored_outputs_equal_what_was_written()
    {
        await SeedOutputsAsync();
        var signal = await Store.GetSignalAsync(3, Ct);
        Assert.Equal(StoredSignal.From(Signal(Keys, 3, SignalKind.PriceAnomaly, "SKU-1", "zeta", Ms(30), SignalSeverity.Critical), Keys), signal);
        var decision = (await Store.QueryDecisionsAsync(new DecisionQuery { Product = "SKU-2" }, Ct)).Items.Single();
        Assert.Equal(StoredDecision.From(Decision(Keys, 102, "SKU-2", Ms(25), arm: 1, trigger: DecisionTrigger.DemandSurge), Keys), decision);
        Assert.Null(await Store.GetSignalAsync(999, Ct));
    }

    [SkippableFact]
    public async Task Writing_the_same_ids_again_keeps_one_copy()
    {
        await SeedOutputsAsync();
        await SeedOutputsAsync();
        Assert.Equal(5, (await Store.QuerySignalsAsync(new SignalQuery(), Ct)).Items.Count);
        Assert.Equal(4, (await Store.QueryDecisionsAsync(new DecisionQuery(), Ct)).Items.Count);
        var stats = await Store.GetStatisticsAsync(Ct);
        Assert.Equal(5, stats.Signals);
        Assert.Equal(5, stats.UnacknowledgedSignals);
        Assert.Equal(4, stats.Decisions);
    }

    [SkippableFact]
    public async Task Signal_filters_combine()
    {
        await SeedOutputsAsync();
        Assert.Equal(new ulong[] { 4UL, 3, 1 }, await SignalIds(new SignalQuery { Product = "SKU-1" }));
        Assert.Equal(new ulong[] { 4UL, 3 }, await SignalIds(new SignalQuery { Competitor = "zeta" }));
        Assert.Equal(new ulong[] { 4UL, 1 }, await SignalIds(new SignalQuery { Kind = SignalKind.CompetitorPriceDrop }));
        Assert.Equal(new ulong[] { 3UL, 5 }, await SignalIds(new SignalQuery { MinSeverity = SignalSeverity.Critical }));
        Assert.Equal(new ulong[] { 4UL, 3, 1, 5 }, await SignalIds(new SignalQuery { MinSeverity = SignalSeverity.Warning }));
        Assert.Equal(new ulong[] { 4UL, 1 }, await SignalIds(new SignalQuery { Product = "SKU-1", Kind = SignalKind.CompetitorPriceDrop }));
        Assert.Equal(new ulong[] { 1UL, 2 }, await SignalIds(new SignalQuery { From = T0.AddMinutes(5), To = T0.AddMinutes(30) }));
        Assert.Equal(new ulong[] { 2UL, 5 }, await SignalIds(new SignalQuery { To = T0.AddMinutes(10) }));
        Assert.Empty(await SignalIds(new SignalQuery { Product = "SKU-unknown" }));
    }

    [SkippableFact]
    public async Task Decision_filters_combine()
    {
        await SeedOutputsAsync();
        Assert.Equal(new ulong[] { 103UL, 101, 104 }, await DecisionIds(new DecisionQuery { Product = "SKU-1" }));
        Assert.Equal(new ulong[] { 102UL }, await DecisionIds(new DecisionQuery { Arm = 1 }));
        Assert.Equal(new ulong[] { 103UL }, await DecisionIds(new DecisionQuery { Trigger = DecisionTrigger.CompetitorPriceDrop }));
        Assert.Equal(new ulong[] { 101UL, 104 }, await DecisionIds(new DecisionQuery { Product = "SKU-1", Trigger = DecisionTrigger.Scheduled, To = T0.AddMinutes(30) }));
    }

    [SkippableFact]
    public async Task Paging_by_cursor_visits_every_record_once_even_while_newer_ones_arrive()
    {
        await SeedOutputsAsync();
        var seen = new List<ulong>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var page = await Store.QuerySignalsAsync(new SignalQuery { Limit = 2, Cursor = cursor }, Ct);
            seen.AddRange(page.Items.Select(s => s.Id));
            cursor = page.NextCursor;
            pages++;
            if (pages == 1)
            {
                // A newer signal arrives between pages: it belongs before the first page, not in a later one.
                await Store.WriteAsync(Batch(Keys, [Signal(Keys, 6, SignalKind.DemandSurge, "SKU-3", null, Ms(90))], []), Ct);
                await Store.FlushAsync(Ct);
            }
        }
        while (cursor is not null);

        Assert.Equal([4UL, 3, 1, 2, 5], seen);
        Assert.Equal(3, pages);
    }

    [SkippableFact]
    public async Task Acknowledging_is_idempotent_and_filterable()
    {
        await SeedOutputsAsync();
        var first = new SignalAcknowledgement("ana", T0.AddHours(1), "matched the drop");
        var result = await Store.AcknowledgeSignalAsync(3, first, Ct);
        Assert.Equal(AcknowledgeOutcome.Acknowledged, result.Outcome);
        Assert.Equal(first, result.Signal!.Acknowledgement);

        var again = await Store.AcknowledgeSignalAsync(3, new SignalAcknowledgement("bob", T0.AddHours(2), null), Ct);
        Assert.Equal(AcknowledgeOutcome.AlreadyAcknowledged, again.Outcome);
        Assert.Equal(first, again.Signal!.Acknowledgement);

        Assert.Equal(AcknowledgeOutcome.NotFound, (await Store.AcknowledgeSignalAsync(999, first, Ct)).Outcome);
        Assert.Equal(new ulong[] { 3UL }, await SignalIds(new SignalQuery { Acknowledged = true }));
        Assert.Equal(new ulong[] { 4UL, 1, 2, 5 }, await SignalIds(new SignalQuery { Acknowledged = false }));
        Assert.Equal(4, (await Store.GetStatisticsAsync(Ct)).UnacknowledgedSignals);

        // Writing the signal again (a replay) does not clear its acknowledgement.
        await SeedOutputsAsync();
        Assert.Equal(first, (await Store.GetSignalAsync(3, Ct))!.Acknowledgement);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.AcknowledgeSignalAsync(1, new SignalAcknowledgement(" ", T0, null), Ct));
    }

    [SkippableFact]
    public async Task Manual_decisions_record_who_and_why_update_the_catalog_and_our_price_history()
    {
        await Store.UpsertProductsAsync([Product("SKU-1", price: 199.99m)], Ct);
        await Store.WriteAsync(Batch(Keys, [], [Decision(Keys, 101, "SKU-1", Ms(20), 199_9900, 189_9900)]), Ct);
        await Store.FlushAsync(Ct);
        var change = new ManualPriceChange("SKU-1", 175.00m, "USD", "ana", "clearance", T0.AddHours(1));
        var decision = await Store.RecordManualDecisionAsync(change, Ct);

        Assert.Equal(change.DecisionId, decision.Id);
        Assert.Equal(DecisionTrigger.Manual, decision.Trigger);
        Assert.Equal(189.99m, decision.OldPrice);
        Assert.Equal(175.00m, decision.NewPrice);
        Assert.Equal("ana", decision.DecidedBy);
        Assert.Equal("clearance", decision.Reason);
        Assert.Equal(-1, decision.Arm);

        Assert.Equal(decision, await Store.RecordManualDecisionAsync(change, Ct));
        Assert.Equal([decision.Id], await DecisionIds(new DecisionQuery { Trigger = DecisionTrigger.Manual }));
        Assert.Equal(175.00m, (await Store.GetProductAsync("SKU-1", Ct))!.CurrentPrice);

        var ours = (await Store.QueryOurPricesAsync(new OurPriceQuery("SKU-1"), Ct)).Items;
        Assert.Equal([(175.00m, OurPriceSource.Manual), (189.99m, OurPriceSource.Decision)], ours.Select(p => (p.Price, p.Source)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.RecordManualDecisionAsync(change with { NewPrice = 0 }, Ct));
    }

    [SkippableFact]
    public async Task Competitor_prices_are_stored_once_and_queried_per_product_and_competitor()
    {
        MarketEvent[] events =
        [
            Price(Keys, "SKU-1", "acme", 10.00m, Ms(0)),
            Price(Keys, "SKU-1", "zeta", 11.00m, Ms(0)),
            Price(Keys, "SKU-1", "acme", 9.50m, Ms(1)),
            Price(Keys, "SKU-2", "acme", 99.00m, Ms(1), platform: null),
            MarketEvent.Demand(Keys.Products.Intern("SKU-1"), DemandAction.View, 1, Money.Zero, CurrencyCode.Usd, Ms(1)),
        ];
        Assert.Equal(4, await Store.AppendMarketEventsAsync(events, Keys, Ct));
        Assert.Equal(0, await Store.AppendMarketEventsAsync(events, Keys, Ct));

        var sku1 = (await Store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-1"), Ct)).Items;
        Assert.Equal([9.50m, 10.00m, 11.00m], sku1.Select(o => o.Price).Order());
        Assert.Equal(sku1.OrderByDescending(o => o.Time).ThenByDescending(o => o.Id), sku1);
        Assert.Equal(new PriceObservation("SKU-1", "acme", "web", 9.50m, "USD", Availability.InStock, T0.AddMinutes(1)), sku1[0]);
        Assert.Equal([9.50m, 10.00m], (await Store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-1") { Competitor = "acme" }, Ct)).Items.Select(o => o.Price));
        Assert.Null((await Store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-2"), Ct)).Items.Single().Platform);

        var viaList = new PriceObservation("SKU-1", "acme", "web", 9.50m, "USD", Availability.InStock, T0.AddMinutes(1));
        Assert.Equal(0, await Store.AppendCompetitorPricesAsync([viaList], Ct));
        Assert.Equal(1, await Store.AppendCompetitorPricesAsync([viaList with { Time = T0.AddMinutes(2) }], Ct));
        Assert.Equal(5, (await Store.GetStatisticsAsync(Ct)).CompetitorPrices);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.AppendCompetitorPricesAsync([viaList with { Currency = "XX" }], Ct));
    }

    [SkippableFact]
    public async Task Buckets_match_a_recomputation_from_the_raw_observations()
    {
        var random = new Random(7);
        var events = new List<MarketEvent>();
        string[] competitors = ["acme", "zeta", "kilo"];
        for (int i = 0; i < 600; i++)
        {
            var price = Math.Round(50m + (decimal)random.NextDouble() * 10m, 2);
            events.Add(Price(Keys, "SKU-1", competitors[random.Next(3)], price, Ms(0) + random.NextInt64(0, 3 * 86_400_000L), platform: random.Next(2) == 0 ? "web" : "app"));
        }

        // Out of time order, in uneven batches, with repeats: buckets must not depend on any of that.
        for (int start = 0; start < events.Count; start += 97)
        {
            await Store.AppendMarketEventsAsync(events.Skip(start).Take(97).ToArray(), Keys, Ct);
        }

        await Store.AppendMarketEventsAsync(events.Take(150).ToArray(), Keys, Ct);
        var raw = events
            .GroupBy(e => (e.ProductId, e.CompetitorId, e.PlatformId, e.Timestamp))
            .Select(g => g.First())
            .ToList();
        foreach (var size in new[] { PriceBucketSize.Minute, PriceBucketSize.Hour, PriceBucketSize.Day })
        {
            var expected = raw
                .GroupBy(e => (Competitor: Keys.Competitors.GetName(e.CompetitorId), Start: PriceBucket.StartOf(e.Timestamp, size)))
                .Select(g =>
                {
                    var ordered = g.OrderBy(e => e.Timestamp).ThenBy(e => e.Price.Ticks).ToList();
                    return new PriceBucket(
                        "SKU-1", g.Key.Competitor, size, DateTimeOffset.FromUnixTimeMilliseconds(g.Key.Start),
                        ordered[0].Price.ToDecimal(), g.Max(e => e.Price.ToDecimal()), g.Min(e => e.Price.ToDecimal()), ordered[^1].Price.ToDecimal(), g.Count(), "USD");
                })
                .OrderByDescending(b => b.Start).ThenByDescending(b => b.Id)
                .ToList();
            var actual = new List<PriceBucket>();
            string? cursor = null;
            do
            {
                var page = await Store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-1", size) { Limit = 50, Cursor = cursor }, Ct);
                actual.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            Assert.Equal(expected, actual);
        }

        var acme = (await Store.QueryPriceBucketsAsync(new PriceBucketQuery("SKU-1", PriceBucketSize.Day) { Competitor = "acme" }, Ct)).Items;
        Assert.All(acme, b => Assert.Equal("acme", b.Competitor));
        Assert.Equal(raw.Count(e => Keys.Competitors.GetName(e.CompetitorId) == "acme"), acme.Sum(b => b.Count));
    }

    [SkippableFact]
    public async Task Our_prices_come_from_list_prices_and_price_changing_decisions()
    {
        var product = Keys.Products.Intern("SKU-1");
        await Store.AppendMarketEventsAsync(new[] { MarketEvent.ListPrice(product, Money.FromDecimal(20m), CurrencyCode.Eur, Ms(0)) }, Keys, Ct);
        await Store.WriteAsync(Batch(Keys, [], [Decision(Keys, 101, "SKU-1", Ms(10), 200_000, 190_000), Decision(Keys, 102, "SKU-1", Ms(20), 190_000, 190_000)]), Ct);
        await Store.FlushAsync(Ct);
        await Store.AppendOurPricesAsync([new OurPricePoint(StoreIds.ListPrice("SKU-1", Ms(30)), "SKU-1", 21m, "EUR", OurPriceSource.ListPrice, T0.AddMinutes(30))], Ct);
        var points = (await Store.QueryOurPricesAsync(new OurPriceQuery("SKU-1"), Ct)).Items;
        Assert.Equal([(21m, OurPriceSource.ListPrice), (19m, OurPriceSource.Decision), (20m, OurPriceSource.ListPrice)], points.Select(p => (p.Price, p.Source)));
        Assert.Equal(101UL, points[1].Id);
        Assert.Equal(3, (await Store.GetStatisticsAsync(Ct)).OurPrices);
    }

    [SkippableFact]
    public async Task Catalog_upserts_keep_created_and_page_by_sku()
    {
        await Store.UpsertProductsAsync([Product("B"), Product("A", "video"), Product("C")], Ct);
        var later = T0.AddDays(1);
        var changed = Product("B", price: 149.5m, at: later) with { WatchUrls = ["https://a.example/b", "https://b.example/b"], Stock = null, Category = null };
        await Store.UpsertProductsAsync([changed], Ct);
        Assert.Equal(changed with { Created = T0 }, await Store.GetProductAsync("B", Ct));
        Assert.Null(await Store.GetProductAsync("Z", Ct));

        var first = await Store.QueryProductsAsync(new ProductQuery { Limit = 2 }, Ct);
        Assert.Equal(["A", "B"], first.Items.Select(p => p.Sku));
        var second = await Store.QueryProductsAsync(new ProductQuery { Limit = 2, Cursor = first.NextCursor }, Ct);
        Assert.Equal(["C"], second.Items.Select(p => p.Sku));
        Assert.Null(second.NextCursor);
        Assert.Equal(["A"], (await Store.QueryProductsAsync(new ProductQuery { Category = "video" }, Ct)).Items.Select(p => p.Sku));

        Assert.True(await Store.RemoveProductAsync("A", Ct));
        Assert.False(await Store.RemoveProductAsync("A", Ct));
        Assert.Equal(2, (await Store.GetStatisticsAsync(Ct)).Products);
        var bad = Product("D") with { MinPrice = 500m };
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.UpsertProductsAsync([Product("E"), bad], Ct));
        Assert.Contains("MinPrice", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetProductAsync("E", Ct));
    }

    [SkippableFact]
    public async Task Experiment_results_are_replaced_per_period_and_filtered()
    {
        ExperimentArmResult Row(string experiment, int arm, int day, long units) =>
            new(experiment, arm, PricingStrategyKind.MatchLowest, T0.AddDays(day), TimeSpan.FromDays(1), 100, 10, 1000, 50, units, units * 20m, units * 5m, "USD");
        await Store.UpsertExperimentResultsAsync([Row("exp", 0, 0, 10), Row("exp", 1, 0, 12), Row("exp", 0, 1, 14), Row("other", 0, 1, 1)], Ct);
        await Store.UpsertExperimentResultsAsync([Row("exp", 0, 1, 15)], Ct);
        var exp0 = (await Store.QueryExperimentResultsAsync(new ExperimentResultQuery { Experiment = "exp", Arm = 0 }, Ct)).Items;
        Assert.Equal([Row("exp", 0, 1, 15), Row("exp", 0, 0, 10)], exp0);
        Assert.Equal(3, (await Store.QueryExperimentResultsAsync(new ExperimentResultQuery { Experiment = "exp" }, Ct)).Items.Count);
        Assert.Equal(2, (await Store.QueryExperimentResultsAsync(new ExperimentResultQuery { From = T0.AddDays(1) }, Ct)).Items.Count);
        Assert.Equal(4, (await Store.GetStatisticsAsync(Ct)).ExperimentResults);
    }

    [SkippableFact]
    public async Task Invalid_queries_are_rejected_with_the_field_named()
    {
        _ = Store; // skips here, not inside an assertion, when there is no store
        var limit = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QuerySignalsAsync(new SignalQuery { Limit = 0 }, Ct));
        Assert.Contains("Limit", limit.Message, StringComparison.Ordinal);
        var cursor = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QueryDecisionsAsync(new DecisionQuery { Cursor = "not-a-cursor" }, Ct));
        Assert.Contains("Cursor", cursor.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QuerySignalsAsync(new SignalQuery { From = T0.AddDays(1), To = T0 }, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QueryCompetitorPricesAsync(new PriceHistoryQuery(""), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QueryProductsAsync(new ProductQuery { Cursor = StoreCursor.Encode(1, 2) }, Ct));
    }

    [SkippableFact]
    public async Task Everything_survives_reopening()
    {
        await SeedOutputsAsync();
        await Store.AppendMarketEventsAsync(new[] { Price(Keys, "SKU-1", "acme", 10m, Ms(0)) }, Keys, Ct);
        await Store.UpsertProductsAsync([Product("SKU-1")], Ct);
        await Store.AcknowledgeSignalAsync(1, new SignalAcknowledgement("ana", T0, null), Ct);
        _store = await ReopenAsync(Store);
        Assert.Equal(new ulong[] { 4UL, 3, 1, 2, 5 }, await SignalIds(new SignalQuery()));
        Assert.Equal("ana", (await Store.GetSignalAsync(1, Ct))!.Acknowledgement!.By);
        Assert.Equal(new StoreStatistics(1, 1, 3, 5, 4, 4, 0), await Store.GetStatisticsAsync(Ct));
        Assert.Equal("acme", (await Store.QueryCompetitorPricesAsync(new PriceHistoryQuery("SKU-1"), Ct)).Items.Single().Competitor);
    }
}
