using System.Buffers.Binary;
using System.Buffers.Text;

namespace PriceIntel;

/// <summary>One page of query results and the cursor of the next page.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Items">The records, in the query's order.</param>
/// <param name="NextCursor">Pass as the query's <c>Cursor</c> to get the next page; null on the last page.</param>
public sealed record StorePage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Opaque keyset cursors shared by every store, so a cursor from one page request means the same
/// to the next (and to any store holding the same records). History cursors hold the time and id of
/// the last record returned; catalog cursors the last SKU.
/// </summary>
public static class StoreCursor
{
    private const byte TimeTag = (byte)'t';
    private const byte KeyTag = (byte)'k';

    /// <summary>The cursor after a history record with this time (Unix milliseconds) and id.</summary>
    public static string Encode(long unixMilliseconds, ulong id)
    {
        Span<byte> raw = stackalloc byte[17];
        raw[0] = TimeTag;
        BinaryPrimitives.WriteInt64BigEndian(raw[1..], unixMilliseconds);
        BinaryPrimitives.WriteUInt64BigEndian(raw[9..], id);
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>The cursor after a catalog entry with this SKU.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static string EncodeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var raw = new byte[1 + System.Text.Encoding.UTF8.GetByteCount(key)];
        raw[0] = KeyTag;
        System.Text.Encoding.UTF8.GetBytes(key, raw.AsSpan(1));
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>Reads a history cursor; false when it is not one.</summary>
    public static bool TryDecode(string? cursor, out long unixMilliseconds, out ulong id)
    {
        unixMilliseconds = 0;
        id = 0;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 64)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[48];
        if (Base64Url.DecodeFromChars(cursor, raw, out _, out var written) != System.Buffers.OperationStatus.Done || written != 17 || raw[0] != TimeTag)
        {
            return false;
        }

        unixMilliseconds = BinaryPrimitives.ReadInt64BigEndian(raw[1..]);
        id = BinaryPrimitives.ReadUInt64BigEndian(raw[9..]);
        return true;
    }

    /// <summary>Reads a catalog cursor; false when it is not one.</summary>
    public static bool TryDecodeKey(string? cursor, out string key)
    {
        key = string.Empty;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 2048)
        {
            return false;
        }

        try
        {
            var raw = Base64Url.DecodeFromChars(cursor);
            if (raw.Length < 2 || raw[0] != KeyTag)
            {
                return false;
            }

            key = new System.Text.UTF8Encoding(false, true).GetString(raw, 1, raw.Length - 1);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// What every history query shares: a time range, a page size and a cursor. Results come newest
/// first (ties by id, descending); paging is by keyset, so pages stay stable while new records arrive.
/// </summary>
public abstract record HistoryQuery
{
    /// <summary>The largest page a query may ask for.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Only at or after this time; null: no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only before this time; null: no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>; 100 unless set.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The previous page's <see cref="StorePage{T}.NextCursor"/>, or null for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Checks the query; stores call this first.</summary>
    /// <exception cref="ArgumentException">The limit, range or cursor is invalid; the message names it.</exception>
    public virtual void Validate()
    {
        if (Limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"{GetType().Name}.Limit must be between 1 and {MaxLimit}; got {Limit}.");
        }

        if (From is { } from && To is { } to && from > to)
        {
            throw new ArgumentException($"{GetType().Name}.From ({from:O}) must not be after To ({to:O}).", nameof(From));
        }

        if (Cursor is not null && !StoreCursor.TryDecode(Cursor, out _, out _))
        {
            throw new ArgumentException($"{GetType().Name}.Cursor is not a cursor a store issued: '{Cursor}'.", nameof(Cursor));
        }
    }

    /// <summary>The range as Unix milliseconds: [from, to), with the cursor's position folded in as an exclusive upper keyset bound.</summary>
    /// <returns>From (inclusive), To (exclusive), and the cursor (time, id) when present.</returns>
    public (long From, long To, (long Time, ulong Id)? After) Bounds()
    {
        var from = From?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var to = To?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        (long, ulong)? after = StoreCursor.TryDecode(Cursor, out var t, out var id) ? (t, id) : null;
        return (from, to, after);
    }
}

/// <summary>A signal query; null filters match everything.</summary>
public sealed record SignalQuery : HistoryQuery
{
    /// <summary>Only this product.</summary>
    public string? Product { get; init; }

    /// <summary>Only this competitor.</summary>
    public string? Competitor { get; init; }

    /// <summary>Only this kind.</summary>
    public SignalKind? Kind { get; init; }

    /// <summary>Only this severity or more urgent.</summary>
    public SignalSeverity? MinSeverity { get; init; }

    /// <summary>True: only acknowledged; false: only open; null: both.</summary>
    public bool? Acknowledged { get; init; }
}

/// <summary>A decision query; null filters match everything.</summary>
public sealed record DecisionQuery : HistoryQuery
{
    /// <summary>Only this product.</summary>
    public string? Product { get; init; }

    /// <summary>Only this experiment arm.</summary>
    public int? Arm { get; init; }

    /// <summary>Only this trigger (<see cref="DecisionTrigger.Manual"/> for manual decisions).</summary>
    public DecisionTrigger? Trigger { get; init; }
}

/// <summary>A query over one product's competitor price observations.</summary>
/// <param name="Product">The product (required).</param>
public sealed record PriceHistoryQuery(string Product) : HistoryQuery
{
    /// <summary>Only this competitor.</summary>
    public string? Competitor { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        StoreValidation.Key(Product, "PriceHistoryQuery.Product");
        base.Validate();
    }
}

/// <summary>A query over one product's rolled-up competitor prices.</summary>
/// <param name="Product">The product (required).</param>
/// <param name="Size">Bucket width.</param>
public sealed record PriceBucketQuery(string Product, PriceBucketSize Size) : HistoryQuery
{
    /// <summary>Only this competitor.</summary>
    public string? Competitor { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        StoreValidation.Key(Product, "PriceBucketQuery.Product");
        _ = PriceBucket.WidthMilliseconds(Size);
        base.Validate();
    }
}

/// <summary>A query over one product's own price history.</summary>
/// <param name="Product">The product (required).</param>
public sealed record OurPriceQuery(string Product) : HistoryQuery
{
    /// <inheritdoc />
    public override void Validate()
    {
        StoreValidation.Key(Product, "OurPriceQuery.Product");
        base.Validate();
    }
}

/// <summary>An experiment result query (by period start); null filters match everything.</summary>
public sealed record ExperimentResultQuery : HistoryQuery
{
    /// <summary>Only this experiment.</summary>
    public string? Experiment { get; init; }

    /// <summary>Only this arm.</summary>
    public int? Arm { get; init; }
}

/// <summary>A catalog query, by SKU ascending; null filters match everything.</summary>
public sealed record ProductQuery
{
    /// <summary>Only this category.</summary>
    public string? Category { get; init; }

    /// <summary>Page size, 1 to <see cref="HistoryQuery.MaxLimit"/>; 100 unless set.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The previous page's <see cref="StorePage{T}.NextCursor"/>, or null for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Checks the query.</summary>
    /// <exception cref="ArgumentException">The limit or cursor is invalid; the message names it.</exception>
    public void Validate()
    {
        if (Limit is < 1 or > HistoryQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"ProductQuery.Limit must be between 1 and {HistoryQuery.MaxLimit}; got {Limit}.");
        }

        if (Cursor is not null && !StoreCursor.TryDecodeKey(Cursor, out _))
        {
            throw new ArgumentException($"ProductQuery.Cursor is not a cursor a store issued: '{Cursor}'.", nameof(Cursor));
        }
    }
}

/// <summary>
/// How long a store keeps each kind of history, by event time relative to the newest observation it
/// holds (so replays of old data are not swept away at once). Null keeps forever, the default for
/// everything: no history is deleted unless configured.
/// </summary>
public sealed record StoreRetention
{
    /// <summary>Raw competitor price observations.</summary>
    public TimeSpan? CompetitorPrices { get; init; }

    /// <summary>Minute buckets.</summary>
    public TimeSpan? MinuteBuckets { get; init; }

    /// <summary>Hour buckets.</summary>
    public TimeSpan? HourBuckets { get; init; }

    /// <summary>Day buckets.</summary>
    public TimeSpan? DayBuckets { get; init; }

    /// <summary>Signals and decisions.</summary>
    public TimeSpan? Outputs { get; init; }

    /// <summary>
    /// The ids of stored demand, inventory and cost events, which make their appends idempotent. Events
    /// older than the period (measured back from the newest one stored) are no longer accepted, so a
    /// replay of old events never counts them twice.
    /// </summary>
    public TimeSpan? DemandEvents { get; init; }

    /// <summary>Hour demand buckets (day demand buckets follow <see cref="DayBuckets"/>).</summary>
    public TimeSpan? DemandHourBuckets { get; init; }

    /// <summary>Checks every period is positive when set.</summary>
    /// <exception cref="ArgumentException">A period is zero or negative; the message names it.</exception>
    public void Validate()
    {
        Check(CompetitorPrices, "retention.competitorPrices");
        Check(MinuteBuckets, "retention.minuteBuckets");
        Check(HourBuckets, "retention.hourBuckets");
        Check(DayBuckets, "retention.dayBuckets");
        Check(Outputs, "retention.outputs");
        Check(DemandEvents, "retention.demandEvents");
        Check(DemandHourBuckets, "retention.demandHourBuckets");

        static void Check(TimeSpan? value, string name)
        {
            if (value is { } v && v <= TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must be a positive period; got {v}.", name);
            }
        }
    }
}
