using System.Diagnostics;

namespace PriceIntel.Scraping;

/// <summary>The one time budget of a whole page extraction; readers ask it between steps and stop when it is spent.</summary>
internal sealed class ExtractionDeadline
{
    private readonly long _deadline;

    public ExtractionDeadline(TimeSpan budget)
    {
        Budget = budget;
        _deadline = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
    }

    public TimeSpan Budget { get; }

    /// <summary>True once the budget is spent; it stays true.</summary>
    public bool Expired
    {
        get
        {
            if (!ExpiredSeen && Stopwatch.GetTimestamp() > _deadline)
            {
                ExpiredSeen = true;
            }

            return ExpiredSeen;
        }
    }

    /// <summary>True when some reader found the budget spent and stopped early.</summary>
    public bool ExpiredSeen { get; private set; }

    /// <summary>A deadline that never expires (tests and callers without a budget).</summary>
    public static ExtractionDeadline None { get; } = new(TimeSpan.FromDays(365));
}
