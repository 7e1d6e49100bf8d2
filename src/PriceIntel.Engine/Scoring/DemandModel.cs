using System.Buffers.Binary;
using System.Text;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Scoring;

/// <summary>What kind of model a <see cref="DemandModel"/> holds.</summary>
public enum DemandModelKind : byte
{
    /// <summary>Gradient-boosted regression trees (ML.NET FastTree): units per hour from the features.</summary>
    GradientBoostedTrees = 1,

    /// <summary>A random forest of regression trees (ML.NET FastForest): units per hour from the features.</summary>
    RandomForest = 2,

    /// <summary>The log-log elasticity model (<see cref="ElasticityModel"/>).</summary>
    Elasticity = 3,
}

/// <summary>
/// A trained demand model as the engine uses it: trees compiled for the flat evaluator
/// (<see cref="TreeEnsemble"/>) or the elasticity table, plus what it was trained on. Saved to and
/// loaded from a versioned, checksummed binary file ("PIDM"); a file that is damaged, truncated,
/// of another format version or of another feature schema is refused with
/// <see cref="InvalidDataException"/> naming what is wrong. Immutable; safe to share.
/// </summary>
public sealed class DemandModel
{
    /// <summary>Version of the file format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "PIDM"u8;

    private DemandModel(DemandModelKind kind, string name, DateTimeOffset trainedAt, long trainingRows, TreeEnsemble? trees, ElasticityModel? elasticity)
    {
        Kind = kind;
        Name = name;
        TrainedAt = trainedAt;
        TrainingRows = trainingRows;
        Trees = trees;
        Elasticity = elasticity;
    }

    /// <summary>The kind of model.</summary>
    public DemandModelKind Kind { get; }

    /// <summary>A name for reports and decisions (e.g. "fasttree").</summary>
    public string Name { get; }

    /// <summary>When it was trained.</summary>
    public DateTimeOffset TrainedAt { get; }

    /// <summary>Rows (product-hours) it was trained on.</summary>
    public long TrainingRows { get; }

    /// <summary>The compiled trees (tree kinds); null for the elasticity model.</summary>
    public TreeEnsemble? Trees { get; }

    /// <summary>The elasticity table (elasticity kind); null for tree kinds.</summary>
    public ElasticityModel? Elasticity { get; }

    /// <summary>A non-zero id derived from the model's content (its file checksum), carried in <see cref="PricingEstimate.ModelId"/>.</summary>
    public uint Id { get; private set; }

    /// <summary>A tree model.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The trees do not take <see cref="DemandFeatures.Count"/> features, or the aggregation does not match the kind.</exception>
    public static DemandModel FromTrees(string name, TreeEnsemble trees, DateTimeOffset trainedAt, long trainingRows)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.FeatureCount != DemandFeatures.Count)
        {
            throw new ArgumentException($"A demand model's trees must take {DemandFeatures.Count} features; these take {trees.FeatureCount}.", nameof(trees));
        }

        var kind = trees.Aggregation == TreeAggregation.Mean ? DemandModelKind.RandomForest : DemandModelKind.GradientBoostedTrees;
        return WithId(new DemandModel(kind, name, trainedAt, trainingRows, trees, null));
    }

    /// <summary>An elasticity model.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static DemandModel FromElasticity(string name, ElasticityModel elasticity, DateTimeOffset trainedAt, long trainingRows)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(elasticity);
        return WithId(new DemandModel(DemandModelKind.Elasticity, name, trainedAt, trainingRows, null, elasticity));
    }

    /// <summary>Reads a model file.</summary>
    /// <exception cref="InvalidDataException">The file is not a demand model, is damaged or truncated, or has another format or feature schema version.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DemandModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return Load(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a model from its bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a demand model, are damaged or truncated, or have another format or feature schema version.</exception>
    public static DemandModel Load(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a PriceIntel demand model file (it does not start with \"PIDM\").");
        }

        if (bytes.Length < 16)
        {
            throw new InvalidDataException($"the demand model file is truncated ({bytes.Length} bytes).");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"the demand model file has format version {version}; this build reads version {FormatVersion}.");
        }

        var body = bytes[..^8];
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]);
        ulong actual = Checksum(body);
        if (stored != actual)
        {
            throw new InvalidDataException($"the demand model file is damaged or truncated: its checksum is {stored:x16} but its content gives {actual:x16}.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(body[8..].ToArray()), Encoding.UTF8);
            var model = Read(reader);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"the demand model file has {reader.BaseStream.Length - reader.BaseStream.Position} unexpected bytes after the model.");
            }

            model.Id = IdOf(actual);
            return model;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("the demand model file ends in the middle of the model.", ex);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"the demand model file holds an invalid model: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the model file.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>The model file's bytes.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            Write(w);
        }

        var body = stream.ToArray();
        var bytes = new byte[body.Length + 8];
        body.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(body.Length), Checksum(body));
        return bytes;
    }

    /// <summary>A one-line description for logs and reports.</summary>
    public override string ToString() => Kind switch
    {
        DemandModelKind.Elasticity => $"{Name} (elasticity, {Elasticity!.Products.Count} products, {Elasticity.Categories.Count} categories, trained on {TrainingRows} rows)",
        _ => $"{Name} ({Kind}, {Trees!.TreeCount} trees, max depth {Trees.MaxDepth}, trained on {TrainingRows} rows)",
    };

    private static DemandModel WithId(DemandModel model)
    {
        var bytes = model.ToBytes();
        model.Id = IdOf(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)));
        return model;
    }

    private static uint IdOf(ulong checksum) => (uint)(checksum ^ (checksum >> 32)) is var id and not 0 ? id : 1;

    private static ulong Checksum(ReadOnlySpan<byte> data)
    {
        var c = default(SnapshotChecksum);
        c.Append(data);
        return c.Finish();
    }

    private void Write(BinaryWriter w)
    {
        w.Write(DemandFeatures.SchemaVersion);
        w.Write(DemandFeatures.Count);
        w.Write((byte)Kind);
        w.Write(Name);
        w.Write(TrainedAt.ToUnixTimeMilliseconds());
        w.Write(TrainingRows);
        if (Trees is { } trees)
        {
            w.Write((byte)trees.Aggregation);
            w.Write(trees.TreeCount);
            foreach (var t in trees.Trees)
            {
                w.Write(t.SplitFeatures.Count);
                foreach (var v in t.SplitFeatures)
                {
                    w.Write(v);
                }

                foreach (var v in t.Thresholds)
                {
                    w.Write(v);
                }

                foreach (var v in t.LeftChild)
                {
                    w.Write(v);
                }

                foreach (var v in t.RightChild)
                {
                    w.Write(v);
                }

                foreach (var v in t.LeafValues)
                {
                    w.Write(v);
                }
            }
        }
        else
        {
            var e = Elasticity!;
            foreach (var f in e.HourFactors)
            {
                w.Write(f);
            }

            w.Write(e.Categories.Count);
            foreach (var c in e.Categories)
            {
                w.Write(c.Category);
                w.Write(c.Elasticity);
                w.Write(c.StandardError);
                w.Write(c.BetweenProductSpread);
                w.Write(c.Products);
                w.Write(c.Intercept);
            }

            w.Write(e.Products.Count);
            foreach (var p in e.Products)
            {
                w.Write(p.Product);
                w.Write(p.Category);
                w.Write(p.Intercept);
                w.Write(p.Elasticity);
                w.Write(p.RawElasticity);
                w.Write(p.StandardError);
                w.Write(p.Observations);
                w.Write(p.Units);
            }
        }
    }

    private static DemandModel Read(BinaryReader r)
    {
        int schema = r.ReadInt32();
        int features = r.ReadInt32();
        if (schema != DemandFeatures.SchemaVersion || features != DemandFeatures.Count)
        {
            throw new InvalidDataException($"the demand model was trained on feature schema {schema} with {features} features; this build computes schema {DemandFeatures.SchemaVersion} with {DemandFeatures.Count} features. Retrain it.");
        }

        var kind = (DemandModelKind)r.ReadByte();
        string name = r.ReadString();
        var trainedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64());
        long rows = r.ReadInt64();
        switch (kind)
        {
            case DemandModelKind.GradientBoostedTrees or DemandModelKind.RandomForest:
                {
                    var aggregation = (TreeAggregation)r.ReadByte();
                    int count = Count(r, 1_000_000, "trees");
                    var trees = new RegressionTreeDescription[count];
                    for (int t = 0; t < count; t++)
                    {
                        int inner = Count(r, 1 << 24, "tree nodes");
                        trees[t] = new RegressionTreeDescription(
                            ReadArray(r, inner, static r => r.ReadInt32()),
                            ReadArray(r, inner, static r => r.ReadSingle()),
                            ReadArray(r, inner, static r => r.ReadInt32()),
                            ReadArray(r, inner, static r => r.ReadInt32()),
                            ReadArray(r, inner + 1, static r => r.ReadDouble()));
                    }

                    var ensemble = TreeEnsemble.Create(trees, DemandFeatures.Count, aggregation);
                    if ((ensemble.Aggregation == TreeAggregation.Mean) != (kind == DemandModelKind.RandomForest))
                    {
                        throw new InvalidDataException($"the demand model says it is {kind} but its trees are aggregated by {aggregation}.");
                    }

                    return new DemandModel(kind, name, trainedAt, rows, ensemble, null);
                }

            case DemandModelKind.Elasticity:
                {
                    var hours = ReadArray(r, 24, static r => r.ReadDouble());
                    int categoryCount = Count(r, 1_000_000, "categories");
                    var categories = new CategoryElasticity[categoryCount];
                    for (int i = 0; i < categoryCount; i++)
                    {
                        categories[i] = new CategoryElasticity(r.ReadString(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadInt32(), r.ReadDouble());
                    }

                    int productCount = Count(r, 100_000_000, "products");
                    var products = new ProductElasticity[productCount];
                    for (int i = 0; i < productCount; i++)
                    {
                        products[i] = new ProductElasticity(r.ReadString(), r.ReadString(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadInt32(), r.ReadInt64());
                    }

                    return new DemandModel(kind, name, trainedAt, rows, null, new ElasticityModel(products, categories, hours));
                }

            default:
                throw new InvalidDataException($"the demand model file names an unknown model kind {(byte)kind}.");
        }
    }

    private static int Count(BinaryReader r, int max, string what)
    {
        int n = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (n < 0 || n > max || n > left)
        {
            throw new InvalidDataException($"the demand model file gives {n} {what}, which cannot be right (at most {Math.Min(max, left)}).");
        }

        return n;
    }

    private static T[] ReadArray<T>(BinaryReader r, int count, Func<BinaryReader, T> read)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = read(r);
        }

        return values;
    }
}
