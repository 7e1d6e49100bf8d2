using System.Globalization;
using Spectre.Console;

namespace PriceIntel.ConsoleDemo;

/// <summary>The summary printed at the end of a demo run: Spectre.Console tables.</summary>
internal static class DemoReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Print(PipelineSummary summary, string? stoppedBy, MarketEngine engine, DemoProgress progress, DeadLetterFile deadLetters, string storePath, StoreStatistics before, StoreStatistics after, MarketSimulator? simulator)
    {
        var c = engine.Counters;
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine(summary.Cancelled
            ? $"[yellow]Stopped ({stoppedBy ?? "cancelled"})[/] — buffered work was processed and flushed."
            : "[green]Done.[/]");

        var run = new Table().Border(TableBorder.Rounded).Title("[bold]run[/]").AddColumn("").AddColumn(new TableColumn("").RightAligned()).AddColumn("").HideHeaders();
        run.AddRow("events", N(summary.EventsIn), string.Create(Inv, $"in {summary.Elapsed.TotalSeconds:F1} s = {summary.EventsPerSecond:N0} events/s (one engine, one core)"));
        run.AddRow("rejected", N(summary.Rejected), $"set aside in {Markup.Escape(deadLetters.Path)}");
        run.AddRow("invalid", N(c.Invalid), string.Create(Inv, $"late {c.Late:N0} · outliers kept out of statistics {c.Outliers:N0}"));
        run.AddRow("pricing", N(c.PricingRuns), string.Create(Inv, $"runs, {c.Decisions:N0} price changes"));
        foreach (var kind in Enum.GetValues<SignalKind>())
        {
            run.AddRow($"signals: {kind}", N(progress.SignalsOf(kind)), "");
        }

        AnsiConsole.Write(run);

        var arms = new Table().Border(TableBorder.Rounded).Title("[bold]experiment arms[/]")
            .AddColumn("arm").AddColumn("strategy")
            .AddColumn(new TableColumn("products").RightAligned()).AddColumn(new TableColumn("decisions").RightAligned())
            .AddColumn(new TableColumn("avg change").RightAligned()).AddColumn(new TableColumn("units").RightAligned())
            .AddColumn(new TableColumn("revenue").RightAligned()).AddColumn(new TableColumn("margin").RightAligned()).AddColumn(new TableColumn("margin %").RightAligned());
        foreach (var arm in engine.GetArmReports())
        {
            arms.AddRow(
                Markup.Escape(arm.Name), arm.Strategy.ToString(), N(arm.Products), N(arm.Decisions), arm.AveragePriceChange.ToString("P2", Inv),
                N(arm.Units), arm.Revenue.ToDecimal().ToString("N2", Inv), arm.Margin.ToDecimal().ToString("N2", Inv), arm.MarginRate.ToString("P1", Inv));
        }

        AnsiConsole.Write(arms);
        Commands.ExperimentSummary.Print(engine);

        var store = new Table().Border(TableBorder.Rounded).Title($"[bold]store[/] {Markup.Escape(storePath)}")
            .AddColumn("").AddColumn(new TableColumn("new this run").RightAligned()).AddColumn(new TableColumn("held").RightAligned());
        store.AddRow("competitor prices", N(after.CompetitorPrices - before.CompetitorPrices), N(after.CompetitorPrices));
        store.AddRow("our prices", N(after.OurPrices - before.OurPrices), N(after.OurPrices));
        store.AddRow("signals", N(after.Signals - before.Signals), string.Create(Inv, $"{after.Signals:N0} ({after.UnacknowledgedSignals:N0} open)"));
        store.AddRow("decisions", N(after.Decisions - before.Decisions), N(after.Decisions));
        store.AddRow("demand events", N(after.DemandEvents - before.DemandEvents), N(after.DemandEvents));
        AnsiConsole.Write(store);
        if (after.Signals - before.Signals < summary.Signals || after.Decisions - before.Decisions < summary.Decisions)
        {
            AnsiConsole.MarkupLine("  (fewer new than raised: outputs with ids already in the store — a rerun of the same input — are kept once)");
        }

        if (simulator is not null)
        {
            var s = simulator.GetStatistics();
            AnsiConsole.MarkupLine(string.Create(Inv, $"market: {s.CompetitorPrices:N0} competitor prices ({s.ScrapeErrors:N0} scrape errors, {s.PromotionsStarted:N0} promotions), {s.Views:N0} views, {s.Purchases:N0} purchases, {s.LostSales:N0} lost to stock-outs, {s.ViralSpikes:N0} viral spikes"));
        }

        AnsiConsole.MarkupLine($"look inside: [grey]dotnet run -c Release --project samples/PriceIntel.Console -- query --store {Markup.Escape(storePath)}[/]");
    }

    private static string N(long value) => value.ToString("N0", Inv);
}
