using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using PriceIntel.Engine.Scoring;
using PriceIntel.ML.Training;

namespace PriceIntel.Benchmarks.ML;

/// <summary>
/// Scoring demand rows with 100 boosted trees (20 leaves, trained by FastTree on synthetic demand data):
/// ML.NET's PredictionEngine (baseline) against the engine's flat evaluator, one row at a time and in
/// batches (eight rows walked together, as the profit-maximising strategy scores its candidate prices),
/// with each kernel: the default (node tests: every node's comparison for a row at once with a vector
/// permute and compare, then the trees walked over the bits) and the scalar one (eight scalar chains, the fallback without AVX2). 4,096 rows per invocation; every method returns the sum of its
/// predictions, and the global setup checks that all of them give bit-identical predictions. Target: the batch ≥ 5× PredictionEngine's rows/s, 0 B.
/// </summary>
[MemoryDiagnoser]
public class TreeScoringBenchmarks
{
    private const int Rows = 4096;
    private float[] _rows = [];
    private DemandRow[] _mlRows = [];
    private float[] _predictions = [];
    private PredictionEngine<DemandRow, UnitsPrediction> _engine = null!;
    private TreeEnsemble _ensemble = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(1);
        var rng = new Random(7);
        var training = new List<DemandRow>();
        for (int i = 0; i < 20_000; i++)
        {
            var f = RandomRow(rng);
            double rate = Math.Exp(-3 * f[1]) * (1 + (0.6 * f[6])) * (0.2 + f[10]);
            training.Add(new DemandRow { Features = f, Label = (float)(rate + (0.3 * rng.NextDouble())) });
        }

        var model = TreeModelTrainer.TrainFastTree(ml, training, new DemandTrainingOptions { Trees = 100, Leaves = 20 });
        _ensemble = TreeModelTrainer.Export(model);
        _engine = ml.Model.CreatePredictionEngine<DemandRow, UnitsPrediction>(model);
        _rows = new float[Rows * DemandFeatures.Count];
        _mlRows = new DemandRow[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var f = RandomRow(rng);
            f.CopyTo(_rows, r * DemandFeatures.Count);
            _mlRows[r] = new DemandRow { Features = f };
        }

        _predictions = new float[Rows];
        var scalar = new float[Rows];
        _ensemble.PredictBatch(_rows, scalar, TreeBatchKernel.Scalar);
        _ensemble.PredictBatch(_rows, _predictions);
        for (int r = 0; r < Rows; r++)
        {
            float expected = _engine.Predict(_mlRows[r]).Score;
            float single = _ensemble.Predict(_rows.AsSpan(r * DemandFeatures.Count, DemandFeatures.Count));
            if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(single)
                || BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(_predictions[r])
                || BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(scalar[r]))
            {
                throw new InvalidOperationException($"Row {r}: PredictionEngine {expected}, flat evaluator {single} / batch {_predictions[r]} / scalar batch {scalar[r]}.");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public double PredictionEngine()
    {
        double sum = 0;
        foreach (var row in _mlRows)
        {
            sum += _engine.Predict(row).Score;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public double FlatEvaluatorRowByRow()
    {
        double sum = 0;
        for (int r = 0; r < Rows; r++)
        {
            sum += _ensemble.Predict(_rows.AsSpan(r * DemandFeatures.Count, DemandFeatures.Count));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public double FlatEvaluatorBatch()
    {
        // The default kernel (node tests where AVX2 or AVX-512 exists).
        _ensemble.PredictBatch(_rows, _predictions);
        double sum = 0;
        foreach (var p in _predictions)
        {
            sum += p;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public double FlatEvaluatorBatchScalar()
    {
        _ensemble.PredictBatch(_rows, _predictions, TreeBatchKernel.Scalar);
        double sum = 0;
        foreach (var p in _predictions)
        {
            sum += p;
        }

        return sum;
    }

    private static float[] RandomRow(Random rng)
    {
        var f = new float[DemandFeatures.Count];
        f[0] = (float)(5 + (rng.NextDouble() * 500));
        f[1] = (float)((rng.NextDouble() * 0.8) - 0.3);
        f[2] = f[1] - (float)(rng.NextDouble() * 0.1);
        f[3] = (float)rng.NextDouble();
        f[4] = MathF.Exp(f[1]) - 1;
        f[5] = (float)((rng.NextDouble() * 0.2) - 0.1);
        double hour = rng.NextDouble() * 24;
        f[6] = (float)Math.Sin(2 * Math.PI * hour / 24);
        f[7] = (float)Math.Cos(2 * Math.PI * hour / 24);
        f[8] = rng.Next(7);
        f[9] = rng.Next(4);
        f[10] = (float)(rng.NextDouble() * 2);
        f[11] = (float)(rng.NextDouble() * 20);
        f[12] = rng.Next(-1, 200);
        f[13] = rng.Next(0, 9);
        f[14] = MathF.Log(f[0]) - f[1];
        return f;
    }
}
