using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Writes an engine snapshot (<see cref="SnapshotFormat"/>) to an <see cref="IBufferWriter{T}"/>,
/// checksumming the bytes as they go. Arrays of unmanaged structs are copied as raw bytes
/// (little-endian machines only), in chunks so the buffer writer never has to hold one huge span.
/// Components write their own fields through it (their <c>WriteState</c> methods).
/// </summary>
internal ref struct SnapshotWriter
{
    private const int ChunkBytes = 1 << 20;

    private readonly IBufferWriter<byte> _output;
    private SnapshotChecksum _checksum;
    private long _written;

    /// <summary>Starts a snapshot: writes the magic and the format version.</summary>
    public SnapshotWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        SnapshotFormat.ThrowIfBigEndian();
        _output = output;
        _checksum = default;
        _written = 0;
        WriteUInt64(SnapshotFormat.Magic);
        WriteInt32(SnapshotFormat.Version);
    }

    /// <summary>Bytes written so far.</summary>
    public readonly long BytesWritten => _written;

    /// <summary>Opens a section: its four-character tag, checked by <see cref="SnapshotReader.ExpectSection"/>.</summary>
    public void WriteSection(ReadOnlySpan<byte> fourAscii) => WriteUInt32(SnapshotFormat.Tag(fourAscii));

    public void WriteByte(byte value)
    {
        var span = _output.GetSpan(1);
        span[0] = value;
        Commit(span[..1]);
    }

    public void WriteInt32(int value)
    {
        var span = _output.GetSpan(sizeof(int));
        BinaryPrimitives.WriteInt32LittleEndian(span, value);
        Commit(span[..sizeof(int)]);
    }

    public void WriteUInt32(uint value)
    {
        var span = _output.GetSpan(sizeof(uint));
        BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        Commit(span[..sizeof(uint)]);
    }

    public void WriteInt64(long value)
    {
        var span = _output.GetSpan(sizeof(long));
        BinaryPrimitives.WriteInt64LittleEndian(span, value);
        Commit(span[..sizeof(long)]);
    }

    public void WriteUInt64(ulong value)
    {
        var span = _output.GetSpan(sizeof(ulong));
        BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        Commit(span[..sizeof(ulong)]);
    }

    /// <summary>A string as its UTF-8 byte count and bytes.</summary>
    public void WriteString(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        WriteInt32(bytes);
        var span = _output.GetSpan(bytes);
        Encoding.UTF8.GetBytes(value, span);
        Commit(span[..bytes]);
    }

    /// <summary>An array as its element count and raw bytes; read back with <see cref="SnapshotReader.ReadArray{T}"/>.</summary>
    public void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        WriteInt32(values.Length);
        var bytes = MemoryMarshal.AsBytes(values);
        while (!bytes.IsEmpty)
        {
            int chunk = Math.Min(bytes.Length, ChunkBytes);
            var span = _output.GetSpan(chunk);
            bytes[..chunk].CopyTo(span);
            Commit(span[..chunk]);
            bytes = bytes[chunk..];
        }
    }

    /// <summary>Ends the snapshot: end marker, total length and the checksum of everything before it.</summary>
    /// <returns>The snapshot's length in bytes.</returns>
    public long Finish()
    {
        WriteUInt64(SnapshotFormat.EndMarker);
        WriteInt64(_written + sizeof(long) + sizeof(ulong));
        ulong checksum = _checksum.Finish();
        var span = _output.GetSpan(sizeof(ulong));
        BinaryPrimitives.WriteUInt64LittleEndian(span, checksum);
        _output.Advance(sizeof(ulong));
        _written += sizeof(ulong);
        return _written;
    }

    private void Commit(ReadOnlySpan<byte> bytes)
    {
        _checksum.Append(bytes);
        _output.Advance(bytes.Length);
        _written += bytes.Length;
    }
}
