using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PriceIntel;
using PriceIntel.ConsoleDemo;
using PriceIntel.Engine.Diagnostics;

// The whole pipeline on one machine, no servers: market simulator (or a recorded JSON Lines stream)
// → engine → embedded store, with live progress and a summary. The Kafka modes (--kafka, load) are in
// KafkaDemo.cs. See --help.
DemoArguments demo;
try
{
    demo = DemoArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("run with --help for usage");
    return 2;
}

if (demo.Help)
{
    Console.WriteLine(DemoArguments.Usage);
    return 0;
}

PriceIntelOptions options;
IConfiguration configurationRoot;
try
{
    var configuration = new ConfigurationBuilder();
    var configPath = demo.ConfigPath ?? DemoArguments.FindDefaultConfig();
    if (configPath is not null)
    {
        configuration.AddPriceIntelYamlFile(Path.GetFullPath(configPath));
    }

    configuration.AddEnvironmentVariables("PRICEINTEL_");
    configurationRoot = configuration.Build();
    options = PriceIntelConfiguration.Bind(configurationRoot);
    if (configPath is not null)
    {
        Console.WriteLine($"configuration: {Path.GetFullPath(configPath)}");
    }
}
catch (Exception ex) when (ex is InvalidOperationException or FormatException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(b => b
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(demo.Verbose ? LogLevel.Information : LogLevel.Warning));
var logger = loggerFactory.CreateLogger("PriceIntel.Console");
if (demo.Mode != DemoMode.Simulate)
{
    return await KafkaDemo.RunAsync(demo, configurationRoot, options, loggerFactory);
}

Directory.CreateDirectory(demo.OutputDirectory);
var storeDirectory = Path.Combine(demo.OutputDirectory, "store");
if (Directory.Exists(storeDirectory) && !demo.KeepStore)
{
    Directory.Delete(storeDirectory, recursive: true);
}

var keys = new MarketKeys();
var engine = MarketEngine.Create(options, keys, loggerFactory.CreateLogger<MarketEngine>(), initialProducts: demo.Products);
using var metrics = new PriceIntelMetrics();
Directory.CreateDirectory(storeDirectory);
await using var store = MarketOutputSinks.JsonLinesFiles(Path.Combine(storeDirectory, "signals.jsonl"), Path.Combine(storeDirectory, "decisions.jsonl"));
using var deadLetters = new DeadLetterFile(Path.Combine(demo.OutputDirectory, "rejected.jsonl"));

MarketSimulator? simulator = null;
IMarketEventSource source;
string sourceDescription;
if (demo.ReplayPath is not null)
{
    source = MarketEventSources.JsonLinesFile(demo.ReplayPath, keys);
    sourceDescription = $"replay of {Path.GetFullPath(demo.ReplayPath)}";
}
else
{
    simulator = new MarketSimulator(
        new MarketSimulatorOptions
        {
            ProductCount = demo.Products,
            CompetitorCount = demo.Competitors,
            Duration = TimeSpan.FromDays(demo.Days),
            Seed = demo.Seed,
            Feedback = demo.Feedback ? SimulatorFeedbackMode.Lagged : SimulatorFeedbackMode.OpenLoop,
            Tick = TimeSpan.FromMinutes(1),
            FeedbackLagTicks = demo.FeedbackLagMinutes,
        },
        keys);
    source = simulator;
    sourceDescription = $"simulator: {demo.Products:N0} products × {demo.Competitors} competitors over {demo.Days:0.##} days, seed {demo.Seed}, {(demo.Feedback ? $"our prices reach shoppers after {demo.FeedbackLagMinutes} min" : "open loop")}";
}

JsonLinesEventRecorder? recorder = null;
if (demo.RecordPath is not null)
{
    recorder = JsonLinesEventRecorder.Create(demo.RecordPath, keys);
    source = MarketEventSources.Recording(source, recorder);
    sourceDescription += $", recording to {Path.GetFullPath(demo.RecordPath)}";
}

var sinks = new List<IMarketOutputSink> { store };
if (simulator is not null && demo.Feedback)
{
    sinks.Add(simulator.CreateFeedbackSink());
}

var progress = new DemoProgress(simulator);
var pipeline = MarketPipeline.Create(source, engine, sinks, options.Pipeline, deadLetters, metrics, progress, logger);

Console.WriteLine($"PriceIntel demo — {sourceDescription}");
Console.WriteLine($"outputs: {Path.GetFullPath(demo.OutputDirectory)} (store/, rejected.jsonl)");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var run = pipeline.RunAsync(cancel.Token);
var wall = Stopwatch.StartNew();
while (!run.IsCompleted)
{
    await Task.WhenAny(run, Task.Delay(1000));
    if (!demo.Quiet)
    {
        progress.Print(pipeline.EventsProcessed, wall.Elapsed);
    }
}

PipelineSummary summary;
try
{
    summary = await run;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: pipeline failed: {ex.Message}");
    return 1;
}
finally
{
    await source.DisposeAsync();
}

DemoReport.Print(summary, engine, progress, deadLetters, storeDirectory, simulator);
return 0;
