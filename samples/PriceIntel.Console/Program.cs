using PriceIntel.ConsoleDemo;
using Spectre.Console.Cli;

// The demo's commands. The default one runs the pipeline (simulator or --replay → engine → SQLite
// store; --kafka for the Kafka modes, in KafkaDemo.cs); `load` publishes to Kafka; `query` reads the
// store. A new command is one class (an AsyncCommand<TSettings>) and one AddCommand line below.
var app = new CommandApp<RunCommand>();
app.Configure(config =>
{
    config.SetApplicationName("PriceIntel.Console");
    config.Settings.StrictParsing = true;
    config.AddExample("--products", "500", "--days", "1");
    config.AddExample("--days=1", "--record", "events.jsonl");
    config.AddExample("--replay", "events.jsonl", "--out", "replay-run");
    config.AddExample("--kafka", "mock");
    config.AddCommand<LoadCommand>("load")
        .WithDescription("Publish the simulated market (--products, --competitors, --days, --seed; always open loop) or --replay FILE to the Kafka input topics, then flush.")
        .WithExample("load", "--kafka", "localhost:9092", "--create-topics", "12");
    config.AddCommand<QueryCommand>("query")
        .WithDescription("Show recent signals, decisions and price history from the store (read-only: works while a run writes).")
        .WithExample("query", "SKU-000042", "--limit", "20")
        .WithExample("query", "SKU-000042", "--buckets", "Hour");
    config.AddCommand<PriceIntel.ConsoleDemo.Commands.TrainCommand>("train")
        .WithDescription("Train demand models (boosted trees, random forest, log-log elasticity) from a JSON Lines recording or a SQLite store; writes model files (PriceIntel.ML).")
        .WithExample("train", "--recording", "events.jsonl", "--out", "models")
        .WithExample("train", "--store", "priceintel-demo/priceintel.db", "--out", "models");
    config.AddCommand<PriceIntel.ConsoleDemo.Commands.BacktestCommand>("backtest")
        .WithDescription("Replay one simulated market in closed loop under every strategy, the profit-maximising one and an oracle; print profit per strategy (PriceIntel.ML).")
        .WithExample("backtest", "--products", "2000", "--max-margin", "1.0", "--min-cost", "0.35", "--max-cost", "0.9");
    config.SetExceptionHandler((exception, _) => DemoErrors.Report(exception));
});
return await app.RunAsync(args);

/// <summary>Turns every failure into one line on stderr and an exit code: 2 for usage and configuration, 1 for the rest. No stack traces.</summary>
internal static class DemoErrors
{
    /// <summary>Set by a command when it starts executing.</summary>
    public static bool Started { get; set; }

    public static int Report(Exception exception)
    {
        var error = exception is CommandRuntimeException { InnerException: { } inner } ? inner : exception;
        Console.Error.WriteLine($"error: {error.Message.ReplaceLineEndings(" ")}");
        // Anything before a command starts (parsing, conversion, validation) is a usage error too.
        if (!Started || error is CommandParseException or CommandRuntimeException or DemoUsageException or DemoConfigurationException)
        {
            Console.Error.WriteLine("run with --help for usage");
            return 2;
        }

        return 1;
    }
}
