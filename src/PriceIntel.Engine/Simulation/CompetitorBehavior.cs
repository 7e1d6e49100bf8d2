namespace PriceIntel.Engine.Simulation;

/// <summary>How a simulated competitor reprices. Competitor i behaves as <c>(CompetitorBehavior)(i % 4)</c>.</summary>
internal enum CompetitorBehavior : byte
{
    /// <summary>Holds a regular price and now and then runs a promotion: a cut of 15–40 % for 2–24 hours.</summary>
    Promotional = 0,

    /// <summary>Reprices at every scrape to just under the market's lowest price (ours included), within its floor and ceiling.</summary>
    Undercutter = 1,

    /// <summary>A mean-reverting random walk around its regular price.</summary>
    Drifting = 2,

    /// <summary>Never changes its price.</summary>
    Static = 3,
}
