using PriceIntel.Engine.Experiments;

namespace PriceIntel.Engine.Tests.Experiments;

public sealed class ExperimentAssignmentTests
{
    private static ExperimentOptions Experiment(string salt, params (string Name, PricingStrategyKind Strategy, double Weight)[] arms)
    {
        var options = new ExperimentOptions { Salt = salt };
        foreach (var (name, strategy, weight) in arms)
        {
            options.Arms.Add(new ExperimentArmOptions { Name = name, Strategy = strategy, Weight = weight });
        }

        return options;
    }

    private static readonly (string, PricingStrategyKind, double)[] ThreeArms =
    [
        ("control", PricingStrategyKind.MatchLowest, 1),
        ("beat", PricingStrategyKind.BeatLowest, 2),
        ("median", PricingStrategyKind.Percentile, 1),
    ];

    private static ulong Sku(int i) => KeyTable.ComputeStableHash($"SKU-{i:D6}");

    [Fact]
    public void Without_arms_every_product_goes_to_the_default_arm()
    {
        var assignment = new ExperimentAssignment(new ExperimentOptions(), new PricingOptions { Strategy = PricingStrategyKind.Percentile });
        Assert.Equal(1, assignment.ArmCount);
        Assert.Equal("default", assignment.GetName(0));
        Assert.Equal(PricingStrategyKind.Percentile, assignment.GetStrategy(0));
        Assert.Equal(1.0, assignment.GetShare(0));
        for (int i = 0; i < 1_000; i++)
        {
            Assert.Equal(0, assignment.Assign(Sku(i)));
        }
    }

    [Fact]
    public void Split_matches_the_weights_on_100k_products()
    {
        var assignment = new ExperimentAssignment(Experiment("spring-test", ThreeArms), new PricingOptions());
        Assert.Equal(3, assignment.ArmCount);
        Assert.Equal(0.5, assignment.GetShare(1));
        const int n = 100_000;
        var counts = new int[3];
        for (int i = 0; i < n; i++)
        {
            counts[assignment.Assign(Sku(i))]++;
        }

        // Each count is Binomial(n, share): allow 5 standard deviations (≈ 0.7 % of n at share 0.25).
        double chiSquare = 0;
        for (int arm = 0; arm < 3; arm++)
        {
            var share = assignment.GetShare(arm);
            var expected = n * share;
            var sd = Math.Sqrt(n * share * (1 - share));
            Assert.InRange(counts[arm], expected - (5 * sd), expected + (5 * sd));
            chiSquare += (counts[arm] - expected) * (counts[arm] - expected) / expected;
        }

        Assert.True(chiSquare < 20, $"χ² = {chiSquare} with 2 degrees of freedom (p < 5e-5 above 20)");
    }

    [Fact]
    public void Assignment_is_stable_across_instances_runs_and_machines()
    {
        var a = new ExperimentAssignment(Experiment("spring-test", ThreeArms), new PricingOptions());
        var b = new ExperimentAssignment(Experiment("spring-test", ThreeArms), new PricingOptions());
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(a.Assign(Sku(i)), b.Assign(Sku(i)));
        }

        // Pinned: these depend only on FNV-1a of the SKU and salt and on DeterministicId's mix, never on
        // process state. If this changes, every running experiment reshuffles.
        Assert.Equal(0xAF63DC4C8601EC8CUL, KeyTable.ComputeStableHash("a")); // FNV-1a 64 of "a"
        byte[] actual = [.. Enumerable.Range(0, 16).Select(i => a.Assign(Sku(i)))];
        Assert.Equal(PinnedArms, actual);
    }

    private static readonly byte[] PinnedArms = [0, 1, 0, 1, 1, 0, 1, 1, 2, 1, 0, 0, 2, 0, 2, 1];

    [Fact]
    public void Changing_the_salt_reshuffles()
    {
        var a = new ExperimentAssignment(Experiment("salt-a", ThreeArms), new PricingOptions());
        var b = new ExperimentAssignment(Experiment("salt-b", ThreeArms), new PricingOptions());
        int moved = 0;
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            if (a.Assign(Sku(i)) != b.Assign(Sku(i)))
            {
                moved++;
            }
        }

        // Independent assignments disagree with probability 1 − Σ share² = 1 − (1/16 + 1/4 + 1/16) = 0.625.
        Assert.InRange(moved / (double)n, 0.60, 0.65);
    }

    [Fact]
    public void Changing_one_weight_moves_only_products_near_the_boundaries()
    {
        var before = new ExperimentAssignment(Experiment("s", ("a", PricingStrategyKind.Hold, 1), ("b", PricingStrategyKind.Hold, 1)), new PricingOptions());
        var after = new ExperimentAssignment(Experiment("s", ("a", PricingStrategyKind.Hold, 1.1), ("b", PricingStrategyKind.Hold, 1)), new PricingOptions());
        int moved = 0;
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            var x = before.Assign(Sku(i));
            var y = after.Assign(Sku(i));
            if (x != y)
            {
                Assert.Equal((1, 0), (x, y)); // only b → a
                moved++;
            }
        }

        // Share of a goes from 0.5 to 1.1/2.1 ≈ 0.5238: about 2.4 % of products move.
        Assert.InRange(moved / (double)n, 0.018, 0.030);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ExperimentAssignment(Experiment("s", ("a", PricingStrategyKind.Hold, 1), ("a", PricingStrategyKind.Hold, 1)), new PricingOptions()));
        Assert.Throws<ArgumentException>(() => new ExperimentAssignment(new ExperimentOptions { Salt = string.Empty }, new PricingOptions()));
    }
}
