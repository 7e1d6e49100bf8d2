using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Reads an engine snapshot written by <see cref="SnapshotWriter"/>. <see cref="Open"/> checks the
/// frame first (magic, version, end marker and length, checksum), so the components' <c>ReadState</c>
/// methods only meet damage the checksum could not see; every read is still bounds-checked and
/// throws <see cref="InvalidDataException"/> naming the byte offset and what was being read.
/// </summary>
internal ref struct SnapshotReader
{
    private readonly ReadOnlySpan<byte> _content;
    private int _position;

    private SnapshotReader(ReadOnlySpan<byte> content, int position)
    {
        _content = content;
        _position = position;
    }

    /// <summary>Byte offset of the next read from the start of the snapshot.</summary>
    public readonly int Position => _position;

    /// <summary>A reader over unframed component state (what one component's WriteState wrote), for component tests.</summary>
    public static SnapshotReader OverUnframed(ReadOnlySpan<byte> content) => new(content, 0);

    /// <summary>Checks the snapshot's frame and returns a reader positioned after the header.</summary>
    /// <exception cref="InvalidDataException">Not a snapshot, a newer or unknown version, truncated, or damaged.</exception>
    public static SnapshotReader Open(ReadOnlySpan<byte> snapshot)
    {
        SnapshotFormat.ThrowIfBigEndian();
        if (snapshot.Length < SnapshotFormat.HeaderBytes)
        {
            SnapshotFormat.ThrowInvalid($"snapshot truncated at byte {snapshot.Length}: the header alone is {SnapshotFormat.HeaderBytes} bytes.");
        }

        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(snapshot);
        if (magic != SnapshotFormat.Magic)
        {
            SnapshotFormat.ThrowInvalid($"wrong magic 0x{magic:X16}: this is not a PriceIntel engine snapshot.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(snapshot[8..]);
        if (version > SnapshotFormat.Version)
        {
            SnapshotFormat.ThrowInvalid($"format version {version} is newer than this library reads (up to {SnapshotFormat.Version}); restore it with a newer PriceIntel.");
        }

        if (version is >= 1 and < SnapshotFormat.Version)
        {
            SnapshotFormat.ThrowInvalid($"format version {version} is older than this library reads ({SnapshotFormat.Version}: its experiment tallies keep per product-day sums); rebuild the state by replaying the input.");
        }

        if (version < 1)
        {
            SnapshotFormat.ThrowInvalid($"format version {version} is not a valid version.");
        }

        if (snapshot.Length < SnapshotFormat.HeaderBytes + SnapshotFormat.TrailerBytes)
        {
            SnapshotFormat.ThrowInvalid($"snapshot truncated at byte {snapshot.Length}: header and trailer alone are {SnapshotFormat.HeaderBytes + SnapshotFormat.TrailerBytes} bytes.");
        }

        var trailer = snapshot[^SnapshotFormat.TrailerBytes..];
        long length = BinaryPrimitives.ReadInt64LittleEndian(trailer[8..]);
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != SnapshotFormat.EndMarker || length != snapshot.Length)
        {
            SnapshotFormat.ThrowInvalid($"snapshot truncated at byte {snapshot.Length} (or its end is damaged): the end marker and length are not in its last {SnapshotFormat.TrailerBytes} bytes.");
        }

        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer[16..]);
        ulong computed = SnapshotChecksum.Of(snapshot[..^sizeof(ulong)]);
        if (stored != computed)
        {
            SnapshotFormat.ThrowInvalid($"checksum mismatch: the snapshot says 0x{stored:X16}, its {snapshot.Length} bytes hash to 0x{computed:X16}; it is corrupted.");
        }

        return new SnapshotReader(snapshot[..^SnapshotFormat.TrailerBytes], SnapshotFormat.HeaderBytes);
    }

    /// <summary>Checks that the next section has the tag <paramref name="fourAscii"/>.</summary>
    public void ExpectSection(ReadOnlySpan<byte> fourAscii)
    {
        int at = _position;
        uint tag = ReadUInt32("a section tag");
        if (tag != SnapshotFormat.Tag(fourAscii))
        {
            SnapshotFormat.ThrowInvalid($"expected section '{Encoding.ASCII.GetString(fourAscii)}' at byte {at}, found 0x{tag:X8}.");
        }
    }

    /// <summary>Checks that every content byte was read.</summary>
    public readonly void ExpectEnd()
    {
        if (_position != _content.Length)
        {
            SnapshotFormat.ThrowInvalid($"{_content.Length - _position} unread bytes at byte {_position} before the end marker.");
        }
    }

    public byte ReadByte(string what) => Take(1, what)[0];

    public int ReadInt32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int), what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint), what));

    public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long), what));

    /// <summary>Bytes not read yet (before the trailer).</summary>
    public readonly int Remaining => _content.Length - _position;

    /// <summary>
    /// Reads the count of the items that follow (written with <see cref="SnapshotWriter.WriteInt32"/>) and checks it
    /// before the caller allocates anything for them: 0 ≤ count ≤ <paramref name="maxCount"/>, and count ×
    /// <paramref name="minBytesPerItem"/> ≤ the bytes left in the snapshot. Pass the fewest snapshot bytes one item
    /// is written with (e.g. the sum of the element sizes of every array written per item), so a damaged or hostile
    /// count can make the caller allocate at most a fixed multiple of the snapshot's own size, never an overflowing
    /// or multi-gigabyte amount, and a loop over the items stays linear in the snapshot's size.
    /// </summary>
    /// <param name="what">The field, for the error message (e.g. "demand product count").</param>
    /// <param name="maxCount">The largest count that makes sense for the field.</param>
    /// <param name="minBytesPerItem">Snapshot bytes each item takes after the count, at least 1.</param>
    /// <returns>The count.</returns>
    /// <exception cref="InvalidDataException">The count is negative, above <paramref name="maxCount"/>, or more items than the
    /// bytes left can hold; the message names <paramref name="what"/>, its byte offset and value.</exception>
    public int ReadCount(string what, int maxCount, long minBytesPerItem)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minBytesPerItem, 1);
        int at = _position;
        int count = ReadInt32(what);
        if (count < 0 || count > maxCount)
        {
            SnapshotFormat.ThrowInvalid($"{what} at byte {at} is {count}, outside 0..{maxCount}.");
        }

        if (count > Remaining / minBytesPerItem)
        {
            SnapshotFormat.ThrowInvalid($"{what} at byte {at} is {count}, but at {minBytesPerItem} bytes each they need {(decimal)count * minBytesPerItem} bytes and only {Remaining} are left.");
        }

        return count;
    }

    /// <summary>
    /// <see cref="ReadCount(string, int, long)"/> with no maximum and one byte per item: the count is at most the bytes
    /// left. Prefer the full overload with the items' real size, which bounds allocations far tighter.
    /// </summary>
    /// <exception cref="InvalidDataException">The count is negative or larger than the bytes left.</exception>
    public int ReadCount(string what) => ReadCount(what, int.MaxValue, 1);

    /// <summary>A string written with <see cref="SnapshotWriter.WriteString"/>.</summary>
    public string ReadString(string what)
    {
        int bytes = ReadCount(what + " length");
        return Encoding.UTF8.GetString(Take(bytes, what));
    }

    /// <summary>The UTF-8 bytes of a string written with <see cref="SnapshotWriter.WriteString"/>, without decoding them.</summary>
    public ReadOnlySpan<byte> ReadUtf8(string what)
    {
        int bytes = ReadCount(what + " length");
        return Take(bytes, what);
    }

    /// <summary>
    /// Reads an array written with <see cref="SnapshotWriter.WriteArray{T}"/> into <paramref name="destination"/>,
    /// whose length must be the written count.
    /// </summary>
    public void ReadArray<T>(Span<T> destination, string what)
        where T : unmanaged
    {
        int at = _position;
        int count = ReadInt32(what + " count");
        if (count != destination.Length)
        {
            SnapshotFormat.ThrowInvalid($"{what} at byte {at} has {count} elements where {destination.Length} were expected.");
        }

        var bytes = MemoryMarshal.AsBytes(destination);
        Take(bytes.Length, what).CopyTo(bytes);
    }

    private ReadOnlySpan<byte> Take(int bytes, string what)
    {
        if (bytes > _content.Length - _position)
        {
            ThrowTruncated(_content.Length, bytes, what);
        }

        var span = _content.Slice(_position, bytes);
        _position += bytes;
        return span;
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(int end, int bytes, string what) =>
        SnapshotFormat.ThrowInvalid($"snapshot truncated at byte {end}: {what} at byte {_position} needs {bytes} bytes.");
}
