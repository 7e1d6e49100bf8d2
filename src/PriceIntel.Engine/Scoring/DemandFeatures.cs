using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Scoring;

/// <summary>
/// The feature vector of the demand models (schema version <see cref="SchemaVersion"/>): one row per
/// product and hour, every value a <see cref="float"/>. Training (PriceIntel.ML, from recorded history)
/// and scoring (the engine, at each pricing run) both fill rows with <see cref="Write"/>, so the two
/// sides cannot drift apart. The price-dependent features are recomputed for every candidate price.
/// </summary>
/// <remarks>
/// Features, by index: 0 our price; 1 ln(our / lowest competitor); 2 ln(our / median competitor);
/// 3 share of in-stock competitors priced below us; 4 gap to the lowest, (our − lowest) / lowest;
/// 5 ln(our / our own recent level); 6 and 7 sine and cosine of the hour of day (UTC); 8 day of week
/// (0 = Sunday); 9 units per hour over the short window; 10 units per hour over the long window;
/// 11 views per hour over the short window; 12 units in stock (−1 unknown); 13 in-stock competitors;
/// 14 ln(lowest competitor price). Without competitor prices the competitor features are 0 and
/// feature 14 is ln(our price); without a recent level of our own price feature 5 is 0.
/// </remarks>
public static class DemandFeatures
{
    /// <summary>Version of the feature layout; a model file records it and is refused by a different one.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Number of features.</summary>
    public const int Count = 15;

    /// <summary>Index of our price.</summary>
    public const int Price = 0;

    /// <summary>Index of ln(our price / lowest competitor price), the regressor of the elasticity model.</summary>
    public const int LogRatioToLowest = 1;

    /// <summary>Names of the features, by index.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "price",
        "log_ratio_to_lowest",
        "log_ratio_to_median",
        "rank_share",
        "gap_to_lowest",
        "log_ratio_to_own_level",
        "hour_sin",
        "hour_cos",
        "day_of_week",
        "units_per_hour_short",
        "units_per_hour_long",
        "views_per_hour_short",
        "stock",
        "competitors_in_stock",
        "log_lowest_competitor",
    ];

    /// <summary>Writes the row for <paramref name="price"/> in <paramref name="context"/>.</summary>
    /// <param name="context">What is known about the product apart from our price.</param>
    /// <param name="price">Our (candidate) price in currency units, &gt; 0.</param>
    /// <param name="row">At least <see cref="Count"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="row"/> is shorter than <see cref="Count"/>.</exception>
    public static void Write(scoped in DemandContext context, double price, Span<float> row)
    {
        if (row.Length < Count)
        {
            ThrowShortRow(row.Length);
        }

        WriteStatic(in context, row);
        WritePrice(in context, price, row);
    }

    /// <summary>Writes the features that do not depend on our price (indices 6–14).</summary>
    internal static void WriteStatic(scoped in DemandContext context, Span<float> row)
    {
        long ms = context.Timestamp;
        double hour = FloorMod(ms, 86_400_000L) / 3_600_000.0;
        row[6] = (float)Math.Sin(2 * Math.PI * hour / 24);
        row[7] = (float)Math.Cos(2 * Math.PI * hour / 24);

        // 1970-01-01 was a Thursday (4).
        row[8] = (float)((FloorDiv(ms, 86_400_000L) + 4) % 7 + 7) % 7;
        row[9] = (float)context.UnitsPerHourShort;
        row[10] = (float)context.UnitsPerHourLong;
        row[11] = (float)context.ViewsPerHourShort;
        row[12] = context.Stock;
        row[13] = context.CompetitorCount;
        row[14] = (float)Math.Log(context.Lowest > 0 ? context.Lowest : Math.Max(context.OwnLevel, 0.01));
    }

    /// <summary>Writes the features that depend on our price (indices 0–5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WritePrice(scoped in DemandContext context, double price, Span<float> row)
    {
        double lnPrice = Math.Log(price);
        row[0] = (float)price;
        if (context.Lowest > 0)
        {
            row[1] = (float)(lnPrice - Math.Log(context.Lowest));
            row[2] = (float)(lnPrice - Math.Log(context.Median));
            row[3] = context.CompetitorCount == 0 ? 0 : (float)context.CountBelow(price) / context.CompetitorCount;
            row[4] = (float)((price - context.Lowest) / context.Lowest);
        }
        else
        {
            row[1] = row[2] = row[3] = row[4] = 0;
        }

        row[5] = context.OwnLevel > 0 ? (float)(lnPrice - Math.Log(context.OwnLevel)) : 0;
    }

    private static long FloorMod(long a, long b) => ((a % b) + b) % b;

    private static long FloorDiv(long a, long b) => (a - FloorMod(a, b)) / b;

#pragma warning disable CA2208 // the throw helper names the public caller's parameter, which the analyzer cannot see
    private static void ThrowShortRow(int length) =>
        throw new ArgumentException($"A demand feature row needs {Count} values; got {length}.", "row");
#pragma warning restore CA2208
}

/// <summary>
/// What is known about one product at one moment apart from our price: the input of
/// <see cref="DemandFeatures.Write"/>. A ref struct over the competitor prices, so nothing is copied.
/// </summary>
public readonly ref struct DemandContext
{
    private readonly ReadOnlySpan<double> _competitorPrices;

    /// <summary>Creates a context; lowest and median come from the usable prices in <paramref name="competitorPrices"/>.</summary>
    /// <param name="timestamp">Event time, Unix milliseconds.</param>
    /// <param name="competitorPrices">In-stock competitor prices in currency units; values not finite or not positive are ignored.</param>
    /// <param name="ownLevel">Our own recent price level (e.g. a moving average of our price); 0 when unknown.</param>
    /// <param name="unitsPerHourShort">Units sold per hour over the short window.</param>
    /// <param name="unitsPerHourLong">Units sold per hour over the long window.</param>
    /// <param name="viewsPerHourShort">Views per hour over the short window.</param>
    /// <param name="stock">Units in stock; −1 when unknown.</param>
    /// <param name="lowest">Lowest usable competitor price (0 when none).</param>
    /// <param name="median">Median usable competitor price (0 when none).</param>
    /// <param name="competitorCount">Number of usable competitor prices.</param>
    public DemandContext(
        long timestamp,
        ReadOnlySpan<double> competitorPrices,
        double ownLevel,
        double unitsPerHourShort,
        double unitsPerHourLong,
        double viewsPerHourShort,
        int stock,
        double lowest,
        double median,
        int competitorCount)
    {
        Timestamp = timestamp;
        _competitorPrices = competitorPrices;
        OwnLevel = ownLevel;
        UnitsPerHourShort = unitsPerHourShort;
        UnitsPerHourLong = unitsPerHourLong;
        ViewsPerHourShort = viewsPerHourShort;
        Stock = stock;
        Lowest = lowest;
        Median = median;
        CompetitorCount = competitorCount;
    }

    /// <summary>Event time, Unix milliseconds.</summary>
    public long Timestamp { get; }

    /// <summary>Our own recent price level; 0 when unknown.</summary>
    public double OwnLevel { get; }

    /// <summary>Units sold per hour over the short window.</summary>
    public double UnitsPerHourShort { get; }

    /// <summary>Units sold per hour over the long window.</summary>
    public double UnitsPerHourLong { get; }

    /// <summary>Views per hour over the short window.</summary>
    public double ViewsPerHourShort { get; }

    /// <summary>Units in stock; −1 when unknown.</summary>
    public int Stock { get; }

    /// <summary>Lowest usable competitor price; 0 when none.</summary>
    public double Lowest { get; }

    /// <summary>Median usable competitor price; 0 when none.</summary>
    public double Median { get; }

    /// <summary>Number of usable competitor prices.</summary>
    public int CompetitorCount { get; }

    /// <summary>
    /// A context whose lowest, median and count are computed from <paramref name="competitorPrices"/>
    /// (the median by sorting a copy in <paramref name="scratch"/>, which must be at least as long).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scratch"/> is shorter than <paramref name="competitorPrices"/>.</exception>
    public static DemandContext From(
        long timestamp,
        ReadOnlySpan<double> competitorPrices,
        Span<double> scratch,
        double ownLevel,
        double unitsPerHourShort,
        double unitsPerHourLong,
        double viewsPerHourShort,
        int stock)
    {
        if (scratch.Length < competitorPrices.Length)
        {
            throw new ArgumentException($"scratch has {scratch.Length} values; {competitorPrices.Length} are needed.", nameof(scratch));
        }

        int n = 0;
        foreach (var p in competitorPrices)
        {
            if (double.IsFinite(p) && p > 0)
            {
                scratch[n++] = p;
            }
        }

        double lowest = 0, median = 0;
        if (n > 0)
        {
            var sorted = scratch[..n];
            sorted.Sort();
            lowest = sorted[0];
            median = (n & 1) == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
        }

        return new DemandContext(timestamp, competitorPrices, ownLevel, unitsPerHourShort, unitsPerHourLong, viewsPerHourShort, stock, lowest, median, n);
    }

    /// <summary>Number of usable competitor prices strictly below <paramref name="price"/>.</summary>
    public int CountBelow(double price)
    {
        int below = 0;
        foreach (var p in _competitorPrices)
        {
            if (double.IsFinite(p) && p > 0 && p < price)
            {
                below++;
            }
        }

        return below;
    }
}

/// <summary>
/// Our own recent price level (feature 5's reference): an exponential moving average of our price in
/// event time with a time constant of <see cref="TimeConstantMs"/>, so it means the same whether it is
/// updated every 15 minutes (the engine's pricing runs) or once an hour (the training data builder).
/// </summary>
public static class OwnPriceLevel
{
    /// <summary>The averaging time constant: 24 hours.</summary>
    public const long TimeConstantMs = 24 * 3_600_000L;

    /// <summary>
    /// The level after our price was <paramref name="price"/> from <paramref name="levelTime"/> to
    /// <paramref name="now"/>; a level of 0 (unknown) starts at the price.
    /// </summary>
    public static double Update(double level, long levelTime, double price, long now)
    {
        if (level <= 0 || !double.IsFinite(level))
        {
            return price;
        }

        if (now <= levelTime)
        {
            return level;
        }

        double weight = 1 - Math.Exp(-(now - levelTime) / (double)TimeConstantMs);
        return level + (weight * (price - level));
    }
}
