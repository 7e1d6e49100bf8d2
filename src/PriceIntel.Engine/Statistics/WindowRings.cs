using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Statistics;

/// <summary>A ring bucket that absorbs a pending accumulator of type <typeparamref name="TPending"/> when the ring advances.</summary>
/// <typeparam name="TPending">The accumulator of in-order values since the last bucket boundary.</typeparam>
internal interface IWindowBucket<TPending>
    where TPending : struct
{
    /// <summary>Adds the pending accumulator's contents to this bucket.</summary>
    void Merge(in TPending pending);
}

/// <summary>
/// The bucket rings behind the engine's event-time windows (<see cref="SlidingWindowSeries"/> for prices,
/// <see cref="DemandWindows"/> for demand): for every key (a dense id) and each of K windows, a ring of B
/// buckets of width w = length / B ms aligned to multiples of w since the Unix epoch, and the ring slot of
/// the newest bucket (the head). The owner keeps each key's clock (newest event time) and its pending
/// accumulator; this type moves the heads, clears the buckets they pass, places out-of-order values and
/// says which buckets a window read covers. Nothing here allocates after <see cref="EnsureCapacity"/>.
/// </summary>
/// <remarks>
/// The window read at time <c>asOf</c> is the B whole buckets ending with asOf's bucket. With h(t) = ⌊t / w⌋
/// and n the key's newest time, that is buckets max(h(asOf), h(n)) − B + 1 .. min(h(asOf), h(n)); only
/// buckets still in the ring (h(n) − B &lt; bucket ≤ h(n)) hold data. Memory per key: 2·K + K·B·sizeof(TBucket) bytes.
/// </remarks>
/// <typeparam name="TBucket">One bucket's accumulator.</typeparam>
/// <typeparam name="TPending">The owner's pending accumulator merged into the head bucket on a boundary crossing.</typeparam>
internal sealed class WindowRings<TBucket, TPending>
    where TBucket : unmanaged, IWindowBucket<TPending>
    where TPending : struct
{
    private readonly long[] _widths;
    private readonly int _windowCount;
    private readonly int _buckets;
    private readonly TBucket _empty;

    private ushort[] _heads;
    private TBucket[] _data;
    private int _capacity;

    /// <summary>Creates empty rings; call <see cref="EnsureCapacity"/> to make room for keys.</summary>
    /// <param name="windowLengthsMs">Window lengths in ms, each at least <paramref name="bucketsPerWindow"/>; 0 to <paramref name="maxWindows"/> windows.</param>
    /// <param name="bucketsPerWindow">Buckets per window, 1 to 1024.</param>
    /// <param name="maxWindows">Most windows allowed.</param>
    /// <param name="empty">The value of a bucket without data.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public WindowRings(ReadOnlySpan<long> windowLengthsMs, int bucketsPerWindow, int maxWindows, TBucket empty)
    {
        _widths = WindowMath.BucketWidths(windowLengthsMs, bucketsPerWindow, maxWindows);
        _windowCount = _widths.Length;
        _buckets = bucketsPerWindow;
        _empty = empty;
        _heads = [];
        _data = [];
    }

    /// <summary>Windows per key (K).</summary>
    public int WindowCount => _windowCount;

    /// <summary>Buckets per window (B).</summary>
    public int BucketsPerWindow => _buckets;

    /// <summary>Bytes of ring state one key takes.</summary>
    public int BytesPerKey => (_windowCount * sizeof(ushort)) + (_windowCount * _buckets * Unsafe.SizeOf<TBucket>());

    /// <summary>Bucket width of a window in ms (its slide step).</summary>
    public long BucketWidthMs(int window) => _widths[window];

    /// <summary>Makes room for keys 0..<paramref name="capacity"/>-1 (exactly that many; callers pick the growth policy).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _capacity)
        {
            // New keys' buckets are emptied by Start, at their first value.
            Array.Resize(ref _heads, checked(capacity * _windowCount));
            Array.Resize(ref _data, checked(capacity * _windowCount * _buckets));
            _capacity = capacity;
        }
    }

    /// <summary>
    /// First value of a key, at <paramref name="timestamp"/>: empties its buckets and points every head at the
    /// timestamp's bucket.
    /// </summary>
    /// <returns>The start of the earliest next bucket over all windows (the key's next boundary).</returns>
    public long Start(int key, long timestamp)
    {
        int first = key * _windowCount;
        _data.AsSpan(first * _buckets, _windowCount * _buckets).Fill(_empty);
        long boundary = long.MaxValue;
        for (int w = 0; w < _windowCount; w++)
        {
            long bucket = WindowMath.FloorDiv(timestamp, _widths[w]);
            _heads[first + w] = (ushort)WindowMath.FloorMod(bucket, _buckets);
            boundary = Math.Min(boundary, NextBucketStart(bucket, _widths[w]));
        }

        return boundary;
    }

    /// <summary>
    /// A boundary crossing: merges <paramref name="pending"/> (the in-order values of the key's newest bucket) into
    /// every window's head bucket, then moves each head from <paramref name="newestTs"/>'s bucket to
    /// <paramref name="timestamp"/>'s (≥ newest), emptying the buckets it passes (at most B per window).
    /// </summary>
    /// <returns>The start of the earliest next bucket over all windows (the key's next boundary).</returns>
    public long Advance(int key, long newestTs, long timestamp, in TPending pending)
    {
        int b = _buckets;
        long boundary = long.MaxValue;
        for (int w = 0; w < _windowCount; w++)
        {
            long width = _widths[w];
            int headIndex = (key * _windowCount) + w;
            var ring = _data.AsSpan(headIndex * b, b);
            int head = _heads[headIndex];
            ring[head].Merge(in pending);
            long newBucket = WindowMath.FloorDiv(timestamp, width);
            long steps = newBucket - WindowMath.FloorDiv(newestTs, width);
            if (steps > 0)
            {
                int clear = (int)Math.Min(steps, b);
                for (int j = 1; j <= clear; j++)
                {
                    int slot = head + j;
                    ring[slot >= b ? slot - b : slot] = _empty;
                }

                _heads[headIndex] = (ushort)WindowMath.FloorMod(newBucket, b);
            }

            boundary = Math.Min(boundary, NextBucketStart(newBucket, width));
        }

        return boundary;
    }

    /// <summary>
    /// The bucket of window <paramref name="window"/> that holds an out-of-order <paramref name="timestamp"/>
    /// (before <paramref name="newestTs"/>), or a null reference when that bucket has left the ring (the value is
    /// then outside this window at every later time; test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).
    /// </summary>
    public ref TBucket BucketOf(int key, int window, long newestTs, long timestamp)
    {
        long width = _widths[window];
        long back = WindowMath.FloorDiv(newestTs, width) - WindowMath.FloorDiv(timestamp, width);
        if ((ulong)back >= (ulong)_buckets)
        {
            return ref Unsafe.NullRef<TBucket>();
        }

        int headIndex = (key * _windowCount) + window;
        int slot = _heads[headIndex] - (int)back;
        return ref _data[(headIndex * _buckets) + (slot < 0 ? slot + _buckets : slot)];
    }

    /// <summary>
    /// The buckets window <paramref name="window"/> of a key covers as of <paramref name="asOfTimestamp"/>, given the
    /// key's newest time <paramref name="newestTs"/>.
    /// </summary>
    public WindowBuckets<TBucket> Read(int key, int window, long newestTs, long asOfTimestamp)
    {
        int b = _buckets;
        long width = _widths[window];
        long newestBucket = WindowMath.FloorDiv(newestTs, width);
        long asOfBucket = WindowMath.FloorDiv(asOfTimestamp, width);
        long shift = asOfBucket - newestBucket;

        // j counts buckets back from the newest; bucket (newest − j) is in the window when it is at or
        // before asOf's bucket and after asOf's bucket − B.
        int jStart = (int)Math.Clamp(-shift, 0, b);
        int jEnd = (int)Math.Clamp(b - shift, 0, b);
        int headIndex = (key * _windowCount) + window;
        long firstBucket = Math.Max(asOfBucket, newestBucket) - b + 1;
        long lastBucket = Math.Min(asOfBucket, newestBucket);
        return new WindowBuckets<TBucket>(_data.AsSpan(headIndex * b, b), _heads[headIndex], jStart, jEnd, firstBucket * width, (lastBucket + 1) * width);
    }

    /// <summary>When a boundary crossing is coming, asks for the head bucket of every window of the key.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void PrefetchHeads(int key)
    {
        int heads = key * _windowCount;
        for (int w = 0; w < _windowCount; w++)
        {
            CachePrefetch.Line(_data, ((heads + w) * _buckets) + _heads[heads + w]);
        }
    }

    /// <summary>Writes the heads and buckets of keys 0..<paramref name="keyCount"/>-1.</summary>
    public void WriteState(ref SnapshotWriter w, int keyCount)
    {
        w.WriteArray<ushort>(_heads.AsSpan(0, keyCount * _windowCount));
        w.WriteArray<TBucket>(_data.AsSpan(0, keyCount * _windowCount * _buckets));
    }

    /// <summary>
    /// Reads what <see cref="WriteState"/> wrote for <paramref name="keyCount"/> keys (capacity must already be there)
    /// and checks every head is a ring slot.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is truncated or a head is outside the ring.</exception>
    public void ReadState(ref SnapshotReader r, int keyCount, string what)
    {
        var heads = _heads.AsSpan(0, keyCount * _windowCount);
        r.ReadArray(heads, what + " bucket heads");
        foreach (ushort head in heads)
        {
            if (head >= _buckets)
            {
                SnapshotFormat.ThrowInvalid($"{what}: a bucket head is {head}; rings have {_buckets} buckets.");
            }
        }

        r.ReadArray(_data.AsSpan(0, keyCount * _windowCount * _buckets), what + " buckets");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long NextBucketStart(long bucket, long width) =>
        bucket >= (long.MaxValue / width) - 1 ? long.MaxValue : (bucket + 1) * width;
}

/// <summary>
/// The buckets one window read covers (from <see cref="WindowRings{TBucket, TPending}.Read"/>), newest first;
/// enumerate them with <c>foreach (ref readonly var bucket in buckets)</c>.
/// </summary>
internal readonly ref struct WindowBuckets<TBucket>
    where TBucket : unmanaged
{
    private readonly ReadOnlySpan<TBucket> _ring;
    private readonly int _head;
    private readonly int _jStart;
    private readonly int _jEnd;

    public WindowBuckets(ReadOnlySpan<TBucket> ring, int head, int jStart, int jEnd, long startMs, long endMs)
    {
        _ring = ring;
        _head = head;
        _jStart = jStart;
        _jEnd = jEnd;
        StartMs = startMs;
        EndMs = endMs;
    }

    /// <summary>True when no bucket of the ring is in the window.</summary>
    public bool IsEmpty => _jStart >= _jEnd;

    /// <summary>True when the key's newest bucket is in the window (so the owner's pending accumulator belongs to it).</summary>
    public bool IncludesNewest => _jStart == 0 && _jEnd > 0;

    /// <summary>Start of the window's first bucket, Unix ms.</summary>
    public long StartMs { get; }

    /// <summary>End (exclusive) of the window's last bucket that can hold data, Unix ms.</summary>
    public long EndMs { get; }

    /// <summary>Enumerates the covered buckets.</summary>
    public Enumerator GetEnumerator() => new(_ring, _head, _jStart, _jEnd);

    /// <summary>Walks the ring backwards from the newest covered bucket.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<TBucket> _ring;
        private readonly int _head;
        private readonly int _jEnd;
        private int _j;

        public Enumerator(ReadOnlySpan<TBucket> ring, int head, int jStart, int jEnd)
        {
            _ring = ring;
            _head = head;
            _j = jStart - 1;
            _jEnd = jEnd;
        }

        public readonly ref readonly TBucket Current
        {
            get
            {
                int slot = _head - _j;
                return ref _ring[slot < 0 ? slot + _ring.Length : slot];
            }
        }

        public bool MoveNext() => ++_j < _jEnd;
    }
}
