using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Layout of an engine snapshot (<see cref="MarketEngine.WriteSnapshot"/>), little-endian throughout:
/// <list type="number">
/// <item>Header: the 8-byte magic "PIENGSNP" and a 4-byte format version.</item>
/// <item>The state-shaping options (<see cref="SnapshotFingerprint"/>), as name/value text pairs.</item>
/// <item>Sections, each opened by a 4-byte tag: the key tables, the used product and pair counts,
/// then each component's own state (<c>WriteState</c>), arrays written as a count and raw bytes.</item>
/// <item>Trailer: the 8-byte end marker "PIENDSNP", the total length and the <see cref="SnapshotChecksum"/>
/// of every byte before the checksum.</item>
/// </list>
/// </summary>
internal static class SnapshotFormat
{
    /// <summary>The version this library writes and the newest it reads (2: per product-day experiment tallies).</summary>
    public const int Version = 2;

    /// <summary>Bytes of magic plus version.</summary>
    public const int HeaderBytes = 12;

    /// <summary>Bytes of end marker, length and checksum.</summary>
    public const int TrailerBytes = 24;

    /// <summary>"PIENGSNP" read as a little-endian 64-bit number.</summary>
    public static readonly ulong Magic = BinaryPrimitives.ReadUInt64LittleEndian("PIENGSNP"u8);

    /// <summary>"PIENDSNP" read as a little-endian 64-bit number.</summary>
    public static readonly ulong EndMarker = BinaryPrimitives.ReadUInt64LittleEndian("PIENDSNP"u8);

    /// <summary>Snapshots are raw copies of in-memory arrays, so they are only written and read on little-endian machines.</summary>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            ThrowBigEndian();
        }
    }

    /// <summary>A four-character section tag as a number.</summary>
    public static uint Tag(ReadOnlySpan<byte> fourAscii) => BinaryPrimitives.ReadUInt32LittleEndian(fourAscii);

    /// <summary>Throws when a section's item count is not the one the engine's header promised for it.</summary>
    /// <exception cref="InvalidDataException"><paramref name="count"/> differs from <paramref name="expected"/>.</exception>
    public static void ThrowIfCountDiffers(string what, int count, int expected)
    {
        if (count != expected)
        {
            ThrowInvalid($"{what} is {count}; the engine section says {expected}.");
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> with "Engine snapshot: " before the message.</summary>
    [DoesNotReturn]
    public static void ThrowInvalid(string message) => throw new InvalidDataException("Engine snapshot: " + message);

    [DoesNotReturn]
    private static void ThrowBigEndian() =>
        throw new PlatformNotSupportedException("Engine snapshots are raw little-endian array copies; this machine is big-endian.");
}
