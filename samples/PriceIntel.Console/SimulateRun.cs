using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PriceIntel.Engine.Diagnostics;
using PriceIntel.Storage.Sqlite;
using Spectre.Console;

namespace PriceIntel.ConsoleDemo;

/// <summary>
/// The whole pipeline on one machine, no servers: market simulator (or a recorded JSON Lines stream)
/// → engine → SQLite store (competitor prices, signals, decisions), with live progress and a summary.
/// Ctrl+C and SIGTERM stop it cleanly: what is buffered is processed, everything is flushed, the
/// summary is printed and the exit code is 0.
/// </summary>
internal static class SimulateRun
{
    public static async Task<int> RunAsync(DemoArguments demo, IConfiguration configuration, PriceIntelOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("PriceIntel.Console");
        var storeOptions = DemoHost.StoreOptions(configuration, demo.StorePath, demo.OutputDirectory);
        var outputDirectory = DemoPaths.CreateDirectory(demo.OutputDirectory, "--out");
        storeOptions.DeleteExistingHistory = demo.FreshStore;
        await using var store = SqliteMarketStore.Open(storeOptions);
        var before = await store.GetStatisticsAsync(CancellationToken.None);
        var keys = new MarketKeys();
        var engine = MarketEngine.Create(options, keys, loggerFactory.CreateLogger<MarketEngine>(), initialProducts: demo.Products);
        PriceIntel.ConsoleDemo.Commands.ExperimentSummary.UseModelFromEnvironment(engine);
        using var metrics = new PriceIntelMetrics();
        using var deadLetters = new DeadLetterFile(Path.Combine(outputDirectory, "rejected.jsonl"));

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
            recorder = DemoPaths.CreateFile(demo.RecordPath, "--record", path => JsonLinesEventRecorder.Create(path, keys));
            source = MarketEventSources.Recording(source, recorder);
            sourceDescription += $", recording to {Path.GetFullPath(demo.RecordPath)}";
        }

        source = PriceHistorySources.Recording(source, store, keys);
        var sinks = new List<IMarketOutputSink> { store };
        if (simulator is not null && demo.Feedback)
        {
            sinks.Add(simulator.CreateFeedbackSink());
        }

        var progress = new DemoProgress(simulator, demo.Days);
        var pipeline = MarketPipeline.Create(source, engine, sinks, options.Pipeline, deadLetters, metrics, progress, logger);

        AnsiConsole.MarkupLine($"[bold]PriceIntel demo[/] — {Markup.Escape(sourceDescription)}");
        AnsiConsole.MarkupLine($"store: [blue]{Markup.Escape(Path.GetFullPath(storeOptions.Path))}[/] (kept between runs; --fresh-store starts empty) · rejected inputs: {Markup.Escape(deadLetters.Path)}");
        using var stop = new CancellationTokenSource();
        string? stoppedBy = null;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stoppedBy ??= context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C";
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var wall = Stopwatch.StartNew();
        var run = pipeline.RunAsync(stop.Token);
        PipelineSummary summary;
        try
        {
            await progress.ShowAsync(run, () => pipeline.EventsProcessed, wall, demo.Quiet);
            summary = await run;
        }
        finally
        {
            await source.DisposeAsync();
            if (recorder is not null)
            {
                await recorder.DisposeAsync();
            }
        }

        var after = await store.GetStatisticsAsync(CancellationToken.None);
        DemoReport.Print(summary, stoppedBy, engine, progress, deadLetters, Path.GetFullPath(storeOptions.Path), before, after, simulator);
        return 0;
    }
}
