using Microsoft.ML;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.History;

namespace PriceIntel.ML.Training;

/// <summary>Settings of <see cref="DemandModelTrainer.Train"/>; each setter checks its value and names it in the error.</summary>
public sealed class DemandTrainingOptions
{
    private double _validationFraction = 0.2;
    private int _trees = 100;
    private int _leaves = 20;
    private int _minRowsPerLeaf = 20;
    private double _learningRate = 0.1;

    /// <summary>Fraction of the hours, the latest ones, held out for validation. Default 0.2.</summary>
    public double ValidationFraction { get => _validationFraction; set => _validationFraction = value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(ValidationFraction), value, $"ValidationFraction must be between 0 and 1 (exclusive); got {value}."); }

    /// <summary>Trees per ensemble. Default 100.</summary>
    public int Trees { get => _trees; set => _trees = value is >= 1 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(Trees), value, $"Trees must be between 1 and 10,000; got {value}."); }

    /// <summary>Leaves per tree. Default 20.</summary>
    public int Leaves { get => _leaves; set => _leaves = value is >= 2 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(Leaves), value, $"Leaves must be between 2 and 1,024; got {value}."); }

    /// <summary>Fewest training rows in a leaf. Default 20.</summary>
    public int MinRowsPerLeaf { get => _minRowsPerLeaf; set => _minRowsPerLeaf = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinRowsPerLeaf), value, $"MinRowsPerLeaf must be at least 1; got {value}."); }

    /// <summary>Boosting learning rate (FastTree). Default 0.1.</summary>
    public double LearningRate { get => _learningRate; set => _learningRate = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, $"LearningRate must be in (0, 1]; got {value}."); }

    /// <summary>Random seed of the tree learners. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Time recorded as the models' training time; null: now. Fix it to get byte-identical model files from the same data.</summary>
    public DateTimeOffset? TrainedAt { get; set; }

    /// <summary>Train the two tree ensembles (the elasticity model is always trained). Default true.</summary>
    public bool TrainTrees { get; set; } = true;

    /// <summary>Product key → category for the elasticity pools; null uses price tiers (<see cref="ElasticityEstimator.PriceTier"/>).</summary>
    public IReadOnlyDictionary<string, string>? Categories { get; set; }
}

/// <summary>Error of one model on the validation hours.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Rows">Validation rows (product-hours).</param>
/// <param name="MeanAbsoluteError">Mean |predicted − actual| units per product-hour.</param>
/// <param name="RootMeanSquaredError">Root mean squared error.</param>
/// <param name="MeanPoissonDeviance">Mean Poisson deviance (the natural loss for counts; lower is better).</param>
/// <param name="PredictedUnits">Sum of predictions.</param>
/// <param name="ActualUnits">Sum of actual units.</param>
public sealed record ModelEvaluation(string Model, int Rows, double MeanAbsoluteError, double RootMeanSquaredError, double MeanPoissonDeviance, double PredictedUnits, double ActualUnits)
{
    /// <summary>One line for reports.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Model,-28} MAE {MeanAbsoluteError:0.0000}  RMSE {RootMeanSquaredError:0.0000}  Poisson deviance {MeanPoissonDeviance:0.0000}  units predicted {PredictedUnits:0} / actual {ActualUnits:0}");
}

/// <summary>What <see cref="DemandModelTrainer.Train"/> produced.</summary>
/// <param name="GradientBoostedTrees">The FastTree model (null when trees were not trained).</param>
/// <param name="RandomForest">The FastForest model (null when trees were not trained).</param>
/// <param name="Elasticity">The elasticity model.</param>
/// <param name="TrainingRows">Rows before the split.</param>
/// <param name="ValidationRows">Rows after it.</param>
/// <param name="SplitTime">First validation hour, Unix milliseconds.</param>
/// <param name="Validation">Each model's validation error, the naive baseline (each product's units per hour over its last 7 days) first.</param>
public sealed record DemandTrainingResult(
    DemandModel? GradientBoostedTrees,
    DemandModel? RandomForest,
    DemandModel Elasticity,
    int TrainingRows,
    int ValidationRows,
    long SplitTime,
    IReadOnlyList<ModelEvaluation> Validation);

/// <summary>
/// Trains the demand models from a <see cref="DemandHistory"/> with a time-based split: the latest
/// hours are held out, every model is fitted on the earlier ones and scored on the later ones against
/// a naive baseline (a product's units per hour over its previous 7 days).
/// </summary>
public static class DemandModelTrainer
{
    /// <summary>Trains and evaluates.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The history has too few rows on either side of the split.</exception>
    public static DemandTrainingResult Train(DemandHistory history, DemandTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        long split = history.SplitTime(options.ValidationFraction);
        var train = new List<int>();
        var validation = new List<int>();
        for (int r = 0; r < history.Count; r++)
        {
            (history.HourStart[r] < split ? train : validation).Add(r);
        }

        if (train.Count < 100 || validation.Count < 10)
        {
            throw new ArgumentException($"The history has {train.Count} training and {validation.Count} validation rows; at least 100 and 10 are needed. Record a longer or larger market.", nameof(history));
        }

        var trainedAt = options.TrainedAt ?? DateTimeOffset.UtcNow;
        var elasticity = DemandModel.FromElasticity("elasticity", ElasticityEstimator.Fit(history, split, options.Categories), trainedAt, train.Count);
        var evaluations = new List<ModelEvaluation>
        {
            Evaluate("naive (7-day units/hour)", history, validation, static (h, r) => h.GetFeatures(r)[10]),
        };

        DemandModel? fastTree = null, fastForest = null;
        if (options.TrainTrees)
        {
            var ml = new MLContext(options.Seed);
            var rows = train.Select(r => new DemandRow { Features = history.GetFeatures(r).ToArray(), Label = history.Units[r] }).ToList();
            fastTree = DemandModel.FromTrees("fasttree", TreeModelTrainer.Export(TreeModelTrainer.TrainFastTree(ml, rows, options)), trainedAt, train.Count);
            fastForest = DemandModel.FromTrees("fastforest", TreeModelTrainer.Export(TreeModelTrainer.TrainFastForest(ml, rows, options)), trainedAt, train.Count);
            evaluations.Add(Evaluate("fasttree (boosted trees)", history, validation, (h, r) => Math.Max(0, fastTree.Trees!.Predict(h.GetFeatures(r)))));
            evaluations.Add(Evaluate("fastforest (random forest)", history, validation, (h, r) => Math.Max(0, fastForest.Trees!.Predict(h.GetFeatures(r)))));
        }

        var table = elasticity.Elasticity!;
        evaluations.Add(Evaluate("elasticity (log-log)", history, validation, (h, r) =>
        {
            var f = h.GetFeatures(r);
            return f[13] == 0 ? f[10] : table.PredictUnitsPerHour(table.IndexOf(h.ProductKeys[h.ProductIndex[r]]), f[DemandFeatures.LogRatioToLowest], h.HourStart[r]);
        }));

        return new DemandTrainingResult(fastTree, fastForest, elasticity, train.Count, validation.Count, split, evaluations);
    }

    private static ModelEvaluation Evaluate(string name, DemandHistory history, List<int> rows, Func<DemandHistory, int, double> predict)
    {
        double abs = 0, sq = 0, deviance = 0, predicted = 0, actual = 0;
        foreach (int r in rows)
        {
            double y = history.Units[r];
            double mu = predict(history, r);
            double e = mu - y;
            abs += Math.Abs(e);
            sq += e * e;
            double m = Math.Max(mu, 1e-6);
            deviance += 2 * ((y > 0 ? y * Math.Log(y / m) : 0) - (y - m));
            predicted += mu;
            actual += y;
        }

        int n = rows.Count;
        return new ModelEvaluation(name, n, abs / n, Math.Sqrt(sq / n), deviance / n, predicted, actual);
    }
}
