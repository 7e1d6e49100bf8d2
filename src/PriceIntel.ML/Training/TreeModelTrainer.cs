using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using PriceIntel.Engine.Scoring;

namespace PriceIntel.ML.Training;

/// <summary>A row as ML.NET sees it.</summary>
internal sealed class DemandRow
{
    [VectorType(DemandFeatures.Count)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>ML.NET's prediction.</summary>
internal sealed class UnitsPrediction
{
    public float Score { get; set; }
}

/// <summary>Trains ML.NET tree ensembles and exports them to the engine's <see cref="TreeEnsemble"/>.</summary>
internal static class TreeModelTrainer
{
    /// <summary>Gradient-boosted trees (FastTree, least squares) on the rows; single-threaded with a fixed seed, so the same rows give the same trees.</summary>
    public static ITransformer TrainFastTree(MLContext ml, IEnumerable<DemandRow> rows, DemandTrainingOptions options)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            LearningRate = options.LearningRate,
            NumberOfThreads = 1,
            Seed = options.Seed,
            FeatureColumnName = nameof(DemandRow.Features),
            LabelColumnName = nameof(DemandRow.Label),
        });
        return trainer.Fit(data);
    }

    /// <summary>A random forest (FastForest) on the rows; single-threaded with a fixed seed.</summary>
    public static ITransformer TrainFastForest(MLContext ml, IEnumerable<DemandRow> rows, DemandTrainingOptions options)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinRowsPerLeaf,
            NumberOfThreads = 1,
            Seed = options.Seed,
            FeatureColumnName = nameof(DemandRow.Features),
            LabelColumnName = nameof(DemandRow.Label),
        });
        return trainer.Fit(data);
    }

    /// <summary>The trained trees of a FastTree or FastForest regression transformer, compiled for the engine.</summary>
    /// <exception cref="NotSupportedException">The transformer is not a FastTree/FastForest regression, or uses categorical splits, tree weights other than 1 or a bias.</exception>
    public static TreeEnsemble Export(ITransformer transformer)
    {
        return transformer switch
        {
            RegressionPredictionTransformer<FastTreeRegressionModelParameters> t => Export(t.Model.TrainedTreeEnsemble.Trees, t.Model.TrainedTreeEnsemble.TreeWeights, t.Model.TrainedTreeEnsemble.Bias, TreeAggregation.Sum),
            RegressionPredictionTransformer<FastForestRegressionModelParameters> t => Export(t.Model.TrainedTreeEnsemble.Trees, t.Model.TrainedTreeEnsemble.TreeWeights, t.Model.TrainedTreeEnsemble.Bias, TreeAggregation.Mean),
            _ => throw new NotSupportedException($"Only FastTree and FastForest regression models can be exported; got {transformer.GetType().Name}."),
        };
    }

    private static TreeEnsemble Export<TTree>(IReadOnlyList<TTree> trees, IReadOnlyList<double> weights, double bias, TreeAggregation aggregation)
        where TTree : RegressionTreeBase
    {
        if (bias != 0)
        {
            throw new NotSupportedException($"The ensemble has a bias of {bias}; the engine's evaluator does not add one.");
        }

        var descriptions = new RegressionTreeDescription[trees.Count];
        for (int i = 0; i < trees.Count; i++)
        {
            var t = trees[i];
            if (weights[i] != 1)
            {
                throw new NotSupportedException($"Tree {i} has weight {weights[i]}; ML.NET's prediction ignores tree weights, and so does the exporter only when they are 1.");
            }

            if (t.CategoricalSplitFlags.Any(flag => flag))
            {
                throw new NotSupportedException($"Tree {i} has categorical splits, which the engine's evaluator does not support.");
            }

            descriptions[i] = new RegressionTreeDescription(
                [.. t.NumericalSplitFeatureIndexes],
                [.. t.NumericalSplitThresholds],
                [.. t.LeftChild],
                [.. t.RightChild],
                [.. t.LeafValues]);
        }

        return TreeEnsemble.Create(descriptions, DemandFeatures.Count, aggregation);
    }
}
