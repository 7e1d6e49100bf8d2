using System.ComponentModel;
using System.Globalization;
using System.Text;
using PriceIntel.ML.History;
using PriceIntel.ML.Training;
using PriceIntel.Storage.Sqlite;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>Options of <c>train</c>.</summary>
/// <param name="RecordingPath">A JSON Lines recording (the demo's <c>--record</c>), or null when training from a store.</param>
/// <param name="StorePath">A SQLite store (the demo's <c>priceintel.db</c>), or null when training from a recording.</param>
/// <param name="OutputDirectory">Where the model files go.</param>
/// <param name="Training">Trainer settings.</param>
internal sealed record TrainCommandOptions(string? RecordingPath, string? StorePath, string OutputDirectory, DemandTrainingOptions Training)
{
    /// <summary>The input named in messages.</summary>
    public string InputPath => RecordingPath ?? StorePath!;
}

/// <summary>Arguments of <c>train</c>; <see cref="Validate"/> turns a bad value into one line naming the option.</summary>
internal sealed class TrainSettings : CommandSettings
{
    [CommandOption("--recording <FILE>")]
    [Description("JSON Lines recording to train on (record one with the demo's --record FILE). This or --store.")]
    public string? Recording { get; init; }

    [CommandOption("--store <FILE>")]
    [Description("SQLite store to train on (the demo's priceintel-demo/priceintel.db; opened read-only, so a demo may keep writing). This or --recording.")]
    public string? Store { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Where to write fasttree.pidm, fastforest.pidm, elasticity.pidm and elasticity.csv (default models).")]
    [DefaultValue("models")]
    public string Out { get; init; } = "models";

    [CommandOption("--trees <N>")]
    [Description("Trees per ensemble (default 100).")]
    [DefaultValue(100)]
    public int Trees { get; init; } = 100;

    [CommandOption("--leaves <N>")]
    [Description("Leaves per tree (default 20).")]
    [DefaultValue(20)]
    public int Leaves { get; init; } = 20;

    [CommandOption("--validation <F>")]
    [Description("Fraction of the latest hours held out for validation (default 0.2).")]
    [DefaultValue(0.2)]
    public double Validation { get; init; } = 0.2;

    [CommandOption("--categories <CSV>")]
    [Description("Lines \"sku,category\" for the elasticity pools (default: price tiers).")]
    public string? Categories { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Recording) == string.IsNullOrWhiteSpace(Store))
        {
            return ValidationResult.Error("train needs either --recording FILE or --store FILE (not both)");
        }

        if (Recording is not null && !File.Exists(Recording))
        {
            return ValidationResult.Error($"--recording: no such file '{Recording}'");
        }

        if (Store is not null && !File.Exists(Store))
        {
            return ValidationResult.Error($"--store: no such file '{Store}'");
        }

        if (Categories is not null && !File.Exists(Categories))
        {
            return ValidationResult.Error($"--categories: no such file '{Categories}'");
        }

        return MlArguments.Validate(() => ToOptions(readCategories: false));
    }

    /// <summary>The command's options; throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public TrainCommandOptions ToOptions(bool readCategories = true)
    {
        var training = new DemandTrainingOptions();
        MlArguments.Apply("--trees", () => training.Trees = Trees);
        MlArguments.Apply("--leaves", () => training.Leaves = Leaves);
        MlArguments.Apply("--validation", () => training.ValidationFraction = Validation);
        if (readCategories && Categories is { } csv)
        {
            training.Categories = File.ReadLines(csv)
                .Select(l => l.Split(','))
                .Where(p => p.Length >= 2 && !string.IsNullOrWhiteSpace(p[0]))
                .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.Ordinal);
        }

        return new TrainCommandOptions(Recording, Store, Out, training);
    }
}

/// <summary>
/// <c>train</c>: reads a recorded market (or a store's price and demand history), builds hourly demand history, trains the boosted trees, the
/// random forest and the elasticity model with a time-based split, prints their validation error
/// against the naive baseline and the category elasticities, and writes one model file per model plus
/// a CSV of every product's elasticity.
/// </summary>
internal sealed class TrainCommand : AsyncCommand<TrainSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        DemoErrors.Started = true;
        return RunAsync(settings.ToOptions(), cancellationToken);
    }

    private static async Task<int> RunAsync(TrainCommandOptions options, CancellationToken cancellationToken)
    {
        // Before reading and training (minutes on a big history), so a bad --out fails at once.
        DemoPaths.CreateDirectory(options.OutputDirectory, "--out");
        Console.WriteLine($"reading {Path.GetFullPath(options.InputPath)}");
        DemandHistory history;
        if (options.StorePath is { } storePath)
        {
            var store = SqliteMarketStore.Open(new SqliteStoreOptions { Path = storePath, ReadOnly = true });
            await using (store.ConfigureAwait(false))
            {
                history = await StoreDemandHistory.ReadAsync(store, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var keys = new MarketKeys();
            var source = MarketEventSources.JsonLinesFile(options.RecordingPath!, keys);
            await using (source.ConfigureAwait(false))
            {
                history = await DemandHistoryBuilder.ReadAsync(source, keys, cancellationToken).ConfigureAwait(false);
            }
        }

        Console.WriteLine($"history: {history.Count:N0} product-hours, {history.ProductKeys.Count:N0} products, {history.Units.Sum():N0} units sold");
        DemandTrainingResult result;
        try
        {
            result = DemandModelTrainer.Train(history, options.Training);
        }
        catch (ArgumentException ex) when (ex.ParamName == "history")
        {
            // Too little or unusable history: a problem with the input file, said in one line.
            throw new InvalidDataException($"{options.InputPath}: {ex.Message.Replace(" (Parameter 'history')", string.Empty, StringComparison.Ordinal)}", ex);
        }

        Console.WriteLine($"split: {result.TrainingRows:N0} training rows before {DateTimeOffset.FromUnixTimeMilliseconds(result.SplitTime):yyyy-MM-dd HH:mm}Z, {result.ValidationRows:N0} validation rows after");
        Console.WriteLine("validation error per product-hour (lower is better):");
        foreach (var v in result.Validation)
        {
            Console.WriteLine($"  {v}");
        }

        foreach (var model in new[] { result.GradientBoostedTrees, result.RandomForest, result.Elasticity })
        {
            if (model is null)
            {
                continue;
            }

            var path = Path.Combine(options.OutputDirectory, model.Name + ".pidm");
            DemoPaths.CreateFile(path, "--out", full =>
            {
                model.Save(full);
                return full;
            });
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

        DemoPaths.CreateFile(csvPath, "--out", full =>
        {
            File.WriteAllText(full, csv.ToString());
            return full;
        });
        Console.WriteLine($"wrote {csvPath}");
        return 0;
    }
}
