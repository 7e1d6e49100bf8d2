using System.Globalization;

namespace PriceIntel.ConsoleDemo.Commands;

/// <summary>The experiment statistics block of the demo's summary.</summary>
internal static class ExperimentSummary
{
    /// <summary>Environment variable naming a demand model file for the MaximizeProfit strategy (written by <c>train</c>).</summary>
    public const string ModelVariable = "PRICEINTEL_DEMAND_MODEL";

    /// <summary>Gives the engine the model named by <see cref="ModelVariable"/>, if set.</summary>
    public static void UseModelFromEnvironment(MarketEngine engine)
    {
        if (Environment.GetEnvironmentVariable(ModelVariable) is { Length: > 0 } path)
        {
            var model = PriceIntel.Engine.Scoring.DemandModel.Load(path);
            engine.UseDemandModel(model);
            Console.WriteLine($"demand model: {model} from {Path.GetFullPath(path)}");
        }
    }

    public static void Print(MarketEngine engine)
    {
        var inv = CultureInfo.InvariantCulture;
        var stats = engine.GetExperimentStatistics();
        Console.WriteLine("  experiment statistics (per product-day; 95 % intervals; test against the first arm valid under daily peeking: mSPRT, α = 0.05)");
        Console.WriteLine("    arm             product-days   profit/day [95 % CI]            revenue/day [95 % CI]           vs first arm (always-valid CI)        p (always valid)  Thompson share");
        foreach (var a in stats)
        {
            var versus = a.VersusControl is { } v
                ? string.Create(inv, $"{v.Difference,8:+0.000;-0.000} [{v.DifferenceLow:0.000}, {v.DifferenceHigh:0.000}]{(v.Significant ? " *" : "  ")}   {v.AlwaysValidPValue,8:0.0000}")
                : "   (control)                                   ";
            Console.WriteLine(string.Create(
                inv,
                $"    {a.Name,-15} {a.ProductDays,12:N0}   {a.Profit.Mean,8:0.000} [{a.Profit.Low:0.000}, {a.Profit.High:0.000}]   {a.Revenue.Mean,9:0.000} [{a.Revenue.Low:0.000}, {a.Revenue.High:0.000}]   {versus,-48} {a.ThompsonShare,8:P1}"));
        }
    }
}
