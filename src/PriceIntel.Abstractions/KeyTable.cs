using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace PriceIntel;

/// <summary>
/// Interns string keys (SKUs, competitor names, platforms) to dense ids 0, 1, 2, … once, at decode
/// time, so the engine indexes arrays instead of hashing strings per event. Lookups of known keys
/// from <see cref="ReadOnlySpan{T}"/> of chars or UTF-8 bytes allocate nothing. Safe for one writer
/// thread and any number of readers (decoder, engine and sinks may run on different threads).
/// Ids are local to a process; <see cref="GetStableHash"/> is the same everywhere and is what
/// deterministic output ids are built from.
/// </summary>
public sealed class KeyTable
{
    /// <summary>The longest key accepted, in UTF-16 code units.</summary>
    public const int MaxKeyLength = 256;

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly Lock _writeLock = new();
    private string[] _names = new string[64];
    private ulong[] _hashes = new ulong[64];
    private int _count;

    /// <summary>Creates an empty table.</summary>
    /// <param name="name">What the keys are, for error messages (e.g. "product").</param>
    public KeyTable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>What the keys are (e.g. "product").</summary>
    public string Name { get; }

    /// <summary>Number of keys interned so far; ids are 0 to Count - 1.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The id of <paramref name="key"/>, adding it when new.</summary>
    /// <exception cref="ArgumentException">The key is empty, longer than <see cref="MaxKeyLength"/>, or has control characters.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Intern(ReadOnlySpan<char> key) =>
        _spanLookup.TryGetValue(key, out var id) ? id : Add(key.ToString());

    /// <summary>The id of the UTF-8 key, adding it when new. Allocates only for a new key.</summary>
    /// <exception cref="ArgumentException">The key is not valid UTF-8, is empty, too long, or has control characters.</exception>
    public int Intern(ReadOnlySpan<byte> utf8Key)
    {
        if (!TryIntern(utf8Key, out var id, out var error))
        {
            throw new ArgumentException(error, nameof(utf8Key));
        }

        return id;
    }

    /// <summary>The id of the UTF-8 key, adding it when new; false with a reason when the key is unusable.</summary>
    [SkipLocalsInit]
    public bool TryIntern(ReadOnlySpan<byte> utf8Key, out int id, out string? error)
    {
        Span<char> chars = stackalloc char[MaxKeyLength];
        if (utf8Key.Length > MaxKeyLength * 3)
        {
            id = -1;
            error = $"{Name} key is longer than {MaxKeyLength} characters";
            return false;
        }

        if (Encoding.UTF8.TryGetChars(utf8Key, chars, out var written) is false)
        {
            id = -1;
            error = $"{Name} key is longer than {MaxKeyLength} characters";
            return false;
        }

        var key = chars[..written];
        if (_spanLookup.TryGetValue(key, out id))
        {
            error = null;
            return true;
        }

        error = Validate(key);
        if (error is not null)
        {
            id = -1;
            return false;
        }

        id = Add(key.ToString());
        return true;
    }

    /// <summary>The id of a known key; false when it was never interned.</summary>
    public bool TryGetId(ReadOnlySpan<char> key, out int id) => _spanLookup.TryGetValue(key, out id);

    /// <summary>The key of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No key has that id.</exception>
    public string GetName(int id)
    {
        var count = Count;
        if ((uint)id >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"No {Name} key has id {id}; {count} are known.");
        }

        return Volatile.Read(ref _names)[id];
    }

    /// <summary>A 64-bit FNV-1a hash of the key's UTF-16 code units: the same in every process.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong GetStableHash(int id) => Volatile.Read(ref _hashes)[id];

    /// <summary>The stable 64-bit FNV-1a hash of a key, as <see cref="GetStableHash"/> gives it.</summary>
    public static ulong ComputeStableHash(ReadOnlySpan<char> key)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private int Add(string key)
    {
        var error = Validate(key);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(key));
        }

        lock (_writeLock)
        {
            if (_ids.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var id = _count;
            if (id == _names.Length)
            {
                Array.Resize(ref _hashes, id * 2);
                Array.Resize(ref _names, id * 2);
            }

            _names[id] = key;
            _hashes[id] = ComputeStableHash(key);
            Volatile.Write(ref _count, id + 1);
            _ids[key] = id;
            return id;
        }
    }

    private string? Validate(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty || key.IsWhiteSpace())
        {
            return $"{Name} key is empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"{Name} key is longer than {MaxKeyLength} characters";
        }

        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                return $"{Name} key contains a control character";
            }
        }

        return null;
    }
}

/// <summary>The three key tables every part of one process shares: products, competitors and platforms.</summary>
public sealed class MarketKeys
{
    /// <summary>Product SKUs.</summary>
    public KeyTable Products { get; } = new("product");

    /// <summary>Competitor names.</summary>
    public KeyTable Competitors { get; } = new("competitor");

    /// <summary>Source platforms (site, API or feed names).</summary>
    public KeyTable Platforms { get; } = new("platform");
}
