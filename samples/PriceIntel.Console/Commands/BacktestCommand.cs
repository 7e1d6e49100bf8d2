using System.Globalization;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.Backtesting;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Options of <c>backtest</c>.</summary>
/// <param name="Market">The simulated market and the engine settings every strategy shares.</param>
/// <param name="ModelPath">A model file to price with instead of training one; null trains on the recorded history.</param>
/// <param name="WithTrees">Also train and backtest the boosted trees and the random forest.</param>
internal sealed record BacktestCommandOptions(BacktestOptions Market, string? ModelPath, bool WithTrees);

/// <summary>
/// <c>backtest</c>: records the market's history under list prices (Hold), trains the demand model on
/// it, then replays the same market (same seed, closed loop: shoppers react to each strategy's prices)
/// under every rule-based strategy, the profit-maximising strategy with the trained model, and the
/// oracle (the same strategy with the simulator's true demand curve), and prints profit, revenue,
/// margin and price changes for each.
/// </summary>
internal static class BacktestCommand
{
    public const string Usage = """
        usage: PriceIntel.Console backtest [--products N] [--days D] [--seed S] [--competitors M] [--elasticity E]
                                           [--min-cost F] [--max-cost F] [--min-margin F] [--max-margin F] [--views N]
                                           [--model FILE] [--trees]
          --products N, --days D, --seed S, --competitors M   the simulated market (default 1000 × 8, 7 days, seed 42)
          --elasticity E           the simulator's true price elasticity (default 3)
          --min-cost F, --max-cost F  unit cost as a fraction of the base price (simulator defaults 0.55, 0.80)
          --min-margin F, --max-margin F  the margin band every strategy must keep (defaults 0.05, 0.30)
          --views N                views per product-hour at parity (default 3)
          --model FILE             price with this model file instead of training on the recorded history
          --trees                  also train and backtest boosted trees (FastTree) and a random forest (FastForest)
        """;

    public static BacktestCommandOptions ParseOptions(IEnumerable<string> args)
    {
        var line = CommandLine.Parse(
            args,
            new HashSet<string> { "--products", "--days", "--seed", "--competitors", "--elasticity", "--min-cost", "--max-cost", "--min-margin", "--max-margin", "--views", "--model" },
            new HashSet<string> { "--trees" });
        var engine = new PriceIntelOptions();
        engine.Pricing.MinMargin = line.Double("--min-margin", engine.Pricing.MinMargin);
        engine.Pricing.MaxMargin = line.Double("--max-margin", engine.Pricing.MaxMargin);
        engine.Validate();
        double? elasticity = line.OptionalDouble("--elasticity"), minCost = line.OptionalDouble("--min-cost"), maxCost = line.OptionalDouble("--max-cost"), views = line.OptionalDouble("--views");
        var market = new BacktestOptions
        {
            Products = line.Int("--products", 1_000),
            Days = line.Double("--days", 7),
            Seed = (ulong)line.Int("--seed", 42),
            Competitors = line.Int("--competitors", 8),
            Engine = engine,
            ConfigureMarket = m =>
            {
                if (elasticity is { } e)
                {
                    m.PriceElasticity = e;
                }

                if (minCost is { } lo)
                {
                    m.MinUnitCostFraction = lo;
                }

                if (maxCost is { } hi)
                {
                    m.MaxUnitCostFraction = hi;
                }

                if (views is { } v)
                {
                    m.ViewsPerProductPerHour = v;
                }
            },
        };
        market.SimulatorOptions().Validate();
        return new BacktestCommandOptions(market, line.String("--model"), line.Has("--trees"));
    }

    public static async Task<int> RunAsync(BacktestCommandOptions options, CancellationToken cancellationToken)
    {
        var market = options.Market;
        var sim = market.SimulatorOptions();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"market: {market.Products:N0} products × {market.Competitors} competitors over {market.Days:0.##} days, seed {market.Seed}, true elasticity {sim.PriceElasticity}, unit cost {sim.MinUnitCostFraction:0.00}–{sim.MaxUnitCostFraction:0.00} of base price, margin band {market.Engine!.Pricing.MinMargin:0.00}–{market.Engine.Pricing.MaxMargin:0.00}, closed loop ({market.FeedbackLagMinutes} min lag)"));

        var models = new List<DemandModel>();
        if (options.ModelPath is { } path)
        {
            models.Add(DemandModel.Load(path));
        }
        else
        {
            var builder = new DemandHistoryBuilder(new MarketKeys());
            var recorded = await MarketBacktest.RunAsync(market, new BacktestStrategy("history (hold)", PricingStrategyKind.Hold), builder, cancellationToken).ConfigureAwait(false);
            var history = builder.Build();
            Console.WriteLine($"history: recorded the market under list prices (hold): {recorded.Events:N0} events → {history.Count:N0} product-hours, {history.Units.Sum():N0} units");
            var trained = DemandModelTrainer.Train(history, new DemandTrainingOptions { TrainTrees = options.WithTrees, Categories = history.ProductKeys.ToDictionary(k => k, _ => "all") });
            foreach (var v in trained.Validation)
            {
                Console.WriteLine($"  validation: {v}");
            }

            var pool = trained.Elasticity.Elasticity!.Categories[0];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  elasticity estimate {pool.Elasticity:0.000} ± {1.96 * pool.StandardError:0.000} (95 %); true {sim.PriceElasticity} → error {(pool.Elasticity / sim.PriceElasticity) - 1:+0.0%;-0.0%}"));
            models.Add(trained.Elasticity);
            if (trained.GradientBoostedTrees is { } ft)
            {
                models.Add(ft);
            }

            if (trained.RandomForest is { } ff)
            {
                models.Add(ff);
            }
        }

        var strategies = new List<BacktestStrategy>
        {
            new("hold (list price)", PricingStrategyKind.Hold),
            new("match lowest", PricingStrategyKind.MatchLowest),
            new("beat lowest by 1 %", PricingStrategyKind.BeatLowest),
            new("median competitor", PricingStrategyKind.Percentile),
        };
        strategies.AddRange(models.Select(m => new BacktestStrategy($"max profit ({m.Name})", PricingStrategyKind.MaximizeProfit, m)));
        strategies.Add(new BacktestStrategy("oracle (true demand)", PricingStrategyKind.MaximizeProfit, MarketBacktest.Oracle(market)));

        Console.WriteLine();
        Console.WriteLine($"{"strategy",-32} {"profit",14} {"revenue",14} {"margin",7} {"units",9} {"price changes",14} {"run",6}");
        var results = new List<BacktestResult>();
        foreach (var s in strategies)
        {
            var r = await MarketBacktest.RunAsync(market, s, null, cancellationToken).ConfigureAwait(false);
            results.Add(r);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Strategy,-32} {r.Profit.ToDouble(),14:N0} {r.Revenue.ToDouble(),14:N0} {r.Margin,7:P1} {r.Units,9:N0} {r.PriceChanges,14:N0} {r.Elapsed.TotalSeconds,5:0.0}s"));
        }

        var oracle = results[^1];
        var bestRule = results.Take(4).MaxBy(r => r.Profit.Ticks)!;
        Console.WriteLine();
        Console.WriteLine($"best rule-based strategy: {bestRule.Strategy} ({bestRule.Profit.ToDouble():N0})");
        foreach (var r in results.Skip(4).SkipLast(1))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Strategy}: {r.Profit.Ticks / (double)oracle.Profit.Ticks:P1} of the oracle's profit, {(r.Profit.Ticks / (double)bestRule.Profit.Ticks) - 1:+0.0%;-0.0%} against the best rule-based strategy"));
        }

        return 0;
    }
}
