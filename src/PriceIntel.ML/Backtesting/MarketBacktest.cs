using System.Diagnostics;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.History;

namespace PriceIntel.ML.Backtesting;

/// <summary>
/// The market a backtest replays: the simulator with these settings, in closed loop (shoppers see each
/// strategy's prices after <see cref="FeedbackLagMinutes"/>), the same seed for every strategy, so
/// competitors, shoppers' arrivals and costs start from the same random stream. Each setter checks its value.
/// </summary>
/// <remarks>
/// The defaults describe a market like a retailer's rather than the simulator's plain default (one
/// elasticity for everything): <see cref="Categories"/> = 8 categories whose elasticities are drawn
/// log-uniform between 3 ÷ 1.75 ≈ 1.7 and 3 × 1.75 = 5.25 (<see cref="CategoryElasticitySpread"/>; measured
/// own-price elasticities of consumer goods mostly lie between 1 and 5, around 2.5), products spread
/// around their category's value by σ = 0.15 in log (<see cref="ProductElasticitySpread"/>: brands within a
/// category differ), and common random numbers (<see cref="CommonRandomNumbers"/>) so that every
/// strategy meets the same shoppers. Setting 1, 1, 0 and false gives the single-elasticity market of
/// earlier versions.
/// </remarks>
public sealed class BacktestOptions
{
    private int _products = 1_000;
    private double _days = 7;
    private int _feedbackLagMinutes = 15;
    private int _categories = 8;
    private double _categoryElasticitySpread = 1.75;
    private double _productElasticitySpread = 0.15;

    /// <summary>Simulated products. Default 1,000.</summary>
    public int Products { get => _products; set => _products = value is >= 1 and <= 1_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(Products), value, $"Products must be between 1 and 1,000,000; got {value}."); }

    /// <summary>Competitors per product. Default 8.</summary>
    public int Competitors { get; set; } = 8;

    /// <summary>Simulated days. Default 7.</summary>
    public double Days { get => _days; set => _days = value is > 0 and <= 366 ? value : throw new ArgumentOutOfRangeException(nameof(Days), value, $"Days must be in (0, 366]; got {value}."); }

    /// <summary>Simulator seed. Default 42.</summary>
    public ulong Seed { get; set; } = 42;

    /// <summary>Minutes before shoppers see a new price. Default 15.</summary>
    public int FeedbackLagMinutes { get => _feedbackLagMinutes; set => _feedbackLagMinutes = value is >= 1 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(FeedbackLagMinutes), value, $"FeedbackLagMinutes must be between 1 and 1,000; got {value}."); }

    /// <summary>Product categories (<see cref="MarketSimulatorOptions.CategoryCount"/>), 1 to 1,000. Default 8.</summary>
    public int Categories { get => _categories; set => _categories = value is >= 1 and <= 1_000 ? value : throw new ArgumentOutOfRangeException(nameof(Categories), value, $"Categories must be between 1 and 1,000; got {value}."); }

    /// <summary>Spread factor of the categories' elasticities around the simulator's (<see cref="MarketSimulatorOptions.CategoryElasticitySpread"/>), 1 to 10. Default 1.75.</summary>
    public double CategoryElasticitySpread { get => _categoryElasticitySpread; set => _categoryElasticitySpread = value is >= 1 and <= 10 ? value : throw new ArgumentOutOfRangeException(nameof(CategoryElasticitySpread), value, $"CategoryElasticitySpread must be between 1 and 10; got {value}."); }

    /// <summary>σ of products' log elasticities around their category's (<see cref="MarketSimulatorOptions.ProductElasticitySpread"/>), 0 to 2. Default 0.15.</summary>
    public double ProductElasticitySpread { get => _productElasticitySpread; set => _productElasticitySpread = value is >= 0 and <= 2 ? value : throw new ArgumentOutOfRangeException(nameof(ProductElasticitySpread), value, $"ProductElasticitySpread must be between 0 and 2; got {value}."); }

    /// <summary>Whether every strategy meets the same shoppers (<see cref="MarketSimulatorOptions.CommonRandomNumbers"/>). Default true.</summary>
    public bool CommonRandomNumbers { get; set; } = true;

    /// <summary>Further simulator settings (elasticity, cost fractions, …) applied on top of the above; null keeps the simulator's defaults.</summary>
    public Action<MarketSimulatorOptions>? ConfigureMarket { get; set; }

    /// <summary>Engine settings shared by every strategy (bounds, interval, …); the strategy itself is set per run. Null: defaults.</summary>
    public PriceIntelOptions? Engine { get; set; }

    /// <summary>A copy of these options with another <see cref="Seed"/> (another market drawn from the same settings).</summary>
    /// <param name="seed">The new seed.</param>
    public BacktestOptions WithSeed(ulong seed) => new()
    {
        Products = Products,
        Competitors = Competitors,
        Days = Days,
        Seed = seed,
        FeedbackLagMinutes = FeedbackLagMinutes,
        Categories = Categories,
        CategoryElasticitySpread = CategoryElasticitySpread,
        ProductElasticitySpread = ProductElasticitySpread,
        CommonRandomNumbers = CommonRandomNumbers,
        ConfigureMarket = ConfigureMarket,
        Engine = Engine,
    };

    /// <summary>The simulator settings for one run.</summary>
    public MarketSimulatorOptions SimulatorOptions()
    {
        var o = new MarketSimulatorOptions
        {
            ProductCount = Products,
            CompetitorCount = Competitors,
            Duration = TimeSpan.FromDays(Days),
            Seed = Seed,
            Tick = TimeSpan.FromMinutes(1),
            Feedback = SimulatorFeedbackMode.Lagged,
            FeedbackLagTicks = FeedbackLagMinutes,
            CategoryCount = Categories,
            CategoryElasticitySpread = CategoryElasticitySpread,
            ProductElasticitySpread = ProductElasticitySpread,
            CommonRandomNumbers = CommonRandomNumbers,
        };
        ConfigureMarket?.Invoke(o);
        return o;
    }
}

/// <summary>One strategy to backtest.</summary>
/// <param name="Name">Label in the report.</param>
/// <param name="Strategy">The pricing strategy of every product.</param>
/// <param name="Model">The demand model (for <see cref="PricingStrategyKind.MaximizeProfit"/>).</param>
public sealed record BacktestStrategy(string Name, PricingStrategyKind Strategy, DemandModel? Model = null);

/// <summary>How one strategy did over the replayed market.</summary>
/// <param name="Strategy">The strategy's label.</param>
/// <param name="Units">Units sold.</param>
/// <param name="Revenue">Revenue.</param>
/// <param name="CostOfGoods">Cost of the units sold.</param>
/// <param name="PriceChanges">Published price changes.</param>
/// <param name="Events">Events processed.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record BacktestResult(string Strategy, long Units, Money Revenue, Money CostOfGoods, long PriceChanges, long Events, TimeSpan Elapsed)
{
    /// <summary>Revenue − cost of goods.</summary>
    public Money Profit => new(Revenue.Ticks - CostOfGoods.Ticks);

    /// <summary>Profit / revenue; 0 without revenue.</summary>
    public double Margin => Revenue.Ticks == 0 ? 0 : Profit.Ticks / (double)Revenue.Ticks;
}

/// <summary>
/// Runs pricing strategies against the simulated market in closed loop, and records the history to
/// train on. The oracle (<see cref="Oracle"/>) is the profit-maximising strategy with the simulator's
/// true demand curve instead of a trained model.
/// </summary>
public static class MarketBacktest
{
    /// <summary>Replays the market under <paramref name="strategy"/>.</summary>
    /// <param name="options">The market.</param>
    /// <param name="strategy">The strategy.</param>
    /// <param name="history">When given, every event is also added to it (to record training data).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<BacktestResult> RunAsync(BacktestOptions options, BacktestStrategy strategy, DemandHistoryBuilder? history = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(strategy);
        var clock = Stopwatch.StartNew();
        var keys = history?.Keys ?? new MarketKeys();
        var engineOptions = CopyWithStrategy(options.Engine, strategy.Strategy);
        var simulator = new MarketSimulator(options.SimulatorOptions(), keys);
        await using (simulator.ConfigureAwait(false))
        {
            var engine = MarketEngine.Create(engineOptions, keys, initialProducts: options.Products);
            engine.UseDemandModel(strategy.Model);
            var buffer = new MarketEvent[4096];
            var rejections = new NoRejections();
            long events = 0;
            while (true)
            {
                int n = await simulator.ReadAsync(buffer, rejections, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                var batch = buffer.AsSpan(0, n);
                history?.Add(batch);
                var outputs = engine.Process(batch);
                simulator.ApplyDecisions(outputs.Decisions.Span);
                if (history is not null)
                {
                    long tickMs = 60_000, lagMs = options.FeedbackLagMinutes * tickMs;
                    foreach (ref readonly var d in outputs.Decisions.Span)
                    {
                        history.SchedulePriceChange(d.ProductId, d.NewPrice, (Math.DivRem(d.Timestamp, tickMs, out _) * tickMs) + lagMs);
                    }
                }

                simulator.AcknowledgeThrough(batch[^1].Timestamp);
                events += n;
            }

            long units = 0, revenue = 0, cost = 0, changes = 0;
            foreach (var arm in engine.GetArmReports())
            {
                units += arm.Units;
                revenue += arm.Revenue.Ticks;
                cost += arm.CostOfGoods.Ticks;
                changes += arm.PriceChanges;
            }

            return new BacktestResult(strategy.Name, units, new Money(revenue), new Money(cost), changes, events, clock.Elapsed);
        }
    }

    /// <summary>The market's ground truth: every product's key, category and true elasticity (<see cref="MarketSimulator.Catalog"/>).</summary>
    /// <param name="options">The market.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<SimulatedProduct> Catalog(BacktestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MarketSimulator.Catalog(options.SimulatorOptions());
    }

    /// <summary>
    /// The oracle's model: every product's demand falls with its true elasticity in the simulator
    /// (<see cref="MarketSimulator.Catalog"/>) against the lowest competitor price, (price / lowest)^−ε,
    /// and follows the daily seasonality. Only the curve's shape matters for the chosen price; its level
    /// (1 unit per hour at parity) does not. It leaves out the simulator's clamp of the price response to
    /// [0.05, 4], which binds only far from parity (below 0.63× or above 2.7× the lowest competitor with ε = 3).
    /// <para>It is the true demand curve <b>with competitors' prices held where they are</b>: it does not
    /// know that the simulator's undercutting competitors (every fourth one) follow our price down to
    /// 75 % of their regular price, so a cut buys less demand than it expects. A strategy whose model
    /// errs towards higher prices can therefore beat it by a few percent; it is a reference, not a
    /// ceiling.</para>
    /// </summary>
    /// <param name="options">The market.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static DemandModel Oracle(BacktestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var market = options.SimulatorOptions();
        var hours = new double[24];
        for (int h = 0; h < 24; h++)
        {
            hours[h] = 1 + (market.DailySeasonality * Math.Sin(2 * Math.PI * (h + 0.5 - 14) / 24));
        }

        var catalog = Catalog(options);
        var categories = catalog.GroupBy(p => p.Category, StringComparer.Ordinal)
            .Select(g => new CategoryElasticity(g.Key, g.First().CategoryElasticity, 0, 0, g.Count(), 0))
            .ToList();
        var products = catalog.Select(p => new ProductElasticity(p.Key, p.Category, 0, p.PriceElasticity, p.PriceElasticity, 0, 0, 0)).ToList();
        var table = new ElasticityModel(products, categories, hours);
        return DemandModel.FromElasticity("oracle (true demand curve)", table, DateTimeOffset.UnixEpoch, 0);
    }

    private static PriceIntelOptions CopyWithStrategy(PriceIntelOptions? template, PricingStrategyKind strategy)
    {
        var t = template ?? new PriceIntelOptions();
        var o = new PriceIntelOptions
        {
            Alerts = t.Alerts,
            Windows = t.Windows,
            Anomaly = t.Anomaly,
            Pipeline = t.Pipeline,
            Pricing = new PricingOptions
            {
                MinMargin = t.Pricing.MinMargin,
                MaxMargin = t.Pricing.MaxMargin,
                MaxChange = t.Pricing.MaxChange,
                UpdateIntervalMinutes = t.Pricing.UpdateIntervalMinutes,
                Strategy = strategy,
                Objective = t.Pricing.Objective,
                BeatBy = t.Pricing.BeatBy,
                Percentile = t.Pricing.Percentile,
                MinChangeToPublish = t.Pricing.MinChangeToPublish,
                MinPrice = t.Pricing.MinPrice,
                MaxPrice = t.Pricing.MaxPrice,
                PriceEnding = t.Pricing.PriceEnding,
            },
        };
        return o;
    }

    private sealed class NoRejections : IRejectionSink
    {
        public void Reject(RejectedInput rejected)
        {
        }
    }
}
