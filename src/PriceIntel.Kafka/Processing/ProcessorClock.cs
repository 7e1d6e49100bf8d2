namespace PriceIntel.Kafka.Processing;

/// <summary>
/// The processor's one clock: every interval, deadline and pause in the Kafka code reads or waits on this
/// <see cref="TimeProvider"/> (the system clock unless a test gives another), never the machine's clock directly.
/// </summary>
internal sealed class ProcessorClock(TimeProvider time)
{
    public static ProcessorClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; } = time;

    /// <summary>Monotonic milliseconds (only differences mean something).</summary>
    public long NowMs => (long)(Time.GetTimestamp() * (1000.0 / Time.TimestampFrequency));

    /// <summary>Wall-clock time, for deadlines reported to people.</summary>
    public DateTimeOffset UtcNow => Time.GetUtcNow();

    /// <summary>Blocks the calling thread for <paramref name="delay"/> of this clock (the processor's own thread only).</summary>
    public void Sleep(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var elapsed = new ManualResetEventSlim(false);
        using var timer = Time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan);
        elapsed.Wait();
    }
}
