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
    /// <summary>Most pairs a table holds: the hash table is a power of two at least twice the count.</summary>
    public const int MaxPairs = 1 << 29;

    /// <summary>Average hash probes per pair a snapshot's pair list may take to insert (a table at most half full takes about 1.5).</summary>
    public const int ProbeBudgetPerPair = 32;

    private Entry[] _entries;
    private int[] _productOf;
    private int[] _competitorOf;
    private int _mask;

    public PairTable(int initialCapacity = 1024)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, initialCapacity * 2));
        _entries = NewEntries(size);
        _mask = size - 1;
        _productOf = new int[Math.Max(16, initialCapacity)];
        _competitorOf = new int[Math.Max(16, initialCapacity)];
    }

    public int Count { get; private set; }

    public int ProductOf(int series) => _productOf[series];

    public int CompetitorOf(int series) => _competitorOf[series];

    /// <summary>Asks for the cache line a lookup of the pair will probe first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int product, int competitor)
    {
        long key = ((long)product << 32) | (uint)competitor;
        CachePrefetch.Line(_entries, (int)Mix(key) & _mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetOrAdd(int product, int competitor)
    {
        long key = ((long)product << 32) | (uint)competitor;
        int slot = (int)Mix(key) & _mask;
        while (true)
        {
            ref readonly var entry = ref _entries[slot];
            if (entry.Key == key)
            {
                return entry.Value;
            }

            if (entry.Key == -1L)
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
            ref readonly var entry = ref _entries[slot];
            if (entry.Key == key)
            {
                series = entry.Value;
                return true;
            }

            if (entry.Key == -1L)
            {
                series = -1;
                return false;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Writes the pairs in id order (the hash table itself is rebuilt on read).</summary>
    public void WriteState(ref SnapshotWriter w)
    {
        w.WriteSection("PAIR"u8);
        w.WriteInt32(Count);
        w.WriteArray<int>(_productOf.AsSpan(0, Count));
        w.WriteArray<int>(_competitorOf.AsSpan(0, Count));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote into this empty table: the pairs get the same ids. The count is
    /// checked against the bytes left before anything is allocated, the table is sized once, and the hash probes
    /// of all inserts together must stay under a linear budget (<see cref="ProbeBudgetPerPair"/> per pair), so a
    /// hostile set of colliding keys is rejected instead of taking quadratic time.
    /// </summary>
    /// <exception cref="InvalidDataException">A pair is repeated or negative, the keys collide beyond the budget, or the data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("PAIR"u8);
        if (Count != 0)
        {
            throw new InvalidOperationException("Pairs are read into an empty table only.");
        }

        int n = r.ReadCount("pair count", MaxPairs, 2 * sizeof(int));
        var products = new int[n];
        var competitors = new int[n];
        r.ReadArray<int>(products, "pair products");
        r.ReadArray<int>(competitors, "pair competitors");
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, n * 2));
        if (size > _entries.Length)
        {
            _entries = NewEntries(size);
            _mask = size - 1;
        }

        if (n > _productOf.Length)
        {
            Array.Resize(ref _productOf, n);
            Array.Resize(ref _competitorOf, n);
        }

        long probes = 0;
        long budget = (ProbeBudgetPerPair * (long)n) + 1024;
        for (int i = 0; i < n; i++)
        {
            int product = products[i];
            int competitor = competitors[i];
            if (product < 0 || competitor < 0)
            {
                SnapshotFormat.ThrowInvalid($"pair {i} (product {product}, competitor {competitor}) is negative.");
            }

            long key = ((long)product << 32) | (uint)competitor;
            int slot = (int)Mix(key) & _mask;
            while (_entries[slot].Key != -1L)
            {
                if (_entries[slot].Key == key)
                {
                    SnapshotFormat.ThrowInvalid($"pair {i} (product {product}, competitor {competitor}) repeats pair {_entries[slot].Value}.");
                }

                slot = (slot + 1) & _mask;
                if (++probes > budget)
                {
                    SnapshotFormat.ThrowInvalid($"the {n} pairs collide in the hash table far beyond chance ({probes} probes by pair {i}); the pair list is not one an engine wrote.");
                }
            }

            Add(key, slot, product, competitor);
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
        _entries[slot] = new Entry(key, id);
        Count = id + 1;
        if (Count * 2 > _entries.Length)
        {
            Rehash();
        }

        return id;
    }

    private static Entry[] NewEntries(int size)
    {
        var entries = new Entry[size];
        entries.AsSpan().Fill(new Entry(-1L, -1));
        return entries;
    }

    private void Rehash()
    {
        var old = _entries;
        _entries = NewEntries(old.Length * 2);
        _mask = _entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Key != -1L)
            {
                int slot = (int)Mix(entry.Key) & _mask;
                while (_entries[slot].Key != -1L)
                {
                    slot = (slot + 1) & _mask;
                }

                _entries[slot] = entry;
            }
        }
    }

    // Key and value side by side: one cache line per probe.
    private readonly record struct Entry(long Key, int Value);
}
