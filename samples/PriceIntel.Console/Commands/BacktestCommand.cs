using System.ComponentModel;
using System.Globalization;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.Backtesting;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Options of <c>backtest</c>.</summary>
/// <param name="Market">The simulated market and the engine settings every strategy shares.</param>
/// <param name="ModelPath">A model file to price with instead of training one; null trains on the recorded history.</param>
/// <param name="WithTrees">Also train and backtest the boosted trees and the random forest.</param>
/// <param name="Seeds">Markets to run (seeds Seed, Seed + 1, …); with more than one, a summary over them.</param>
/// <param name="HistoryOnly">Record and train only (the elasticity report), without replaying the strategies.</param>
internal sealed record BacktestCommandOptions(BacktestOptions Market, string? ModelPath, bool WithTrees, int Seeds = 1, bool HistoryOnly = false);

/// <summary>Arguments of <c>backtest</c>; <see cref="Validate"/> turns a bad value into one line naming the option.</summary>
internal sealed class BacktestSettings : CommandSettings
{
    [CommandOption("--products <N>")]
    [Description("Simulated products (default 1000).")]
    [DefaultValue(1_000)]
    public int Products { get; init; } = 1_000;

    [CommandOption("--days <D>")]
    [Description("Simulated days (default 7).")]
    [DefaultValue(7.0)]
    public double Days { get; init; } = 7;

    [CommandOption("--seed <S>")]
    [Description("Simulator seed, the same for every strategy (default 42).")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--seeds <N>")]
    [Description("Run N markets (seeds S, S+1, …) and summarise each comparison as a mean with a 95 % interval over them (default 1).")]
    [DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--competitors <M>")]
    [Description("Competitors per product (default 8).")]
    [DefaultValue(8)]
    public int Competitors { get; init; } = 8;

    [CommandOption("--elasticity <E>")]
    [Description("The simulator's true price elasticity (simulator default 3).")]
    public double? Elasticity { get; init; }

    [CommandOption("--categories <K>")]
    [Description("Product categories, each with its own elasticity (default 8; 1 with --category-spread 1 --product-spread 0 is the old single-elasticity market).")]
    [DefaultValue(8)]
    public int Categories { get; init; } = 8;

    [CommandOption("--category-spread <F>")]
    [Description("Category elasticities are drawn log-uniform between elasticity ÷ F and elasticity × F (default 1.75).")]
    [DefaultValue(1.75)]
    public double CategorySpread { get; init; } = 1.75;

    [CommandOption("--product-spread <S>")]
    [Description("σ of products' log elasticities around their category's (default 0.15).")]
    [DefaultValue(0.15)]
    public double ProductSpread { get; init; } = 0.15;

    [CommandOption("--history-only")]
    [Description("Record the market and train only: report the elasticity estimates per category against the truth, without replaying the strategies.")]
    public bool HistoryOnly { get; init; }

    [CommandOption("--independent-shoppers")]
    [Description("Draw shoppers independently in every run instead of common random numbers per product-hour (noisier comparisons).")]
    public bool IndependentShoppers { get; init; }

    [CommandOption("--min-cost <F>")]
    [Description("Lowest unit cost as a fraction of the base price (simulator default 0.55).")]
    public double? MinCost { get; init; }

    [CommandOption("--max-cost <F>")]
    [Description("Highest unit cost as a fraction of the base price (simulator default 0.80).")]
    public double? MaxCost { get; init; }

    [CommandOption("--min-margin <F>")]
    [Description("Lowest markup over unit cost every strategy must keep (default 0.05).")]
    public double? MinMargin { get; init; }

    [CommandOption("--max-margin <F>")]
    [Description("Highest markup over unit cost every strategy must keep (default 0.30; the profit optimum at elasticity 3 is 0.50).")]
    public double? MaxMargin { get; init; }

    [CommandOption("--views <N>")]
    [Description("Views per product-hour at parity (simulator default 3).")]
    public double? Views { get; init; }

    [CommandOption("--model <FILE>")]
    [Description("Price with this model file (from train) instead of training on the recorded history.")]
    public string? Model { get; init; }

    [CommandOption("--trees")]
    [Description("Also train and backtest boosted trees (FastTree) and a random forest (FastForest); slow.")]
    public bool Trees { get; init; }

    public override ValidationResult Validate()
    {
        if (Model is not null && !File.Exists(Model))
        {
            return ValidationResult.Error($"--model: no such file '{Model}'");
        }

        return MlArguments.Validate(() => ToOptions());
    }

    /// <summary>The command's options; throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public BacktestCommandOptions ToOptions()
    {
        var engine = new PriceIntelOptions();
        if (MinMargin is { } minMargin)
        {
            MlArguments.Apply("--min-margin", () => engine.Pricing.MinMargin = minMargin);
        }

        if (MaxMargin is { } maxMargin)
        {
            MlArguments.Apply("--max-margin", () => engine.Pricing.MaxMargin = maxMargin);
        }

        MlArguments.Apply("--min-margin/--max-margin", engine.Validate);
        var market = new BacktestOptions { Engine = engine };
        MlArguments.Apply("--products", () => market.Products = Products);
        MlArguments.Apply("--days", () => market.Days = Days);
        MlArguments.Apply("--seed", () => market.Seed = Seed >= 0 ? (ulong)Seed : throw new ArgumentOutOfRangeException(nameof(Seed), Seed, $"Seed must not be negative; got {Seed}."));
        MlArguments.Apply("--categories", () => market.Categories = Categories);
        MlArguments.Apply("--category-spread", () => market.CategoryElasticitySpread = CategorySpread);
        MlArguments.Apply("--product-spread", () => market.ProductElasticitySpread = ProductSpread);
        market.CommonRandomNumbers = !IndependentShoppers;
        MlArguments.Apply("--competitors", () => market.Competitors = Competitors is >= 1 and <= 64 ? Competitors : throw new ArgumentOutOfRangeException(nameof(Competitors), Competitors, $"Competitors must be between 1 and 64; got {Competitors}."));
        double? elasticity = Elasticity, minCost = MinCost, maxCost = MaxCost, views = Views;
        market.ConfigureMarket = m =>
        {
            if (elasticity is { } e)
            {
                MlArguments.Apply("--elasticity", () => m.PriceElasticity = e);
            }

            if (minCost is { } lo)
            {
                MlArguments.Apply("--min-cost", () => m.MinUnitCostFraction = lo);
            }

            if (maxCost is { } hi)
            {
                MlArguments.Apply("--max-cost", () => m.MaxUnitCostFraction = hi);
            }

            if (views is { } v)
            {
                MlArguments.Apply("--views", () => m.ViewsPerProductPerHour = v);
            }
        };
        MlArguments.Apply("the simulated market", () => market.SimulatorOptions().Validate());
        if (Seeds is < 1 or > 100)
        {
            throw new ArgumentException($"--seeds: must be between 1 and 100; got {Seeds}.");
        }

        if (HistoryOnly && Model is not null)
        {
            throw new ArgumentException("--history-only: trains on the recorded history, so it cannot be used with --model.");
        }

        return new BacktestCommandOptions(market, Model, Trees, Seeds, HistoryOnly);
    }
}

/// <summary>
/// <c>backtest</c>: records the market's history under list prices (Hold), trains the demand model on
/// it, then replays the same market (same seed, closed loop: shoppers react to each strategy's prices)
/// under every rule-based strategy, the profit-maximising strategy with the trained model, and the
/// oracle (the same strategy with the simulator's true demand curve), and prints profit, revenue,
/// margin and price changes for each.
/// </summary>
internal sealed class BacktestCommand : AsyncCommand<BacktestSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, BacktestSettings settings, CancellationToken cancellationToken)
    {
        DemoErrors.Started = true;
        return RunAsync(settings.ToOptions(), cancellationToken);
    }

    private static async Task<int> RunAsync(BacktestCommandOptions options, CancellationToken cancellationToken)
    {
        var seeds = new List<SeedOutcome>();
        for (int i = 0; i < options.Seeds; i++)
        {
            var market = options.Market;
            if (i > 0)
            {
                Console.WriteLine();
                market = market.WithSeed(market.Seed + (ulong)i);
            }

            seeds.Add(await RunSeedAsync(options, market, cancellationToken).ConfigureAwait(false));
        }

        if (seeds.Count > 1)
        {
            PrintSummary(seeds);
        }

        return 0;
    }

    /// <summary>
    /// Over several seeds (independent markets), the mean of each paired comparison with a 95 % interval
    /// (Student t over the seeds): one market's result moves by several percent with the seed, because
    /// profit is dominated by a few popular, expensive products and closed-loop runs draw different shoppers.
    /// </summary>
    private static void PrintSummary(List<SeedOutcome> seeds)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"over {seeds.Count} seeds (mean, 95 % interval over seeds):"));
        var errors = seeds.SelectMany(s => s.ElasticityErrors).ToArray();
        if (errors.Length > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  elasticity per category: {errors.Count(e => Math.Abs(e) <= 0.1)} of {errors.Length} estimates within ±10 % of the truth; mean |error| {errors.Average(Math.Abs):0.0%}, worst {errors.MaxBy(Math.Abs):+0.0%;-0.0%}"));
        }

        if (seeds[0].BestRule is null)
        {
            return;
        }

        var names = seeds[0].Models.Select(m => m.Strategy).ToArray();
        for (int m = 0; m < names.Length; m++)
        {
            Console.WriteLine(Describe($"{names[m]} vs best rule", seeds.Select(s => (s.Models[m].Profit.Ticks / (double)s.BestRule!.Profit.Ticks) - 1).ToArray()));
            Console.WriteLine(Describe($"{names[m]} vs oracle", seeds.Select(s => (s.Models[m].Profit.Ticks / (double)s.Oracle!.Profit.Ticks) - 1).ToArray()));
        }

        Console.WriteLine(Describe("oracle vs best rule", seeds.Select(s => (s.Oracle!.Profit.Ticks / (double)s.BestRule!.Profit.Ticks) - 1).ToArray()));
    }

    private static string Describe(string what, double[] values)
    {
        if (values.Length == 0)
        {
            return $"  {what}: none";
        }

        double mean = values.Average();
        double sd = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : double.NaN;
        double half = StudentT975(values.Length - 1) * sd / Math.Sqrt(values.Length);
        return string.Create(CultureInfo.InvariantCulture, $"  {what,-48} {mean,8:+0.0%;-0.0%} ± {half:0.0%}  (seeds: {string.Join(", ", values.Select(v => v.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)))})");
    }

    /// <summary>The 97.5 % quantile of Student's t with <paramref name="df"/> degrees of freedom.</summary>
    private static double StudentT975(int df) => df switch
    {
        < 1 => double.NaN,
        1 => 12.706,
        2 => 4.303,
        3 => 3.182,
        4 => 2.776,
        5 => 2.571,
        6 => 2.447,
        7 => 2.365,
        8 => 2.306,
        9 => 2.262,
        < 20 => 2.093 + ((19 - df) * 0.017),
        < 30 => 2.045,
        _ => 1.96,
    };

    private static async Task<SeedOutcome> RunSeedAsync(BacktestCommandOptions options, BacktestOptions market, CancellationToken cancellationToken)
    {
        var sim = market.SimulatorOptions();
        var catalog = MarketBacktest.Catalog(market);
        var truth = catalog.GroupBy(p => p.Category, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().CategoryElasticity, StringComparer.Ordinal);
        var elasticities = string.Join(", ", truth.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value.ToString("0.00", CultureInfo.InvariantCulture)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"market: {market.Products:N0} products × {market.Competitors} competitors over {market.Days:0.##} days, seed {market.Seed}, {truth.Count} categories with true elasticity {elasticities} (products σ = {market.ProductElasticitySpread:0.00} around them), unit cost {sim.MinUnitCostFraction:0.00}–{sim.MaxUnitCostFraction:0.00} of base price, margin band {market.Engine!.Pricing.MinMargin:0.00}–{market.Engine.Pricing.MaxMargin:0.00}, closed loop ({market.FeedbackLagMinutes} min lag), {(market.CommonRandomNumbers ? "common random numbers" : "independent shoppers")}"));

        var models = new List<DemandModel>();
        var elasticityErrors = new List<double>();
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

            // The retailer knows its own categories: the elasticity model pools by them.
            var categories = catalog.ToDictionary(p => p.Key, p => p.Category, StringComparer.Ordinal);
            var trained = DemandModelTrainer.Train(history, new DemandTrainingOptions { TrainTrees = options.WithTrees, Categories = categories });
            foreach (var v in trained.Validation)
            {
                Console.WriteLine($"  validation: {v}");
            }

            foreach (var pool in trained.Elasticity.Elasticity!.Categories)
            {
                if (!truth.TryGetValue(pool.Category, out var trueElasticity))
                {
                    continue;
                }

                double error = (pool.Elasticity / trueElasticity) - 1;
                elasticityErrors.Add(error);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  elasticity {pool.Category}: estimate {pool.Elasticity:0.000} ± {1.96 * pool.StandardError:0.000} (95 %) over {pool.Products} products; true {trueElasticity:0.000} → error {error:+0.0%;-0.0%}"));
            }

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

        if (options.HistoryOnly)
        {
            return new SeedOutcome(elasticityErrors, null, null, []);
        }

        var strategies = new List<BacktestStrategy>
        {
            new("hold (list price)", PricingStrategyKind.Hold),
            new("match lowest", PricingStrategyKind.MatchLowest),
            new("beat lowest by 1 %", PricingStrategyKind.BeatLowest),
            new("median competitor", PricingStrategyKind.Percentile),
        };
        strategies.AddRange(models.Select(m => new BacktestStrategy($"max profit ({m.Name})", PricingStrategyKind.MaximizeProfit, m)));
        strategies.Add(new BacktestStrategy("oracle (true curve)", PricingStrategyKind.MaximizeProfit, MarketBacktest.Oracle(market)));

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

        return new SeedOutcome(elasticityErrors, bestRule, oracle, [.. results.Skip(4).SkipLast(1)]);
    }

    /// <summary>One seed's outcome: each category's elasticity estimate's relative error (none with --model), the best rule, the oracle and each model's result.</summary>
    private sealed record SeedOutcome(IReadOnlyList<double> ElasticityErrors, BacktestResult? BestRule, BacktestResult? Oracle, IReadOnlyList<BacktestResult> Models);
}
