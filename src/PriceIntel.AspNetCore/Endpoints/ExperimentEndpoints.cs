using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PriceIntel.AspNetCore.Engine;
using PriceIntel.Engine.Experiments;

namespace PriceIntel.AspNetCore.Endpoints;

/// <summary>The A/B experiment between pricing strategies: each arm's tallies and how it compares with the first (control) arm.</summary>
internal static class ExperimentEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/experiments", GetAsync)
            .WithTags("Experiments")
            .AsCachedRead<ExperimentDto>("GetExperiment", "Experiment arms with their tallies and a comparison with the control arm");
    }

    private static async Task<IResult> GetAsync(EngineHost engine, CancellationToken cancellationToken)
    {
        var reports = await engine.QueryAsync(e => e.GetArmReports(), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ExperimentDto.From(reports));
    }
}

/// <summary>One arm's tallies.</summary>
internal sealed record ArmDto(
    int Arm,
    string Name,
    PricingStrategyKind Strategy,
    long Products,
    long Decisions,
    long PriceChanges,
    double AveragePriceChange,
    long Units,
    decimal Revenue,
    decimal Margin,
    double MarginRate,
    double UnitsPerProduct,
    decimal RevenuePerProduct,
    decimal MarginPerProduct);

/// <summary>
/// An arm against the control arm: lifts per product, and a two-sided test of the unit sales rate per
/// product (units as Poisson counts, normal approximation).
/// </summary>
internal sealed record ArmComparisonDto(int Arm, int Control, double? RevenueLift, double? MarginLift, double? UnitsLift, double? Z, double? PValue, double? Confidence, string Verdict);

/// <summary>The experiment: its arms and each arm compared with the control (arm 0).</summary>
internal sealed record ExperimentDto(IReadOnlyList<ArmDto> Arms, IReadOnlyList<ArmComparisonDto> Comparisons)
{
    public static ExperimentDto From(IReadOnlyList<ExperimentArmReport> reports)
    {
        var arms = reports.Select(r => new ArmDto(
            r.Arm,
            r.Name,
            r.Strategy,
            r.Products,
            r.Decisions,
            r.PriceChanges,
            r.AveragePriceChange,
            r.Units,
            r.Revenue.ToDecimal(),
            r.Margin.ToDecimal(),
            r.MarginRate,
            r.Products == 0 ? 0 : r.Units / (double)r.Products,
            r.Products == 0 ? 0 : r.Revenue.ToDecimal() / r.Products,
            r.Products == 0 ? 0 : r.Margin.ToDecimal() / r.Products)).ToList();
        var comparisons = new List<ArmComparisonDto>();
        if (arms.Count > 1)
        {
            var control = arms[0];
            foreach (var arm in arms.Skip(1))
            {
                comparisons.Add(Compare(arm, control));
            }
        }

        return new ExperimentDto(arms, comparisons);
    }

    internal static ArmComparisonDto Compare(ArmDto arm, ArmDto control)
    {
        if (arm.Products == 0 || control.Products == 0)
        {
            return new ArmComparisonDto(arm.Arm, control.Arm, null, null, null, null, null, null, "no products yet in one of the arms");
        }

        static double? Lift(double value, double baseline) => baseline == 0 ? null : (value - baseline) / baseline;

        double rate = arm.Units / (double)arm.Products;
        double baseRate = control.Units / (double)control.Products;
        double variance = (arm.Units / ((double)arm.Products * arm.Products)) + (control.Units / ((double)control.Products * control.Products));
        double? z = variance > 0 ? (rate - baseRate) / Math.Sqrt(variance) : null;
        double? p = z is { } zz ? Statistics.TwoSidedP(zz) : null;
        string verdict = p switch
        {
            null => "no sales yet",
            < 0.05 => rate > baseRate ? "sells more units per product than the control (p < 0.05)" : "sells fewer units per product than the control (p < 0.05)",
            _ => "no significant difference in units per product yet",
        };
        return new ArmComparisonDto(
            arm.Arm,
            control.Arm,
            Lift((double)arm.RevenuePerProduct, (double)control.RevenuePerProduct),
            Lift((double)arm.MarginPerProduct, (double)control.MarginPerProduct),
            Lift(rate, baseRate),
            z,
            p,
            p is { } pv ? 1 - pv : null,
            verdict);
    }
}

/// <summary>The normal distribution's tail, for the experiment comparison.</summary>
internal static class Statistics
{
    /// <summary>P(|Z| ≥ |z|) for a standard normal Z.</summary>
    public static double TwoSidedP(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    public static double Erfc(double x)
    {
        double t = 1 / (1 + (0.5 * Math.Abs(x)));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        double poly = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }

        double y = t * Math.Exp((-x * x) + poly);
        return x >= 0 ? y : 2 - y;
    }
}
