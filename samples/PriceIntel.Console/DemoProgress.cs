using System.Globalization;

namespace PriceIntel.ConsoleDemo;

/// <summary>
/// Watches the pipeline from its engine thread: counts outputs by kind, tracks simulated time, and
/// acknowledges processed event time to the simulator so its lagged feedback stays deterministic.
/// </summary>
internal sealed class DemoProgress(MarketSimulator? simulator) : IPipelineObserver
{
    private readonly long[] _signalsByKind = new long[5];
    private long _decisions;
    private long _lastTimestamp = long.MinValue;
    private long _lastPrinted;

    public long Decisions => Interlocked.Read(ref _decisions);

    public long SignalsOf(SignalKind kind) => Interlocked.Read(ref _signalsByKind[(int)kind]);

    public void OnBatchProcessed(int eventCount, long lastEventTimestamp, in OutputBatch outputs)
    {
        foreach (ref readonly var s in outputs.Signals.Span)
        {
            Interlocked.Increment(ref _signalsByKind[(int)s.Kind]);
        }

        Interlocked.Add(ref _decisions, outputs.Decisions.Length);
        Volatile.Write(ref _lastTimestamp, lastEventTimestamp);
        simulator?.AcknowledgeThrough(lastEventTimestamp);
    }

    public void Print(long events, TimeSpan elapsed)
    {
        long delta = events - _lastPrinted;
        _lastPrinted = events;
        long ts = Volatile.Read(ref _lastTimestamp);
        string simulated = ts == long.MinValue ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        long signals = 0;
        for (int k = 1; k < _signalsByKind.Length; k++)
        {
            signals += SignalsOf((SignalKind)k);
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {elapsed:mm\\:ss}  simulated {simulated}  events {events,12:N0}  ({delta,10:N0}/s)  signals {signals,8:N0}  decisions {Decisions,8:N0}"));
    }
}
