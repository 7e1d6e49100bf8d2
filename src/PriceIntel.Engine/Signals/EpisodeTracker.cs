using System.Runtime.CompilerServices;
using PriceIntel.Engine.Core;

namespace PriceIntel.Engine.Signals;

/// <summary>
/// Per-key episode state of one signal rule, so a condition that holds raises one signal, not a storm.
/// An episode starts when the rule's condition becomes true and raises one signal; while the condition
/// holds nothing more is raised; the episode ends when the condition clears. A new episode can only start
/// once <c>cooldown</c> of event time has passed since the key's last signal: a condition that comes back
/// earlier is ignored until the first point at or after the cooldown at which it still holds. Late events
/// (event time before the last signal) never start an episode.
/// State: 9 bytes per key (last signal time, active flag). Single-threaded; grows on a non-inlined path.
/// </summary>
internal sealed class EpisodeTracker
{
    private const long Never = long.MinValue;

    private long[] _lastSignal;
    private bool[] _active;

    /// <summary>Creates state for <paramref name="initialKeys"/> keys.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or cooldown.</exception>
    public EpisodeTracker(int initialKeys, long cooldownMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialKeys);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldownMs);
        CooldownMs = cooldownMs;
        _lastSignal = new long[initialKeys];
        _lastSignal.AsSpan().Fill(Never);
        _active = new bool[initialKeys];
    }

    /// <summary>Event-time milliseconds between one signal of a key and the start of its next episode.</summary>
    public long CooldownMs { get; }

    /// <summary>Keys that fit without growing.</summary>
    public int Capacity => _active.Length;

    /// <summary>Converts <see cref="AlertOptions.CooldownMinutes"/> to milliseconds.</summary>
    public static long CooldownFrom(AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (long)Math.Round(options.CooldownMinutes * 60_000);
    }

    /// <summary>Makes room for keys 0..<paramref name="keys"/> − 1.</summary>
    public void EnsureCapacity(int keys)
    {
        if (keys > _active.Length)
        {
            Grow(keys);
        }
    }

    /// <summary>
    /// The rule's condition holds for <paramref name="key"/> at <paramref name="timestamp"/>. True when this
    /// starts a new episode (the caller raises its signal); false while an episode holds or in cooldown.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryStart(int key, long timestamp)
    {
        if ((uint)key >= (uint)_active.Length)
        {
            GrowFor(key);
        }

        if (_active[key])
        {
            return false;
        }

        long last = _lastSignal[key];
        if (last != Never && (timestamp < last || timestamp - last < CooldownMs))
        {
            return false;
        }

        _active[key] = true;
        _lastSignal[key] = timestamp;
        return true;
    }

    /// <summary>The rule's condition does not hold for <paramref name="key"/>: its episode, if any, ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void End(int key)
    {
        if ((uint)key < (uint)_active.Length)
        {
            _active[key] = false;
        }
    }

    /// <summary>True while an episode of <paramref name="key"/> holds.</summary>
    public bool IsActive(int key) => (uint)key < (uint)_active.Length && _active[key];

    /// <summary>Event time of the key's last signal, or null when it never raised one.</summary>
    public long? LastSignalTime(int key) =>
        (uint)key < (uint)_active.Length && _lastSignal[key] != Never ? _lastSignal[key] : null;

    /// <summary>Writes the state of keys 0..<paramref name="keyCount"/>-1 (all keys ever started must be below it).</summary>
    public void WriteState(ref SnapshotWriter w, int keyCount)
    {
        w.WriteSection("EPIS"u8);
        w.WriteInt32(keyCount);
        w.WriteArray<long>(_lastSignal.AsSpan(0, keyCount));
        w.WriteArray<bool>(_active.AsSpan(0, keyCount));
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote into this (fresh) tracker; the key count is checked against the bytes left before it grows.</summary>
    /// <exception cref="InvalidDataException">The data is damaged.</exception>
    public void ReadState(ref SnapshotReader r)
    {
        r.ExpectSection("EPIS"u8);
        int n = r.ReadCount("episode key count", Array.MaxLength, sizeof(long) + sizeof(bool));
        EnsureCapacity(n);
        r.ReadArray(_lastSignal.AsSpan(0, n), "episode last signal times");
        r.ReadArray(_active.AsSpan(0, n), "episode flags");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowFor(int key)
    {
        if (key < 0)
        {
            ThrowNegativeKey(key);
        }

        Grow(key + 1);
    }

    private void Grow(int needed)
    {
        int old = _active.Length;
        int capacity = Math.Max(needed, Math.Max(16, old * 2));
        Array.Resize(ref _active, capacity);
        Array.Resize(ref _lastSignal, capacity);
        _lastSignal.AsSpan(old).Fill(Never);
    }

    private static void ThrowNegativeKey(int key) =>
        throw new ArgumentOutOfRangeException(nameof(key), key, "Keys are dense and non-negative.");
}
