using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.Training;

namespace PriceIntel.ML.Tests;

/// <summary>The engine's flat evaluator against ML.NET's own PredictionEngine, on the same trained trees.</summary>
public sealed class ScoringEqualityTests : IClassFixture<SimulatedHistoryFixture>
{
    private readonly MLContext _ml = new(3);
    private readonly ITransformer _fastTree;
    private readonly ITransformer _fastForest;
    private readonly float[] _thresholds;

    public ScoringEqualityTests(SimulatedHistoryFixture market)
    {
        var h = market.History;
        var rows = Enumerable.Range(0, h.Count).Where(r => r % 3 == 0).Select(r => new DemandRow { Features = h.GetFeatures(r).ToArray(), Label = h.Units[r] }).ToList();
        var options = new DemandTrainingOptions { Trees = 40, Leaves = 16 };
        _fastTree = TreeModelTrainer.TrainFastTree(_ml, rows, options);
        _fastForest = TreeModelTrainer.TrainFastForest(_ml, rows, options);
        _thresholds = [.. TreeModelTrainer.Export(_fastTree).Trees.SelectMany(t => t.Thresholds)];
    }

    public static Arbitrary<float[]> Rows(float[] thresholds)
    {
        // Each feature: a tree threshold exactly, a value a hair either side of one, or any float of a wide range.
        var near = Gen.Elements(thresholds).SelectMany(t => Gen.Elements(t, MathF.BitIncrement(t), MathF.BitDecrement(t)));
        var wide = Gen.Choose(-2_000_000, 2_000_000).Select(i => i / 1000f);
        var value = Gen.Frequency((3, near), (2, wide), (1, Gen.Constant(0f)));
        return value.ArrayOf(DemandFeatures.Count).ToArbitrary();
    }

    [Theory]
    [InlineData(0)] // TreeBatchKernel.Scalar (the enum is internal, test methods are public)
    [InlineData(2)] // TreeBatchKernel.NodeTests (AVX-512 here when the machine has it)
    [InlineData(3)] // TreeBatchKernel.NodeTestsAvx2
    public void FastTree_predictions_equal_PredictionEngine_bit_for_bit(int kernel) => Check(_fastTree, TreeAggregation.Sum, (TreeBatchKernel)kernel);

    [Theory]
    [InlineData(0)] // TreeBatchKernel.Scalar (the enum is internal, test methods are public)
    [InlineData(2)] // TreeBatchKernel.NodeTests (AVX-512 here when the machine has it)
    [InlineData(3)] // TreeBatchKernel.NodeTestsAvx2
    public void FastForest_predictions_equal_PredictionEngine_bit_for_bit(int kernel) => Check(_fastForest, TreeAggregation.Mean, (TreeBatchKernel)kernel);

    [Fact]
    public void The_vector_kernels_run_on_this_machine_when_it_has_AVX2()
    {
        // Otherwise the vector cases above would silently test the scalar kernel twice more.
        var ensemble = TreeModelTrainer.Export(_fastTree);
        Assert.True(!System.Runtime.Intrinsics.X86.Avx2.IsSupported || (ensemble.Supports(TreeBatchKernel.NodeTests) && ensemble.Supports(TreeBatchKernel.NodeTestsAvx2)));
        Assert.True(!System.Runtime.Intrinsics.X86.Avx2.IsSupported || ensemble.DefaultKernel == TreeBatchKernel.NodeTests);
    }

    [Fact]
    public void Exported_model_survives_the_file_round_trip()
    {
        var model = DemandModel.FromTrees("t", TreeModelTrainer.Export(_fastTree), DateTimeOffset.UnixEpoch, 1);
        var loaded = DemandModel.Load(model.ToBytes());
        Assert.Equal(model.Id, loaded.Id);
        Assert.Equal(DemandModelKind.GradientBoostedTrees, loaded.Kind);
        var engine = _ml.Model.CreatePredictionEngine<DemandRow, UnitsPrediction>(_fastTree);
        Prop.ForAll(Rows(_thresholds), row =>
            BitConverter.SingleToInt32Bits(loaded.Trees!.Predict(row)) == BitConverter.SingleToInt32Bits(engine.Predict(new DemandRow { Features = row }).Score))
            .QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(0)] // TreeBatchKernel.Scalar (the enum is internal, test methods are public)
    [InlineData(2)] // TreeBatchKernel.NodeTests (AVX-512 here when the machine has it)
    [InlineData(3)] // TreeBatchKernel.NodeTestsAvx2
    public void Batch_equals_row_by_row_for_every_batch_length_and_missing_values(int kernel)
    {
        var ensemble = TreeModelTrainer.Export(_fastTree);
        var nan = Gen.Frequency((1, Gen.Constant(float.NaN)), (4, Rows(_thresholds).Generator.Select(r => r[0])));
        var row = Gen.OneOf(Rows(_thresholds).Generator, nan.ArrayOf(DemandFeatures.Count));
        Prop.ForAll(row.ArrayOf().Select(r => r.Take(40).ToArray()).ToArbitrary(), rows =>
        {
            float[] batch = [.. rows.SelectMany(r => r)];
            var predictions = new float[rows.Length];
            ensemble.PredictBatch(batch, predictions, (TreeBatchKernel)kernel);
            for (int i = 0; i < rows.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(ensemble.Predict(rows[i])) != BitConverter.SingleToInt32Bits(predictions[i]))
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Theory]
    [InlineData(0)] // TreeBatchKernel.Scalar (the enum is internal, test methods are public)
    [InlineData(2)] // TreeBatchKernel.NodeTests (AVX-512 here when the machine has it)
    [InlineData(3)] // TreeBatchKernel.NodeTestsAvx2
    public void Batch_prediction_allocates_nothing(int kernel)
    {
        var ensemble = TreeModelTrainer.Export(_fastTree);
        var rng = new Random(5);
        var batch = new float[67 * DemandFeatures.Count];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = (float)((rng.NextDouble() * 4) - 1);
        }

        var predictions = new float[67];
        ensemble.PredictBatch(batch, predictions, (TreeBatchKernel)kernel); // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            ensemble.PredictBatch(batch, predictions, (TreeBatchKernel)kernel);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains(predictions, p => p != predictions[0]);
    }

    private void Check(ITransformer transformer, TreeAggregation aggregation, TreeBatchKernel kernel)
    {
        var ensemble = TreeModelTrainer.Export(transformer);
        Assert.Equal(aggregation, ensemble.Aggregation);
        Assert.Equal(40, ensemble.TreeCount);
        var engine = _ml.Model.CreatePredictionEngine<DemandRow, UnitsPrediction>(transformer);
        Prop.ForAll(Rows(_thresholds), Rows(_thresholds), Rows(_thresholds), (a, b, c) =>
        {
            // 19 rows: two blocks of eight (the feature-major path) and three left over (row by row).
            float[][] rows = [.. Enumerable.Range(0, 19).Select(i => (((i * 7) + (i / 3)) % 3) switch { 0 => a, 1 => b, _ => c })];
            float[] batch = [.. rows.SelectMany(r => r)];
            var predictions = new float[rows.Length];
            ensemble.PredictBatch(batch, predictions, kernel);
            for (int i = 0; i < rows.Length; i++)
            {
                float expected = engine.Predict(new DemandRow { Features = rows[i] }).Score;
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(ensemble.Predict(rows[i]))
                    || BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(predictions[i]))
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
