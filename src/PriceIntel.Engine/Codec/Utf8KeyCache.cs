using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Codec;

/// <summary>
/// A decoder-local front for one <see cref="KeyTable"/>: maps a key's UTF-8 bytes straight to its id
/// with one cheap hash and one byte compare, skipping the table's UTF-16 transcoding and string
/// hashing on every event. Misses go to <see cref="KeyTable.TryIntern(ReadOnlySpan{byte}, out int, out string?)"/>,
/// which stays the single authority; only keys it accepted are cached (one copy of the bytes,
/// allocated once per new key). Ids never change, so the cache cannot go stale. Not thread-safe.
/// </summary>
internal sealed class Utf8KeyCache
{
    private readonly KeyTable _table;
    private byte[]?[] _keys = new byte[]?[1024];
    private int[] _ids = new int[1024];
    private int _count;

    public Utf8KeyCache(KeyTable table) => _table = table;

    /// <summary>The id of the key, interning it when new; false with the table's reason when it is unusable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetOrIntern(ReadOnlySpan<byte> utf8Key, out int id, out string? error)
    {
        var keys = _keys;
        int mask = keys.Length - 1;
        int slot = (int)Hash(utf8Key) & mask;
        while (keys[slot] is { } candidate)
        {
            if (utf8Key.SequenceEqual(candidate))
            {
                id = _ids[slot];
                error = null;
                return true;
            }

            slot = (slot + 1) & mask;
        }

        return Miss(utf8Key, slot, out id, out error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Miss(ReadOnlySpan<byte> utf8Key, int slot, out int id, out string? error)
    {
        if (!_table.TryIntern(utf8Key, out id, out error))
        {
            return false;
        }

        _keys[slot] = utf8Key.ToArray();
        _ids[slot] = id;
        if (++_count * 2 > _keys.Length)
        {
            Grow();
        }

        return true;
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldIds = _ids;
        _keys = new byte[]?[oldKeys.Length * 2];
        _ids = new int[oldKeys.Length * 2];
        int mask = _keys.Length - 1;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] is { } key)
            {
                int slot = (int)Hash(key) & mask;
                while (_keys[slot] is not null)
                {
                    slot = (slot + 1) & mask;
                }

                _keys[slot] = key;
                _ids[slot] = oldIds[i];
            }
        }
    }

    /// <summary>A fast, non-cryptographic hash of 8-byte words (keys are short; quality only needs to spread SKUs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 29;
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (i * 8);
        }

        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 32;
        return (uint)h;
    }
}
