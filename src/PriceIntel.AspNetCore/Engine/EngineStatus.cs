namespace PriceIntel.AspNetCore.Engine;

/// <summary>Figures about the in-process engine that readers on other threads may see (health, feed summaries).</summary>
internal sealed class EngineStatus
{
    private long _eventsProcessed;
    private long _watermark = long.MinValue;
    private long _late;
    private long _invalid;

    public long EventsProcessed => Interlocked.Read(ref _eventsProcessed);

    /// <summary>Newest event time the engine has seen, Unix ms (<see cref="long.MinValue"/> before the first event).</summary>
    public long Watermark => Interlocked.Read(ref _watermark);

    public long Late => Interlocked.Read(ref _late);

    public long Invalid => Interlocked.Read(ref _invalid);

    public void Update(int events, in EngineCounters counters, long watermark)
    {
        Interlocked.Add(ref _eventsProcessed, events);
        Interlocked.Exchange(ref _watermark, watermark);
        Interlocked.Exchange(ref _late, counters.Late);
        Interlocked.Exchange(ref _invalid, counters.Invalid);
    }
}
