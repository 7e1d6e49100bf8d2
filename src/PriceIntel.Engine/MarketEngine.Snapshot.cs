using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PriceIntel.Engine.Core;

namespace PriceIntel;

/// <summary>Snapshot and restore of the engine's whole state, to move a partition between processes.</summary>
public sealed partial class MarketEngine
{
    /// <summary>
    /// Writes the engine's whole state: the strings of every key table of <see cref="Keys"/> in id order,
    /// the state-shaping options, every component's arrays (windows, board, anomaly detectors, signal
    /// episodes, pricing schedule and its due queue, experiment tallies, the per-product arrays), the
    /// counters and the watermark. Only the used part of each array is written. The format is binary,
    /// little-endian, versioned and ends with a 64-bit checksum; <see cref="Restore"/> reads it back.
    /// Call it from the engine's thread or between batches, like every other member.
    /// </summary>
    /// <param name="output">Where the snapshot goes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new SnapshotWriter(output);
        SnapshotFingerprint.Of(_options).Write(ref w);
        w.WriteSection("KEYS"u8);
        WriteKeys(ref w, _keys.Products);
        WriteKeys(ref w, _keys.Competitors);
        WriteKeys(ref w, _keys.Platforms);

        int products = _columns.UsedCount();
        int pairs = _pairs.Count;
        w.WriteSection("ENGN"u8);
        w.WriteInt32(products);
        w.WriteInt32(pairs);
        w.WriteInt64(_watermark);
        w.WriteInt64(_eventsIn);
        w.WriteInt64(_invalid);
        w.WriteInt64(_late);
        w.WriteInt64(_outliers);
        w.WriteInt64(_drops);
        w.WriteInt64(_surges);
        w.WriteInt64(_lowInventories);
        w.WriteInt64(_anomalies);
        w.WriteInt64(_pricingRuns);
        w.WriteInt64(_decisions);
        _columns.WriteState(ref w, products);

        _pairs.WriteState(ref w);
        _productPrices.WriteState(ref w, products);
        _pairPrices.WriteState(ref w, pairs);
        _demand.WriteState(ref w, products);
        _board.WriteState(ref w, products);
        _detector.WriteState(ref w, pairs);
        _dropRule.WriteState(ref w, pairs);
        _anomalyRule.WriteState(ref w, pairs);
        _surgeRule.WriteState(ref w, products);
        _inventoryRule.WriteState(ref w, products);
        _schedule.WriteState(ref w, products);
        _tallies.WriteState(ref w);
        w.Finish();
    }

    /// <summary>
    /// Creates an engine from a snapshot written by <see cref="WriteSnapshot"/>. A new <see cref="MarketKeys"/>
    /// is created and the snapshot's keys are interned into it in their original id order, so the ids in
    /// the restored state stay valid (read it from <see cref="Keys"/> and give it to the sources and sinks
    /// that feed this engine). Fed the same events afterwards, the restored engine produces exactly what
    /// the original would have.
    /// </summary>
    /// <param name="options">Settings; validated here. The state-shaping ones (window lengths and buckets, pair
    /// window, anomaly history length, warm-up and level-shift confirmations, pricing update interval, the
    /// experiment's salt and arms, or <see cref="PricingOptions.Strategy"/> when there are no arms) must equal
    /// those the snapshot was taken with; the others (thresholds, margins, lateness, EWMA factors) may differ
    /// and are used from here on.</param>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <returns>The restored engine.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent; the message names them.</exception>
    /// <exception cref="InvalidDataException">The snapshot is not a snapshot, has a newer format version, is
    /// truncated or corrupted (checksum mismatch), is inconsistent (a count larger than the bytes that follow can
    /// hold, a ring position or id out of range, a repeated key), or was taken with different state-shaping
    /// options; the message says which, with the offending field or options and the values. This is the only
    /// exception bad bytes cause: damaged or hostile input never surfaces as an <see cref="OutOfMemoryException"/>,
    /// <see cref="OverflowException"/> or <see cref="IndexOutOfRangeException"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    /// <remarks>
    /// Bounds, for any input: every count and length is checked against the bytes that follow it (and a sane maximum)
    /// before anything is allocated for it, so the memory Restore allocates is at most a fixed multiple of the
    /// snapshot's length plus a fixed amount (the engine's state per product is a few times the bytes it is written
    /// with); the work is linear in the snapshot's length (one pass to check the checksum, one to read; the pair
    /// table rejects key sets whose hash probes exceed a linear budget). The checksum only detects accidents: anyone
    /// who can write a snapshot can compute it, so none of these bounds relies on it.
    /// </remarks>
    public static MarketEngine Restore(PriceIntelOptions options, ReadOnlySpan<byte> snapshot, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var r = SnapshotReader.Open(snapshot);
        SnapshotFingerprint.Read(ref r).ThrowIfDiffers(SnapshotFingerprint.Of(options));
        var keys = new MarketKeys();
        r.ExpectSection("KEYS"u8);
        ReadKeys(ref r, keys.Products);
        ReadKeys(ref r, keys.Competitors);
        ReadKeys(ref r, keys.Platforms);

        // Start minimal; ReadState grows each part once it has checked the counts against the bytes left.
        var engine = new MarketEngine(options, keys, logger ?? NullLogger.Instance, initialProducts: 0, initialPairs: 0);
        engine.ReadState(ref r);
        r.ExpectEnd();
        return engine;
    }

    private void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("ENGN"u8);

        // The fewest snapshot bytes a used product and a used pair are written with: every per-product and
        // per-pair array of the sections that follow (a lower bound; the checks only need one).
        long bytesPerProduct = ProductColumns.BytesPerProduct + _productPrices.BytesPerSeries + _demand.BytesPerProduct + _board.BytesPerProduct;
        long bytesPerPair = (2 * sizeof(int)) + _pairPrices.BytesPerSeries + _detector.StateBytesPerSeries;
        int products = r.ReadCount("used product count", Array.MaxLength, bytesPerProduct);
        int pairs = r.ReadCount("used pair count", Array.MaxLength, bytesPerPair);
        if (((long)products * bytesPerProduct) + ((long)pairs * bytesPerPair) > r.Remaining)
        {
            SnapshotFormat.ThrowInvalid($"{products} products and {pairs} pairs need at least {((long)products * bytesPerProduct) + ((long)pairs * bytesPerPair)} bytes; only {r.Remaining} are left.");
        }

        _watermark = r.ReadInt64("watermark");
        _eventsIn = r.ReadInt64("events in");
        _invalid = r.ReadInt64("invalid events");
        _late = r.ReadInt64("late events");
        _outliers = r.ReadInt64("outliers");
        _drops = r.ReadInt64("competitor price drops");
        _surges = r.ReadInt64("demand surges");
        _lowInventories = r.ReadInt64("low inventories");
        _anomalies = r.ReadInt64("price anomalies");
        _pricingRuns = r.ReadInt64("pricing runs");
        _decisions = r.ReadInt64("decisions");
        if (products > _columns.Capacity)
        {
            GrowProducts(products - 1);
        }

        if (pairs > _pairCapacity)
        {
            GrowPairs(pairs - 1);
        }

        _columns.ReadState(ref r, products, _assignment.ArmCount);
        _pairs.ReadState(ref r);
        SnapshotFormat.ThrowIfCountDiffers("pair count", _pairs.Count, pairs);
        _productPrices.ReadState(ref r, products);
        _pairPrices.ReadState(ref r, pairs);
        _demand.ReadState(ref r, products);
        _board.ReadState(ref r, products);
        _detector.ReadState(ref r);
        _dropRule.ReadState(ref r);
        _anomalyRule.ReadState(ref r);
        _surgeRule.ReadState(ref r);
        _inventoryRule.ReadState(ref r);
        _schedule.ReadState(ref r, products);
        _tallies.ReadState(ref r);
    }

    private static void WriteKeys(ref SnapshotWriter w, KeyTable table)
    {
        int count = table.Count;
        w.WriteInt32(count);
        for (int id = 0; id < count; id++)
        {
            w.WriteString(table.GetName(id));
        }
    }

    private static void ReadKeys(ref SnapshotReader r, KeyTable table)
    {
        int count = r.ReadCount(table.Name + " key count", Array.MaxLength, sizeof(int) + 1); // a length and at least one byte
        for (int id = 0; id < count; id++)
        {
            var utf8 = r.ReadUtf8(table.Name + " key");
            if (!table.TryIntern(utf8, out int interned, out string? error))
            {
                SnapshotFormat.ThrowInvalid($"{table.Name} key {id} is unusable: {error}.");
            }

            if (interned != id)
            {
                SnapshotFormat.ThrowInvalid($"{table.Name} key {id} repeats key {interned}; key ids would not match.");
            }
        }
    }
}
