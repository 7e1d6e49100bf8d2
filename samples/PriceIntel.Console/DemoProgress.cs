using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace PriceIntel.ConsoleDemo;

/// <summary>
/// Watches the pipeline from its engine thread: counts outputs by kind, tracks simulated time, and
/// acknowledges processed event time to the simulator so its lagged feedback stays deterministic.
/// Shows it as a live Spectre.Console progress bar on a terminal, as a line a second otherwise.
/// </summary>
internal sealed class DemoProgress(MarketSimulator? simulator, double days) : IPipelineObserver
{
    private readonly long[] _signalsByKind = new long[5];
    private long _decisions;
    private long _firstTimestamp = long.MinValue;
    private long _lastTimestamp = long.MinValue;

    public long Decisions => Interlocked.Read(ref _decisions);

    public long SignalsOf(SignalKind kind) => Interlocked.Read(ref _signalsByKind[(int)kind]);

    public long Signals
    {
        get
        {
            long signals = 0;
            for (int k = 1; k < _signalsByKind.Length; k++)
            {
                signals += SignalsOf((SignalKind)k);
            }

            return signals;
        }
    }

    public void OnBatchProcessed(int eventCount, long lastEventTimestamp, in OutputBatch outputs)
    {
        foreach (ref readonly var s in outputs.Signals.Span)
        {
            Interlocked.Increment(ref _signalsByKind[(int)s.Kind]);
        }

        Interlocked.Add(ref _decisions, outputs.Decisions.Length);
        if (Volatile.Read(ref _firstTimestamp) == long.MinValue)
        {
            Volatile.Write(ref _firstTimestamp, lastEventTimestamp);
        }

        Volatile.Write(ref _lastTimestamp, lastEventTimestamp);
        simulator?.AcknowledgeThrough(lastEventTimestamp);
    }

    /// <summary>Shows progress until <paramref name="run"/> completes (its outcome is left to the caller).</summary>
    public async Task ShowAsync(Task run, Func<long> events, Stopwatch wall, bool quiet)
    {
        if (quiet)
        {
            await Task.WhenAny(run);
            return;
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            long last = 0;
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(1000));
                long now = events();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {wall.Elapsed:mm\\:ss}  simulated {Simulated()}  events {now,12:N0}  ({now - last,10:N0}/s)  signals {Signals,8:N0}  decisions {Decisions,8:N0}"));
                last = now;
            }

            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: Math.Max(1, days * 1440));
                task.IsIndeterminate = simulator is null;
                long last = 0;
                var lastAt = wall.Elapsed;
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(500));
                    long now = events();
                    var at = wall.Elapsed;
                    var rate = (now - last) / Math.Max((at - lastAt).TotalSeconds, 1e-3);
                    (last, lastAt) = (now, at);
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"[bold]{Simulated()}[/]  events [green]{now,12:N0}[/] ({rate,9:N0}/s)  signals [yellow]{Signals,8:N0}[/]  decisions [blue]{Decisions,8:N0}[/]");
                    task.Value = SimulatedMinutes();
                }

                task.Value = task.MaxValue;
                task.StopTask();
            });
    }

    private string Simulated()
    {
        long ts = Volatile.Read(ref _lastTimestamp);
        return ts == long.MinValue ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    private double SimulatedMinutes()
    {
        long first = Volatile.Read(ref _firstTimestamp);
        long last = Volatile.Read(ref _lastTimestamp);
        return first == long.MinValue ? 0 : (last - first) / 60_000.0;
    }
}
