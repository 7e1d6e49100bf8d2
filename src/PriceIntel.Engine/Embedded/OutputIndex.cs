namespace PriceIntel.Engine.Embedded;

/// <summary>
/// In-memory index of stored outputs of one type: each id once, ordered by (time, id) overall and
/// per product, so "newest first within a time range" is a binary search and a backward walk.
/// Appends in time order are O(1); out-of-order ones insert in place. Not thread-safe: the store locks.
/// </summary>
internal sealed class OutputIndex<T>
    where T : class
{
    private readonly HashSet<ulong> _ids = [];
    private readonly List<Entry> _all = [];
    private readonly Dictionary<string, List<Entry>> _byProduct = new(StringComparer.Ordinal);

    public int Count => _all.Count;

    /// <summary>Adds an item unless its id is already stored.</summary>
    /// <returns>False for a duplicate id.</returns>
    public bool TryAdd(ulong id, string product, long timeMs, T item)
    {
        if (!_ids.Add(id))
        {
            return false;
        }

        var entry = new Entry(timeMs, id, item);
        Insert(_all, entry);
        if (!_byProduct.TryGetValue(product, out var list))
        {
            list = [];
            _byProduct.Add(product, list);
        }

        Insert(list, entry);
        return true;
    }

    /// <summary>Items of <paramref name="product"/> (or all) with from ≤ time &lt; to, newest first, at most <paramref name="limit"/>.</summary>
    public List<T> Query(string? product, long fromMs, long toMs, int limit, Func<T, bool>? filter)
    {
        var result = new List<T>(Math.Min(limit, 64));
        List<Entry>? list = _all;
        if (product is not null && !_byProduct.TryGetValue(product, out list))
        {
            return result;
        }

        for (int i = LowerBound(list, toMs) - 1; i >= 0 && result.Count < limit; i--)
        {
            var entry = list[i];
            if (entry.Time < fromMs)
            {
                break;
            }

            if (filter is null || filter(entry.Item))
            {
                result.Add(entry.Item);
            }
        }

        return result;
    }

    private static void Insert(List<Entry> list, Entry entry)
    {
        if (list.Count == 0 || Compare(list[^1], entry) <= 0)
        {
            list.Add(entry);
            return;
        }

        int lo = 0;
        int hi = list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Compare(list[mid], entry) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        list.Insert(lo, entry);
    }

    /// <summary>Index of the first entry with time ≥ <paramref name="timeMs"/>.</summary>
    private static int LowerBound(List<Entry> list, long timeMs)
    {
        int lo = 0;
        int hi = list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (list[mid].Time < timeMs)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int Compare(in Entry a, in Entry b) =>
        a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Id.CompareTo(b.Id);

    private readonly record struct Entry(long Time, ulong Id, T Item);
}
