namespace PriceIntel;

/// <summary>
/// Deterministic ids of stored records (64-bit FNV-1a over the identifying fields), the same in
/// every process and store, so replays and retries never duplicate a record.
/// </summary>
public static class StoreIds
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>A competitor price observation: product, competitor, platform and time.</summary>
    public static ulong Observation(string product, string competitor, string? platform, long unixMilliseconds)
    {
        var h = Add(Offset, 'o');
        h = Add(h, product);
        h = Add(h, competitor);
        h = Add(h, platform ?? string.Empty);
        return Add(h, unixMilliseconds);
    }

    /// <summary>A list price point of our own price history: product and time.</summary>
    public static ulong ListPrice(string product, long unixMilliseconds) => Add(Add(Add(Offset, 'l'), product), unixMilliseconds);

    /// <summary>A manual decision: product, time and who.</summary>
    public static ulong ManualDecision(string product, long unixMilliseconds, string decidedBy) =>
        Add(Add(Add(Add(Offset, 'm'), product), unixMilliseconds), decidedBy);

    /// <summary>A price bucket: product, competitor, size and start.</summary>
    public static ulong Bucket(string product, string competitor, PriceBucketSize size, long startUnixMilliseconds) =>
        Add(Add(Add(Add(Add(Offset, 'b'), product), competitor), (long)size), startUnixMilliseconds);

    /// <summary>An experiment result row: experiment, arm and period start.</summary>
    public static ulong ExperimentResult(string experiment, int arm, long periodStartUnixMilliseconds) =>
        Add(Add(Add(Add(Offset, 'x'), experiment), arm), periodStartUnixMilliseconds);

    /// <summary>
    /// A demand, inventory or cost event: the product's stable key hash (<see cref="KeyTable.ComputeStableHash"/>),
    /// kind, action, quantity, price ticks, currency, time and its rank among identical events of its stream.
    /// </summary>
    public static ulong DemandEvent(ulong productHash, MarketEventKind kind, DemandAction action, int quantity, long priceTicks, ushort currency, long unixMilliseconds, int rank)
    {
        var h = Add(Offset, 'd');
        h = Add(h, unchecked((long)productHash));
        h = Add(h, ((long)kind << 8) | (long)action);
        h = Add(h, quantity);
        h = Add(h, priceTicks);
        h = Add(h, currency);
        h = Add(h, unixMilliseconds);
        return Add(h, rank);
    }

    /// <summary>A demand bucket: product, size and start.</summary>
    public static ulong DemandBucket(string product, DemandBucketSize size, long startUnixMilliseconds) =>
        Add(Add(Add(Add(Offset, 'q'), product), (long)size), startUnixMilliseconds);

    private static ulong Add(ulong hash, char tag) => (hash ^ tag) * Prime;

    private static ulong Add(ulong hash, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }

        return (hash ^ 0xFFFF) * Prime;
    }

    private static ulong Add(ulong hash, long value)
    {
        for (int i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        }

        return hash;
    }
}
