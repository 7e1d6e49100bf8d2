using PriceIntel.ML.Backtesting;
using PriceIntel.ML.History;

namespace PriceIntel.ML.Tests;

/// <summary>
/// One recorded market shared by the tests of a class: 500 products (30 views per product-hour) × 8 competitors over 10 days of the
/// simulator in closed loop (true price elasticity 3), turned into hourly history. Our prices follow the
/// Hold strategy (list prices, moved only by the margin band), so the price ratio to the lowest competitor
/// varies as competitors move; a strategy that tracks the lowest competitor (BeatLowest) leaves too
/// little variation to identify an elasticity.
/// </summary>
public sealed class SimulatedHistoryFixture
{
    public const double TrueElasticity = 3;

    public SimulatedHistoryFixture()
    {
        // One elasticity for every product, independent shoppers: the plain simulator market.
        Options = new BacktestOptions { Products = 500, Days = 10, Seed = 7, Categories = 1, CategoryElasticitySpread = 1, ProductElasticitySpread = 0, CommonRandomNumbers = false, ConfigureMarket = m => m.ViewsPerProductPerHour = 30 };
        var builder = new DemandHistoryBuilder(new MarketKeys());
        MarketBacktest.RunAsync(Options, new BacktestStrategy("hold", PricingStrategyKind.Hold), builder).GetAwaiter().GetResult();
        History = builder.Build();
    }

    public BacktestOptions Options { get; }

    /// <summary>Every product in one pool.</summary>
    public Dictionary<string, string> OneCategory => History.ProductKeys.ToDictionary(k => k, _ => "all");

    public DemandHistory History { get; }
}
