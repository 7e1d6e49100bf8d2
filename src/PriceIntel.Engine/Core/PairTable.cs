using System.Numerics;
using System.Runtime.CompilerServices;

namespace PriceIntel.Engine.Core;

/// <summary>
/// Maps (product id, competitor id) pairs to dense series ids 0, 1, 2, … with open addressing on a
/// power-of-two table, so per-pair state lives in flat arrays. Lookups of known pairs allocate nothing;
/// the table doubles on a rare path.
/// </summary>
internal sealed class PairTable
{
    private long[] _keys;
    private int[] _values;
    private int[] _productOf;
    private int[] _competitorOf;
    private int _mask;

    public PairTable(int initialCapacity = 1024)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, initialCapacity * 2));
        _keys = new long[size];
        _values = new int[size];
        Array.Fill(_keys, -1L);
        _mask = size - 1;
        _productOf = new int[Math.Max(16, initialCapacity)];
        _competitorOf = new int[Math.Max(16, initialCapacity)];
    }

    public int Count { get; private set; }

    public int ProductOf(int series) => _productOf[series];

    public int CompetitorOf(int series) => _competitorOf[series];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(int product, int competitor)
    {
        long key = ((long)product << 32) | (uint)competitor;
        int slot = (int)Mix(key) & _mask;
        while (true)
        {
            long k = _keys[slot];
            if (k == key)
            {
                return _values[slot];
            }

            if (k == -1L)
            {
                return Add(key, slot, product, competitor);
            }

            slot = (slot + 1) & _mask;
        }
    }

    public bool TryGet(int product, int competitor, out int series)
    {
        long key = ((long)product << 32) | (uint)competitor;
        int slot = (int)Mix(key) & _mask;
        while (true)
        {
            long k = _keys[slot];
            if (k == key)
            {
                series = _values[slot];
                return true;
            }

            if (k == -1L)
            {
                series = -1;
                return false;
            }

            slot = (slot + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(long key)
    {
        ulong h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return h ^ (h >> 29);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Add(long key, int slot, int product, int competitor)
    {
        int id = Count;
        if (id == _productOf.Length)
        {
            Array.Resize(ref _productOf, id * 2);
            Array.Resize(ref _competitorOf, id * 2);
        }

        _productOf[id] = product;
        _competitorOf[id] = competitor;
        _keys[slot] = key;
        _values[slot] = id;
        Count = id + 1;
        if (Count * 2 > _keys.Length)
        {
            Rehash();
        }

        return id;
    }

    private void Rehash()
    {
        var oldKeys = _keys;
        var oldValues = _values;
        _keys = new long[oldKeys.Length * 2];
        _values = new int[oldKeys.Length * 2];
        Array.Fill(_keys, -1L);
        _mask = _keys.Length - 1;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] != -1L)
            {
                int slot = (int)Mix(oldKeys[i]) & _mask;
                while (_keys[slot] != -1L)
                {
                    slot = (slot + 1) & _mask;
                }

                _keys[slot] = oldKeys[i];
                _values[slot] = oldValues[i];
            }
        }
    }
}
