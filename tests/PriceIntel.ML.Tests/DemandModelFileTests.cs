using System.Buffers.Binary;
using PriceIntel.Engine.Core;
using PriceIntel.Engine.Scoring;

namespace PriceIntel.ML.Tests;

public sealed class DemandModelFileTests
{
    internal static DemandModel SmallTreeModel()
    {
        // Two stumps on price and the log ratio: units = (price <= 20 ? 2 : 1) + (ratio <= 0 ? 0.5 : 0.25).
        var trees = new[]
        {
            new RegressionTreeDescription([0], [20f], [~0], [~1], [2.0, 1.0]),
            new RegressionTreeDescription([1], [0f], [~0], [~1], [0.5, 0.25]),
        };
        return DemandModel.FromTrees("stumps", TreeEnsemble.Create(trees, DemandFeatures.Count, TreeAggregation.Sum), DateTimeOffset.UnixEpoch, 10);
    }

    internal static DemandModel SmallElasticityModel(double elasticity = 2.5) =>
        DemandModel.FromElasticity(
            "elasticity",
            new ElasticityModel(
                [new ProductElasticity("SKU-1", "all", -1, elasticity, elasticity, 0.1, 100, 50)],
                [new CategoryElasticity("all", elasticity, 0.1, 0, 1, -1)],
                Enumerable.Repeat(1.0, 24).ToArray()),
            DateTimeOffset.UnixEpoch,
            100);

    [Fact]
    public void Both_kinds_round_trip()
    {
        foreach (var model in new[] { SmallTreeModel(), SmallElasticityModel() })
        {
            var loaded = DemandModel.Load(model.ToBytes());
            Assert.Equal(model.Kind, loaded.Kind);
            Assert.Equal(model.Id, loaded.Id);
            Assert.Equal(model.ToBytes(), loaded.ToBytes());
        }

        var row = new float[DemandFeatures.Count];
        row[0] = 10;
        row[1] = 0.1f;
        Assert.Equal(2.25f, SmallTreeModel().Trees!.Predict(row));
    }

    [Fact]
    public void A_flipped_byte_anywhere_is_refused_as_damaged()
    {
        var bytes = SmallElasticityModel().ToBytes();
        for (int i = 8; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x10;
            var ex = Assert.Throws<InvalidDataException>(() => DemandModel.Load(copy));
            Assert.Contains("damaged", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var bytes = SmallTreeModel().ToBytes();
        foreach (int length in new[] { 0, 3, 10, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => DemandModel.Load(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Another_file_or_format_version_is_refused_by_name()
    {
        var ex = Assert.Throws<InvalidDataException>(() => DemandModel.Load("{\"not\":\"a model\"}"u8));
        Assert.Contains("not a PriceIntel demand model", ex.Message, StringComparison.Ordinal);

        var bytes = SmallTreeModel().ToBytes();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 99);
        ex = Assert.Throws<InvalidDataException>(() => DemandModel.Load(bytes));
        Assert.Contains("format version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_another_feature_schema_is_refused_even_with_a_valid_checksum()
    {
        var bytes = SmallTreeModel().ToBytes();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), DemandFeatures.SchemaVersion + 1);
        var checksum = default(SnapshotChecksum);
        checksum.Append(bytes.AsSpan(0, bytes.Length - 8));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), checksum.Finish());
        var ex = Assert.Throws<InvalidDataException>(() => DemandModel.Load(bytes));
        Assert.Contains("feature schema", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Retrain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_trees_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TreeEnsemble.Create([new RegressionTreeDescription([0], [1f], [~0], [~0], [1, 2])], DemandFeatures.Count, TreeAggregation.Sum));
        Assert.Throws<ArgumentException>(() => TreeEnsemble.Create([new RegressionTreeDescription([99], [1f], [~0], [~1], [1, 2])], DemandFeatures.Count, TreeAggregation.Sum));
        Assert.Throws<ArgumentException>(() => TreeEnsemble.Create([new RegressionTreeDescription([0, 0], [1f, 2f], [1, 1], [~0, ~1], [1, 2, 3])], DemandFeatures.Count, TreeAggregation.Sum));
    }
}
