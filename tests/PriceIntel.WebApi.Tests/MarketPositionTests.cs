using PriceIntel.AspNetCore.Overview;

namespace PriceIntel.WebApi.Tests;

/// <summary>The overview's catalog-wide position: gap histogram, our ranks and each competitor's price index.</summary>
public sealed class MarketPositionTests
{
    [Fact]
    public void Products_fall_into_the_gap_bin_of_their_gap_and_competitors_get_their_mean_price_relative_to_ours()
    {
        var tally = new MarketOverview.PositionTally();
        // 10 % above the lowest (rank 2), 25 % below it (rank 1), exactly at it (rank 1), and one without our price (ignored).
        tally.Add(View("A", ours: 110m, gap: 0.10, rank: 2, ("acme", 100m), ("bolt", 120m)));
        tally.Add(View("B", ours: 75m, gap: -0.25, rank: 1, ("acme", 100m)));
        tally.Add(View("C", ours: 50m, gap: 0.0, rank: 1, ("bolt", 50m)));
        tally.Add(View("D", ours: 0m, gap: double.NaN, rank: 1, ("acme", 10m)));

        var position = tally.ToDto();

        Assert.Equal(3, position.Products);
        Assert.Equal(MarketOverview.GapEdges.Length + 1, position.GapToLowest.Count);
        Assert.Equal(3, position.GapToLowest.Sum(b => b.Products));
        Assert.Equal(1, Bin(position, -0.25).Products); // open bin below -20 %
        Assert.Null(Bin(position, -0.25).From);
        Assert.Equal(1, Bin(position, 0.0).Products);   // [0, 5 %)
        Assert.Equal(1, Bin(position, 0.10).Products);  // [10 %, 15 %)
        Assert.Equal([2L, 1L, 0L, 0L, 0L, 0L], position.Ranks);

        var acme = position.Competitors.Single(c => c.Competitor == "acme");
        Assert.Equal(2, acme.Products);
        Assert.Equal(((100 / 110.0) + (100 / 75.0)) / 2, acme.PriceIndex, 12);
        Assert.Equal(0.5, acme.CheaperShare, 12);
        var bolt = position.Competitors.Single(c => c.Competitor == "bolt");
        Assert.Equal(((120 / 110.0) + 1.0) / 2, bolt.PriceIndex, 12);
        Assert.Equal(0.0, bolt.CheaperShare, 12);
    }

    [Fact]
    public void Ranks_beyond_the_last_count_go_into_it()
    {
        var tally = new MarketOverview.PositionTally();
        tally.Add(View("A", ours: 200m, gap: 0.9, rank: 9, ("acme", 105m)));
        Assert.Equal([0L, 0L, 0L, 0L, 0L, 1L], tally.ToDto().Ranks);
        Assert.Equal(1, Bin(tally.ToDto(), 0.9).Products); // open bin from +20 %
        Assert.Null(Bin(tally.ToDto(), 0.9).To);
    }

    private static GapBinDto Bin(MarketPositionDto position, double gap) =>
        position.GapToLowest.Single(b => (b.From is null || gap >= b.From) && (b.To is null || gap < b.To));

    private static ProductView View(string sku, decimal ours, double gap, int rank, params (string Competitor, decimal Price)[] offers) => new(
        sku, "USD", ours, 0m, 10, "control", PricingStrategyKind.Hold,
        [.. offers.Select(o => new CompetitorOffer(o.Competitor, o.Price, Availability.InStock, DateTimeOffset.UnixEpoch, (double)o.Price, 0))],
        offers.Min(o => o.Price), offers.Min(o => o.Price), offers.Max(o => o.Price), rank, gap, [], [], null);
}
