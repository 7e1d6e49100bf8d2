using System.ComponentModel;
using System.Globalization;
using PriceIntel.Storage.Sqlite;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PriceIntel.ConsoleDemo;

/// <summary>Options of <c>query</c>.</summary>
internal sealed class QuerySettings : CommandSettings
{
    [CommandArgument(0, "[SKU]")]
    [Description("The product to show; without it, the newest signals and decisions of every product.")]
    public string? Sku { get; init; }

    [CommandOption("--store <FILE>")]
    [Description("The SQLite store file (default: database.sqlite.path from the configuration, else DIR/priceintel.db).")]
    public string? Store { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("The demo's output directory holding priceintel.db (default ./priceintel-demo).")]
    public string? Out { get; init; }

    [CommandOption("--config <FILE>")]
    [Description("YAML configuration (default: config/config.yaml when found).")]
    public string? Config { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Rows per table (1 to 1000; default 10).")]
    [DefaultValue(10)]
    public int Limit { get; init; } = 10;

    [CommandOption("--kind <KIND>")]
    [Description("Only signals of this kind: CompetitorPriceDrop, DemandSurge, LowInventory, PriceAnomaly.")]
    [TypeConverter(typeof(SignalKindOptionConverter))]
    public SignalKind? Kind { get; init; }

    [CommandOption("--open")]
    [Description("Only signals nobody has acknowledged.")]
    public bool Open { get; init; }

    [CommandOption("--buckets <SIZE>")]
    [Description("Show competitor prices rolled up per Minute, Hour or Day instead of raw observations (needs SKU).")]
    [TypeConverter(typeof(BucketSizeOptionConverter))]
    public PriceBucketSize? Buckets { get; init; }

    public override ValidationResult Validate() =>
        Limit is < 1 or > 1000 ? ValidationResult.Error($"--limit needs an integer from 1 to 1000; got '{Limit}'")
        : Buckets is not null && Sku is null ? ValidationResult.Error("--buckets needs a SKU")
        : ValidationResult.Success();
}

/// <summary><c>query</c>: recent signals, decisions, price history and hourly demand from the store, read-only (works while a demo writes).</summary>
internal sealed class QueryCommand : AsyncCommand<QuerySettings>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public override async Task<int> ExecuteAsync(CommandContext context, QuerySettings settings, CancellationToken cancellationToken)
    {
        DemoErrors.Started = true;
        if (settings.Config is not null && !File.Exists(settings.Config))
        {
            throw new DemoUsageException(Directory.Exists(settings.Config) ? $"--config: '{settings.Config}' is a directory; give a file" : $"--config: file '{settings.Config}' does not exist");
        }

        var (configuration, _) = DemoHost.LoadConfiguration(settings.Config);
        var options = DemoHost.StoreOptions(configuration, settings.Store, settings.Out ?? "priceintel-demo");
        options.ReadOnly = true;
        await using var store = SqliteMarketStore.Open(options);
        var stats = await store.GetStatisticsAsync(cancellationToken);
        AnsiConsole.MarkupLine(string.Create(Inv, $"[bold]store[/] {Markup.Escape(Path.GetFullPath(options.Path))}: {stats.Products:N0} catalog products, {stats.CompetitorPrices:N0} competitor prices, {stats.OurPrices:N0} of our prices, {stats.Signals:N0} signals ({stats.UnacknowledgedSignals:N0} open), {stats.Decisions:N0} decisions, {stats.DemandEvents:N0} demand events"));

        var signals = await store.QuerySignalsAsync(new SignalQuery { Product = settings.Sku, Kind = settings.Kind, Acknowledged = settings.Open ? false : null, Limit = settings.Limit }, cancellationToken);
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]signals[/]{Scope(settings.Sku)}, newest first")
            .AddColumn("time (UTC)").AddColumn("kind").AddColumn("severity").AddColumn("product").AddColumn("competitor")
            .AddColumn(new TableColumn("observed").RightAligned()).AddColumn(new TableColumn("reference").RightAligned()).AddColumn(new TableColumn("magnitude").RightAligned()).AddColumn("acknowledged");
        foreach (var s in signals.Items)
        {
            table.AddRow(Time(s.Time), s.Kind.ToString(), s.Severity.ToString(), Markup.Escape(s.Product), Markup.Escape(s.Competitor ?? "-"),
                s.Observed.ToString("G6", Inv), s.Reference.ToString("G6", Inv), s.Magnitude.ToString("G4", Inv),
                s.Acknowledgement is { } a ? Markup.Escape($"{a.By} {Time(a.At)}") : "-");
        }

        AnsiConsole.Write(table);

        var decisions = await store.QueryDecisionsAsync(new DecisionQuery { Product = settings.Sku, Limit = settings.Limit }, cancellationToken);
        table = new Table().Border(TableBorder.Rounded).Title($"[bold]decisions[/]{Scope(settings.Sku)}, newest first")
            .AddColumn("time (UTC)").AddColumn("product").AddColumn(new TableColumn("old").RightAligned()).AddColumn(new TableColumn("new").RightAligned())
            .AddColumn("currency").AddColumn("trigger").AddColumn("arm").AddColumn("strategy").AddColumn("set by").AddColumn("who / why");
        foreach (var d in decisions.Items)
        {
            table.AddRow(Time(d.Time), Markup.Escape(d.Product), d.OldPrice.ToString("0.00##", Inv), d.NewPrice.ToString("0.00##", Inv), d.Currency,
                d.Trigger.ToString(), d.Arm.ToString(Inv), d.Strategy.ToString(), d.SetBy.ToString(),
                d.DecidedBy is null ? "-" : Markup.Escape($"{d.DecidedBy}: {d.Reason}"));
        }

        AnsiConsole.Write(table);
        if (settings.Sku is { } sku)
        {
            await PriceHistoryAsync(store, sku, settings, cancellationToken);
        }

        return 0;
    }

    private static async Task PriceHistoryAsync(IMarketStore store, string sku, QuerySettings settings, CancellationToken cancellationToken)
    {
        Table table;
        if (settings.Buckets is { } size)
        {
            var buckets = await store.QueryPriceBucketsAsync(new PriceBucketQuery(sku, size) { Limit = settings.Limit }, cancellationToken);
            table = new Table().Border(TableBorder.Rounded).Title($"[bold]competitor prices[/] of {Markup.Escape(sku)} per {size.ToString().ToLowerInvariant()}, newest first")
                .AddColumn("start (UTC)").AddColumn("competitor").AddColumn(new TableColumn("open").RightAligned()).AddColumn(new TableColumn("high").RightAligned())
                .AddColumn(new TableColumn("low").RightAligned()).AddColumn(new TableColumn("close").RightAligned()).AddColumn(new TableColumn("count").RightAligned()).AddColumn("currency");
            foreach (var b in buckets.Items)
            {
                table.AddRow(Time(b.Start), Markup.Escape(b.Competitor), M(b.Open), M(b.High), M(b.Low), M(b.Close), b.Count.ToString("N0", Inv), b.Currency);
            }
        }
        else
        {
            var prices = await store.QueryCompetitorPricesAsync(new PriceHistoryQuery(sku) { Limit = settings.Limit }, cancellationToken);
            table = new Table().Border(TableBorder.Rounded).Title($"[bold]competitor prices[/] of {Markup.Escape(sku)}, newest first")
                .AddColumn("time (UTC)").AddColumn("competitor").AddColumn("platform").AddColumn(new TableColumn("price").RightAligned()).AddColumn("currency").AddColumn("availability");
            foreach (var o in prices.Items)
            {
                table.AddRow(Time(o.Time), Markup.Escape(o.Competitor), Markup.Escape(o.Platform ?? "-"), M(o.Price), o.Currency, o.Availability.ToString());
            }
        }

        AnsiConsole.Write(table);
        var ours = await store.QueryOurPricesAsync(new OurPriceQuery(sku) { Limit = settings.Limit }, cancellationToken);
        table = new Table().Border(TableBorder.Rounded).Title($"[bold]our prices[/] of {Markup.Escape(sku)}, newest first")
            .AddColumn("time (UTC)").AddColumn(new TableColumn("price").RightAligned()).AddColumn("currency").AddColumn("set by");
        foreach (var p in ours.Items)
        {
            table.AddRow(Time(p.Time), M(p.Price), p.Currency, p.Source.ToString());
        }

        AnsiConsole.Write(table);
        var demand = await store.QueryDemandAsync(new DemandQuery(sku, DemandBucketSize.Hour) { Limit = settings.Limit }, cancellationToken);
        table = new Table().Border(TableBorder.Rounded).Title($"[bold]demand[/] of {Markup.Escape(sku)} per hour, newest first")
            .AddColumn("start (UTC)").AddColumn(new TableColumn("views").RightAligned()).AddColumn(new TableColumn("carts").RightAligned())
            .AddColumn(new TableColumn("purchases").RightAligned()).AddColumn(new TableColumn("units").RightAligned()).AddColumn(new TableColumn("revenue").RightAligned())
            .AddColumn(new TableColumn("conversion").RightAligned()).AddColumn(new TableColumn("our price").RightAligned()).AddColumn(new TableColumn("stock").RightAligned());
        foreach (var b in demand.Items)
        {
            table.AddRow(Time(b.Start), b.Views.ToString("N0", Inv), b.AddToCarts.ToString("N0", Inv), b.Purchases.ToString("N0", Inv), b.Units.ToString("N0", Inv),
                M(b.Revenue), b.Conversion is { } c ? c.ToString("P1", Inv) : "-", b.AverageViewPrice is { } a ? M(a) : "-", b.Stock?.ToString("N0", Inv) ?? "-");
        }

        AnsiConsole.Write(table);
    }

    private static string Scope(string? sku) => sku is null ? "" : $" of {Markup.Escape(sku)}";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv);

    private static string M(decimal d) => d.ToString("0.00##", Inv);
}
