using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Experiments;

/// <summary>
/// Assigns products to experiment arms by weight, deterministically: the arm depends only on the
/// product's stable key hash (<see cref="KeyTable.GetStableHash"/>, FNV-1a of the SKU) and the salt
/// (hashed the same way), so every process, run and machine agrees. The pair is mixed with
/// <see cref="DeterministicId.Of"/>; the top 53 bits of the result are a uniform point u in [0, 2⁵³),
/// and the arm is the first whose cumulative weight share (scaled to 2⁵³) exceeds u. Changing the salt
/// reshuffles every product; changing weights moves only the products near the shifted boundaries.
/// With no arms configured there is one arm, "default", with <see cref="PricingOptions.Strategy"/>.
/// Immutable after construction, so safe to share between engine threads.
/// </summary>
internal sealed class ExperimentAssignment
{
    /// <summary>Name of the single arm used when no arms are configured.</summary>
    public const string DefaultArmName = "default";

    private const long UnitPoints = 1L << 53;

    private readonly string[] _names;
    private readonly PricingStrategyKind[] _strategies;
    private readonly double[] _shares;
    private readonly long[] _upperPoints;

    /// <summary>Builds the arms from the options.</summary>
    /// <exception cref="ArgumentException">The experiment options are invalid (<see cref="ExperimentOptions.Validate"/>).</exception>
    public ExperimentAssignment(ExperimentOptions experiment, PricingOptions pricing)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(pricing);
        experiment.Validate();
        SaltHash = KeyTable.ComputeStableHash(experiment.Salt);

        var arms = experiment.Arms;
        int count = Math.Max(1, arms.Count);
        _names = new string[count];
        _strategies = new PricingStrategyKind[count];
        _shares = new double[count];
        _upperPoints = new long[count];
        if (arms.Count == 0)
        {
            _names[0] = DefaultArmName;
            _strategies[0] = pricing.Strategy;
            _shares[0] = 1;
            _upperPoints[0] = UnitPoints;
            return;
        }

        double total = 0;
        for (int i = 0; i < count; i++)
        {
            total += arms[i].Weight;
        }

        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            _names[i] = arms[i].Name;
            _strategies[i] = arms[i].Strategy;
            _shares[i] = arms[i].Weight / total;
            cumulative += arms[i].Weight;
            _upperPoints[i] = i == count - 1 ? UnitPoints : (long)Math.Round(cumulative / total * UnitPoints);
        }
    }

    /// <summary>Number of arms (1 when no arms are configured, at most 16).</summary>
    public int ArmCount => _names.Length;

    /// <summary>The stable hash of the salt.</summary>
    public ulong SaltHash { get; }

    /// <summary>The arm's name.</summary>
    public string GetName(int arm) => _names[arm];

    /// <summary>The arm's strategy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PricingStrategyKind GetStrategy(int arm) => _strategies[arm];

    /// <summary>The arm's share of products, its weight over the sum of weights.</summary>
    public double GetShare(int arm) => _shares[arm];

    /// <summary>The arm index of the product with stable key hash <paramref name="productHash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Assign(ulong productHash)
    {
        var point = (long)(DeterministicId.Of(SaltHash, productHash) >> 11);
        var upper = _upperPoints;
        int arm = 0;
        while (arm < upper.Length - 1 && point >= upper[arm])
        {
            arm++;
        }

        return (byte)arm;
    }
}
