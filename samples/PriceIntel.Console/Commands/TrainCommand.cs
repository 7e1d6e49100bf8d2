using System.Globalization;
using System.Text;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Options of <c>train</c>.</summary>
/// <param name="RecordingPath">A JSON Lines recording (the demo's <c>--record</c>).</param>
/// <param name="OutputDirectory">Where the model files go.</param>
/// <param name="Training">Trainer settings.</param>
internal sealed record TrainCommandOptions(string RecordingPath, string OutputDirectory, DemandTrainingOptions Training);

/// <summary>
/// <c>train</c>: reads a recorded market, builds hourly demand history, trains the boosted trees, the
/// random forest and the elasticity model with a time-based split, prints their validation error
/// against the naive baseline and the category elasticities, and writes one model file per model plus
/// a CSV of every product's elasticity.
/// </summary>
internal static class TrainCommand
{
    public const string Usage = """
        usage: PriceIntel.Console train --recording FILE [--out DIR] [--trees N] [--leaves N] [--validation F] [--categories CSV]
          --recording FILE   JSON Lines recording to train on (record one with --record FILE)
          --out DIR          where to write fasttree.pidm, fastforest.pidm, elasticity.pidm, elasticity.csv (default models)
          --trees N          trees per ensemble (default 100); --leaves N leaves per tree (default 20)
          --validation F     fraction of the latest hours held out (default 0.2)
          --categories CSV   lines "sku,category" for the elasticity pools (default: price tiers)
        """;

    public static TrainCommandOptions ParseOptions(IEnumerable<string> args)
    {
        var line = CommandLine.Parse(args, new HashSet<string> { "--recording", "--out", "--trees", "--leaves", "--validation", "--categories" }, new HashSet<string>());
        var recording = line.String("--recording") ?? throw new ArgumentException("train needs --recording FILE.");
        var training = new DemandTrainingOptions
        {
            Trees = line.Int("--trees", 100),
            Leaves = line.Int("--leaves", 20),
            ValidationFraction = line.Double("--validation", 0.2),
        };
        if (line.String("--categories") is { } csv)
        {
            training.Categories = File.ReadLines(csv)
                .Select(l => l.Split(','))
                .Where(p => p.Length >= 2 && !string.IsNullOrWhiteSpace(p[0]))
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        }

        return new TrainCommandOptions(recording, line.String("--out") ?? "models", training);
    }

    public static async Task<int> RunAsync(TrainCommandOptions options, CancellationToken cancellationToken)
    {
        var keys = new MarketKeys();
        Console.WriteLine($"reading {Path.GetFullPath(options.RecordingPath)}");
        var source = MarketEventSources.JsonLinesFile(options.RecordingPath, keys);
        DemandHistory history;
        await using (source.ConfigureAwait(false))
        {
            history = await DemandHistoryBuilder.ReadAsync(source, keys, cancellationToken).ConfigureAwait(false);
        }

        Console.WriteLine($"history: {history.Count:N0} product-hours, {history.ProductKeys.Count:N0} products, {history.Units.Sum():N0} units sold");
        var result = DemandModelTrainer.Train(history, options.Training);
        Console.WriteLine($"split: {result.TrainingRows:N0} training rows before {DateTimeOffset.FromUnixTimeMilliseconds(result.SplitTime):yyyy-MM-dd HH:mm}Z, {result.ValidationRows:N0} validation rows after");
        Console.WriteLine("validation error per product-hour (lower is better):");
        foreach (var v in result.Validation)
        {
            Console.WriteLine($"  {v}");
        }

        Directory.CreateDirectory(options.OutputDirectory);
        foreach (var model in new[] { result.GradientBoostedTrees, result.RandomForest, result.Elasticity })
        {
            if (model is null)
            {
                continue;
            }

            var path = Path.Combine(options.OutputDirectory, model.Name + ".pidm");
            model.Save(path);
            Console.WriteLine($"wrote {path}: {model}");
        }

        var table = result.Elasticity.Elasticity!;
        Console.WriteLine("elasticity by category (demand change per 1 % price change, against the lowest competitor):");
        foreach (var c in table.Categories)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Category,-10} {c.Elasticity,6:0.00} ± {1.96 * c.StandardError:0.00} (95 %), {c.Products} products, spread between products {c.BetweenProductSpread:0.00}"));
        }

        var csvPath = Path.Combine(options.OutputDirectory, "elasticity.csv");
        var csv = new StringBuilder("product,category,elasticity,own_estimate,own_standard_error,product_hours,units\n");
        foreach (var p in table.Products)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{p.Product},{p.Category},{p.Elasticity:0.###},{p.RawElasticity:0.###},{p.StandardError:0.###},{p.Observations},{p.Units}\n");
        }

        await File.WriteAllTextAsync(csvPath, csv.ToString(), cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"wrote {csvPath}");
        return 0;
    }
}
