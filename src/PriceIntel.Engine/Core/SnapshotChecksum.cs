using System.Numerics;
using System.Runtime.InteropServices;

namespace PriceIntel.Engine.Core;

/// <summary>
/// The 64-bit checksum that ends an engine snapshot: FNV-1a run over 64-bit little-endian words instead
/// of bytes (xor the word, multiply by the FNV prime, rotate), then the byte count and a final
/// avalanche. Each step is a bijection of the running hash, so changing any one word always changes
/// the result; it guards against truncation and damage in transit or storage, not against tampering.
/// Bytes may arrive in pieces of any size: a partial word is carried to the next <see cref="Append"/>.
/// </summary>
internal struct SnapshotChecksum
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    private ulong _hash;
    private ulong _carry;
    private int _carryBytes;
    private long _length;
    private bool _started;

    /// <summary>Adds bytes to the checksum.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (!_started)
        {
            _hash = Offset;
            _started = true;
        }

        _length += data.Length;
        while (_carryBytes != 0 && !data.IsEmpty)
        {
            _carry |= (ulong)data[0] << (8 * _carryBytes);
            data = data[1..];
            if (++_carryBytes == 8)
            {
                _hash = Step(_hash, _carry);
                _carry = 0;
                _carryBytes = 0;
            }
        }

        int whole = data.Length & ~7;
        ulong hash = _hash;
        foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(data[..whole]))
        {
            hash = Step(hash, word);
        }

        _hash = hash;
        for (int i = whole; i < data.Length; i++)
        {
            _carry |= (ulong)data[i] << (8 * _carryBytes);
            _carryBytes++;
        }
    }

    /// <summary>The checksum of every byte appended so far.</summary>
    public readonly ulong Finish()
    {
        ulong hash = _started ? _hash : Offset;
        if (_carryBytes != 0)
        {
            hash = Step(hash, _carry);
        }

        hash = Step(hash, (ulong)_length);
        return DeterministicId.Finish(hash);
    }

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var checksum = default(SnapshotChecksum);
        checksum.Append(data);
        return checksum.Finish();
    }

    private static ulong Step(ulong hash, ulong word) => BitOperations.RotateLeft((hash ^ word) * Prime, 29);
}
