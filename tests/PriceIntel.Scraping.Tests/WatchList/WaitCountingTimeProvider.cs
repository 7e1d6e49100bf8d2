using Microsoft.Extensions.Time.Testing;

namespace PriceIntel.Scraping.Tests.WatchList;

/// <summary>
/// FakeTimeProvider that also counts the timers created, so a test can wait until the code under test
/// has started a new wait before it moves the clock.
/// </summary>
internal sealed class WaitCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _created;
    private int _seen;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _created);
        return timer;
    }

    /// <summary>True once a timer was created since the last call that returned true.</summary>
    public bool TakeNewWait()
    {
        int created = Volatile.Read(ref _created);
        if (created == _seen)
        {
            return false;
        }

        _seen = created;
        return true;
    }
}
