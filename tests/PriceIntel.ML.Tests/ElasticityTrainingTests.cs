using System.Globalization;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.Backtesting;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;

namespace PriceIntel.ML.Tests;

public sealed class ElasticityTrainingTests(SimulatedHistoryFixture market) : IClassFixture<SimulatedHistoryFixture>
{
    [Fact]
    public void History_has_one_row_per_product_hour_with_sales()
    {
        var h = market.History;
        Assert.True(h.Count > 500 * 24 * 9, $"{h.Count} rows");
        Assert.True(h.Units.Sum() > 1000, $"{h.Units.Sum()} units");
        for (int r = 1; r < h.Count; r++)
        {
            Assert.True(h.HourStart[r] >= h.HourStart[r - 1]);
        }
    }

    [Fact]
    public void Pooled_elasticity_recovers_the_simulators_within_ten_percent()
    {
        var model = ElasticityEstimator.Fit(market.History, categories: market.OneCategory);
        var pool = Assert.Single(model.Categories);
        Assert.InRange(pool.Elasticity, SimulatedHistoryFixture.TrueElasticity * 0.9, SimulatedHistoryFixture.TrueElasticity * 1.1);
        Assert.InRange(pool.StandardError, 0.001, 0.15);

        // The unit-weighted mean of the shrunk product elasticities too.
        double weighted = model.Products.Sum(p => p.Elasticity * p.Units) / model.Products.Sum(p => p.Units);
        Assert.InRange(weighted, SimulatedHistoryFixture.TrueElasticity * 0.9, SimulatedHistoryFixture.TrueElasticity * 1.1);
    }

    [Fact]
    public void Shrinkage_pulls_sparse_products_to_their_category()
    {
        var model = ElasticityEstimator.Fit(market.History);
        foreach (var p in model.Products)
        {
            var pool = model.Categories[model.IndexOfCategory(p.Category)];
            if (double.IsFinite(p.RawElasticity))
            {
                // The used elasticity lies between the product's own estimate and the pool's.
                double lo = Math.Min(p.RawElasticity, pool.Elasticity) - 1e-9, hi = Math.Max(p.RawElasticity, pool.Elasticity) + 1e-9;
                Assert.InRange(p.Elasticity, lo, hi);
            }
            else
            {
                Assert.Equal(pool.Elasticity, p.Elasticity, 12);
            }
        }
    }

    [Fact]
    public async Task Elasticity_of_a_generated_market_with_another_known_value_is_recovered()
    {
        var options = new BacktestOptions { Products = 500, Days = 10, Seed = 11, Categories = 1, CategoryElasticitySpread = 1, ProductElasticitySpread = 0, ConfigureMarket = m => { m.PriceElasticity = 1.8; m.ViewsPerProductPerHour = 30; } };
        var builder = new DemandHistoryBuilder(new MarketKeys());
        await MarketBacktest.RunAsync(options, new BacktestStrategy("hold", PricingStrategyKind.Hold), builder);
        var history = builder.Build();
        var model = ElasticityEstimator.Fit(history, categories: history.ProductKeys.ToDictionary(k => k, _ => "all"));
        double weighted = model.Products.Sum(p => p.Elasticity * p.Units) / model.Products.Sum(p => p.Units);
        Assert.InRange(weighted, 1.8 * 0.9, 1.8 * 1.1);
    }

    [Fact]
    public async Task Each_categorys_pooled_elasticity_is_recovered_in_a_market_of_several_categories()
    {
        // Two categories with elasticities drawn between 3 ÷ 2 and 3 × 2, products spread σ = 0.15 around them.
        // 200 products a category over 10 days pin a category's elasticity to about ±20 % (95 %); the
        // ±10 % of issue 12 needs the backtest's larger markets (measured there, not asserted here).
        var options = new BacktestOptions { Products = 400, Days = 10, Seed = 5, Categories = 2, CategoryElasticitySpread = 2, ConfigureMarket = m => m.ViewsPerProductPerHour = 30 };
        var catalog = MarketBacktest.Catalog(options);
        var truth = catalog.GroupBy(p => p.Category).ToDictionary(g => g.Key, g => g.First().CategoryElasticity);
        Assert.Equal(2, truth.Count);
        Assert.All(catalog, p => Assert.Equal(int.Parse(p.Key[4..], CultureInfo.InvariantCulture) % 2, int.Parse(p.Category[9..], CultureInfo.InvariantCulture) - 1));
        var builder = new DemandHistoryBuilder(new MarketKeys());
        await MarketBacktest.RunAsync(options, new BacktestStrategy("hold", PricingStrategyKind.Hold), builder);
        var history = builder.Build();
        var model = ElasticityEstimator.Fit(history, categories: catalog.ToDictionary(p => p.Key, p => p.Category));
        Assert.Equal(2, model.Categories.Count);
        foreach (var pool in model.Categories)
        {
            double own = truth[pool.Category], other = truth.Single(t => t.Key != pool.Category).Value;
            Assert.InRange(pool.Elasticity, own * 0.8, own * 1.2);
            Assert.True(Math.Abs(pool.Elasticity - own) < Math.Abs(pool.Elasticity - other), $"{pool.Category}: {pool.Elasticity:0.000} is nearer the other category's {other:0.000} than its own {own:0.000}");
        }
    }

    [Fact]
    public void Training_reports_every_model_against_the_naive_baseline_on_later_hours()
    {
        var result = DemandModelTrainer.Train(market.History, new DemandTrainingOptions { Trees = 20 });
        Assert.Equal(4, result.Validation.Count);
        Assert.StartsWith("naive", result.Validation[0].Model, StringComparison.Ordinal);
        Assert.All(result.Validation, v => Assert.Equal(result.ValidationRows, v.Rows));
        for (int r = 0; r < market.History.Count; r++)
        {
            Assert.Equal(market.History.HourStart[r] < result.SplitTime, r < result.TrainingRows);
        }

        // Every model beats predicting each product's last-7-day rate, in Poisson deviance.
        double naive = result.Validation[0].MeanPoissonDeviance;
        Assert.All(result.Validation.Skip(1), v => Assert.True(v.MeanPoissonDeviance < naive, $"{v}; naive {naive}"));
        Assert.Equal(DemandModelKind.GradientBoostedTrees, result.GradientBoostedTrees!.Kind);
        Assert.Equal(DemandModelKind.RandomForest, result.RandomForest!.Kind);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var options = new DemandTrainingOptions { Trees = 10, TrainedAt = DateTimeOffset.UnixEpoch };
        var a = DemandModelTrainer.Train(market.History, options);
        var b = DemandModelTrainer.Train(market.History, options);
        Assert.Equal(a.GradientBoostedTrees!.Id, b.GradientBoostedTrees!.Id);
        Assert.Equal(a.RandomForest!.Id, b.RandomForest!.Id);
        Assert.Equal(a.Elasticity.Elasticity!.Categories, b.Elasticity.Elasticity!.Categories);
    }
}
