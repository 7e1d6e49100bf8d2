namespace PriceIntel.Kafka.Tests.Processing;

/// <summary>Slows a processor down in proportion to the events it processes, so faults land mid-stream.</summary>
internal static class Pace
{
    /// <summary>A batch hook that sleeps <paramref name="perEvent"/> per event processed (sleeps gathered into ≥ 5 ms naps).</summary>
    public static Action<int, int> PerEvent(TimeSpan perEvent)
    {
        double owedMs = 0;
        return (_, events) =>
        {
            owedMs += events * perEvent.TotalMilliseconds;
            if (owedMs >= 5)
            {
                int nap = (int)owedMs;
                owedMs -= nap;
                Thread.Sleep(nap);
            }
        };
    }
}
