using System.Globalization;

namespace PriceIntel.ConsoleDemo;

/// <summary>The summary printed at the end of a demo run.</summary>
internal static class DemoReport
{
    public static void Print(PipelineSummary summary, MarketEngine engine, DemoProgress progress, DeadLetterFile deadLetters, string storeDirectory, MarketSimulator? simulator)
    {
        var inv = CultureInfo.InvariantCulture;
        var c = engine.Counters;
        Console.WriteLine();
        Console.WriteLine(summary.Cancelled ? "Stopped (Ctrl+C) — buffered work was processed and flushed." : "Done.");
        Console.WriteLine(string.Create(inv, $"  events      {summary.EventsIn,14:N0} in {summary.Elapsed.TotalSeconds:F1} s = {summary.EventsPerSecond,12:N0} events/s (one engine, one core)"));
        Console.WriteLine(string.Create(inv, $"  rejected    {summary.Rejected,14:N0} (set aside in {deadLetters.Path})"));
        Console.WriteLine(string.Create(inv, $"  invalid     {c.Invalid,14:N0}   late {c.Late:N0}   outliers kept out of statistics {c.Outliers:N0}"));
        Console.WriteLine(string.Create(inv, $"  pricing     {c.PricingRuns,14:N0} runs, {c.Decisions:N0} price changes"));
        Console.WriteLine("  signals");
        foreach (var kind in Enum.GetValues<SignalKind>())
        {
            Console.WriteLine(string.Create(inv, $"    {kind,-22}{progress.SignalsOf(kind),10:N0}"));
        }

        Console.WriteLine("  experiment arms");
        Console.WriteLine("    arm             strategy       products  decisions  avg change      units        revenue         margin  margin %");
        foreach (var arm in engine.GetArmReports())
        {
            Console.WriteLine(string.Create(
                inv,
                $"    {arm.Name,-15} {arm.Strategy,-12} {arm.Products,10:N0} {arm.Decisions,10:N0} {arm.AveragePriceChange,11:P2} {arm.Units,10:N0} {arm.Revenue.ToDecimal(),14:N2} {arm.Margin.ToDecimal(),14:N2} {arm.MarginRate,9:P1}"));
        }

        Console.WriteLine(string.Create(inv, $"  store       {storeDirectory}"));
        if (simulator is not null)
        {
            var s = simulator.GetStatistics();
            Console.WriteLine(string.Create(inv, $"  market      {s.CompetitorPrices:N0} competitor prices ({s.ScrapeErrors:N0} scrape errors, {s.PromotionsStarted:N0} promotions), {s.Views:N0} views, {s.Purchases:N0} purchases, {s.LostSales:N0} lost to stock-outs, {s.ViralSpikes:N0} viral spikes"));
        }
    }
}
