using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PriceIntel.Engine.Simulation;

/// <summary>
/// The events of one simulator tick, put into event-time order by a stable LSD radix sort on the
/// millisecond offset within the tick (ties keep generation order, so the order is deterministic).
/// Events timed at or after the tick's end (a purchase a minute after its add-to-cart) spill over
/// and are added again when the next tick begins. Arrays are reused and only grow, on a rare path.
/// </summary>
internal sealed class TickEventBuffer
{
    private const int RadixBits = 8;
    private const int RadixSize = 1 << RadixBits;

    private readonly int[] _counts = new int[RadixSize];
    private readonly int _passes;
    private MarketEvent[] _events;
    private ulong[] _keys;
    private ulong[] _scratch;
    private int _count;
    private int _cursor;
    private MarketEvent[] _spill;
    private int _spillCount;
    private MarketEvent[] _spillNext;
    private int _spillNextCount;
    private long _tickStart;
    private long _tickLength;

    public TickEventBuffer(long maxTickLengthMs, int initialCapacity = 4096)
    {
        var bits = 64 - BitOperations.LeadingZeroCount((ulong)maxTickLengthMs);
        _passes = Math.Max(1, (bits + RadixBits - 1) / RadixBits);
        _events = new MarketEvent[initialCapacity];
        _keys = new ulong[initialCapacity];
        _scratch = new ulong[initialCapacity];
        _spill = new MarketEvent[256];
        _spillNext = new MarketEvent[256];
    }

    /// <summary>Events of the current tick.</summary>
    public int Count => _count;

    /// <summary>Events not yet handed out by <see cref="Read"/>.</summary>
    public int Remaining => _count - _cursor;

    /// <summary>Events waiting for a later tick.</summary>
    public int SpillCount => _spillNextCount;

    /// <summary>Timestamp of the last event once sorted; only meaningful when <see cref="Count"/> &gt; 0.</summary>
    public long LastTimestamp => _tickStart + (long)(_keys[_count - 1] >> 32);

    /// <summary>Starts a tick covering [tickStart, tickStart + length) and takes back the spilled events that now fall due.</summary>
    public void Begin(long tickStart, long length)
    {
        _tickStart = tickStart;
        _tickLength = length;
        _count = 0;
        _cursor = 0;

        // Spilled events of earlier ticks come first: they were generated earlier, so equal
        // timestamps keep generation order after the stable sort.
        (_spill, _spillNext) = (_spillNext, _spill);
        _spillCount = _spillNextCount;
        _spillNextCount = 0;
        for (int i = 0; i < _spillCount; i++)
        {
            Add(in _spill[i]);
        }

        _spillCount = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in MarketEvent marketEvent)
    {
        var offset = marketEvent.Timestamp - _tickStart;
        if ((ulong)offset >= (ulong)_tickLength)
        {
            AddSpill(in marketEvent);
            return;
        }

        var count = _count;
        if (count == _events.Length)
        {
            Grow();
        }

        _events[count] = marketEvent;
        _keys[count] = ((ulong)offset << 32) | (uint)count;
        _count = count + 1;
    }

    /// <summary>Sorts the tick's events by timestamp (stable).</summary>
    public void Sort()
    {
        var count = _count;
        if (count < 2)
        {
            return;
        }

        var source = _keys;
        var target = _scratch;
        var counts = _counts;
        for (int pass = 0; pass < _passes; pass++)
        {
            var shift = 32 + (pass * RadixBits);
            Array.Clear(counts);
            for (int i = 0; i < count; i++)
            {
                counts[(int)(source[i] >> shift) & (RadixSize - 1)]++;
            }

            var sum = 0;
            for (int b = 0; b < RadixSize; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            for (int i = 0; i < count; i++)
            {
                var key = source[i];
                target[counts[(int)(key >> shift) & (RadixSize - 1)]++] = key;
            }

            (source, target) = (target, source);
        }

        _keys = source;
        _scratch = target;
    }

    /// <summary>Copies the next sorted events into <paramref name="destination"/>; returns how many.</summary>
    public int Read(Span<MarketEvent> destination)
    {
        var n = Math.Min(destination.Length, _count - _cursor);

        // Unchecked gather: every key's low half is an index below _count, set by Add.
        ref var events = ref MemoryMarshal.GetArrayDataReference(_events);
        ref var keys = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_keys), _cursor);
        ref var target = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref target, i) = Unsafe.Add(ref events, (int)(uint)Unsafe.Add(ref keys, i));
        }

        _cursor += n;
        return n;
    }

    /// <summary>Drops the events still spilled over (the simulation ended before their time); returns how many.</summary>
    public int DiscardSpill()
    {
        var n = _spillNextCount;
        _spillNextCount = 0;
        return n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSpill(in MarketEvent marketEvent)
    {
        if (marketEvent.Timestamp < _tickStart)
        {
            ThrowEarly(marketEvent.Timestamp, _tickStart);
        }

        if (_spillNextCount == _spillNext.Length)
        {
            Array.Resize(ref _spillNext, _spillNext.Length * 2);
        }

        _spillNext[_spillNextCount++] = marketEvent;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        var size = _events.Length * 2;
        Array.Resize(ref _events, size);
        Array.Resize(ref _keys, size);
        _scratch = new ulong[size];
    }

    private static void ThrowEarly(long timestamp, long tickStart) =>
        throw new InvalidOperationException($"Simulator generated an event at {timestamp}, before its tick starting at {tickStart}.");
}
